"""What ``fit`` tells a user whose β-schedule did not do what it is for.

Each check reads a fitted estimator's ``schedule_``, ``iteration_history_`` and
``history_`` and warns with a ``ConvergenceWarning`` that names the parameter to change:

- REWO never left its initial phase (κ too tight for this fit), or skipped it (κ so loose
  that the constraint never bound);
- GECO drove β to its floor (a κ it cannot reach);
- a linear warm-up ended before β reached 1 (``max_iter`` < ``warmup_epochs``): the
  objective trained never became the bound.

and, unless ``shape_check=False``, compares the shape of the codes with the data's and
warns with a ``TopologyWarning`` where they differ (:func:`warn_about_shape`).

``partial_fit`` never warns: its early chunks are expected to be mid-schedule.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._shape_check import TopologyWarning, compare, describe

# KAPPA_MARGIN: a suggested κ is this much above the RMS error of the fit's last epoch,
# so that the running average Ĉ falls below κ² once it has caught up with the error (the
# same margin as kappa="auto").
from ._torch.schedules import (
    AUTO_KAPPA,
    BETA_FLOOR,
    GECO,
    KAPPA_MARGIN,
    PLATEAU_DROP,
    REWO,
    LinearWarmUp,
)


def warn_about_shape(estimator: Any, X: np.ndarray) -> None:
    """Compare the loops and pieces of the codes of (up to 3000 rows of) X with X's own,
    keep the result as ``shape_check_`` and warn (``TopologyWarning``) where they differ.
    The rows are drawn from the fit's seed, so a fit and its check repeat exactly. The
    fit has succeeded by now: codes that cannot be read (not finite, say) give a warning
    that says so, never an error."""
    estimator.shape_check_ = None
    try:
        import ripser  # noqa: F401
    except ImportError:  # the check is an extra: skvhp[topology]
        return
    if not estimator.shape_check:
        return

    def codes(rows: np.ndarray) -> np.ndarray:
        Z = estimator._codes(X[rows])  # X is validated: no second check of its names
        if not np.isfinite(Z).all():
            raise ValueError("some codes are not finite")
        return Z

    try:
        found = compare(X, codes, np.random.default_rng(estimator._seed_))
    except ValueError as error:
        name = type(estimator).__name__
        message = f"{name}: the shape check could not read the codes ({error}); shape_check_ "
        warnings.warn(message + "is None.", TopologyWarning, stacklevel=3)
        return
    estimator.shape_check_ = found
    if found and found["problems"]:
        warnings.warn(
            f"{type(estimator).__name__}: {'; '.join(found['problems'])} (data: "
            f"{describe(found['data'])}; codes: {describe(found['codes'])}; read on "
            f"{found['rows']} rows, see shape_check_). The user guide's 'Keeping the "
            "shape of your data' says which setting keeps it; shape_check=False turns "
            "this check off.",
            TopologyWarning,
            stacklevel=3,
        )


def warn_about_schedule(estimator: Any, resuming: bool) -> None:
    """Warn (``ConvergenceWarning``) where the schedule of a finished ``fit`` went wrong."""
    schedule = estimator.__dict__.get("schedule_")
    if isinstance(schedule, REWO):
        if schedule.main_phase_start == 0 and not resuming:
            _warn(_rewo_loose(estimator))
        if schedule.initial_phase:
            _warn(_rewo_stuck(estimator))
    elif isinstance(schedule, GECO) and schedule.beta <= BETA_FLOOR * (1.0 + 1e-6):
        _warn(_geco_floor(estimator))
    elif isinstance(schedule, LinearWarmUp):
        beta = estimator.iteration_history_["beta"][-1]
        # Short of the warm-up's last iteration (whose β is 1 - 1/T, as a full warm-up of
        # max_iter = warmup_epochs ends).
        if schedule.iteration < schedule.warmup_epochs * schedule.iterations_per_epoch:
            _warn(
                f"The linear warm-up ended at β = {beta:.3g}, before reaching 1: the fit "
                f"ended after {estimator.n_iter_} epochs of the warm-up's "
                f"warmup_epochs={schedule.warmup_epochs}, so the objective trained never "
                "became the bound. Raise max_iter (a warm start continues the warm-up) or "
                "lower warmup_epochs."
            )


def _warn(message: str) -> None:
    # stacklevel 4: the user's call of fit (fit -> warn_about_schedule -> _warn -> here)
    warnings.warn(message, ConvergenceWarning, stacklevel=4)


def _recent_error(estimator: Any) -> tuple[float, float]:
    """The last epoch's mean reconstruction error C and its RMS per feature."""
    c = estimator.history_["C"][-1]
    return c, c**0.5


def _rewo_loose(estimator: Any) -> str:
    first = estimator.iteration_history_["C_hat"][0]
    kappa = estimator.schedule_.kappa_used
    setting = "kappa='auto'" if isinstance(estimator.kappa, str) else f"kappa={kappa}"
    return (
        f"{setting} is loose: the untrained model's reconstruction error "
        f"Ĉ = {first:.4g} (an RMS of {first**0.5:.4g} per feature) already met "
        f"κ² = {kappa**2:.4g}, so REWO skipped its initial phase and the "
        "constraint never bound: β only grew towards 1, a warm-up. A kappa below "
        f"{first**0.5:.3g} makes the constraint bind."
    )


def _rewo_stuck(estimator: Any) -> str:
    schedule, alpha = estimator.schedule_, estimator.alpha
    c, rms = _recent_error(estimator)
    if schedule.kappa is None and schedule.chosen_kappa is not None:
        return (
            "REWO never left its initial phase: kappa='auto' raised κ to "
            f"{schedule.chosen_kappa:.3g} where the error levelled off, but its running "
            f"average Ĉ = {schedule.c_hat:.4g} (alpha={alpha}: a memory of about "
            f"{1.0 / (1.0 - alpha):.0f} iterations) was still above κ² = "
            f"{schedule.chosen_kappa**2:.4g} when the fit ended, so the prior was not "
            "trained. Train longer (a warm start goes on with that κ) or lower alpha."
        )
    if schedule.kappa is None:  # kappa="auto", κ never raised
        return (
            f"REWO never left its initial phase: with kappa='auto' (κ = {AUTO_KAPPA}) the "
            f"running error Ĉ = {schedule.c_hat:.4g} stayed above κ² = {AUTO_KAPPA**2:.4g}, "
            "and κ is raised only once the epoch's mean error falls by less than "
            f"{PLATEAU_DROP:.0%} in an epoch, which it had not (last epoch's mean "
            f"C = {c:.4g}, an RMS of {rms:.4g} per feature), so the prior was not "
            f"trained. Train longer (max_iter={estimator.max_iter}), or give kappa a number: "
            f"kappa={KAPPA_MARGIN * rms:.3g} would end the phase once Ĉ catches up."
        )
    n_iterations = len(estimator.iteration_history_["C_hat"])
    # An α whose memory, 1 / (1 - α) iterations, is a tenth of this fit's length.
    quicker = max(0.5, round(1.0 - 10.0 / n_iterations, 2))
    sooner = (
        f"let Ĉ follow sooner with a smaller alpha (alpha={quicker:g}: about "
        f"{1.0 / (1.0 - quicker):.0f} iterations)"
        if quicker < alpha
        else "lower alpha so that Ĉ follows sooner"
    )
    return (
        f"REWO never left its initial phase: the running reconstruction error "
        f"Ĉ = {schedule.c_hat:.4g} stayed above κ² = {schedule.kappa_used**2:.4g} "
        f"(kappa={estimator.kappa}), so the prior was not trained. The last epoch's mean "
        f"error was C = {c:.4g}, an RMS of {rms:.4g} per feature; Ĉ, its running average "
        f"with alpha={alpha}, follows it over about {1.0 / (1.0 - alpha):.0f} iterations "
        f"and lags behind it in a fit of {n_iterations}. kappa={KAPPA_MARGIN * rms:.3g} "
        f"would end the phase once Ĉ catches up: train longer, or {sooner}. kappa "
        "is an RMS error in the units of X; to choose it for a likelihood fit, see the "
        "recipe under kappa in the docstring."
    )


def _geco_floor(estimator: Any) -> str:
    c, rms = _recent_error(estimator)
    return (
        f"GECO drove β to its floor ({BETA_FLOOR:g}): the running reconstruction error Ĉ = "
        f"{estimator.schedule_.c_hat:.4g} stayed above κ² = {estimator.kappa**2:.4g} "
        f"(kappa={estimator.kappa}), a constraint this model does not reach, so the KL "
        f"term was switched off. The last epoch's error was an RMS of {rms:.4g} per "
        f"feature (C = {c:.4g}): a kappa above {KAPPA_MARGIN * rms:.3g} is within reach."
    )
