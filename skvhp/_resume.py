"""What a resumed fit (``warm_start=True``, ``partial_fit``) may change.

A resumed fit continues the fitted networks, Adam's state, the β-schedule and the random
stream. An estimator's parameters fall into three groups:

- **Model parameters** (``_model_parameters``) define the networks: sizes, likelihood,
  posterior, prior. A resumed fit refuses a changed one with a ``ValueError`` naming it,
  ``skvhp.save`` refuses a model whose parameters no longer describe its weights, and
  unpickling builds the networks the stored weights belong to.
- **Start parameters** (``_start_parameters``) act only when a fit starts afresh:
  ``random_state`` seeds the stream that a resumed fit continues, and VHP's ``schedule``
  kind and ``beta_init`` start the schedule that it continues. A resumed fit refuses a
  change of these too.
- **Every other parameter is applied** by the next fit, resumed or not: ``max_iter``,
  ``batch_size``, ``learning_rate``, early stopping, ``device``, the VHP prior's ``k`` and
  topological term, and the schedule's settings (κ, ν, τ, α, a constant β, the warm-up's
  length), which the running schedule takes over with its state (β, Ĉ, phase, iteration).

The parameters of the first two groups are recorded when a fit succeeds
(``_fitted_parameters_``) and compared with the current ones.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

FITTED_PARAMETERS = "_fitted_parameters_"


def _plain(value: Any) -> Any:
    """A parameter value in a form that compares by value: sequences as tuples, numpy
    scalars as Python ones (a RandomState or Generator stays itself)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim > 1:  # init's coordinates: a digest
        data = np.ascontiguousarray(value, dtype=np.float64)
        return ("array", value.shape, hashlib.sha256(data.tobytes()).hexdigest())
    if isinstance(value, np.ndarray):  # layer sizes given as an array
        return tuple(_plain(v) for v in value.tolist())
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return value


def _same(a: Any, b: Any) -> bool:
    """Whether two parameter values are the same: by value (1 and 1.0 alike, True and 1
    not), and a RandomState or Generator only as the same object."""
    a, b = _plain(a), _plain(b)
    if isinstance(a, (np.random.RandomState, np.random.Generator)):
        return a is b
    if isinstance(a, (bool, str, type(None))) or isinstance(b, (bool, str, type(None))):
        return type(a) is type(b) and a == b
    if isinstance(a, tuple) or isinstance(b, tuple):
        both = isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
        return both and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a is b or a == b


def fixed_names(estimator: Any) -> tuple[str, ...]:
    """The parameters a resumed fit cannot change: model and start parameters."""
    return (*estimator._model_parameters, *estimator._start_parameters)


def record_fitted_parameters(estimator: Any) -> dict[str, Any]:
    """The current values of the model and start parameters (kept by a successful fit)."""
    return {name: _plain(getattr(estimator, name)) for name in fixed_names(estimator)}


def changed_parameters(estimator: Any, names: tuple[str, ...]) -> list[str]:
    """Those of ``names`` whose value differs from the one the model was fitted with
    (none for a model pickled before the values were recorded)."""
    fitted = estimator.__dict__.get(FITTED_PARAMETERS)
    if not fitted:
        return []
    return [n for n in names if n in fitted and not _same(getattr(estimator, n), fitted[n])]


def _describe(estimator: Any, names: list[str]) -> str:
    fitted = estimator.__dict__[FITTED_PARAMETERS]
    return ", ".join(f"{n} ({fitted[n]!r} -> {getattr(estimator, n)!r})" for n in names)


def check_resume(estimator: Any) -> None:
    """Refuse to resume a fit whose model or start parameters changed since it was fitted."""
    changed = changed_parameters(estimator, fixed_names(estimator))
    if changed:
        one = len(changed) == 1
        raise ValueError(
            f"{type(estimator).__name__}: changed since the model was fitted: "
            f"{_describe(estimator, changed)}. A warm start (warm_start=True, partial_fit) "
            "continues the fitted networks, schedule and random stream, which "
            f"{'this parameter fixes' if one else 'these parameters fix'}: refit afresh "
            f"(fit with warm_start=False, or a clone), or set {'it' if one else 'them'} back."
        )


def check_parameters_describe_weights(estimator: Any) -> None:
    """Refuse a model whose model parameters changed since its weights were fitted."""
    changed = changed_parameters(estimator, estimator._model_parameters)
    if changed:
        raise ValueError(
            f"{type(estimator).__name__}: changed since the model was fitted: "
            f"{_describe(estimator, changed)}, so its parameters no longer describe its "
            f"weights: refit, or set {'it' if len(changed) == 1 else 'them'} back."
        )


def fitted_view(estimator: Any) -> Any:
    """A shallow copy of ``estimator`` with the model parameters it was fitted with: what
    builds the networks its weights belong to."""
    fitted = estimator.__dict__.get(FITTED_PARAMETERS) or {}
    view = object.__new__(type(estimator))
    view.__dict__.update(estimator.__dict__)
    view.__dict__.update({n: fitted[n] for n in estimator._model_parameters if n in fitted})
    return view
