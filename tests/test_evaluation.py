"""skvhp._torch.evaluation: the chunked importance-sampled log-likelihood."""

import numpy as np
import pytest
import torch

from skvhp._torch.evaluation import importance_log_likelihood, plan_chunks


@pytest.mark.parametrize("n_points,n_samples,width,cap", [(10, 5000, 784, 2**20), (3, 7, 1, 4)])
def test_plan_chunks_respects_the_cap(n_points, n_samples, width, cap):
    points, samples = plan_chunks(n_points, n_samples, width, cap)
    assert 1 <= points <= n_points and 1 <= samples <= n_samples
    assert points * samples * width <= max(cap, width)


def test_chunked_importance_sum_is_exact():
    """Chunking over points and samples changes nothing: the same weights give the
    same log-mean-exp as one big call."""
    weights = torch.randn(12, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    state = {"offset": 0}

    def log_weights(x, n, generator):
        # Hand out the next n rows of a fixed weight table, for the points in x.
        rows = weights[state["offset"] : state["offset"] + n][:, x[:, 0].long()]
        state["offset"] = (state["offset"] + n) % 12
        return rows

    X = torch.arange(5, dtype=torch.float64)[:, None]
    # max_elements=4: 4 samples per chunk, one point per chunk, 15 calls in all.
    got = importance_log_likelihood(log_weights, X, 12, width=1, max_elements=4)
    expected = torch.logsumexp(weights, 0) - np.log(12)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12)
