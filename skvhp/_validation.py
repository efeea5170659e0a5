"""Parameter checks that raise a ``ValueError`` naming the parameter.

Estimators call these in ``fit`` (never in ``__init__``), following scikit-learn.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._torch.device import resolve_device
from ._torch.likelihoods import LIKELIHOODS
from ._torch.nn import ACTIVATION_NAMES


def check_int(value: Any, name: str, low: int | None = None, high: int | None = None) -> int:
    """An integer in ``[low, high]``; bools are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}.")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be {bounds}, got {value!r}.")
    return int(value)


def check_float(
    value: Any,
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """A finite real number in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}.")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        interval = (
            f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        )
        raise ValueError(f"{name} must be in {interval}, got {value!r}.")
    return float(value)


def check_choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """One of ``options``; numpy scalars (``np.True_``, ``np.str_``) count as their
    Python values, floats and other types never do."""
    options = tuple(options)
    if isinstance(value, (np.bool_, np.integer, np.str_)):
        value = value.item()
    flags = all(isinstance(o, bool) for o in options)
    allowed = bool if flags else (str, numbers.Integral)  # a flag takes True/False only
    if not isinstance(value, allowed) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}.")
    return value


def check_layer_sizes(value: Any, name: str) -> tuple[int, ...]:
    """A (possibly empty) sequence of positive layer widths."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    try:
        sizes = tuple(value)
    except TypeError:
        raise ValueError(
            f"{name} must be a sequence of positive integers, got {value!r}."
        ) from None
    for size in sizes:
        check_int(size, f"each entry of {name}", 1)
    return tuple(int(s) for s in sizes)


def check_engine_parameters(estimator: Any) -> None:
    """Check the parameters every skvhp estimator shares (the engine's), then the
    estimator's own (``_check_extra_params``)."""
    for name in ("n_components", "max_iter", "batch_size", "n_importance_samples"):
        check_int(getattr(estimator, name), name, 1)
    check_layer_sizes(estimator.hidden_layer_sizes, "hidden_layer_sizes")
    check_choice(estimator.activation, "activation", ACTIVATION_NAMES)
    check_choice(estimator.likelihood, "likelihood", tuple(LIKELIHOODS))
    check_float(estimator.learning_rate, "learning_rate", 0.0, low_inclusive=False)
    flags = ("early_stopping", "warm_start", "dynamic_binarization", "mixed_precision")
    for flag in (*flags, "shape_check"):
        check_choice(getattr(estimator, flag), flag, (True, False))
    check_float(
        estimator.validation_fraction,
        "validation_fraction",
        0.0,
        1.0,
        low_inclusive=False,
        high_inclusive=False,
    )
    check_int(estimator.n_iter_no_change, "n_iter_no_change", 1)
    check_float(estimator.tol, "tol", 0.0)
    check_int(estimator.verbose, "verbose", 0)
    if estimator.dynamic_binarization and estimator.likelihood != "bernoulli":
        raise ValueError("dynamic_binarization=True needs likelihood='bernoulli'.")
    resolve_device(estimator.device)
    check_random_state_value(estimator.random_state)
    estimator._check_extra_params()


def check_random_state_value(random_state: Any) -> None:
    """Check ``random_state``'s type without drawing from it."""
    if random_state is None or isinstance(
        random_state, (np.random.RandomState, np.random.Generator)
    ):
        return
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {random_state!r}.")
        return
    raise ValueError(
        f"random_state must be None, an int or a numpy RandomState/Generator, got {random_state!r}."
    )


def seed_from(random_state: Any) -> int:
    """A 63-bit seed for a local ``torch.Generator``, without touching global RNGs.

    ``None`` draws fresh OS entropy; an int gives the same seed every time; a
    ``RandomState`` is advanced, as scikit-learn does.
    """
    if random_state is None:
        return int(np.random.default_rng().integers(2**62))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**62))
    check_random_state_value(random_state)
    return int(random_state)
