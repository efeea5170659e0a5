"""VHPAutoencoder's parameters renamed or retired in 0.2, accepted for one release.

``topology_weight``, ``topology_reference`` and ``topology_scale`` became one option,
``topology=TopologicalTerm(weight, reference, scale)``; ``beta`` (the β of
``schedule="constant"``) became ``beta_init``, the β a schedule starts from; and
``encoder_release`` was retired (its one remaining value is the behaviour). As
scikit-learn deprecates a parameter, the old names stay in the signature with the
default ``"deprecated"`` until 0.3; a value given there acts in ``fit`` (in place of the
new parameter's) with a ``FutureWarning``. Pickles and model files of 0.1 load with the
new names.
"""

from __future__ import annotations

import warnings
from typing import Any

from ._topological_term import TopologicalTerm
from ._validation import check_float

TOPOLOGY_NAMES = {"topology_weight": "weight", "topology_reference": "reference"}
TOPOLOGY_NAMES["topology_scale"] = "scale"
DEPRECATED = (*TOPOLOGY_NAMES, "beta", "encoder_release")
UNSET = "deprecated"  # their default: not given
# The term as the old parameters' defaults left it: off, against the data, mean scale.
_OLD_TOPOLOGY = {"weight": 0.0, "reference": "data", "scale": "mean"}


def translate(current: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The new parameters' values that the deprecated ones in ``old`` stand for, given
    the ``current`` values of the new ones (``topology``, ``schedule``, ``beta_init``).

    Raises a ``ValueError`` for a retired value (``encoder_release="beta"``)."""
    new: dict[str, Any] = {}
    given = {TOPOLOGY_NAMES[k]: v for k, v in old.items() if k in TOPOLOGY_NAMES}
    if given:
        topology = current.get("topology")
        base = topology.get_params() if isinstance(topology, TopologicalTerm) else _OLD_TOPOLOGY
        new["topology"] = TopologicalTerm(**{**base, **given})
    if "beta" in old and current.get("schedule") == "constant":
        new["beta_init"] = old["beta"]  # beta only ever acted with schedule="constant"
    release = old.get("encoder_release", "switch")
    if not (isinstance(release, str) and release == "switch"):
        raise ValueError(
            f"encoder_release={release!r}: the option was retired in skvhp 0.2 (no "
            "recommended setting used it; docs/research_log.md has its results). The "
            "encoder frozen by init is released at the switch to REWO's main phase."
        )
    return new


def given(params: dict[str, Any]) -> dict[str, Any]:
    """The deprecated parameters in ``params`` that hold a value (not ``UNSET``)."""
    return {
        k: params[k]
        for k in DEPRECATED
        if k in params and not (isinstance(params[k], str) and params[k] == UNSET)
    }


def effective(params: dict[str, Any]) -> dict[str, Any]:
    """``topology`` and ``beta_init`` as a fit uses them: the new parameters', or what
    the deprecated ones given stand for."""
    current = {k: params.get(k) for k in ("topology", "beta_init", "schedule")}
    return {**current, **translate(current, given(params))}


def warn(owner: str, old: dict[str, Any]) -> None:
    """One ``FutureWarning`` naming each deprecated parameter given and its successor."""
    successors = {
        **{k: f"topology=TopologicalTerm({v}=...)" for k, v in TOPOLOGY_NAMES.items()},
        "beta": "beta_init (the β of schedule='constant')",
        "encoder_release": "nothing (the encoder is released at REWO's switch)",
    }
    named = "; ".join(f"{k} -> {successors[k]}" for k in old)
    warnings.warn(
        f"{owner}: deprecated in 0.2 and removed in 0.3: {named}.",
        FutureWarning,
        stacklevel=6,  # the user's fit: warn <- check <- check_engine_parameters <- ...
    )


def check(old: dict[str, Any], init: object) -> None:
    """Raise a ``ValueError`` naming the deprecated parameter whose value is invalid."""
    if "beta" in old:
        check_float(old["beta"], "beta", 0.0)
    if "topology_weight" in old:  # a number: "auto" is the new option's alone
        check_float(old["topology_weight"], "topology_weight", 0.0)
    if set(TOPOLOGY_NAMES) & set(old):  # the term they build, checked under the old names
        topology = {TOPOLOGY_NAMES[k]: v for k, v in old.items() if k in TOPOLOGY_NAMES}
        TopologicalTerm(**{**_OLD_TOPOLOGY, **topology}).check(init, prefix="topology_")


def translate_state(state: dict[str, Any]) -> None:
    """Rewrite, in place, the parameters of a model pickled or saved by 0.1 (which had no
    ``topology``) into the new ones, with the deprecated ones unset (no warning: the
    user did not write them). A state of 0.2 keeps what the user gave."""
    if "topology" in state:
        return
    old = given(state)
    for k in DEPRECATED:
        state[k] = UNSET
    old.pop("encoder_release", None)  # a fitted model: its release already happened
    state.setdefault("topology", None)
    if not old:
        return
    state.update(translate(state, old))
    if state["topology"] is not None and not state["topology"].active:
        state["topology"] = None  # the old default: no term
