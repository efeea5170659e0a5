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


# ---------------------------------------------------------------- brute-force oracles
# Tiny fitted models with one-dimensional latents: log p(x) by quadrature over the latent
# grid(s), with the priors' own exact densities, against score_samples with many samples.
# The oracle knows nothing of the importance sampler: only the generative model.

from skvhp import VampPriorVAE, VHPAutoencoder  # noqa: E402
from skvhp._torch.distributions import log_normal_diag, log_standard_normal  # noqa: E402


def _grid(low: float, high: float, n: int) -> tuple[torch.Tensor, float]:
    z = torch.linspace(low, high, n, dtype=torch.float32)
    return z[:, None], float(z[1] - z[0])


def _log_integral(log_f: torch.Tensor, step: float, dim: int) -> torch.Tensor:
    return torch.logsumexp(log_f, dim=dim) + np.log(step)


def _tiny(cls, X, **kw):
    params = dict(
        n_components=1,
        hidden_layer_sizes=(6,),
        max_iter=3,
        batch_size=32,
        n_importance_samples=20000,
        device="cpu",
        random_state=0,
    )
    params.update(kw)
    return cls(**params).fit(X)


@pytest.fixture(scope="module")
def binary_digits():
    from sklearn.datasets import load_digits

    return (load_digits().data[:200] > 8).astype(np.float64)[:, :16]  # 16 binary pixels


def _single_layer_quadrature(model, X, log_prior):
    z, step = _grid(-8.0, 8.0, 4001)
    x = torch.tensor(X, dtype=torch.float32)
    with torch.no_grad():
        out = model.module_.decoder(z)  # (G, D)
        log_px = model.module_.likelihood.log_prob(x[:, None, :], out[None])  # (B, G)
        return _log_integral(log_px + log_prior(z)[None], step, 1).double().numpy()


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_iwae_score_matches_quadrature(binary_digits, likelihood):
    X = binary_digits[:6]
    model = _tiny(IWAE, binary_digits, likelihood=likelihood)
    truth = _single_layer_quadrature(model, X, log_standard_normal)
    np.testing.assert_allclose(model.score_samples(X), truth, atol=0.02)


def test_vampprior_score_matches_quadrature(binary_digits):
    X = binary_digits[:6]
    model = _tiny(VampPriorVAE, binary_digits, n_pseudo_inputs=4, warmup_epochs=1)
    with torch.no_grad():
        means, log_vars = model.module_.prior.components()
    means, log_vars = means.double().numpy(), log_vars.double().numpy()

    def explicit_mixture(z):  # (1/K) Σ_k N(z; m_k, v_k), summed by hand in numpy
        zz = z.double().numpy()
        comps = stats.norm(means[:, 0], np.exp(0.5 * log_vars[:, 0])).logpdf(zz)  # (G, K)
        return torch.tensor(np.logaddexp.reduce(comps, axis=1) - np.log(len(means)))

    truth = _single_layer_quadrature(model, X, explicit_mixture)
    np.testing.assert_allclose(model.score_samples(X), truth, atol=0.02)


@pytest.fixture(scope="module")
def tiny_vhp(binary_digits):
    model = _tiny(
        VHPAutoencoder,
        binary_digits,
        n_components_zeta=1,
        prior_hidden_layer_sizes=(4,),
        k=8,
        schedule="constant",  # β = 1: the prior trains from the first step
        init="random",  # a PCA start's q(z|x) (std 0.03) would be far narrower than p(z|x)
    )
    zeta, zeta_step = _grid(-8.0, 8.0, 2001)

    def hierarchical(z):  # p(z) = ∫ p_Θ(z|ζ) N(ζ; 0, 1) dζ by quadrature over ζ
        with torch.no_grad():
            mean, log_var = model.module_.prior.p_z(zeta)  # (Gζ, 1)
            log_joint = log_normal_diag(z[:, None, :], mean[None], log_var[None])
            return _log_integral(log_joint + log_standard_normal(zeta)[None], zeta_step, 1)

    X = binary_digits[:6]
    return model, X, _single_layer_quadrature(model, X, hierarchical)


@pytest.mark.parametrize("estimator", ["nested", "joint"])
def test_vhp_score_matches_quadrature(tiny_vhp, estimator):
    model, X, truth = tiny_vhp
    model.set_params(score_estimator=estimator)
    # The weights of a barely trained q_Φ(ζ|z) are heavy-tailed: pool runs of 20,000
    # samples (the log of their mean weight is the pooled estimate): five for nested,
    # whose z-samples carry k = 8 draws of ζ each, 40 for joint (the same ζ count).
    n_runs = 5 if estimator == "nested" else 40
    runs = [model.set_params(random_state=seed).score_samples(X) for seed in range(n_runs)]
    pooled = np.logaddexp.reduce(np.array(runs), axis=0) - np.log(len(runs))
    np.testing.assert_allclose(pooled, truth, atol=0.05)


def test_vhp_joint_and_nested_estimators_differ_in_their_draws(tiny_vhp):
    """The two options are really two estimators (same seed, different numbers), and
    the nested one, with k = 8 inner samples per z, has the smaller spread per z-sample."""
    model, X, _ = tiny_vhp
    spread = {}
    for estimator in ("joint", "nested"):
        model.set_params(score_estimator=estimator, n_importance_samples=50)
        runs = np.array([model.set_params(random_state=s).score_samples(X) for s in range(40)])
        spread[estimator] = runs.std(axis=0).mean()
        model.set_params(random_state=0)
        spread[estimator + " value"] = model.score_samples(X)
    model.set_params(n_importance_samples=20000, random_state=0, score_estimator="joint")
    assert not np.allclose(spread["joint value"], spread["nested value"])
    assert spread["nested"] < spread["joint"]


def test_two_layer_iwae_score_matches_quadrature(binary_digits):
    X = binary_digits[:4]
    model = _tiny(IWAE, binary_digits, n_layers=2, n_components_z1=1, hidden_layer_sizes_z2=(4,))
    z1, s1 = _grid(-8.0, 8.0, 801)
    z2, s2 = _grid(-6.0, 6.0, 601)
    x = torch.tensor(X, dtype=torch.float32)
    with torch.no_grad():
        log_px = model.module_.likelihood.log_prob(x[:, None, :], model.module_.decoder(z1)[None])
        mean, log_var = model.module_.p_z1(z2)  # (G2, 1)
        log_z1_z2 = log_normal_diag(z1[:, None, :], mean[None], log_var[None])  # (G1, G2)
        log_z1 = _log_integral(log_z1_z2 + log_standard_normal(z2)[None], s2, 1)  # (G1,)
        truth = _log_integral(log_px + log_z1[None], s1, 1).double().numpy()
    np.testing.assert_allclose(model.score_samples(X), truth, atol=0.03)


def test_two_layer_vampprior_score_matches_quadrature(binary_digits):
    X = binary_digits[:4]
    model = _tiny(
        VampPriorVAE,
        binary_digits,
        n_layers=2,
        n_components_z1=1,
        n_pseudo_inputs=3,
        warmup_epochs=1,
    )
    z1, s1 = _grid(-8.0, 8.0, 601)
    z2, s2 = _grid(-8.0, 8.0, 601)
    x = torch.tensor(X, dtype=torch.float32)
    module = model.module_
    with torch.no_grad():
        means, log_vars = module.prior.components()
        log_p2 = torch.logsumexp(
            log_normal_diag(z2[:, None, :], means[None], log_vars[None]), 1
        ) - np.log(len(means))  # (G2,)
        mean1, log_var1 = module.p_z1(z2)
        log_p1 = log_normal_diag(z1[:, None, :], mean1[None], log_var1[None])  # (G1, G2)
        pairs = torch.cat(
            [z1[:, None, :].expand(-1, len(z2), -1), z2[None].expand(len(z1), -1, -1)], -1
        )
        out = module.decoder(pairs)  # (G1, G2, D)
        log_px = module.likelihood.log_prob(x[:, None, None, :], out[None])  # (B, G1, G2)
        log_joint = log_px + log_p1[None] + log_p2[None, None]
        truth = (
            (torch.logsumexp(log_joint.reshape(len(X), -1), 1) + np.log(s1 * s2)).double().numpy()
        )
    np.testing.assert_allclose(model.score_samples(X), truth, atol=0.03)
