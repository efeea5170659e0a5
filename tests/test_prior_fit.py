"""VHPAutoencoder.fit_prior: the learned prior trained alone on the fitted posterior."""

import copy

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

import skvhp
from skvhp import VHPAutoencoder
from skvhp._torch import prior_fit
from skvhp.datasets import make_pendulum

from .conftest import small

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def fitted():
    X, _ = make_pendulum(400, random_state=0)
    X = (X > 0.5).astype(np.float32)
    model = small(
        VHPAutoencoder,
        prior_hidden_layer_sizes=(16,),
        kappa=0.5,  # loose: REWO reaches its main phase at once
        max_iter=3,
        shape_check=False,
    ).fit(X)
    return model, X


def prior_bound(model, X, seed=0, draws=20):
    """The prior's side of the KL term: mean log p̂(z) over draws z ~ q(z|x) of X."""
    module = model.module_
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        mean, log_var = module.encode(torch.as_tensor(X))
        total = 0.0
        for _ in range(draws):
            z = mean + (0.5 * log_var).exp() * torch.randn(mean.shape, generator=generator)
            total += float(module.prior.log_prob(z, generator).mean())
    return total / draws


def state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def test_fit_prior_trains_the_prior_alone_and_raises_its_bound(fitted):
    model, X = fitted
    model = copy.deepcopy(model)
    before, bound_before = state(model.module_), prior_bound(model, X)
    codes = model.transform(X)
    decoded = model.inverse_transform(codes[:5])  # the same rows as below, bit for bit
    assert model.prior_fit_steps_ == 0
    assert model.fit_prior(X, n_steps=200, batch_size=64) is model
    after = state(model.module_)
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("prior.") for k in changed)
    np.testing.assert_array_equal(model.transform(X), codes)
    np.testing.assert_array_equal(model.inverse_transform(codes[:5]), decoded)
    assert prior_bound(model, X) > bound_before + 0.5  # nats per code (2.4 seen)
    assert model.prior_fit_steps_ == 200
    model.fit_prior(X, n_steps=10)
    assert model.prior_fit_steps_ == 210
    model.set_params(max_iter=1).fit(X)  # a new fit: the prior trained with the rest
    assert model.prior_fit_steps_ == 0


def test_fit_prior_is_reproducible_with_a_seed_and_draws_afresh_when_called_again(fitted):
    model, X = fitted
    a = copy.deepcopy(model).fit_prior(X, n_steps=20)
    b = copy.deepcopy(model).fit_prior(X, n_steps=20)
    assert not torch.equal(a.module_.prior.p_z.net[0].weight, model.module_.prior.p_z.net[0].weight)
    # A second call continues with new draws: not the first call's batches again.
    twice = copy.deepcopy(model).fit_prior(X, n_steps=10).fit_prior(X, n_steps=10)
    replayed = copy.deepcopy(model).fit_prior(X, n_steps=10)
    replayed.prior_fit_steps_ = 0
    replayed.fit_prior(X, n_steps=10)
    weight = "p_z.net.0.weight"
    assert not torch.equal(
        twice.module_.prior.state_dict()[weight], replayed.module_.prior.state_dict()[weight]
    )
    for (name, p), q in zip(
        a.module_.prior.state_dict().items(), b.module_.prior.state_dict().values(), strict=True
    ):
        assert torch.equal(p, q), name


@pytest.mark.parametrize(
    "arguments, match",
    [
        ({"n_steps": 0}, "n_steps"),
        ({"n_steps": 2.5}, "n_steps"),
        ({"batch_size": 0}, "batch_size"),
        ({"n_steps": True}, "n_steps"),
    ],
)
def test_fit_prior_rejects_bad_arguments_and_leaves_the_model(fitted, arguments, match):
    model, X = fitted
    model = copy.deepcopy(model)
    before = state(model.module_)
    with pytest.raises(ValueError, match=match):
        model.fit_prior(X, **arguments)
    with pytest.raises(ValueError, match="features"):
        model.fit_prior(X[:, :10])
    assert all(torch.equal(v, model.module_.state_dict()[k]) for k, v in before.items())
    assert model.prior_fit_steps_ == 0


def test_fit_prior_needs_a_fitted_model():
    with pytest.raises(NotFittedError):
        VHPAutoencoder().fit_prior(np.zeros((10, 4)))


def test_an_interrupted_fit_prior_leaves_the_model_as_it_was(fitted, monkeypatch):
    model, X = fitted
    model = copy.deepcopy(model)
    before = state(model.module_)
    real_adam = prior_fit.adam

    def interrupting_adam(parameters, learning_rate):
        optimiser = real_adam(parameters, learning_rate)
        step, calls = optimiser.step, []

        def interrupted_step(*args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return step(*args, **kwargs)

        optimiser.step = interrupted_step
        return optimiser

    monkeypatch.setattr(prior_fit, "adam", interrupting_adam)
    with pytest.raises(KeyboardInterrupt):
        model.fit_prior(X, n_steps=10)
    assert all(torch.equal(v, model.module_.state_dict()[k]) for k, v in before.items())
    assert model.prior_fit_steps_ == 0


def test_fit_prior_survives_a_model_file(fitted, tmp_path):
    model, X = fitted
    model = copy.deepcopy(model).fit_prior(X, n_steps=5)
    skvhp.save(model, tmp_path / "model.skvhp")
    loaded = skvhp.load(tmp_path / "model.skvhp")
    assert loaded.prior_fit_steps_ == 5
    np.testing.assert_allclose(loaded.score_samples(X[:20]), model.score_samples(X[:20]))


def test_weights_left_not_finite_by_the_last_step_are_refused(fitted, monkeypatch):
    """A loss is computed before its step, so the last step's weights are checked apart."""
    model, X = fitted
    model = copy.deepcopy(model)
    before = state(model.module_)
    real_adam = prior_fit.adam

    def poisoning_adam(parameters, learning_rate):
        parameters = list(parameters)
        optimiser = real_adam(parameters, learning_rate)
        step, calls = optimiser.step, []

        def poisoned_step(*args, **kwargs):
            calls.append(1)
            result = step(*args, **kwargs)
            if len(calls) == 5:  # the last of 5 steps
                with torch.no_grad():
                    parameters[0].fill_(float("nan"))
            return result

        optimiser.step = poisoned_step
        return optimiser

    monkeypatch.setattr(prior_fit, "adam", poisoning_adam)
    with pytest.raises(ValueError, match="diverged.*unchanged"):
        model.fit_prior(X, n_steps=5)
    assert all(torch.equal(v, model.module_.state_dict()[k]) for k, v in before.items())


def test_a_warm_start_after_fit_prior_continues_from_the_trained_prior():
    """With early stopping the model keeps its best weights and a warm start continues
    from the last ones: fit_prior updates those too, so the next fit does not undo it."""
    X, _ = make_pendulum(300, random_state=0)
    X = (X > 0.5).astype(np.float32)
    model = small(
        VHPAutoencoder,
        prior_hidden_layer_sizes=(16,),
        kappa=0.5,
        max_iter=3,
        early_stopping=True,
        n_iter_no_change=1,
        shape_check=False,
    ).fit(X)
    assert model._training_state_["module"] is not None  # the case at hand
    model.fit_prior(X, n_steps=20)
    last = model._training_state_["module"]
    for name, value in model.module_.prior.state_dict().items():
        assert torch.equal(last[f"prior.{name}"], value), name
    trained = {k: v.clone() for k, v in model.module_.prior.state_dict().items()}
    # One more epoch at a negligible rate, keeping the last weights: the prior it ends
    # with is the one the warm start began from.
    model.set_params(warm_start=True, max_iter=1, learning_rate=1e-12, early_stopping=False)
    model.fit(X)
    for name, value in model.module_.prior.state_dict().items():
        torch.testing.assert_close(value, trained[name], rtol=0, atol=1e-6)


def test_partial_fit_starts_the_count_again(fitted):
    model, X = fitted
    model = copy.deepcopy(model).fit_prior(X, n_steps=5)
    model.partial_fit(X)
    assert model.prior_fit_steps_ == 0
