"""Log-densities against scipy, and the small numeric helpers."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from skvhp._torch.distributions import (
    kl_normal_standard,
    log_bernoulli_logits,
    log_mean_exp,
    log_normal_diag,
    log_standard_normal,
)

finite = st.floats(-5, 5, allow_nan=False, width=32)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(finite, finite, st.floats(-4, 4, width=32)), min_size=1, max_size=6))
def test_log_normal_diag_matches_scipy(rows):
    x, mean, log_var = (np.array(c, dtype=np.float64) for c in zip(*rows, strict=True))
    expected = stats.norm(mean, np.exp(0.5 * log_var)).logpdf(x).sum()
    got = log_normal_diag(*(torch.tensor(a) for a in (x, mean, log_var)))
    assert float(got) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_log_standard_normal_matches_scipy(rng):
    z = rng.normal(size=(7, 3))
    expected = stats.multivariate_normal(np.zeros(3), np.eye(3)).logpdf(z)
    np.testing.assert_allclose(log_standard_normal(torch.tensor(z)).numpy(), expected)


def test_log_bernoulli_is_a_log_probability_on_binary_data(rng):
    logits = rng.normal(size=(5, 4))
    x = (rng.random((5, 4)) < 0.5).astype(float)
    p = 1 / (1 + np.exp(-logits))
    expected = stats.bernoulli(p).logpmf(x).sum(-1)
    got = log_bernoulli_logits(torch.tensor(x), torch.tensor(logits)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_kl_normal_standard_matches_monte_carlo(rng):
    mean, log_var = np.array([0.3, -1.0]), np.array([-0.5, 0.4])
    z = mean + np.exp(0.5 * log_var) * rng.normal(size=(200_000, 2))
    mc = (
        stats.norm(mean, np.exp(0.5 * log_var)).logpdf(z).sum(-1) - stats.norm().logpdf(z).sum(-1)
    ).mean()
    kl = float(kl_normal_standard(torch.tensor(mean), torch.tensor(log_var)))
    assert kl == pytest.approx(mc, abs=0.01)


def test_log_mean_exp_is_stable():
    a = torch.tensor([[1000.0, 1000.0], [-1000.0, 1000.0]], dtype=torch.float64)
    np.testing.assert_allclose(log_mean_exp(a, 0).numpy(), [1000 - np.log(2), 1000.0])


@pytest.mark.parametrize("logit", [-30.0, -4.0, -0.3, -1e-5, 0.0, 2e-4, 0.5, 3.0, 25.0])
def test_continuous_bernoulli_is_normalised_with_the_right_mean(logit):
    from scipy.integrate import quad

    from skvhp._torch.distributions import (
        continuous_bernoulli_mean,
        log_continuous_bernoulli_logits,
    )

    l64 = torch.tensor([logit], dtype=torch.float64)

    def density(x):
        return float(torch.exp(log_continuous_bernoulli_logits(torch.tensor([x]), l64)))

    total, _ = quad(density, 0.0, 1.0, points=[0.5], limit=200)
    mean, _ = quad(lambda x: x * density(x), 0.0, 1.0, points=[0.5], limit=200)
    assert total == pytest.approx(1.0, rel=1e-6)
    assert float(continuous_bernoulli_mean(l64)) == pytest.approx(mean, abs=1e-6)
    # float32 agrees with float64 (no cancellation near l = 0)
    l32 = l64.float()
    x = torch.tensor([0.3])
    assert float(log_continuous_bernoulli_logits(x, l32)) == pytest.approx(
        float(log_continuous_bernoulli_logits(x.double(), l64)), abs=1e-4
    )


def test_continuous_bernoulli_samples_follow_the_mean():
    from skvhp._torch.distributions import continuous_bernoulli_mean, continuous_bernoulli_sample

    logits = torch.tensor([-6.0, -0.5, 0.0, 1e-6, 0.8, 40.0]).repeat(200000, 1)
    u = torch.rand(logits.shape, generator=torch.Generator().manual_seed(0))
    x = continuous_bernoulli_sample(logits, u)
    assert x.min() >= 0 and x.max() <= 1
    torch.testing.assert_close(x.mean(0), continuous_bernoulli_mean(logits[0]), atol=3e-3, rtol=0)
