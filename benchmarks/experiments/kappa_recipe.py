"""The κ recipe of docs/models.md, run on a Table 2 data set: a short fit at β = 1 gives
the RMS reconstruction error the model reaches with the full KL term; a κ a little above it
is slack at β = 1 (REWO then ends at β = 1), a κ below it binds (β settles below 1).

For each κ the script records when REWO leaves its initial phase, β per epoch and the
warnings; the results file is ``docs/results/kappa_recipe.json`` for static MNIST and
``docs/results/kappa_recipe_<data set>.json`` for the others (binarized as in
``nll_table.py``: dynamic MNIST and Fashion-MNIST draw fresh binary images every epoch).

    python benchmarks/experiments/kappa_recipe.py --train-size 20000 --epochs 4
    python benchmarks/experiments/kappa_recipe.py --dataset fashion-mnist --kappas 0.25

The table of docs/models.md, one row per data set, is generated from these files
(``results_pages``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    ALGORITHM_1,
    DEFAULT_DATA,
    add_smoke_argument,
    machine_info,
    markdown_table,
    number,
    parse_args,
    print_table,
    results_page,
    results_path,
    write_json,
)
from _table2 import ARCHITECTURE, DATASETS, KAPPA, VHP_PRIOR, load  # Table 2's set-up

PAGE_KAPPA = 0.25  # docs/models.md's last column: REWO with MNIST's κ on each data set
# What that column says where no run with it is in the file.
PAGE_NOTES = {"static-mnist": f"({KAPPA['static-mnist']} was used; slack)"}


def results_file(dataset: str) -> str:
    return "kappa_recipe" + ("" if dataset == "static-mnist" else f"_{dataset}") + ".json"


def page_row(dataset: str, payload: dict) -> dict:
    """A data set's row of the table of docs/models.md, from its results file."""
    epochs = payload["args"]["epochs"]
    suggested = payload["suggested kappa"]
    by_kappa = {r["kappa"]: r for r in payload["rewo"]}
    tight = by_kappa.get(PAGE_KAPPA) if suggested != PAGE_KAPPA else None
    if tight is None:
        column = PAGE_NOTES.get(dataset, "–")
    elif tight["switch iteration"] is None:
        floor = number(tight["rms per epoch"][-1], 2)
        column = f"**never switches** (RMS floor ≈ {floor})"
    else:
        column = f"switches at {tight['switch iteration']}"
    return {
        "data set": DATASETS[dataset],
        f"RMS at β = 1 after {epochs} epochs": number(
            payload["reference (beta = 1)"]["rms per epoch"][-1], 3
        ),
        "recipe κ": number(suggested, 2),
        "REWO switch (iteration)": str(by_kappa[suggested]["switch iteration"] or "never"),
        f"κ = {PAGE_KAPPA}": column,
    }


def results_pages(results: Path) -> dict[str, str]:
    """The table docs/models.md includes, from the results files in ``results`` alone
    (the documentation build regenerates it: ``_results_pages.py``)."""
    files = {d: results / results_file(d) for d in DATASETS if (results / results_file(d)).exists()}
    if not files:
        return {}
    rows = [page_row(d, json.loads(path.read_text())) for d, path in files.items()]
    sources = [path.name for path in files.values()]
    table = markdown_table(rows, list(rows[0]))
    return {"kappa_recipe.md": results_page("experiments/kappa_recipe.py", sources, table)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=list(DATASETS), default="static-mnist")
    parser.add_argument("--train-size", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--kappas", type=float, nargs="*", default=[0.1, 0.2])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=None, help="default: docs/results/kappa_recipe*.json")
    add_smoke_argument(parser, train_size=300, epochs=1, kappas=[0.3])
    args = parse_args(parser, argv)
    if args.out is None:
        args.out = str(results_path(results_file(args.dataset)))

    import torch

    from skvhp import VHPAutoencoder

    torch.set_num_threads(args.threads)
    X, _, dynamic = load(args.dataset, args.data_home)
    X = X[: args.train_size]
    arch = dict(
        **ARCHITECTURE,
        **VHP_PRIOR,
        max_iter=args.epochs,
        device="cpu",
        random_state=0,
        dynamic_binarization=dynamic,
    )

    def run(**params) -> dict:
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = VHPAutoencoder(**arch, **ALGORITHM_1, **params).fit(X)
        h, schedule = model.history_, model.schedule_
        return {
            **params,
            "rms per epoch": [float(np.sqrt(c)) for c in h["C"]],
            "beta per epoch": h["beta"],
            "final beta": float(model.iteration_history_["beta"][-1]),
            "bound per epoch": h["bound"],
            "switch iteration": getattr(schedule, "main_phase_start", None),
            "iterations per epoch": len(model.iteration_history_["beta"]) // args.epochs,
            "warnings": [str(w.message) for w in caught],
            "fit s": time.perf_counter() - start,
        }

    # Step 1 of the recipe: β = 1, read the RMS error of the last epoch.
    reference = run(schedule="constant")
    rms = reference["rms per epoch"][-1]
    suggested = round(1.05 * rms, 2)  # 5 % above: slack at β = 1
    print(f"β = 1: RMS error per pixel {rms:.4f} after {args.epochs} epochs; κ = {suggested}")
    # Step 2: REWO with the suggested κ and with tighter ones.
    rows = [run(schedule="rewo", kappa=k) for k in [suggested, *args.kappas]]
    table = [
        {
            "kappa": r["kappa"],
            "switch (iteration)": r["switch iteration"],
            "final β": r["final beta"],
            "last-epoch RMS": r["rms per epoch"][-1],
            "last-epoch bound": r["bound per epoch"][-1],
            "warning": "; ".join(w[:50] for w in r["warnings"]),
        }
        for r in rows
    ]
    print_table(table, list(table[0]))
    payload = {
        "machine": machine_info("cpu"),
        "args": vars(args),
        "reference (beta = 1)": reference,
        "suggested kappa": suggested,
        "rewo": rows,
    }
    write_json("kappa_recipe", payload, args.out)
    row = page_row(args.dataset, payload)
    print("\n".join(markdown_table([row], list(row))))


if __name__ == "__main__":
    main()
