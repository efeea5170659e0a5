"""β-schedules: small state machines that turn the batch reconstruction error into the
weight β of the KL term, ``loss = -log p(x|z) + β · KL``.

The update rules are pure functions (tested on their own); the classes hold the state
(running average Ĉ_t, β_t, phase) and a per-iteration trace.
"""

from __future__ import annotations

import math

BETA_FLOOR = 1e-8  # GECO's multiplicative updates can underflow to 0 without a floor
BETA_CEIL = 1e8


def running_average(c_batch: float, c_previous: float | None, alpha: float) -> float:
    """Ĉ_t = (1 - α) Ĉ_batch + α Ĉ_{t-1}, with Ĉ_0 = Ĉ_batch."""
    if c_previous is None:
        return c_batch
    return (1.0 - alpha) * c_batch + alpha * c_previous


def rewo_f_beta(beta: float, delta: float, tau: float) -> float:
    """f_β(β, δ; τ) = (1 - H(δ)) tanh(τ (β - 1)) - H(δ), with H(0) = 0 (Eq. 12)."""
    if delta > 0.0:
        return -1.0
    return math.tanh(tau * (beta - 1.0))


def rewo_beta_update(beta: float, delta: float, nu: float, tau: float) -> float:
    """β_t = β_{t-1} exp[ν f_β(β_{t-1}, δ; τ) δ] with δ = Ĉ_t - κ² (Eq. 11).

    A violated constraint (δ > 0) shrinks β as GECO would; a satisfied one grows it
    towards 1, ever more slowly. The result is clipped to [BETA_FLOOR, 1] so that the
    paper's invariant β ∈ (0, 1] holds even for steps large enough to overshoot 1.
    """
    new = beta * math.exp(nu * rewo_f_beta(beta, delta, tau) * delta)
    return min(1.0, max(BETA_FLOOR, new))


def geco_beta_update(beta: float, delta: float, nu: float) -> float:
    """GECO in β form: λ_t = λ_{t-1} exp(ν δ) (Eq. 5) with β = 1/λ, so
    β_t = β_{t-1} exp(-ν δ); clipped to [BETA_FLOOR, BETA_CEIL] against overflow."""
    return min(BETA_CEIL, max(BETA_FLOOR, beta * math.exp(-nu * delta)))


class _Schedule:
    """Base: ``step(c_batch) -> β`` once per training iteration."""

    #: whether the prior's parameters (Θ, Φ) are optimised at this iteration
    trains_prior = True

    def __init__(self) -> None:
        self.iteration = 0
        self.trace: dict[str, list[float]] = {"beta": [], "C_hat": []}

    def start(self, iterations_per_epoch: int) -> None:
        self.iterations_per_epoch = iterations_per_epoch

    def _record(self, beta: float, c_hat: float) -> float:
        self.iteration += 1
        self.trace["beta"].append(beta)
        self.trace["C_hat"].append(c_hat)
        return beta


class ConstraintSchedule(_Schedule):
    """Shared state of REWO and GECO: the running average Ĉ_t and β_t."""

    def __init__(self, kappa: float, nu: float, alpha: float, beta_init: float) -> None:
        super().__init__()
        self.kappa, self.nu, self.alpha = kappa, nu, alpha
        self.beta = beta_init
        self.c_hat: float | None = None

    def _average(self, c_batch: float) -> float:
        self.c_hat = running_average(c_batch, self.c_hat, self.alpha)
        return self.c_hat - self.kappa**2


class REWO(ConstraintSchedule):
    """Algorithm 1 of Klushyn et al. (2019).

    Initial phase: β stays at ``beta_init`` and only the encoder/decoder (θ, φ) are
    optimised, until Ĉ_t < κ² for the first time. Main phase (for good): all parameters
    are optimised and β follows :func:`rewo_beta_update`.
    """

    def __init__(self, kappa: float, nu: float, tau: float, alpha: float, beta_init: float):
        super().__init__(kappa, nu, alpha, beta_init)
        self.tau = tau
        self.initial_phase = True
        self.main_phase_start: int | None = None
        self.trace["initial_phase"] = []

    @property
    def trains_prior(self) -> bool:  # type: ignore[override]
        return not self.initial_phase

    def step(self, c_batch: float) -> float:
        delta = self._average(c_batch)
        if self.initial_phase and delta < 0.0:
            self.initial_phase = False
            self.main_phase_start = self.iteration
        if not self.initial_phase:
            self.beta = rewo_beta_update(self.beta, delta, self.nu, self.tau)
        self.trace["initial_phase"].append(float(self.initial_phase))
        return self._record(self.beta, self.c_hat)


class GECO(ConstraintSchedule):
    """GECO (Rezende & Viola 2018) in β form: all parameters from the start."""

    def step(self, c_batch: float) -> float:
        self.beta = geco_beta_update(self.beta, self._average(c_batch), self.nu)
        return self._record(self.beta, self.c_hat)


class LinearWarmUp(_Schedule):
    """β rises linearly from 0 to 1 over ``warmup_epochs`` epochs, then stays at 1."""

    def __init__(self, warmup_epochs: int) -> None:
        super().__init__()
        self.warmup_epochs = warmup_epochs

    def step(self, c_batch: float) -> float:
        total = self.warmup_epochs * self.iterations_per_epoch
        beta = min(1.0, self.iteration / total) if total > 0 else 1.0
        return self._record(beta, c_batch)


class ConstantBeta(_Schedule):
    """A fixed β; β = 1 optimises the plain bound."""

    def __init__(self, beta: float) -> None:
        super().__init__()
        self.beta = beta

    def step(self, c_batch: float) -> float:
        return self._record(self.beta, c_batch)
