"""Faults end to end: Ctrl-C in the middle of an epoch, a divergence, a training state
that does not belong to the model. Each fails clearly and changes nothing, for every
estimator and schedule, under fit, warm_start and partial_fit."""

import copy
import pickle

import numpy as np
import pytest

from .conftest import small
from .test_resume import CASES
from .test_resume import images as images  # the fixture, shared


def snapshot(model, X) -> dict[str, bytes]:
    """Everything a fit may change: the outputs and each fitted attribute (pickled one
    by one, so that shared references cannot change the bytes); not the parameters."""
    state = model.__getstate__()
    fitted = {key: value for key, value in state.items() if key.endswith("_")}
    out = {key: pickle.dumps(value) for key, value in fitted.items()}
    if hasattr(model, "module_"):
        outputs = (model.transform(X), model.score_samples(X[:20]), model.sample(3, random_state=0))
        out["outputs"] = pickle.dumps(outputs)
    return out


def interrupt_after(model, monkeypatch, n_steps: int, error: BaseException):
    """Make the model's training step raise ``error`` at its ``n_steps``-th call."""
    calls = []
    real = type(model)._training_step

    def step(self, state, x):
        calls.append(1)
        if len(calls) == n_steps:
            raise error
        return real(self, state, x)

    monkeypatch.setattr(type(model), "_training_step", step)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("how", ["refit", "warm_start", "partial_fit"])
def test_ctrl_c_mid_epoch_leaves_the_fitted_model_as_it_was(name, how, images, monkeypatch):
    cls, params = CASES[name]
    model = small(cls, max_iter=3, warm_start=how == "warm_start", **params).fit(images)
    before = snapshot(model, images)
    interrupt_after(model, monkeypatch, 5, KeyboardInterrupt())  # inside the 1st epoch
    refused = how == "partial_fit" and params.get("early_stopping")  # refused up front
    with pytest.raises(ValueError if refused else KeyboardInterrupt):
        model.partial_fit(images) if how == "partial_fit" else model.fit(images)
    monkeypatch.undo()
    assert snapshot(model, images) == before


@pytest.mark.parametrize("name", ["IWAE L=1", "VampPrior L=1", "VHP REWO"])
def test_ctrl_c_in_a_first_fit_leaves_it_unfitted(name, images, monkeypatch):
    cls, params = CASES[name]
    model = small(cls, **params)
    interrupt_after(model, monkeypatch, 5, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        model.fit(images)
    assert not [k for k in vars(model) if k.endswith("_")]  # no fitted attribute at all


@pytest.mark.parametrize("name", list(CASES))
def test_a_divergence_names_the_epoch_and_the_remedy_and_changes_nothing(name, images):
    cls, params = CASES[name]
    model = small(cls, max_iter=3, **params).fit(images)
    before = snapshot(model, images)
    diverging = dict(learning_rate=1e38, max_iter=3)  # weights overflow: NaN losses
    for how in ("refit", "warm_start", "partial_fit"):
        if how == "partial_fit" and params.get("early_stopping"):
            continue
        model.set_params(warm_start=how == "warm_start", **diverging)
        with pytest.raises(ValueError, match=r"diverged in epoch \d+.*smaller learning_rate"):
            model.partial_fit(images) if how == "partial_fit" else model.fit(images)
        assert snapshot(model, images) == before, how
        model.set_params(**{k: v for k, v in params.items() if k == "learning_rate"})


def test_a_training_state_of_another_model_is_refused_before_training(images):
    cls, params = CASES["IWAE L=1"]
    model = small(cls, max_iter=1, warm_start=True, **params).fit(images)
    other = small(cls, max_iter=1, hidden_layer_sizes=(5,), **params).fit(images)
    before = snapshot(model, images)
    model._training_state_ = copy.deepcopy(other._training_state_)
    stolen = snapshot(model, images)
    with pytest.raises(ValueError, match="training state does not match"):
        model.fit(images)
    assert snapshot(model, images) == stolen != before
    model._training_state_["module"] = None  # Adam's moments alone are checked too
    with pytest.raises(ValueError, match="Adam's moments"):
        model.fit(images)
    model._training_state_ = {"optimizer": {}}  # malformed
    with pytest.raises(ValueError, match="malformed"):
        model.partial_fit(images)


def test_data_of_another_width_is_refused_before_training(images):
    model = small(CASES["VHP REWO"][0], max_iter=2, warm_start=True, **CASES["VHP REWO"][1])
    model.fit(images)
    before = snapshot(model, images)
    with pytest.raises(ValueError, match="features"):
        model.fit(np.hstack([images, images]))
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(images[:, :10])
    assert snapshot(model, images) == before
