"""The importance-sampled log-likelihood against closed forms.

A linear-Gaussian VAE (p(z) = N(0, I), p(x|z) = N(Wz + b, diag(sigma^2))) has the
marginal N(b, W W^T + diag(sigma^2)). With orthogonal columns of W and equal noise,
the exact posterior is diagonal, so an encoder can be set to it exactly.
"""

import numpy as np
import pytest
import torch
from scipy import stats

from skvhp import IWAE

D, d, SIGMA2 = 5, 2, 0.3


@pytest.fixture(scope="module")
def linear_gaussian():
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(D, d)))
    W = q * np.array([1.5, 0.7])  # orthogonal columns, different lengths
    b = rng.normal(size=D)
    X = rng.multivariate_normal(b, W @ W.T + SIGMA2 * np.eye(D), size=3000)
    post_var = 1.0 / (1.0 + (W**2).sum(0) / SIGMA2)  # diagonal of (I + W^T W / s2)^-1
    A = (post_var[:, None] * W.T) / SIGMA2  # posterior mean = A (x - b)
    return dict(W=W, b=b, X=X, A=A, post_var=post_var)


def make_model(lg, n_importance_samples, *, mean_shift=0.0, var_scale=1.0):
    """A fitted IWAE whose networks are overwritten with the linear-Gaussian model and
    an encoder at the exact posterior (or a perturbed one)."""
    model = IWAE(
        n_components=d,
        hidden_layer_sizes=(),
        likelihood="gaussian",
        max_iter=1,
        n_importance_samples=n_importance_samples,
        device="cpu",
        random_state=0,
    ).fit(lg["X"][:50])
    enc, dec = model.module_.encoder.net[0], model.module_.decoder[0]
    with torch.no_grad():
        enc.weight.zero_()
        enc.weight[:d] = torch.tensor(lg["A"])
        enc.bias[:d] = torch.tensor(-lg["A"] @ lg["b"] + mean_shift)
        enc.bias[d:] = torch.tensor(np.log(lg["post_var"] * var_scale))
        dec.weight.copy_(torch.tensor(lg["W"]))
        dec.bias.copy_(torch.tensor(lg["b"]))
        model.module_.likelihood.log_var.fill_(np.log(SIGMA2))
    return model


def closed_form_log_marginal(lg, X):
    return stats.multivariate_normal(lg["b"], lg["W"] @ lg["W"].T + SIGMA2 * np.eye(D)).logpdf(X)


def analytic_elbo(lg, X, mean_shift, var_scale):
    W, b = lg["W"], lg["b"]
    mu = (X - b) @ lg["A"].T + mean_shift
    s2 = lg["post_var"] * var_scale
    resid = X - (mu @ W.T + b)
    expected_log_lik = (
        -0.5 * (np.log(2 * np.pi * SIGMA2) + resid**2 / SIGMA2).sum(1)
        - 0.5 * ((W**2) @ s2).sum() / SIGMA2
    )
    kl = 0.5 * (mu**2 + s2 - 1 - np.log(s2)).sum(1)
    return expected_log_lik - kl


def test_exact_posterior_gives_the_exact_marginal(linear_gaussian):
    X = linear_gaussian["X"][:200]
    model = make_model(linear_gaussian, n_importance_samples=3)
    np.testing.assert_allclose(
        model.score_samples(X), closed_form_log_marginal(linear_gaussian, X), atol=2e-4
    )


def test_one_sample_estimate_is_the_elbo_in_expectation(linear_gaussian):
    X = linear_gaussian["X"]
    model = make_model(linear_gaussian, 1, mean_shift=0.4, var_scale=2.0)
    one_sample = model.score_samples(X)
    elbo = analytic_elbo(linear_gaussian, X, 0.4, 2.0)
    standard_error = np.std(one_sample - elbo) / np.sqrt(len(X))
    assert abs(np.mean(one_sample - elbo)) < 4 * standard_error
    # ... and the ELBO is strictly below the true marginal for this poor encoder.
    assert np.mean(closed_form_log_marginal(linear_gaussian, X) - elbo) > 0.1


def test_estimate_grows_with_samples_towards_the_marginal(linear_gaussian):
    X = linear_gaussian["X"][:1000]
    truth = closed_form_log_marginal(linear_gaussian, X).mean()
    elbo = analytic_elbo(linear_gaussian, X, 0.4, 2.0).mean()
    means = [
        make_model(linear_gaussian, s, mean_shift=0.4, var_scale=2.0).score(X)
        for s in (1, 10, 100, 2000)
    ]
    # S=1 is the ELBO in expectation (tested above); more samples lift it clearly above.
    assert means[1] > elbo + 0.05
    assert all(a < b for a, b in zip(means, means[1:], strict=False))
    assert means[-1] <= truth + 0.01
    assert truth - means[-1] < 0.02
