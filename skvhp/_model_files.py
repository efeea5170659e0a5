"""Model files that cannot run code: ``skvhp.save`` and ``skvhp.load``.

One ``.safetensors`` file: the weights, buffers and (optionally) the training state as
tensors, and in its header, as JSON, the format version, the skvhp version that wrote it,
the estimator's class, parameters and fitted attributes, and a SHA-256 digest of that
state and of every tensor's name, type, shape and bytes. Loading parses JSON and raw
tensors only: nothing is unpickled, no name from the file is imported or called, classes
come from a fixed list, the digest must match (a flipped bit anywhere is refused), the
parameters are validated as ``fit`` validates them, every floating tensor must be finite
and the weights must match the architecture the parameters describe.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from typing import Any

import numpy as np
import torch

from ._deprecated import translate_state
from ._iwae import IWAE
from ._resume import FITTED_PARAMETERS, changed_parameters, check_parameters_describe_weights
from ._topological_term import TopologicalTerm
from ._torch.schedules import GECO, REWO, ConstantBeta, LinearWarmUp
from ._vamp import VampPriorVAE
from ._vhp import VHPAutoencoder

# 2: the header holds a digest of the state and the tensors (version 1 files, without
# one, still load).
FORMAT_VERSION = 2
ESTIMATORS = {cls.__name__: cls for cls in (VHPAutoencoder, VampPriorVAE, IWAE)}
SCHEDULES = {cls.__name__: cls for cls in (REWO, GECO, LinearWarmUp, ConstantBeta)}
OPTIONS = {cls.__name__: cls for cls in (TopologicalTerm,)}  # parameters that are objects
# Fitted state an estimator may carry besides its parameters (anything else is refused).
FITTED = {
    "module_",
    "device_",
    "n_iter_",
    "history_",
    "n_features_in_",
    "feature_names_in_",
    "schedule_",
    "iteration_history_",
    "best_validation_loss_",
    "encoder_released_at_",
    "layout_",
    "prior_fit_steps_",
    "zeta_modes_",
    "topology_weight_",
    "_torus_start_",
    "shape_check_",
    "_seed_",
    "_training_state_",
    "_sklearn_version",
    FITTED_PARAMETERS,
}


class _Encoder:
    """Turns nested Python values into JSON-able ones, moving tensors aside."""

    def __init__(self) -> None:
        self.tensors: dict[str, torch.Tensor] = {}

    def __call__(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
            return value.item() if isinstance(value, np.generic) else value
        if isinstance(value, torch.Tensor):
            key = f"t{len(self.tensors)}"
            self.tensors[key] = value.detach().cpu().contiguous().clone()
            return {"__tensor__": key}
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "OU":  # feature names
                return {"__strings__": [str(v) for v in value.tolist()]}
            return {"__array__": self(torch.from_numpy(np.ascontiguousarray(value)))}
        if isinstance(value, torch.device):
            return {"__device__": str(value)}
        if isinstance(value, tuple):
            return {"__tuple__": [self(v) for v in value]}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {"__dict__": [[self(k), self(v)] for k, v in value.items()]}
        if type(value).__name__ in SCHEDULES and type(value) is SCHEDULES[type(value).__name__]:
            return {"__schedule__": type(value).__name__, "state": self(vars(value))}
        if type(value).__name__ in OPTIONS and type(value) is OPTIONS[type(value).__name__]:
            return {"__option__": type(value).__name__, "params": self(value.get_params())}
        raise TypeError(f"cannot store a {type(value).__name__} in a model file safely")


def _digest(metadata: dict[str, str], tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 of every header field but the digest (format, versions, class, state) and
    of every tensor (name, dtype, shape, bytes)."""
    fields = {k: v for k, v in metadata.items() if k != "digest"}
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode())
    for key in sorted(tensors):
        tensor = tensors[key].contiguous()
        digest.update(f"\0{key}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(memoryview(tensor.view(-1).view(torch.uint8).numpy()))
    return digest.hexdigest()


def _non_finite(tensors: dict[str, torch.Tensor]) -> list[str]:
    return [
        key
        for key, tensor in sorted(tensors.items())
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all())
    ]


def _decode(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    """The inverse of :class:`_Encoder`, creating only whitelisted objects."""
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "__tensor__":
            if inner not in tensors:
                raise ValueError(f"the model file lacks the tensor {inner!r}")
            return tensors[inner]
        if tag == "__array__":
            return _decode(inner, tensors).numpy()
        if tag == "__strings__":
            return np.asarray(inner, dtype=object)
        if tag == "__device__":
            return str(inner)
        if tag == "__tuple__":
            return tuple(_decode(v, tensors) for v in inner)
        if tag == "__dict__":
            return {_decode(k, tensors): _decode(v, tensors) for k, v in inner}
    if set(value) == {"__schedule__", "state"} and value["__schedule__"] in SCHEDULES:
        schedule = SCHEDULES[value["__schedule__"]].__new__(SCHEDULES[value["__schedule__"]])
        vars(schedule).update(_decode(value["state"], tensors))
        return schedule
    if set(value) == {"__option__", "params"} and value["__option__"] in OPTIONS:
        cls = OPTIONS[value["__option__"]]
        params = _decode(value["params"], tensors)
        if not isinstance(params, dict) or not set(params) <= set(cls._get_param_names()):
            raise ValueError(f"the model file holds a damaged {cls.__name__}")
        return cls(**params)
    raise ValueError(f"the model file holds an unknown value {str(value)[:80]!r}")


def save(estimator: Any, path: str | os.PathLike, *, include_training_state: bool = True) -> None:
    """Save a fitted skvhp estimator to a ``.safetensors`` file that loads without
    running code (see :func:`load`).

    Parameters
    ----------
    estimator : fitted VHPAutoencoder, VampPriorVAE or IWAE
    path : str or path-like
    include_training_state : bool, default=True
        Also store what ``warm_start`` / ``partial_fit`` resume from (Adam's moments, the
        random stream, the last weights when early stopping restored the best): without
        it the file leaves out Adam's two moments per weight, and a resumed fit restarts Adam.
        The frozen start of a ``TopologicalTerm(reference="start")`` is never stored: a
        loaded model transforms, scores and samples, but continues such a fit only by
        refitting.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> import skvhp
    >>> X = load_digits().data / 16.0
    >>> model = skvhp.IWAE(n_components=2, hidden_layer_sizes=(32,), max_iter=1,
    ...                    n_importance_samples=10, random_state=0).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> skvhp.save(model, path)
    >>> np.array_equal(skvhp.load(path).transform(X), model.transform(X))
    True
    """
    from safetensors.torch import save_file

    name = type(estimator).__name__
    if ESTIMATORS.get(name) is not type(estimator):
        raise TypeError(f"skvhp.save stores {sorted(ESTIMATORS)}, not {name}{_why_not(name)}")
    if not hasattr(estimator, "module_"):
        raise ValueError(f"this {name} is not fitted yet: fit it before saving.")
    if callable(getattr(estimator, "init", None)):
        raise ValueError(
            "init is a callable, which a model file cannot store without running code; "
            "pickle the model instead (or fit it with init as an array of coordinates)."
        )
    check_parameters_describe_weights(estimator)
    state = estimator.__getstate__()
    if not include_training_state:
        state.pop("_training_state_", None)
    # The topological term's frozen start (a network copy): not stored; a warm start of
    # the loaded model with TopologicalTerm(reference="start") says to refit.
    state.pop("reference_encoder_", None)
    if FITTED_PARAMETERS in state:  # a copy: the live estimator keeps its own record
        state[FITTED_PARAMETERS] = dict(state[FITTED_PARAMETERS])
    for fitted in (state, state.get(FITTED_PARAMETERS) or {}):
        if not isinstance(fitted.get("random_state"), (int, type(None))):
            fitted["random_state"] = None  # a RandomState instance has no safe file format
    encoder = _Encoder()
    state_json = json.dumps(encoder(state))
    bad = _non_finite(encoder.tensors)
    if bad:
        raise ValueError(f"this {name} holds non-finite values (NaN or inf) in {bad[:3]}.")
    metadata = {
        "format": "skvhp",
        "format_version": str(FORMAT_VERSION),
        "skvhp_version": _version(),
        "estimator": name,
        "state": state_json,
    }
    metadata["digest"] = _digest(metadata, encoder.tensors)
    save_file(encoder.tensors, os.fspath(path), metadata=metadata)


def _why_not(name: str) -> str:
    """Why an object that is not an skvhp estimator has no model file."""
    if name == "LatentGraphInterpolator":
        return (
            " (it holds a neighbour index that has no safe file format: save its estimator_ "
            "and refit the interpolator on it, or pickle it)."
        )
    return (
        ": save each fitted skvhp estimator on its own (a Pipeline's steps: "
        "skvhp.save(pipeline[i], path)) and pickle or rebuild the rest."
        if name in ("Pipeline", "GridSearchCV", "RandomizedSearchCV")
        else "."
    )


def load(path: str | os.PathLike) -> Any:
    """Load an estimator saved by :func:`save`, without running any code from the file.

    Raises a ``ValueError`` naming the problem for a file that is not a skvhp model file,
    is truncated or tampered with, comes from a newer format version, holds parameters
    that fail validation, or weights that do not fit the architecture. A model saved
    from a GPU loads on a CPU-only host.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator : VHPAutoencoder, VampPriorVAE or IWAE
        Fitted, with the same outputs as the saved one.
    """
    from safetensors import safe_open

    try:
        with safe_open(os.fspath(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except FileNotFoundError:
        raise
    except Exception as error:  # whatever the parser reports (SafetensorError and others)
        raise ValueError(f"{path} is not a readable model file: {error}") from None
    if metadata.get("format") != "skvhp":
        raise ValueError(f"{path} is a safetensors file, but not one skvhp wrote.")
    version = metadata.get("format_version", "")
    if not version.isdigit() or int(version) > FORMAT_VERSION:
        raise ValueError(
            f"{path} has model file format {version!r}; this skvhp ({_version()}) reads "
            f"format {FORMAT_VERSION} and older: upgrade skvhp to load it."
        )
    cls = ESTIMATORS.get(metadata.get("estimator"))
    if cls is None:
        raise ValueError(f"{path} holds an unknown estimator {metadata.get('estimator')!r}.")
    bad = _non_finite(tensors)
    if bad:
        raise ValueError(f"{path} holds non-finite values (NaN or inf) in {bad[:3]}.")
    # Only a format-1 file, written before digests, may lack one.
    unchecked = version == "1" and "digest" not in metadata
    if not unchecked and metadata.get("digest") != _digest(metadata, tensors):
        raise ValueError(
            f"{path} is damaged or was altered: its digest does not match its contents."
        )
    try:
        state = _decode(json.loads(metadata["state"]), tensors)
    except (KeyError, json.JSONDecodeError, TypeError, AttributeError) as error:
        raise ValueError(f"{path} has a damaged header: {error}") from None
    return _rebuild(cls, state, path)


def _rebuild(cls: type, state: Any, path: Any) -> Any:
    """A fitted estimator from a decoded state, checked as ``fit`` checks its input."""
    if not isinstance(state, dict):
        raise ValueError(f"{path} has a damaged header.")
    if cls is VHPAutoencoder:
        translate_state(state)  # a file written by 0.1
    parameters = set(cls._get_param_names())
    unknown = set(state) - parameters - FITTED
    if unknown or "module_" not in state or "n_features_in_" not in state:
        raise ValueError(f"{path} has unexpected or missing entries: {sorted(unknown)}")
    params = {k: state[k] for k in parameters if k in state}
    device = params.get("device")
    if isinstance(device, str) and device.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"{path} was saved with device={device!r}; this host has no CUDA, so the "
            "loaded model runs on the CPU with device='cpu'.",
            UserWarning,
            stacklevel=3,
        )
        params["device"] = state["device"] = "cpu"
    estimator = cls(**params)
    estimator._check_params()  # a tampered parameter fails as it would in fit
    fitted = state.get(FITTED_PARAMETERS)
    if fitted is not None:
        if not isinstance(fitted, dict):
            raise ValueError(f"{path} has a damaged header ({FITTED_PARAMETERS}).")
        estimator.__dict__[FITTED_PARAMETERS] = fitted
        if changed_parameters(estimator, cls._model_parameters):
            raise ValueError(f"{path}: its parameters do not describe its weights.")
    n_features = state["n_features_in_"]
    if isinstance(n_features, bool) or not isinstance(n_features, int) or n_features < 1:
        raise ValueError(f"{path}: n_features_in_ must be a positive integer.")
    try:
        estimator.__setstate__(dict(state))
    except (RuntimeError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: the weights do not fit the parameters: {error}") from None
    return estimator


def _version() -> str:
    from . import __version__

    return __version__
