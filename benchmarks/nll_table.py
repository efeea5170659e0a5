"""Table 2 of Klushyn et al. (2019): negative test log-likelihood (5000 importance
samples) of VHP + REWO, VHP + GECO, VampPrior, IWAE (L=1) and IWAE (L=2) on dynamic
MNIST, static binarized MNIST and Fashion-MNIST, with active units and training time.

Binarization: dynamic MNIST and Fashion-MNIST train on fresh Bernoulli(grey/255) draws
every epoch (``dynamic_binarization=True``) and are tested on one fixed Bernoulli draw
of the test images (seed 0); static MNIST uses Larochelle & Murray's fixed binarization.

    python benchmarks/nll_table.py --epochs 3 --train-size 10000 --test-size 200  # CPU budget
    python benchmarks/nll_table.py --device cuda --epochs 1000 --test-size 10000   # protocol
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from _common import DEFAULT_DATA, ROOT, fit_and_score, machine_info, print_table, write_json

from skvhp import IWAE, VampPriorVAE, VHPAutoencoder, active_units
from skvhp.datasets import load_binarized_mnist, load_fashion_mnist, load_mnist

PAPER_NLL = {  # Table 2 of the VHP paper
    "dynamic MNIST": [78.88, 95.01, 80.42, 81.36, 80.66],
    "static MNIST": [82.74, 96.32, 84.02, 84.46, 82.83],
    "Fashion-MNIST": [225.37, 234.73, 232.78, 226.83, 225.39],
}
MODEL_NAMES = ["VHP + REWO", "VHP + GECO", "VampPrior", "IWAE (L=1)", "IWAE (L=2)"]


def load(name: str, data_home: str):
    """(X_train, X_test, dynamic) with test images binarized once where dynamic."""
    if name == "static MNIST":
        X_train, _, X_test = load_binarized_mnist(data_home)
        return X_train, X_test, False
    loader = load_mnist if name == "dynamic MNIST" else load_fashion_mnist
    X_train, _, X_test, _ = loader(data_home)
    rng = np.random.default_rng(0)
    return X_train, (rng.random(X_test.shape) < X_test).astype(np.float32), True


def make_models(args, dynamic: bool) -> dict:
    common = dict(
        max_iter=args.epochs,
        batch_size=100,
        n_importance_samples=args.importance_samples,
        device=args.device,
        random_state=args.seed,
        dynamic_binarization=dynamic,
    )
    vhp = dict(n_components=32, k=16, kappa=args.kappa, **common)
    return {
        "VHP + REWO": VHPAutoencoder(schedule="rewo", **vhp),
        "VHP + GECO": VHPAutoencoder(schedule="geco", **vhp),
        "VampPrior": VampPriorVAE(warmup_epochs=max(1, args.epochs // 5), **common),
        "IWAE (L=1)": IWAE(k=args.k, **common),
        "IWAE (L=2)": IWAE(k=args.k, n_layers=2, **common),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", choices=list(PAPER_NLL), default=list(PAPER_NLL))
    parser.add_argument("--models", nargs="*", choices=MODEL_NAMES, default=MODEL_NAMES)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=None, help="default: all")
    parser.add_argument("--test-size", type=int, default=200)
    parser.add_argument("--importance-samples", type=int, default=5000)
    parser.add_argument("--kappa", type=float, default=0.25, help="RMS per pixel")
    parser.add_argument("--k", type=int, default=5, help="IWAE training samples")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--markdown", default=str(ROOT / "docs" / "results" / "nll_table.md"))
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    rows = []
    for dataset in args.datasets:
        X_train, X_test, dynamic = load(dataset, args.data_home)
        X_train, X_test = X_train[: args.train_size], X_test[: args.test_size]
        for name, model in make_models(args, dynamic).items():
            if name not in args.models:
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                ll, fit_s, score_s = fit_and_score(model, X_train, X_test)
            rows.append(
                {
                    "dataset": dataset,
                    "model": name,
                    "NLL (nats)": float(-ll.mean()),
                    "s.e.": float(ll.std() / np.sqrt(len(ll))),
                    "paper NLL": PAPER_NLL[dataset][MODEL_NAMES.index(name)],
                    "active units": active_units(model, X_test),
                    "latent units": model.n_components,
                    "epochs": model.n_iter_,
                    "fit s": fit_s,
                    "score s": score_s,
                    "warnings": "; ".join(str(w.message)[:60] for w in caught),
                }
            )
            print_table(rows[-1:], list(rows[-1])[:-1])
    print()
    print_table(rows, list(rows[0])[:-1])
    header = "| dataset | model | NLL (nats) | paper | active units | epochs | fit (s) |"
    lines = [header, "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['model']} | {r['NLL (nats)']:.2f} ± {r['s.e.']:.2f} | "
            f"{r['paper NLL']:.2f} | {r['active units']}/{r['latent units']} | {r['epochs']} "
            f"| {r['fit s']:.0f} |"
        )
    if args.markdown != "none":
        from pathlib import Path

        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text("\n".join(lines) + "\n")
        print(f"wrote {args.markdown}")
    write_json(
        f"nll_table_{args.device.replace(':', '')}",
        {"machine": machine_info(args.device), "args": vars(args), "table": rows},
        args.out,
    )


if __name__ == "__main__":
    main()
