"""Resumable training: warm-started fits, partial_fit and pickled training state.

The contract: ``fit`` with ``max_iter=4`` and a warm-started ``fit`` with ``max_iter=2``
after a ``max_iter=2`` one end with the same model, with or without a pickle round trip
in between, for every estimator and schedule."""

import pickle

import numpy as np
import pytest
import torch

from skvhp import IWAE, VampPriorVAE, VHPAutoencoder
from skvhp.datasets import make_pendulum

from .conftest import small

FAST_REWO = dict(alpha=0.5, learning_rate=2e-2, prior_hidden_layer_sizes=(4,))
CASES = {
    "IWAE L=1": (IWAE, dict(k=3)),
    "IWAE L=2": (IWAE, dict(k=2, n_layers=2, n_components_z1=3, hidden_layer_sizes_z2=(4,))),
    "IWAE L=2 warm-up": (
        IWAE,
        dict(k=2, n_layers=2, n_components_z1=3, hidden_layer_sizes_z2=(4,), warmup_epochs=3),
    ),
    "VampPrior L=1": (VampPriorVAE, dict(n_pseudo_inputs=5, warmup_epochs=3)),
    "VampPrior L=2": (VampPriorVAE, dict(n_pseudo_inputs=5, n_layers=2, n_components_z1=3)),
    # κ such that REWO switches in the second epoch (the resume is in the main phase)
    # and, with the PCA start, in the third (the resume is in the initial phase, with the
    # encoder frozen).
    "VHP REWO": (VHPAutoencoder, dict(k=3, kappa=0.3, **FAST_REWO)),
    "VHP REWO pca": (
        VHPAutoencoder,
        dict(k=3, kappa=0.19, init="pca", posterior="isotropic", **FAST_REWO),
    ),
    "VHP GECO": (VHPAutoencoder, dict(k=3, schedule="geco", kappa=0.3)),
    "VHP warm-up": (VHPAutoencoder, dict(k=3, schedule="warmup", warmup_epochs=3)),
    "VHP constant": (VHPAutoencoder, dict(k=3, schedule="constant", beta_init=0.5)),
    "IWAE early stopping": (
        IWAE,
        dict(k=2, early_stopping=True, n_iter_no_change=10, learning_rate=3e-2),
    ),
    "IWAE dynamic binarization": (IWAE, dict(k=2, dynamic_binarization=True)),
}


@pytest.fixture(scope="module")
def images():
    X, _ = make_pendulum(256, image_size=8, random_state=0)
    return X


def assert_same_model(a, b):
    sa, sb = a.module_.state_dict(), b.module_.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        torch.testing.assert_close(sa[key], sb[key], rtol=1e-6, atol=1e-7, msg=key)
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(a.history_["loss"], b.history_["loss"], rtol=1e-6)
    if hasattr(a, "iteration_history_"):
        for key, values in a.iteration_history_.items():
            np.testing.assert_allclose(values, b.iteration_history_[key], rtol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("through_pickle", [False, True], ids=["live", "pickled"])
def test_four_epochs_equal_two_plus_two(name, through_pickle, images):
    cls, params = CASES[name]
    once = small(cls, max_iter=4, **params).fit(images)
    twice = small(cls, max_iter=2, warm_start=True, **params).fit(images)
    if through_pickle:
        twice = pickle.loads(pickle.dumps(twice))
    twice.fit(images)
    assert_same_model(once, twice)
    if name.startswith("VHP REWO"):  # the switch falls inside the run, where planned
        switch = once.schedule_.main_phase_start
        n_per_epoch = len(once.iteration_history_["beta"]) // 4
        assert switch // n_per_epoch == (1 if name == "VHP REWO" else 2)
        assert twice.schedule_.main_phase_start == switch
    if name == "VHP REWO pca":
        assert once.encoder_released_at_ == twice.encoder_released_at_ == switch


def test_a_resumed_fit_differs_from_a_restarted_one(images):
    """The equality above is not vacuous: without the training state (a fresh Adam and
    random stream, as before resumable training) the continued model is different."""
    once = small(IWAE, max_iter=4).fit(images)
    twice = small(IWAE, max_iter=2, warm_start=True).fit(images)
    del twice._training_state_
    twice.fit(images)
    diff = [
        (once.module_.state_dict()[k] - v).abs().max().item()
        for k, v in twice.module_.state_dict().items()
    ]
    assert max(diff) > 1e-4


def test_resume_uses_the_new_learning_rate(images):
    model = small(IWAE, max_iter=1, warm_start=True).fit(images)
    model.set_params(learning_rate=0.5)
    model.fit(images)
    assert model._training_state_["optimizer"]["param_groups"][0]["lr"] == 0.5


def test_a_failed_resume_leaves_the_training_state(images, monkeypatch):
    model = small(IWAE, max_iter=1, warm_start=True).fit(images)
    before = pickle.dumps(model._training_state_)
    params = [p.clone() for p in model.module_.parameters()]
    with pytest.raises(ValueError, match="features"):
        model.fit(images[:, :10])
    # A failure after some optimiser steps (which update Adam's state in place).
    steps = []
    real_step = model._training_step

    def failing_step(*args):
        steps.append(1)
        if len(steps) == 3:
            raise RuntimeError("interrupted")
        return real_step(*args)

    monkeypatch.setattr(model, "_training_step", failing_step)
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(images)
    monkeypatch.undo()
    assert pickle.dumps(model._training_state_) == before
    for a, b in zip(params, model.module_.parameters(), strict=True):
        assert torch.equal(a, b)


def test_early_stopping_resumes_from_the_last_weights(images):
    """After early stopping restores the best weights, a resumed fit continues from the
    last epoch's weights and counters, not from the best ones."""
    params = dict(k=2, early_stopping=True, n_iter_no_change=1, tol=0.0, learning_rate=5e-2)
    model = small(IWAE, max_iter=30, warm_start=True, **params).fit(images)
    val = model.history_["validation_loss"]
    assert model.n_iter_ < 30 and val[-1] > min(val)
    last = model._training_state_["module"]
    assert last is not None
    assert any(not torch.equal(last[k], v) for k, v in model.module_.state_dict().items())
    # The stall counter carried over: one more epoch without gain stops again at once.
    best_before = model.best_validation_loss_
    model.set_params(max_iter=5).fit(images)
    assert model.best_validation_loss_ <= best_before


@pytest.mark.parametrize("cls, params", [CASES["IWAE L=1"], CASES["VHP REWO"]])
def test_partial_fit_is_one_epoch(cls, params, images):
    fitted = small(cls, max_iter=3, **params).fit(images)
    stepped = small(cls, **params)
    for _ in range(3):
        stepped.partial_fit(images)
    assert_same_model(fitted, stepped)


def test_partial_fit_over_chunks(images, tmp_path):
    """Out-of-core training: chunks read from disk one at a time."""
    for i, chunk in enumerate(np.array_split(images, 4)):
        np.save(tmp_path / f"chunk{i}.npy", chunk)
    model = small(IWAE, k=2)
    for _ in range(2):
        for i in range(4):
            model.partial_fit(np.load(tmp_path / f"chunk{i}.npy", mmap_mode="r"))
    assert model.n_iter_ == 8 and np.isfinite(model.score(images[:20]))
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(images[:, :5])
    assert model.n_iter_ == 8


def test_partial_fit_refuses_early_stopping(images):
    with pytest.raises(ValueError, match="early_stopping"):
        small(IWAE, early_stopping=True).partial_fit(images)


def test_partial_fit_does_not_warn_about_the_initial_phase(images):
    import warnings

    model = small(VHPAutoencoder, kappa=1e-3, k=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.partial_fit(images)
    with pytest.warns(Warning, match="initial phase"):
        model.set_params(warm_start=True).fit(images)


def test_dask_ml_incremental_trains_block_by_block(images):
    """dask-ml's Incremental wrapper calls partial_fit once per block of a Dask array."""
    da = pytest.importorskip("dask.array", reason="dask is in the dev extras")
    wrappers = pytest.importorskip("dask_ml.wrappers", reason="dask-ml is in the dev extras")
    X = da.from_array(images, chunks=64)  # four blocks
    inc = wrappers.Incremental(small(IWAE, k=2), shuffle_blocks=False).fit(X)
    assert inc.estimator_.n_iter_ == 4
    Z = inc.transform(X)  # parallel post-fit: a Dask array, block by block
    np.testing.assert_allclose(Z.compute(), inc.estimator_.transform(images), rtol=1e-6)
    by_hand = small(IWAE, k=2)
    for block in np.array_split(images, 4):
        by_hand.partial_fit(block)
    assert_same_model(inc.estimator_, by_hand)
