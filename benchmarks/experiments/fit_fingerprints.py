"""Fingerprints of seeded fits: a guard for refactorings that must not change behaviour.

Fits every estimator and schedule for a few epochs with a fixed seed on the CPU and
records a SHA-256 digest of the trained parameters, of the histories and of
``score_samples``. Run it before and after a change and compare the two files: equal
digests mean bit-identical training (on the same machine, torch build and thread count).

    python benchmarks/experiments/fit_fingerprints.py --out before.json
    python benchmarks/experiments/fit_fingerprints.py --out after.json --compare before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
import torch
from _common import ALGORITHM_1, add_smoke_argument, parse_args, print_table, write_json
from sklearn.datasets import load_digits

from skvhp import IWAE, TopologicalTerm, VampPriorVAE, VHPAutoencoder
from skvhp.datasets import make_pendulum


def _digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def fingerprint(model, X) -> dict:
    """Digests of a fitted model's weights, histories and scores."""
    state = model.module_.state_dict()
    weights = _digest(*(state[k].detach().cpu().numpy() for k in sorted(state)))
    history = json.dumps(
        {k: v for k, v in model.history_.items() if k != "time"}, sort_keys=True
    ).encode()
    iterations = json.dumps(getattr(model, "iteration_history_", {}), sort_keys=True).encode()
    scores = model.score_samples(X[:20])
    return {
        "weights": weights,
        "history": hashlib.sha256(history).hexdigest()[:16],
        "iteration_history": hashlib.sha256(iterations).hexdigest()[:16],
        "scores": _digest(scores),
    }


def cases(epochs: int) -> dict:
    small = dict(max_iter=epochs, n_importance_samples=8, random_state=0, device="cpu")
    vhp = dict(
        small,
        n_components=2,
        hidden_layer_sizes=(32,),
        prior_hidden_layer_sizes=(16,),
        k=4,
        kappa=0.3,
        alpha=0.5,
        learning_rate=1e-2,
        **ALGORITHM_1,
    )
    return {
        "vhp-rewo": (VHPAutoencoder(**vhp), "digits"),
        "vhp-rewo-pca": (
            VHPAutoencoder(**{**vhp, "kappa": 0.28, "init": "pca", "posterior": "isotropic"}),
            "pendulum",
        ),
        # The topological term against the start, and against the data.
        "vhp-term-start": (
            VHPAutoencoder(
                **{**vhp, "kappa": 0.28, "init": "pca", "posterior": "isotropic"},
                topology=TopologicalTerm(weight=1.0, reference="start"),
            ),
            "pendulum",
        ),
        "vhp-term-data-fitted": (
            VHPAutoencoder(**vhp, topology=TopologicalTerm(reference="data", scale="fitted")),
            "digits",
        ),
        "vhp-geco": (VHPAutoencoder(**vhp, schedule="geco"), "digits"),
        "vhp-warmup": (VHPAutoencoder(**vhp, schedule="warmup", warmup_epochs=2), "digits"),
        "vhp-constant": (VHPAutoencoder(**vhp, schedule="constant", beta_init=0.5), "digits"),
        "vhp-early-stopping": (
            VHPAutoencoder(**vhp, early_stopping=True, n_iter_no_change=1),
            "digits",
        ),
        "iwae-l1": (IWAE(n_components=4, hidden_layer_sizes=(32,), **small), "digits"),
        "iwae-l2": (
            IWAE(
                n_components=4,
                n_layers=2,
                n_components_z1=8,
                hidden_layer_sizes=(32,),
                hidden_layer_sizes_z2=(16,),
                **small,
            ),
            "digits",
        ),
        "iwae-l1-warmup": (
            IWAE(n_components=4, hidden_layer_sizes=(32,), warmup_epochs=2, **small),
            "digits",
        ),
        "iwae-early-stopping": (
            IWAE(n_components=4, hidden_layer_sizes=(32,), early_stopping=True, **small),
            "digits",
        ),
        "vamp-l1": (
            VampPriorVAE(
                n_components=4,
                n_pseudo_inputs=10,
                hidden_layer_sizes=(32,),
                warmup_epochs=2,
                **small,
            ),
            "digits",
        ),
        "vamp-l2": (
            VampPriorVAE(
                n_components=4,
                n_layers=2,
                n_components_z1=4,
                n_pseudo_inputs=10,
                hidden_layer_sizes=(32,),
                warmup_epochs=2,
                **small,
            ),
            "digits",
        ),
        "vamp-data": (
            VampPriorVAE(
                n_components=4,
                n_pseudo_inputs=10,
                hidden_layer_sizes=(32,),
                pseudo_inputs="data",
                **small,
            ),
            "digits",
        ),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--compare", default=None, help="a previous results file")
    parser.add_argument("--out", default=None)
    add_smoke_argument(parser, epochs=1)
    args = parse_args(parser, argv)
    torch.set_num_threads(1)  # digests depend on the thread count
    data = {
        "digits": (load_digits().data / 16.0)[:400],
        "pendulum": make_pendulum(400, random_state=0)[0],
    }
    results, rows = {}, []
    selected = cases(args.epochs)
    if args.smoke:
        selected = {k: selected[k] for k in ("vhp-rewo", "iwae-l2", "vamp-l1")}
    for name, (model, which) in selected.items():
        X = data[which]
        start = time.perf_counter()
        model.fit(X)
        # Resuming is part of the behaviour: one more epoch through warm_start.
        first = fingerprint(model, X)
        model.set_params(warm_start=True, max_iter=1).fit(X)
        results[name] = {"fit": first, "resumed": fingerprint(model, X)}
        rows.append(
            {
                "case": name,
                "weights": first["weights"],
                "after resume": results[name]["resumed"]["weights"],
                "switch": getattr(getattr(model, "schedule_", None), "main_phase_start", ""),
                "released": getattr(model, "encoder_released_at_", ""),
                "seconds": time.perf_counter() - start,
            }
        )
    print_table(rows, ["case", "weights", "after resume", "switch", "released", "seconds"])
    name = "fit_fingerprints_smoke" if args.smoke else "fit_fingerprints"
    write_json(
        name, {"epochs": args.epochs, "torch": torch.__version__, "cases": results}, args.out
    )
    if args.compare:
        reference = json.loads(Path(args.compare).read_text())["cases"]
        differ = [
            f"{name}/{stage}/{key}"
            for name, stages in results.items()
            for stage, digests in stages.items()
            for key, value in digests.items()
            if reference.get(name, {}).get(stage, {}).get(key) != value
        ]
        print("identical to", args.compare if not differ else f"DIFFERENT: {differ}")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
