"""β-schedules: small state machines that turn the batch reconstruction error into the
weight β of the KL term, ``loss = -log p(x|z) + β · KL``.

The update rules are pure torch functions (tested on their own); the classes hold the
state (running average Ĉ_t, β_t, phase) and a per-iteration trace.

One mode: during a fit (between :meth:`Schedule.start` and :meth:`Schedule.finish`) the
state lives in 0-d float64 tensors on the training device, ``step`` takes the batch's
error as a 0-d tensor and returns β as one, and every update is a tensor operation: a step
never reads a value back to the host, so on a GPU the training loop never waits for the
device. The trace is gathered to Python floats once per epoch (:meth:`flush_trace`) and
the state once per fit (:meth:`finish`), which also keeps a pickled schedule free of
device tensors.
"""

from __future__ import annotations

import torch

BETA_FLOOR = 1e-8  # GECO's multiplicative updates can underflow to 0 without a floor
BETA_CEIL = 1e8
NU_SCALE = 0.02  # ν = NU_SCALE / κ² ("auto") moves β by about 2 % when Ĉ is off by κ²
# kappa="auto": κ starts at AUTO_KAPPA (the estimator's default); where REWO's initial
# phase levels off above it (the epoch's mean error falls by less than PLATEAU_DROP), κ
# is raised to KAPPA_MARGIN above the RMS error reached, which ends the phase.
AUTO_KAPPA = 0.1
PLATEAU_DROP = 0.05
# ... and only once the error is below LEARNED × the first epoch's: before that a flat
# error may be a model that has not started learning (few iterations per epoch).
LEARNED = 0.5
KAPPA_MARGIN = 1.05


def running_average(
    c_batch: torch.Tensor, c_previous: torch.Tensor | None, alpha: float
) -> torch.Tensor:
    """Ĉ_t = (1 - α) Ĉ_batch + α Ĉ_{t-1}, with Ĉ_0 = Ĉ_batch."""
    if c_previous is None:
        return c_batch
    return (1.0 - alpha) * c_batch + alpha * c_previous


def rewo_f_beta(beta: torch.Tensor, delta: torch.Tensor, tau: float) -> torch.Tensor:
    """f_β(β, δ; τ) = (1 - H(δ)) tanh(τ (β - 1)) - H(δ), with H(0) = 0 (Eq. 12)."""
    return torch.where(delta > 0.0, -torch.ones_like(beta), torch.tanh(tau * (beta - 1.0)))


def rewo_beta_update(beta: torch.Tensor, delta: torch.Tensor, nu: float, tau: float):
    """β_t = β_{t-1} exp[ν f_β(β_{t-1}, δ; τ) δ] with δ = Ĉ_t - κ² (Eq. 11).

    A violated constraint (δ > 0) shrinks β as GECO would; a satisfied one grows it
    towards 1, ever more slowly. The result is clipped to [BETA_FLOOR, 1] so that the
    paper's invariant β ∈ (0, 1] holds even for steps large enough to overshoot 1.
    """
    new = beta * torch.exp(nu * rewo_f_beta(beta, delta, tau) * delta)
    return new.clamp(BETA_FLOOR, 1.0)


def geco_beta_update(beta: torch.Tensor, delta: torch.Tensor, nu: float) -> torch.Tensor:
    """GECO in β form: λ_t = λ_{t-1} exp(ν δ) (Eq. 5) with β = 1/λ, so
    β_t = β_{t-1} exp(-ν δ); clipped to [BETA_FLOOR, BETA_CEIL] against overflow."""
    return (beta * torch.exp(-nu * delta)).clamp(BETA_FLOOR, BETA_CEIL)


def auto_nu(kappa: float) -> float:
    """ν = NU_SCALE / κ²: the exponent ν (Ĉ - κ²) must match the size of Ĉ - κ²."""
    return NU_SCALE / kappa**2


def kappa_at_plateau(c_previous: float, c_now: float) -> float | None:
    """The κ that ``kappa="auto"`` chooses at the end of an epoch of REWO's initial phase,
    from the mean errors of that epoch and the one before: KAPPA_MARGIN × √C once C fell
    by less than PLATEAU_DROP, else None (the error still falls: wait)."""
    if c_now > (1.0 - PLATEAU_DROP) * c_previous:
        return KAPPA_MARGIN * c_now**0.5
    return None


def linear_warmup_beta(iteration: int, total: int) -> float:
    """β = min(1, t / T) at iteration t of a T-iteration warm-up (T = 0: no warm-up)."""
    return min(1.0, iteration / total) if total > 0 else 1.0


def _host(value):
    """A tensor's value as a Python float or bool; other values unchanged."""
    if isinstance(value, torch.Tensor):
        return value.item()
    return value


class Schedule:
    """Base: ``step(c_batch) -> β`` once per training iteration, both 0-d tensors.

    ``c_batch`` is the batch's reconstruction error, or None for models that do not
    measure one (IWAE's warm-up); only REWO and GECO need it. ``trains_prior_mask`` is
    None when every parameter trains at every iteration, else a 0-d tensor (1.0 or 0.0)
    by which the training step multiplies the gradients of the parameters it freezes.
    """

    trains_prior_mask: torch.Tensor | None = None
    _state_names: tuple[str, ...] = ()  # state that lives on the device during a fit
    _setting_names: tuple[str, ...] = ()  # hyperparameters a running schedule takes over

    def __init__(self) -> None:
        self.iteration = 0
        self.trace: dict[str, list] = {"beta": [], "C_hat": []}

    @property
    def trains_prior(self) -> bool:
        """Whether the prior's parameters (Θ, Φ) are optimised now (reads the device)."""
        mask = self.trains_prior_mask
        return True if mask is None else bool(mask.item())

    def start(self, iterations_per_epoch: int, device: torch.device) -> None:
        """Start (or resume) a fit: the state moves to ``device`` as 0-d tensors."""
        self.iterations_per_epoch = iterations_per_epoch
        self.device = device
        for name in self._state_names:
            value = getattr(self, name)
            if value is not None:
                dtype = torch.bool if isinstance(value, bool) else torch.float64
                setattr(self, name, torch.as_tensor(value, dtype=dtype, device=device))

    def take_settings(self, other: Schedule) -> None:
        """Adopt the hyperparameters of ``other`` (a fresh schedule of the same kind) and
        keep this one's state: how a resumed fit applies changed settings."""
        if type(other) is not type(self):
            raise ValueError(
                f"cannot continue a {type(self).__name__} schedule as a {type(other).__name__}"
            )
        for name in self._setting_names:
            setattr(self, name, getattr(other, name))

    def _scalar(self, value: float) -> torch.Tensor:
        return torch.tensor(value, dtype=torch.float64, device=self.device)

    def _record(self, beta: torch.Tensor, c_hat: torch.Tensor | None) -> torch.Tensor:
        self.iteration += 1
        self.trace["beta"].append(beta)
        if c_hat is not None:
            self.trace["C_hat"].append(c_hat)
        return beta

    def flush_trace(self) -> None:
        """Turn the tensors recorded since the last flush into Python floats (one device
        read per traced quantity)."""
        for values in self.trace.values():
            first = next((i for i, v in enumerate(values) if isinstance(v, torch.Tensor)), None)
            if first is None:
                continue
            tensors = [v.to(torch.float64) for v in values[first:]]
            values[first:] = torch.stack(tensors).tolist()

    def end_epoch(self, mean_error: float | None) -> None:
        """Called at each epoch's end (after :meth:`flush_trace`) with the epoch's mean
        reconstruction error, or None for models that measure none."""

    def finish(self) -> None:
        """End of a fit: the trace and the state as Python values."""
        self.flush_trace()
        for name in self._state_names:
            setattr(self, name, _host(getattr(self, name)))
        self.__dict__.pop("device", None)


class ConstraintSchedule(Schedule):
    """Shared state of REWO and GECO: the running average Ĉ_t and β_t.

    ``nu=None`` is :func:`auto_nu` of κ. ``kappa_used`` and ``nu_used`` are the values
    the updates use (REWO's ``kappa=None`` chooses κ during the fit).
    """

    _state_names = ("beta", "c_hat")
    _setting_names = ("kappa", "nu", "alpha")

    def __init__(self, kappa: float, nu: float | None, alpha: float, beta_init: float) -> None:
        super().__init__()
        self.kappa, self.nu, self.alpha = kappa, nu, alpha
        self.beta = beta_init
        self.c_hat = None

    @property
    def kappa_used(self) -> float:
        return self.kappa

    @property
    def nu_used(self) -> float:
        return auto_nu(self.kappa_used) if self.nu is None else self.nu

    def _average(self, c_batch: torch.Tensor) -> torch.Tensor:
        """Update Ĉ_t and return δ = Ĉ_t - κ²."""
        c_batch = c_batch.detach().to(torch.float64)
        self.c_hat = running_average(c_batch, self.c_hat, self.alpha)
        return self.c_hat - self.kappa_used**2


class REWO(ConstraintSchedule):
    """Algorithm 1 of Klushyn et al. (2019).

    Initial phase: β stays at ``beta_init`` and only the encoder/decoder (θ, φ) are
    optimised, until Ĉ_t < κ² for the first time. Main phase (for good): all parameters
    are optimised and β follows :func:`rewo_beta_update`. ``main_phase_start`` is the
    iteration of the switch, known after the epoch in which it happened.

    ``kappa=None`` (the estimator's ``kappa="auto"``) starts with κ = AUTO_KAPPA and,
    where the initial phase levels off above it (:func:`kappa_at_plateau` on the mean
    error of each epoch), raises κ to just above the error reached, which ends the phase:
    the fix for a κ the model cannot reach (binary images). ``chosen_kappa`` keeps the
    raised κ (None if never raised). The paper sets κ by hand.
    """

    _state_names = ("beta", "c_hat", "initial_phase")
    _setting_names = ("kappa", "nu", "alpha", "tau")
    chosen_kappa: float | None = None  # a class default: schedules saved before it load
    _epoch_error: float | None = None  # the previous epoch's mean error (kappa=None)
    _first_error: float | None = None  # the first epoch's mean error (kappa=None)

    def __init__(
        self, kappa: float | None, nu: float | None, tau: float, alpha: float, beta_init: float
    ):
        super().__init__(kappa, nu, alpha, beta_init)
        self.tau = tau
        self.initial_phase = True
        self.main_phase_start: int | None = None
        self.trace["initial_phase"] = []

    @property
    def kappa_used(self) -> float:
        """κ of the constraint now."""
        if self.kappa is not None:
            return self.kappa
        return AUTO_KAPPA if self.chosen_kappa is None else self.chosen_kappa

    def take_settings(self, other: Schedule) -> None:
        kappa_before = self.kappa_used
        super().take_settings(other)
        if self.kappa is not None or _host(self.initial_phase):
            # A number replaces a chosen κ; "auto" in the initial phase looks afresh.
            self.chosen_kappa = self._epoch_error = self._first_error = None
        elif kappa_before != AUTO_KAPPA:
            # "auto" after the initial phase keeps the κ the fit ran with.
            self.chosen_kappa = kappa_before

    @property
    def trains_prior_mask(self) -> torch.Tensor:  # type: ignore[override]
        phase = torch.as_tensor(self.initial_phase)
        return (~phase).to(torch.float32)

    def step(self, c_batch: torch.Tensor) -> torch.Tensor:
        delta = self._average(c_batch)
        # The switch is decided on the device: still initial unless Ĉ_t < κ² now.
        initial = self.initial_phase & ~(delta < 0.0)
        updated = rewo_beta_update(self.beta, delta, self.nu_used, self.tau)
        self.beta = torch.where(initial, self.beta, updated)
        self.initial_phase = initial
        self.trace["initial_phase"].append(initial)
        return self._record(self.beta, self.c_hat)

    def flush_trace(self) -> None:
        super().flush_trace()
        phases = self.trace["initial_phase"]
        if self.main_phase_start is None and 0.0 in phases:
            self.main_phase_start = phases.index(0.0)  # the iteration of the switch

    def end_epoch(self, mean_error: float | None) -> None:
        """kappa=None: has the epoch's mean error levelled off above κ², after falling
        below LEARNED × the first epoch's? The epoch means, not Ĉ: Ĉ lags the error by
        1 / (1 - α) iterations and would see it late. κ is only raised: an error that
        levels off below κ² ends the phase once Ĉ catches up. ``mean_error=None`` (a
        model that measures no error) skips the epoch, and the next one is compared
        with none."""
        if self.kappa is not None or self.chosen_kappa is not None:
            return
        if mean_error is None:
            self._epoch_error = None
        elif _host(self.initial_phase):  # one device read per epoch
            if self._first_error is None:
                self._first_error = mean_error
            learned = mean_error < LEARNED * self._first_error
            if self._epoch_error is not None and learned:
                raised = kappa_at_plateau(self._epoch_error, mean_error)
                if raised is not None and raised > AUTO_KAPPA:
                    self.chosen_kappa = raised
            self._epoch_error = mean_error


class GECO(ConstraintSchedule):
    """GECO (Rezende & Viola 2018) in β form: all parameters from the start."""

    def step(self, c_batch: torch.Tensor) -> torch.Tensor:
        self.beta = geco_beta_update(self.beta, self._average(c_batch), self.nu_used)
        return self._record(self.beta, self.c_hat)


class LinearWarmUp(Schedule):
    """β rises linearly from 0 to 1 over ``warmup_epochs`` epochs, then stays at 1; the
    iterations count across resumed fits."""

    _setting_names = ("warmup_epochs",)

    def __init__(self, warmup_epochs: int) -> None:
        super().__init__()
        self.warmup_epochs = warmup_epochs

    def start(self, iterations_per_epoch: int, device: torch.device) -> None:
        super().start(iterations_per_epoch, device)
        self._total = self.warmup_epochs * iterations_per_epoch
        self._count = self._scalar(float(self.iteration))  # on the device: no copy per step

    def step(self, c_batch: torch.Tensor | None) -> torch.Tensor:
        # min(1, t / T) as linear_warmup_beta computes it, in float64 on the device.
        if self._total > 0:
            beta = (self._count / self._total).clamp(max=1.0)
        else:
            beta = torch.ones_like(self._count)
        self._count += 1.0
        return self._record(beta, None if c_batch is None else c_batch.detach())

    @property
    def finished(self) -> bool:
        """Whether the last step's β was 1: known on the host, without a device read."""
        return self.iteration - 1 >= self._total

    def finish(self) -> None:
        super().finish()
        for name in ("_total", "_count"):
            self.__dict__.pop(name, None)


class ConstantBeta(Schedule):
    """A fixed β; β = 1 optimises the plain bound."""

    _state_names = ("beta",)
    _setting_names = ("beta",)

    def __init__(self, beta: float) -> None:
        super().__init__()
        self.beta = beta

    def step(self, c_batch: torch.Tensor | None) -> torch.Tensor:
        return self._record(self.beta, None if c_batch is None else c_batch.detach())
