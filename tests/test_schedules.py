"""β-schedules: the REWO and GECO update rules and the schedule state machines."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skvhp._schedules import (
    BETA_CEIL,
    BETA_FLOOR,
    GECO,
    REWO,
    LinearWarmUp,
    geco_beta_update,
    rewo_beta_update,
    rewo_f_beta,
    running_average,
)

betas = st.floats(1e-6, 1.0)
deltas = st.floats(-1.0, 1.0, allow_nan=False)
nus = st.floats(1e-3, 100.0)
taus = st.floats(0.1, 10.0)


@given(betas, deltas, nus, taus)
def test_rewo_keeps_beta_in_unit_interval(beta, delta, nu, tau):
    new = rewo_beta_update(beta, delta, nu, tau)
    assert 0.0 < new <= 1.0


@given(betas, st.floats(1e-6, 1.0), nus, taus)
def test_rewo_lowers_beta_when_the_constraint_is_violated(beta, delta, nu, tau):
    new = rewo_beta_update(beta, delta, nu, tau)
    assert new <= beta
    # Exactly GECO's step while violated (unless clipped at the floor).
    assert new == pytest.approx(max(BETA_FLOOR, beta * math.exp(-nu * delta)))


@given(betas, st.floats(-1.0, -1e-6), nus, taus)
def test_rewo_raises_beta_when_the_constraint_holds(beta, delta, nu, tau):
    new = rewo_beta_update(beta, delta, nu, tau)
    assert beta <= new <= 1.0
    expected = beta * math.exp(nu * math.tanh(tau * (beta - 1)) * delta)
    assert new == pytest.approx(min(1.0, expected))


def test_f_beta_is_the_paper_formula():
    assert rewo_f_beta(0.3, 0.1, 3.0) == -1.0  # H(δ) = 1
    assert rewo_f_beta(0.3, -0.1, 3.0) == pytest.approx(math.tanh(3.0 * -0.7))
    assert rewo_f_beta(1.0, -0.1, 3.0) == 0.0  # β = 1 is a fixed point
    assert rewo_beta_update(0.5, 0.0, 10.0, 3.0) == 0.5  # δ = 0: no change


@given(st.floats(1e-4, 1e4), deltas, st.floats(1e-3, 10.0))
def test_geco_is_eq5_in_lambda_form(beta, delta, nu):
    new = geco_beta_update(beta, delta, nu)
    # λ_t = λ_{t-1} exp(ν δ) with λ = 1/β, unless β hits its floor or ceiling
    unclipped = beta * math.exp(-nu * delta)
    if BETA_FLOOR <= unclipped <= BETA_CEIL:
        assert 1.0 / new == pytest.approx((1.0 / beta) * math.exp(nu * delta), rel=1e-9)
    else:
        assert new == min(BETA_CEIL, max(BETA_FLOOR, unclipped))


def test_geco_has_a_floor():
    assert geco_beta_update(1e-3, 1e6, 1.0) == BETA_FLOOR


def test_running_average():
    assert running_average(2.0, None, 0.9) == 2.0
    assert running_average(2.0, 1.0, 0.9) == pytest.approx(1.1)


def test_rewo_state_machine():
    kappa = 0.1
    rewo = REWO(kappa=kappa, nu=5.0, tau=3.0, alpha=0.5, beta_init=1e-3)
    # Initial phase: β frozen, prior frozen, while Ĉ_t ≥ κ².
    for _ in range(5):
        assert rewo.step(0.05) == 1e-3
        assert not rewo.trains_prior
    # The running average must fall below κ² = 0.01 before the main phase starts.
    betas = [rewo.step(0.0) for _ in range(10)]
    assert rewo.main_phase_start is not None and rewo.trains_prior
    assert betas[0] == 1e-3  # Ĉ = 0.025 > κ²: still initial
    # Constraint satisfied: β rises monotonically towards 1 and gets there.
    for _ in range(20000):
        rewo.step(0.0)
    assert 0.99 < rewo.beta <= 1.0
    # A violation lowers β again, but never re-enters the initial phase.
    before = rewo.beta
    for _ in range(10):
        rewo.step(1.0)
    assert rewo.beta < before and rewo.trains_prior
    assert rewo.trace["initial_phase"][:5] == [1.0] * 5 and rewo.trace["initial_phase"][-1] == 0.0


def test_geco_state_machine_tracks_the_constraint():
    geco = GECO(kappa=0.1, nu=100.0, alpha=0.0, beta_init=1.0)
    geco.step(0.02)  # violated: β falls
    assert geco.beta < 1.0
    for _ in range(200):
        geco.step(0.0)  # satisfied: β grows past 1
    assert geco.beta > 1.0 and geco.trains_prior


def test_warmup_is_linear():
    warmup = LinearWarmUp(warmup_epochs=2)
    warmup.start(iterations_per_epoch=5)
    betas = [warmup.step(0.0) for _ in range(12)]
    assert betas[:3] == pytest.approx([0.0, 0.1, 0.2]) and betas[10:] == [1.0, 1.0]
