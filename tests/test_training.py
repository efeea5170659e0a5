"""skvhp._torch.training: early stopping, the validation split, freezing, the state."""

import copy

import pytest
import torch

from skvhp._torch.schedules import REWO
from skvhp._torch.training import (
    EarlyStopping,
    FitState,
    adam,
    optimizer_step,
    split_validation,
    validation_rows,
)


def test_early_stopping_keeps_the_best_weights_but_waits_only_on_real_gains():
    model = torch.nn.Linear(2, 1)
    stopping = EarlyStopping(n_iter_no_change=2, tol=0.1)
    assert not stopping.update(1.0, model)
    with torch.no_grad():
        model.weight.add_(1.0)
    # A gain below tol: the new best is kept, but it counts as a stall.
    assert not stopping.update(0.95, model) and stopping.best == 0.95 and stopping.stall == 1
    torch.testing.assert_close(stopping.best_state["weight"], model.weight.detach())
    assert stopping.update(0.97, model)  # the second stall stops
    assert stopping.counters() == (0.95, 1.0, 2)


def test_split_validation_is_fixed_by_the_seed_and_refuses_too_few_rows():
    X = torch.arange(20.0)[:, None]
    train, val = split_validation(X, validation_rows(20, 0.25, seed=3), seed=3, binarize=False)
    again_train, again_val = split_validation(
        X, validation_rows(20, 0.25, seed=3), seed=3, binarize=False
    )
    assert val.shape == (5, 1) and train.shape == (15, 1)
    assert torch.equal(val, again_val) and torch.equal(train, again_train)
    assert sorted(torch.cat([train, val]).ravel().tolist()) == X.ravel().tolist()
    with pytest.raises(ValueError, match="validation_fraction"):
        validation_rows(1, 0.5, seed=0)


def test_frozen_parameters_stay_exact_and_start_adam_afresh():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 1))
    frozen = list(model[1].parameters())
    reference = copy.deepcopy(model)
    schedule = REWO(kappa=0.1, nu=1.0, tau=3.0, alpha=0.0, beta_init=1e-3)
    schedule.start(1, torch.device("cpu"))
    state = FitState(
        model=model,
        optimizer=adam(model.parameters(), 1e-2),
        generator=torch.Generator(),
        seed=0,
        device=torch.device("cpu"),
        schedule=schedule,
        frozen=frozen,
    )
    x = torch.randn(8, 3)
    for _ in range(3):  # Ĉ = 1 > κ²: REWO stays in its initial phase
        schedule.step(torch.tensor(1.0, dtype=torch.float64))
        optimizer_step(state, model(x).pow(2).mean())
    for p, q in zip(frozen, reference[1].parameters(), strict=True):
        assert torch.equal(p, q)  # not moved at all
        assert float(state.optimizer.state[p]["step"]) == 0.0  # Adam has not counted them
    assert not torch.equal(model[0].weight, reference[0].weight)  # the rest trained
    # Once the mask is 1, the frozen parameters train like the others.
    schedule.step(torch.tensor(0.0, dtype=torch.float64))
    optimizer_step(state, model(x).pow(2).mean())
    assert float(state.optimizer.state[frozen[0]]["step"]) == 1.0
    assert not torch.equal(frozen[0], next(reference[1].parameters()))
