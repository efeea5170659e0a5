"""β-schedules: small state machines that turn the batch reconstruction error into the
weight β of the KL term, ``loss = -log p(x|z) + β · KL``.

The update rules are pure functions (tested on their own, on floats or tensors); the
classes hold the state (running average Ĉ_t, β_t, phase) and a per-iteration trace.

During training the state lives in 0-d tensors on the training device and every update is
a tensor operation: a step never reads a value back to the host, so on a GPU the training
loop never waits for the device. The trace is gathered to Python floats once per epoch
(:meth:`flush_trace`) and the state once per fit (:meth:`finish`), which also keeps a
pickled schedule free of device tensors.
"""

from __future__ import annotations

import functools

import torch

BETA_FLOOR = 1e-8  # GECO's multiplicative updates can underflow to 0 without a floor
BETA_CEIL = 1e8


def _float_or_tensor(fn):
    """Let a rule written in torch take and return Python floats as well (tests, docs)."""

    @functools.wraps(fn)
    def wrapper(*args):
        if any(isinstance(a, torch.Tensor) for a in args):
            return fn(*args)
        return float(fn(*(torch.tensor(a, dtype=torch.float64) for a in args)))

    return wrapper


def running_average(c_batch, c_previous, alpha: float):
    """Ĉ_t = (1 - α) Ĉ_batch + α Ĉ_{t-1}, with Ĉ_0 = Ĉ_batch."""
    if c_previous is None:
        return c_batch
    return (1.0 - alpha) * c_batch + alpha * c_previous


@_float_or_tensor
def rewo_f_beta(beta, delta, tau):
    """f_β(β, δ; τ) = (1 - H(δ)) tanh(τ (β - 1)) - H(δ), with H(0) = 0 (Eq. 12)."""
    return torch.where(delta > 0.0, -torch.ones_like(beta), torch.tanh(tau * (beta - 1.0)))


@_float_or_tensor
def rewo_beta_update(beta, delta, nu, tau):
    """β_t = β_{t-1} exp[ν f_β(β_{t-1}, δ; τ) δ] with δ = Ĉ_t - κ² (Eq. 11).

    A violated constraint (δ > 0) shrinks β as GECO would; a satisfied one grows it
    towards 1, ever more slowly. The result is clipped to [BETA_FLOOR, 1] so that the
    paper's invariant β ∈ (0, 1] holds even for steps large enough to overshoot 1.
    """
    new = beta * torch.exp(nu * rewo_f_beta(beta, delta, tau) * delta)
    return new.clamp(BETA_FLOOR, 1.0)


@_float_or_tensor
def geco_beta_update(beta, delta, nu):
    """GECO in β form: λ_t = λ_{t-1} exp(ν δ) (Eq. 5) with β = 1/λ, so
    β_t = β_{t-1} exp(-ν δ); clipped to [BETA_FLOOR, BETA_CEIL] against overflow."""
    return (beta * torch.exp(-nu * delta)).clamp(BETA_FLOOR, BETA_CEIL)


def linear_warmup_beta(iteration: int, total: int) -> float:
    """β = min(1, t / T) at iteration t of a T-iteration warm-up (T = 0: no warm-up)."""
    return min(1.0, iteration / total) if total > 0 else 1.0


def _scalar(value, like: torch.Tensor) -> torch.Tensor:
    """``value`` as a float64 0-d tensor on ``like``'s device (a copy of a tensor)."""
    if isinstance(value, torch.Tensor):
        return value.to(device=like.device, dtype=torch.float64)
    return torch.tensor(value, dtype=torch.float64, device=like.device)


def _host(value):
    """A tensor's value as a Python float or bool; other values unchanged."""
    if isinstance(value, torch.Tensor):
        return value.item()
    return value


class _Schedule:
    """Base: ``step(c_batch) -> β`` once per training iteration.

    ``c_batch`` may be a float or a 0-d tensor; β is returned in the same kind.
    ``trains_prior_mask`` is None when every parameter trains at every iteration, else a
    0-d tensor (1.0 or 0.0) by which the caller multiplies the prior's gradients.
    """

    trains_prior_mask: torch.Tensor | None = None

    def __init__(self) -> None:
        self.iteration = 0
        self.trace: dict[str, list] = {"beta": [], "C_hat": []}

    @property
    def trains_prior(self) -> bool:
        """Whether the prior's parameters (Θ, Φ) are optimised now (reads the device)."""
        mask = self.trains_prior_mask
        return True if mask is None else bool(mask.item())

    def start(self, iterations_per_epoch: int) -> None:
        self.iterations_per_epoch = iterations_per_epoch

    def _record(self, beta, c_hat):
        self.iteration += 1
        self.trace["beta"].append(beta)
        self.trace["C_hat"].append(c_hat)
        return beta

    def flush_trace(self) -> None:
        """Turn the tensors recorded since the last flush into Python floats (one device
        read per traced quantity)."""
        for values in self.trace.values():
            first = next((i for i, v in enumerate(values) if isinstance(v, torch.Tensor)), None)
            if first is None:
                continue
            device = values[first].device
            tensors = [
                torch.as_tensor(v, dtype=torch.float64, device=device) for v in values[first:]
            ]
            values[first:] = torch.stack(tensors).tolist()

    def finish(self) -> None:
        """End of a fit: the trace and the state as Python values."""
        self.flush_trace()
        for name in self._state_names:
            setattr(self, name, _host(getattr(self, name)))

    _state_names: tuple[str, ...] = ()


class ConstraintSchedule(_Schedule):
    """Shared state of REWO and GECO: the running average Ĉ_t and β_t."""

    _state_names = ("beta", "c_hat")

    def __init__(self, kappa: float, nu: float, alpha: float, beta_init: float) -> None:
        super().__init__()
        self.kappa, self.nu, self.alpha = kappa, nu, alpha
        self.beta = beta_init
        self.c_hat = None

    def _average(self, c_batch):
        """Update Ĉ_t and return δ = Ĉ_t - κ², as a tensor when ``c_batch`` is one."""
        if isinstance(c_batch, torch.Tensor):
            c_batch = c_batch.detach().to(torch.float64)
            previous = None if self.c_hat is None else _scalar(self.c_hat, c_batch)
            self.beta = _scalar(self.beta, c_batch)
        else:
            previous = self.c_hat
        self.c_hat = running_average(c_batch, previous, self.alpha)
        return self.c_hat - self.kappa**2


class REWO(ConstraintSchedule):
    """Algorithm 1 of Klushyn et al. (2019).

    Initial phase: β stays at ``beta_init`` and only the encoder/decoder (θ, φ) are
    optimised, until Ĉ_t < κ² for the first time. Main phase (for good): all parameters
    are optimised and β follows :func:`rewo_beta_update`.
    """

    _state_names = ("beta", "c_hat", "initial_phase")

    def __init__(self, kappa: float, nu: float, tau: float, alpha: float, beta_init: float):
        super().__init__(kappa, nu, alpha, beta_init)
        self.tau = tau
        self.initial_phase = True
        self.main_phase_start: int | None = None
        self.trace["initial_phase"] = []

    @property
    def trains_prior_mask(self) -> torch.Tensor | None:  # type: ignore[override]
        phase = self.initial_phase
        if isinstance(phase, torch.Tensor):
            return (~phase).to(torch.float32)
        return torch.tensor(0.0 if phase else 1.0)

    def step(self, c_batch):
        delta = self._average(c_batch)
        if isinstance(delta, torch.Tensor):
            # The switch is decided on the device: still initial unless Ĉ_t < κ² now.
            was = torch.as_tensor(self.initial_phase, device=delta.device)
            initial = was & ~(delta < 0.0)
            updated = rewo_beta_update(self.beta, delta, self.nu, self.tau)
            self.beta = torch.where(initial, self.beta, updated)
            self.initial_phase = initial
            self.trace["initial_phase"].append(initial)
        else:
            if self.initial_phase and delta < 0.0:
                self.initial_phase = False
            if not self.initial_phase:
                self.beta = rewo_beta_update(self.beta, delta, self.nu, self.tau)
            self.trace["initial_phase"].append(float(self.initial_phase))
            if not self.initial_phase and self.main_phase_start is None:
                self.main_phase_start = self.iteration
        return self._record(self.beta, self.c_hat)

    def flush_trace(self) -> None:
        super().flush_trace()
        phases = self.trace["initial_phase"]
        if self.main_phase_start is None and 0.0 in phases:
            self.main_phase_start = phases.index(0.0)  # the iteration of the switch


class GECO(ConstraintSchedule):
    """GECO (Rezende & Viola 2018) in β form: all parameters from the start."""

    def step(self, c_batch):
        self.beta = geco_beta_update(self.beta, self._average(c_batch), self.nu)
        return self._record(self.beta, self.c_hat)


class LinearWarmUp(_Schedule):
    """β rises linearly from 0 to 1 over ``warmup_epochs`` epochs, then stays at 1."""

    def __init__(self, warmup_epochs: int) -> None:
        super().__init__()
        self.warmup_epochs = warmup_epochs

    def step(self, c_batch):
        total = self.warmup_epochs * self.iterations_per_epoch
        beta = linear_warmup_beta(self.iteration, total)  # host arithmetic
        return self._record(beta, _detached(c_batch))


class ConstantBeta(_Schedule):
    """A fixed β; β = 1 optimises the plain bound."""

    def __init__(self, beta: float) -> None:
        super().__init__()
        self.beta = beta

    def step(self, c_batch):
        return self._record(self.beta, _detached(c_batch))


def _detached(value):
    return value.detach() if isinstance(value, torch.Tensor) else value
