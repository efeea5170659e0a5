"""β-schedules: the REWO and GECO update rules and the schedule state machines, driven
with 0-d tensors as training drives them."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from skvhp._torch.schedules import (
    AUTO_KAPPA,
    BETA_CEIL,
    BETA_FLOOR,
    GECO,
    KAPPA_MARGIN,
    PLATEAU_DROP,
    REWO,
    LinearWarmUp,
    auto_nu,
    geco_beta_update,
    kappa_at_plateau,
    linear_warmup_beta,
    rewo_beta_update,
    rewo_f_beta,
    running_average,
)

betas = st.floats(1e-6, 1.0)
deltas = st.floats(-1.0, 1.0, allow_nan=False)
nus = st.floats(1e-3, 100.0)
taus = st.floats(0.1, 10.0)


def t(value: float) -> torch.Tensor:
    """A 0-d float64 tensor, as the training step hands the schedules."""
    return torch.tensor(value, dtype=torch.float64)


def rewo(beta, delta, nu, tau) -> float:
    return float(rewo_beta_update(t(beta), t(delta), nu, tau))


def geco(beta, delta, nu) -> float:
    return float(geco_beta_update(t(beta), t(delta), nu))


def started(schedule, iterations_per_epoch: int = 1):
    schedule.start(iterations_per_epoch, torch.device("cpu"))
    return schedule


@given(betas, deltas, nus, taus)
def test_rewo_keeps_beta_in_unit_interval(beta, delta, nu, tau):
    new = rewo(beta, delta, nu, tau)
    assert 0.0 < new <= 1.0


@given(betas, st.floats(1e-6, 1.0), nus, taus)
def test_rewo_lowers_beta_when_the_constraint_is_violated(beta, delta, nu, tau):
    new = rewo(beta, delta, nu, tau)
    assert new <= beta
    # Exactly GECO's step while violated (unless clipped at the floor).
    assert new == pytest.approx(max(BETA_FLOOR, beta * math.exp(-nu * delta)))


@given(betas, st.floats(-1.0, -1e-6), nus, taus)
def test_rewo_raises_beta_when_the_constraint_holds(beta, delta, nu, tau):
    new = rewo(beta, delta, nu, tau)
    assert beta <= new <= 1.0
    expected = beta * math.exp(nu * math.tanh(tau * (beta - 1)) * delta)
    assert new == pytest.approx(min(1.0, expected))


def test_f_beta_is_the_paper_formula():
    assert float(rewo_f_beta(t(0.3), t(0.1), 3.0)) == -1.0  # H(δ) = 1
    assert float(rewo_f_beta(t(0.3), t(-0.1), 3.0)) == pytest.approx(math.tanh(3.0 * -0.7))
    assert float(rewo_f_beta(t(1.0), t(-0.1), 3.0)) == 0.0  # β = 1 is a fixed point
    assert rewo(0.5, 0.0, 10.0, 3.0) == 0.5  # δ = 0: no change


@given(st.floats(1e-4, 1e4), deltas, st.floats(1e-3, 10.0))
def test_geco_is_eq5_in_lambda_form(beta, delta, nu):
    new = geco(beta, delta, nu)
    # λ_t = λ_{t-1} exp(ν δ) with λ = 1/β, unless β hits its floor or ceiling
    unclipped = beta * math.exp(-nu * delta)
    if BETA_FLOOR <= unclipped <= BETA_CEIL:
        assert 1.0 / new == pytest.approx((1.0 / beta) * math.exp(nu * delta), rel=1e-9)
    else:
        assert new == min(BETA_CEIL, max(BETA_FLOOR, unclipped))


def test_geco_has_a_floor():
    assert geco(1e-3, 1e6, 1.0) == BETA_FLOOR


def test_running_average():
    assert float(running_average(t(2.0), None, 0.9)) == 2.0
    assert float(running_average(t(2.0), t(1.0), 0.9)) == pytest.approx(1.1)


def test_rewo_state_machine():
    kappa = 0.1
    rewo = started(REWO(kappa=kappa, nu=5.0, tau=3.0, alpha=0.5, beta_init=1e-3))
    # Initial phase: β frozen, prior frozen, while Ĉ_t ≥ κ².
    for _ in range(5):
        assert float(rewo.step(t(0.05))) == 1e-3
        assert not rewo.trains_prior
    # The running average must fall below κ² = 0.01 before the main phase starts.
    betas = [float(rewo.step(t(0.0))) for _ in range(10)]
    rewo.flush_trace()  # the switch is read off the trace once per epoch
    assert rewo.main_phase_start is not None and rewo.trains_prior
    assert betas[0] == 1e-3  # Ĉ = 0.025 > κ²: still initial
    # Constraint satisfied: β rises monotonically towards 1 and gets there.
    for _ in range(20000):
        rewo.step(t(0.0))
    assert 0.99 < float(rewo.beta) <= 1.0
    # A violation lowers β again, but never re-enters the initial phase.
    before = float(rewo.beta)
    for _ in range(10):
        rewo.step(t(1.0))
    assert float(rewo.beta) < before and rewo.trains_prior
    rewo.finish()  # the trace and the state as Python values
    assert rewo.trace["initial_phase"][:5] == [1.0] * 5 and rewo.trace["initial_phase"][-1] == 0.0
    assert rewo.main_phase_start == 7 and rewo.initial_phase is False  # Ĉ = 0.00625 < κ²


def test_kappa_at_plateau_waits_while_the_error_falls():
    assert kappa_at_plateau(0.04, 0.03) is None  # fell by 25 %
    assert kappa_at_plateau(0.04, 0.04 * (1.0 - PLATEAU_DROP) - 1e-9) is None
    assert kappa_at_plateau(0.04, 0.039) == pytest.approx(KAPPA_MARGIN * 0.039**0.5)
    assert kappa_at_plateau(0.04, 0.05) == pytest.approx(KAPPA_MARGIN * 0.05**0.5)  # rose


def epochs(schedule, errors_per_epoch, iterations_per_epoch=4):
    """Drive ``schedule`` as a fit does: steps, then one flush at each epoch's end."""
    betas = []
    for error in errors_per_epoch:
        betas += [float(schedule.step(t(error))) for _ in range(iterations_per_epoch)]
        schedule.flush_trace()
        schedule.end_epoch(error)
    return betas


def test_auto_kappa_is_the_default_kappa_where_the_error_gets_below_it():
    falling = [0.05, 0.03, 0.015, 0.008, 0.004, 0.002]  # below 0.01 at the 4th epoch
    fixed = started(REWO(kappa=AUTO_KAPPA, nu=None, tau=3.0, alpha=0.5, beta_init=1e-3), 4)
    auto = started(REWO(kappa=None, nu=None, tau=3.0, alpha=0.5, beta_init=1e-3), 4)
    assert epochs(auto, falling) == epochs(fixed, falling)
    assert auto.chosen_kappa is None and auto.main_phase_start == fixed.main_phase_start == 14
    assert auto.kappa_used == AUTO_KAPPA and auto.nu_used == auto_nu(AUTO_KAPPA)


def test_auto_kappa_rises_to_the_level_the_error_stays_at():
    auto = started(REWO(kappa=None, nu=None, tau=3.0, alpha=0.0, beta_init=1e-3), 4)
    epochs(auto, [0.08, 0.04, 0.0395])  # levels off at 0.0395 > κ² = 0.01
    assert auto.chosen_kappa == pytest.approx(KAPPA_MARGIN * 0.0395**0.5)
    assert auto.nu_used == pytest.approx(auto_nu(auto.chosen_kappa))
    assert auto.main_phase_start is None  # the phase ends at the next step
    betas = epochs(auto, [0.0395])
    assert auto.main_phase_start == 12 and betas[0] > 1e-3  # κ² above Ĉ: β grows
    chosen = auto.chosen_kappa
    auto.finish()
    epochs(started(auto, 4), [0.5, 0.5])  # the main phase: κ stays
    assert auto.chosen_kappa == chosen and auto.trains_prior


def test_auto_kappa_is_never_lowered():
    """An error that levels off below κ² while the lagging Ĉ is still above it leaves κ
    at 0.1: the phase ends once Ĉ catches up, as with kappa=0.1."""
    slow = dict(nu=None, tau=3.0, alpha=0.9, beta_init=1e-3)
    errors = [0.05, 0.02, 0.005, 0.0049, 0.0049]
    auto = started(REWO(kappa=None, **slow), 2)
    fixed = started(REWO(kappa=AUTO_KAPPA, **slow), 2)
    assert epochs(auto, errors, 2) == epochs(fixed, errors, 2)
    assert auto.chosen_kappa is None and auto.kappa_used == AUTO_KAPPA


def test_auto_kappa_waits_until_the_model_has_learned():
    """A flat error that has not yet halved is a model that has not started learning
    (a few iterations per epoch), not a plateau."""
    auto = started(REWO(kappa=None, nu=None, tau=3.0, alpha=0.0, beta_init=1e-3), 4)
    epochs(auto, [0.24, 0.235, 0.23, 0.15])
    assert auto.chosen_kappa is None
    epochs(auto, [0.08, 0.079])  # below half the first epoch's, and flat
    assert auto.chosen_kappa == pytest.approx(KAPPA_MARGIN * 0.079**0.5)


def test_auto_kappa_skips_the_epochs_it_is_told_to():
    auto = started(REWO(kappa=None, nu=None, tau=3.0, alpha=0.0, beta_init=1e-3), 4)
    epochs(auto, [0.08, 0.03])
    auto.end_epoch(None)  # a model that measured no error: no comparison across it
    epochs(auto, [0.029])
    assert auto.chosen_kappa is None
    epochs(auto, [0.0285])
    assert auto.chosen_kappa == pytest.approx(KAPPA_MARGIN * 0.0285**0.5)


def rewo_setting(kappa):
    return REWO(kappa=kappa, nu=None, tau=3.0, alpha=0.0, beta_init=1e-3)


def test_auto_kappa_survives_a_resumed_fit_and_a_switch():
    auto = started(rewo_setting(None), 4)
    epochs(auto, [0.08, 0.04, 0.0395, 0.0395])
    chosen = auto.chosen_kappa
    auto.finish()
    auto.take_settings(rewo_setting(None))
    assert auto.kappa_used == chosen  # the chosen κ is state, not a setting
    auto.take_settings(rewo_setting(0.3))
    assert auto.kappa_used == 0.3 and auto.nu_used == auto_nu(0.3)
    auto.take_settings(rewo_setting(None))  # back to "auto": the κ it ran with last
    assert auto.kappa_used == 0.3 and auto.chosen_kappa == 0.3
    fixed = started(rewo_setting(0.1), 4)
    epochs(fixed, [0.005])  # the main phase at κ = 0.1
    fixed.finish()
    fixed.take_settings(rewo_setting(None))
    assert fixed.kappa_used == 0.1 and fixed.chosen_kappa is None  # never raised


def test_geco_state_machine_tracks_the_constraint():
    geco = started(GECO(kappa=0.1, nu=100.0, alpha=0.0, beta_init=1.0))
    geco.step(t(0.02))  # violated: β falls
    assert float(geco.beta) < 1.0
    for _ in range(200):
        geco.step(t(0.0))  # satisfied: β grows past 1
    assert float(geco.beta) > 1.0 and geco.trains_prior


def test_warmup_is_linear():
    warmup = started(LinearWarmUp(warmup_epochs=2), iterations_per_epoch=5)
    betas = [float(warmup.step(t(0.0))) for _ in range(12)]
    assert betas[:3] == pytest.approx([0.0, 0.1, 0.2]) and betas[10:] == [1.0, 1.0]
    # β is min(1, t / T) exactly as the pure rule computes it, also without a C.
    assert betas == [linear_warmup_beta(i, 10) for i in range(12)]
    assert warmup.step(None) == 1.0 and warmup.finished


def test_a_resumed_schedule_continues_on_the_device_and_finishes_on_the_host():
    warmup = started(LinearWarmUp(warmup_epochs=1), iterations_per_epoch=4)
    first = [float(warmup.step(None)) for _ in range(2)]
    warmup.finish()
    assert warmup.iteration == 2 and "_count" not in vars(warmup)
    started(warmup, iterations_per_epoch=4)
    assert first + [float(warmup.step(None)) for _ in range(3)] == [0.0, 0.25, 0.5, 0.75, 1.0]
    rewo = started(REWO(kappa=0.1, nu=5.0, tau=3.0, alpha=0.5, beta_init=1e-3))
    rewo.step(t(0.05))
    rewo.finish()
    assert isinstance(rewo.beta, float) and isinstance(rewo.c_hat, float)
    assert rewo.initial_phase is True
    started(rewo)
    assert rewo.c_hat.dtype == torch.float64 and rewo.initial_phase.dtype == torch.bool
