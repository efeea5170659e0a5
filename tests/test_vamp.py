"""VampPriorVAE: the mixture density, its limits, pseudo-inputs, two layers."""

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.special import logsumexp

from skvhp import VampPriorVAE
from skvhp._torch.priors import mixture_log_prob

from .conftest import small


def test_mixture_log_density_equals_the_explicit_sum(rng):
    K, d = 7, 3
    means, log_vars = rng.normal(size=(K, d)), rng.normal(scale=0.5, size=(K, d))
    z = rng.normal(size=(4, 5, d)) * 2
    per_component = np.stack(
        [stats.norm(means[k], np.exp(0.5 * log_vars[k])).logpdf(z).sum(-1) for k in range(K)],
        axis=-1,
    )
    expected = logsumexp(per_component, axis=-1) - np.log(K)
    got = mixture_log_prob(*(torch.tensor(a) for a in (z, means, log_vars))).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@pytest.mark.parametrize("log_var", [-12.0, -8.0])
def test_mixture_is_accurate_near_a_narrow_component_in_float32(rng, log_var):
    """Near a narrow component far from the origin (means at 3, d = 40) float32 must
    match scipy in float64; the expanded form z² - 2zm + m² was off by 3 nats at -12."""
    K, d = 5, 40
    means = np.full((K, d), 3.0) + rng.normal(scale=0.5, size=(K, d))
    log_vars = np.full((K, d), log_var)
    z = means[:2] + rng.normal(scale=np.exp(0.5 * log_var), size=(2, d))
    per_component = np.stack(
        [stats.norm(means[k], np.exp(0.5 * log_vars[k])).logpdf(z).sum(-1) for k in range(K)],
        axis=-1,
    )
    expected = logsumexp(per_component, axis=-1) - np.log(K)
    got = mixture_log_prob(*(torch.tensor(a, dtype=torch.float32) for a in (z, means, log_vars)))
    np.testing.assert_allclose(got.numpy(), expected, atol=0.02)


def test_mixture_is_stable_far_from_every_component():
    means, log_vars = torch.zeros(3, 2), torch.full((3, 2), -8.0)
    value = mixture_log_prob(torch.full((1, 2), 50.0), means, log_vars)
    assert torch.isfinite(value).all() and value.item() < -1e6


def test_one_pseudo_input_at_a_training_point_is_its_posterior(digits01):
    model = small(VampPriorVAE, n_pseudo_inputs=1, pseudo_inputs="data", max_iter=1)
    model.fit(digits01[:1])  # one training point: the pseudo-input is that point
    np.testing.assert_array_equal(model.pseudo_inputs_[0], digits01[0])
    module = model.module_
    z = torch.randn(10, 2, generator=torch.Generator().manual_seed(0))
    x = torch.tensor(digits01[:1], dtype=torch.float32)
    with torch.no_grad():
        mean, log_var = module.encoder(x)
        expected = stats.norm(mean[0].numpy(), np.exp(0.5 * log_var[0].numpy()))
        np.testing.assert_allclose(
            module.prior.log_prob(z).numpy(), expected.logpdf(z.numpy()).sum(-1), rtol=1e-5
        )


def test_pseudo_inputs_stay_in_range_and_data_ones_stay_fixed(digits01):
    learned = small(VampPriorVAE, n_pseudo_inputs=6, max_iter=3, learning_rate=0.05)
    learned.fit(digits01)
    U = learned.pseudo_inputs_
    assert U.shape == (6, 64) and U.min() >= 0.0 and U.max() <= 1.0
    raw = learned.module_.prior.raw_pseudo_inputs
    assert raw.requires_grad and not np.allclose(U, np.clip(digits01, 0.01, 0.99)[:1])
    fixed = small(VampPriorVAE, n_pseudo_inputs=6, pseudo_inputs="data").fit(digits01)
    rows = {tuple(r) for r in digits01}
    assert all(tuple(u) in rows for u in fixed.pseudo_inputs_)
    assert not fixed.module_.prior.raw_pseudo_inputs.requires_grad


def test_learned_pseudo_inputs_move(digits01):
    model = small(VampPriorVAE, n_pseudo_inputs=6, max_iter=1)
    model.fit(digits01)
    before = model.pseudo_inputs_.copy()
    model.set_params(warm_start=True, max_iter=3).fit(digits01)
    assert np.abs(model.pseudo_inputs_ - before).max() > 1e-4


def test_prior_samples_come_from_the_mixture(digits01):
    model = small(VampPriorVAE, n_pseudo_inputs=3, pseudo_inputs="data", max_iter=1)
    model.fit(digits01)
    Z = model.sample_latent(3000, random_state=0)
    means = model.transform(model.pseudo_inputs_)
    # Every sample lies nearest to one of the three component means, and all are used.
    nearest = np.argmin(((Z[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert set(nearest) == {0, 1, 2}


@pytest.mark.parametrize("n_layers", [1, 2])
def test_warmup_reaches_the_elbo_and_training_helps(n_layers, digits01):
    model = small(
        VampPriorVAE,
        n_layers=n_layers,
        n_components_z1=4,
        n_pseudo_inputs=10,
        warmup_epochs=2,
        max_iter=15,
        n_importance_samples=50,
    ).fit(digits01)
    betas = model.iteration_history_["beta"]
    assert betas[0] == 0.0 and betas[-1] == 1.0
    first = small(
        VampPriorVAE,
        n_layers=n_layers,
        n_components_z1=4,
        n_pseudo_inputs=10,
        max_iter=1,
        n_importance_samples=50,
    ).fit(digits01)
    assert model.score(digits01) > first.score(digits01) + 2.0


@pytest.mark.parametrize(
    "param, value",
    [
        ("n_pseudo_inputs", 0),
        ("pseudo_inputs", "random"),
        ("n_layers", 3),
        ("n_components_z1", 0),
        ("warmup_epochs", -2),
        ("activation", "gelu"),
    ],
)
def test_invalid_parameters(param, value, digits01):
    with pytest.raises(ValueError, match=param):
        small(VampPriorVAE, **{param: value}).fit(digits01)
