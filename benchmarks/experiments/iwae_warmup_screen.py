"""Screen: does a KL warm-up keep the top layer of a two-layer IWAE alive?

In Table 2 (``nll_table.py``) the IWAE (L=2), trained without warm-up as Burda et al. do,
ends with 2 of its 40 top-layer units active and is only 0.5 nats better than IWAE (L=1).
The VampPrior paper warms up every model it trains (β from 0 to 1 over 100 of its
epochs). This screen trains the Table 2 IWAE (L=2) on part of static MNIST with and
without ``warmup_epochs`` on several seeds, and reports the top layer's active units and
the test NLL (mean and spread over the seeds). A screen on a reduced budget, not a Table 2
figure: it decides whether the full run is worth it. The table of docs/benchmarks.md is
generated from docs/results/iwae_warmup_screen.json (``results_pages``).

    python benchmarks/experiments/iwae_warmup_screen.py --train-size 10000 --epochs 40 \\
        --warmup-epochs 20
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    DEFAULT_DATA,
    add_smoke_argument,
    machine_info,
    markdown_table,
    number,
    one_file_pages,
    parse_args,
    write_json,
)
from _table2 import ARCHITECTURE


def page_table(payload: dict) -> list[str]:
    """The table of docs/benchmarks.md, from a results file's contents: one row per arm
    (without warm-up, with it), each seed's test NLL and active top-layer units."""
    rows = []
    for warmup in dict.fromkeys(r["warmup_epochs"] for r in payload["runs"]):
        arm = [r for r in payload["runs"] if r["warmup_epochs"] == warmup]
        nll = np.array([r["test_nll"] for r in arm])
        seeds = ", ".join(str(r["seed"]) for r in arm)
        several = len(arm) > 1  # a spread over seeds
        over = f", mean ± sd over {len(arm)} seeds" if several else ""
        spread = f" ± {number(nll.std(ddof=1), 2)}" if several else ""
        rows.append(
            {
                "warm-up": f"{warmup} of {payload['args']['epochs']} epochs" if warmup else "none",
                f"test NLL{over}": f"{number(nll.mean(), 2)}{spread}",
                f"per seed ({seeds})": ", ".join(number(v, 2) for v in nll),
                "active top-layer units": ", ".join(str(r["active_units_top"]) for r in arm),
            }
        )
    return markdown_table(rows, list(rows[0]))


def results_pages(results: Path) -> dict[str, str]:
    """The table docs/benchmarks.md includes, from the results file in ``results`` alone
    (the documentation build regenerates it: ``_results_pages.py``)."""
    return one_file_pages(
        results, "iwae_warmup_screen.json", "experiments/iwae_warmup_screen.py", page_table
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=10000)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--warmup-epochs", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--importance-samples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=None, help="default: docs/results/iwae_warmup_screen.json")
    add_smoke_argument(
        parser,
        train_size=300,
        test_size=5,
        epochs=1,
        warmup_epochs=1,
        seeds=[0],
        importance_samples=5,
    )
    args = parse_args(parser, argv)

    import torch

    from skvhp import IWAE, active_units
    from skvhp.datasets import load_binarized_mnist

    torch.set_num_threads(args.threads)
    X_train, _, X_test = load_binarized_mnist(args.data_home)
    X_train, X_test = X_train[: args.train_size], X_test[: args.test_size]
    runs = []
    for warmup in (0, args.warmup_epochs):
        for seed in args.seeds:
            model = IWAE(
                **ARCHITECTURE,
                k=5,
                n_layers=2,
                n_components_z1=40,
                hidden_layer_sizes_z2=(300, 300),
                warmup_epochs=warmup,
                max_iter=args.epochs,
                n_importance_samples=args.importance_samples,
                device="cpu",
                random_state=seed,
            )
            start = time.perf_counter()
            model.fit(X_train)
            fit_s = time.perf_counter() - start
            nll = -model.score_samples(X_test)
            runs.append(
                {
                    "warmup_epochs": warmup,
                    "seed": seed,
                    "test_nll": float(nll.mean()),
                    "test_nll_se": float(nll.std(ddof=1) / np.sqrt(len(nll))),
                    "active_units_top": active_units(model, X_test),
                    "train_bound_last_epoch": model.history_["loss"][-1],
                    "fit_s": fit_s,
                    "score_s": time.perf_counter() - start - fit_s,
                }
            )
            print(runs[-1], flush=True)
    summary = []
    for warmup in (0, args.warmup_epochs):
        arm = [r for r in runs if r["warmup_epochs"] == warmup]
        nll = np.array([r["test_nll"] for r in arm])
        units = np.array([r["active_units_top"] for r in arm])
        summary.append(
            {
                "warmup_epochs": warmup,
                "seeds": len(arm),
                "test NLL mean": float(nll.mean()),
                "test NLL sd": float(nll.std(ddof=1)) if len(arm) > 1 else float("nan"),
                "active top units": " ".join(str(u) for u in units),
            }
        )
    payload = {"machine": machine_info("cpu"), "args": vars(args), "summary": summary, "runs": runs}
    print("\n".join(page_table(payload)))
    write_json("iwae_warmup_screen", payload, args.out)


if __name__ == "__main__":
    main()
