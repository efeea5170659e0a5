"""The one training loop, and the per-fit state it owns.

A fit creates a :class:`FitState` (model, optimiser, schedule, early stopping, random
stream, history), hands it to the estimator's hooks, and runs :func:`run_epochs` on it.
Nothing outside the state changes while it trains: the estimator copies what it keeps
from the state only once the loop has returned, so a fit that fails (bad data, a
divergence, Ctrl-C) leaves a fitted estimator exactly as it was.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from .callbacks import Callback
from .device import make_generator, to_device
from .evaluation import validation_loss
from .models import LatentVariableModel
from .nn import networks_autocast
from .schedules import Schedule

Terms = dict[str, torch.Tensor]


def adam(parameters, learning_rate: float) -> torch.optim.Optimizer:
    """Adam with the fused kernel where torch has it for the device (about 10 % faster
    training on the CPU); plain Adam on older torch releases."""
    parameters = list(parameters)
    try:
        return torch.optim.Adam(parameters, lr=learning_rate, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(parameters, lr=learning_rate)


@dataclass
class EarlyStopping:
    """Patience on the validation loss: the best weights are kept however small their
    gain, but only gains above ``tol`` reset the patience."""

    n_iter_no_change: int
    tol: float
    best: float = math.inf
    best_state: dict[str, torch.Tensor] | None = None
    reference: float = math.inf
    stall: int = 0

    def update(self, value: float, model: nn.Module) -> bool:
        """Record an epoch's validation loss; True when training should stop."""
        if value < self.best:
            self.best, self.best_state = value, copy.deepcopy(model.state_dict())
        if value < self.reference - self.tol:
            self.reference, self.stall = value, 0
            return False
        self.stall += 1
        return self.stall >= self.n_iter_no_change

    def counters(self) -> tuple[float, float, int]:
        return self.best, self.reference, self.stall


@dataclass
class FitState:
    """Everything one fit reads and changes.

    ``frozen`` lists the parameters that the schedule's ``trains_prior_mask`` holds still
    (REWO's initial phase); hooks and callbacks may add to it or take from it.
    ``callbacks`` are what an estimator adds to this fit (``callbacks.Callback``: a loss
    term, an end-of-epoch action, each with its own state); ``layout`` names the start
    the encoder is pre-trained on, where there is one, and ``start_targets`` holds its
    coordinates of the training rows (computed on the host before the data moved);
    ``torus_start`` says whether that start laid out two loops.
    """

    model: LatentVariableModel
    optimizer: torch.optim.Optimizer
    generator: torch.Generator
    seed: int
    device: torch.device
    history: dict[str, list[float]] = field(default_factory=dict)
    n_iter: int = 0
    schedule: Schedule | None = None
    early_stopping: EarlyStopping | None = None
    frozen: list[nn.Parameter] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    layout: str | None = None
    start_targets: torch.Tensor | None = None
    torus_start: bool = False
    last_weights: dict[str, torch.Tensor] | None = None

    def resumable(self) -> dict[str, Any]:
        """What a resumed fit needs beyond the model's weights (``_training_state_``)."""
        return {
            "optimizer": self.optimizer.state_dict(),
            "generator": (self.device.type, self.generator.get_state()),
            "module": self.last_weights,
            "early_stopping": None
            if self.early_stopping is None
            else self.early_stopping.counters(),
        }


def new_fit_state(
    model: LatentVariableModel,
    *,
    seed: int,
    device: torch.device,
    learning_rate: float,
    resumed: dict[str, Any] | None = None,
    history: dict[str, list[float]] | None = None,
    n_iter: int = 0,
    early_stopping: EarlyStopping | None = None,
    best_weights: dict[str, torch.Tensor] | None = None,
) -> FitState:
    """A fit's state, continuing ``resumed`` (a :meth:`FitState.resumable` of an earlier
    fit) when given. Everything taken from ``resumed`` is copied: Adam updates its state
    in place, and a failed fit must leave the stored state as it was."""
    if resumed is not None:
        check_resumable(model, resumed)
    generator = make_generator(seed, device)
    if resumed is not None and resumed["generator"][0] == device.type:
        generator.set_state(resumed["generator"][1])  # the stream continues
    if resumed is not None and resumed["module"] is not None:
        model.load_state_dict(resumed["module"])  # the last weights, not the best
    optimizer = adam(model.parameters(), learning_rate)
    if resumed is not None:
        optimizer.load_state_dict(copy.deepcopy(resumed["optimizer"]))
        for group in optimizer.param_groups:
            group["lr"] = learning_rate  # this fit's learning rate
    if early_stopping is not None and resumed is not None and resumed["early_stopping"]:
        early_stopping.best, early_stopping.reference, early_stopping.stall = resumed[
            "early_stopping"
        ]
        early_stopping.best_state = copy.deepcopy(best_weights)
    return FitState(
        model=model,
        optimizer=optimizer,
        generator=generator,
        seed=seed,
        device=device,
        history={k: list(v) for k, v in (history or {}).items()},
        n_iter=n_iter,
        early_stopping=early_stopping,
    )


def check_resumable(model: nn.Module, resumed: dict[str, Any]) -> None:
    """Refuse, before anything trains, a stored training state that does not belong to
    ``model``: weights or Adam moments of other shapes, or a malformed state."""
    problem = None
    try:
        parameters = list(model.parameters())
        state = resumed["optimizer"]["state"]
        last = resumed["module"]
        if last is not None:
            own = model.state_dict()
            if set(last) != set(own) or any(last[k].shape != own[k].shape for k in own):
                problem = "its last weights have other names or shapes"
        for index, moments in state.items():
            shape = parameters[index].shape
            if any(
                isinstance(v, torch.Tensor) and v.ndim and v.shape != shape
                for v in moments.values()
            ):
                problem = f"Adam's moments of parameter {index} have another shape"
    except (KeyError, IndexError, TypeError, AttributeError) as error:
        problem = f"it is malformed ({error!r})"
    if problem is not None:
        raise ValueError(
            f"The stored training state does not match this model: {problem}. Refit "
            "from scratch (warm_start=False), or delete the estimator's _training_state_."
        )


def validation_rows(n_samples: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The indices of the training rows and of the validation rows: a random split fixed
    by ``seed``."""
    n_val = int(math.ceil(fraction * n_samples))
    if n_val < 1 or n_samples - n_val < 1:
        raise ValueError(
            f"early_stopping needs at least 2 samples to split off a validation "
            f"set (validation_fraction={fraction}, n_samples={n_samples})."
        )
    order = np.random.default_rng(seed).permutation(n_samples)
    return order[n_val:], order[:n_val]


def split_validation(
    X: torch.Tensor, rows: tuple[np.ndarray, np.ndarray], seed: int, binarize: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """The training and validation rows of X, ``rows`` as :func:`validation_rows` gives
    them; with ``binarize`` the validation rows are one fixed Bernoulli draw, the same in
    a resumed fit."""
    train, val = (torch.as_tensor(r, device=X.device) for r in rows)
    X_val, X_train = X[val], X[train]
    if binarize:
        X_val = torch.bernoulli(X_val, generator=make_generator(seed + 2, X.device))
    return X_train, X_val


def start_schedule(
    fresh: Schedule | None,
    previous: Schedule | None,
    n_batches: int,
    device: torch.device,
    n_iter: int = 0,
) -> Schedule | None:
    """The schedule a fit runs: none when ``fresh`` is None (the estimator trains its
    objective itself), else a copy of the ``previous`` fit's (so that a failed fit leaves
    it intact) with ``fresh``'s settings, or ``fresh``, started on ``device``. A resumed
    fit without a previous schedule (a model saved before it had one) counts the
    ``n_iter`` epochs already run."""
    if fresh is None:
        return None
    schedule = fresh
    if previous is not None:
        schedule = copy.deepcopy(previous)
        schedule.take_settings(fresh)  # changed κ, α, … apply; β, Ĉ and the phase go on
    if previous is None and n_iter:
        schedule.iteration = n_iter * n_batches
    schedule.start(n_batches, device)
    return schedule


def optimizer_step(state: FitState, loss: torch.Tensor) -> None:
    """One gradient step on ``loss``, holding ``state.frozen`` still while the schedule's
    mask is 0.

    The mask is a device tensor, so freezing costs no host read per step: frozen
    gradients are multiplied by 0, which leaves the parameters exactly as they are under
    Adam, and their Adam step count is multiplied by 0 too, so that a parameter that
    starts training later gets Adam's usual bias correction, as if it had been left out
    of the optimiser until then.
    """
    optimizer = state.optimizer
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    mask = None if state.schedule is None else state.schedule.trains_prior_mask
    frozen = state.frozen if mask is not None else []
    for p in frozen:
        if p.grad is not None:
            p.grad.mul_(mask)
    optimizer.step()
    for p in frozen:
        step = optimizer.state.get(p, {}).get("step")
        if isinstance(step, torch.Tensor):
            step.mul_(mask.to(step.device, step.dtype))


@dataclass(frozen=True)
class LoopSettings:
    """How :func:`run_epochs` walks the data."""

    n_epochs: int
    batch_size: int
    dynamic_binarization: bool = False
    autocast_dtype: torch.dtype | None = None
    verbose: int = 0
    name: str = "model"
    started: float | None = None  # perf_counter() at the fit's start (default: the loop's)


@dataclass(frozen=True)
class Hooks:
    """The estimator's part of the loop: a training step (a gradient step on one batch,
    returning detached scalar terms that include ``loss``), the validation objective
    (``(model, x, generator) -> (loss, terms)``) and an end-of-epoch hook."""

    training_step: Callable[[FitState, torch.Tensor], Terms]
    validation_objective: Callable[..., tuple[torch.Tensor, Terms]]
    on_epoch_end: Callable[[FitState, dict[str, float]], None]


def _train_epoch(
    state: FitState, X_train: torch.Tensor, settings: LoopSettings, step
) -> dict[str, float]:
    """One pass over X_train in shuffled batches; the terms' means over the rows."""
    model, generator = state.model, state.generator
    n_train = X_train.shape[0]
    batch_size = min(settings.batch_size, n_train)
    model.train()
    perm = torch.randperm(n_train, generator=generator, device=state.device)
    if X_train.device != state.device:  # data on the host: index there, move batches
        perm = perm.to(X_train.device)
    sums: dict[str, torch.Tensor] = {}
    # Autocast (if asked) covers the training steps only: validation is float32.
    with networks_autocast(model, settings.autocast_dtype):
        for start in range(0, n_train, batch_size):
            idx = perm[start : start + batch_size]
            x = to_device(X_train[idx], state.device)
            if settings.dynamic_binarization:  # fresh binary images every epoch
                x = torch.bernoulli(x, generator=generator)
            for key, value in step(state, x).items():
                sums[key] = sums.get(key, 0.0) + value * idx.numel()
    return {k: float(v) / n_train for k, v in sums.items()}


def run_epochs(
    state: FitState,
    X_train: torch.Tensor,
    X_val: torch.Tensor | None,
    settings: LoopSettings,
    hooks: Hooks,
) -> FitState:
    """Train ``settings.n_epochs`` epochs (fewer if early stopping ends them); at the end
    the model holds the best weights when there is a validation set, and
    ``state.last_weights`` the last ones (for a resumed fit)."""
    history = state.history
    time_offset = history["time"][-1] if history.get("time") else 0.0
    start_time = time.perf_counter() if settings.started is None else settings.started
    for _ in range(settings.n_epochs):
        epoch_terms = _train_epoch(state, X_train, settings, hooks.training_step)
        hooks.on_epoch_end(state, epoch_terms)
        if not math.isfinite(epoch_terms["loss"]):
            rate = state.optimizer.param_groups[0]["lr"]
            raise ValueError(
                f"Training diverged in epoch {state.n_iter + 1} (mean loss "
                f"{epoch_terms['loss']}). Try a smaller learning_rate (now {rate:g}); "
                "the previously fitted model, if any, is unchanged."
            )
        state.n_iter += 1
        epoch_terms["time"] = time_offset + time.perf_counter() - start_time
        if X_val is not None:
            epoch_terms["validation_loss"] = validation_loss(
                hooks.validation_objective, state.model, X_val, state.seed
            )
        for key, value in epoch_terms.items():
            history.setdefault(key, []).append(value)
        if settings.verbose:
            shown = " ".join(f"{k}={v:.4g}" for k, v in epoch_terms.items())
            print(f"[{settings.name}] epoch {state.n_iter}: {shown}")
        stopping = state.early_stopping
        if X_val is not None and stopping.update(epoch_terms["validation_loss"], state.model):
            if settings.verbose:
                print(f"[{settings.name}] early stopping at epoch {state.n_iter}")
            break
    if state.early_stopping is not None and state.early_stopping.best_state is not None:
        state.last_weights = copy.deepcopy(state.model.state_dict())
        state.model.load_state_dict(state.early_stopping.best_state)
    state.model.eval()
    return state
