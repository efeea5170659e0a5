"""The shape of Table 1 of the VampPrior paper on statically binarized MNIST.

VAE (L=1) and HVAE (L=2), each with the standard normal prior and with the VampPrior,
trained for the same number of epochs; test log-likelihood with 5000 importance samples
on a test subset. Prints our figures beside the paper's and writes JSON; the table of
docs/benchmarks.md is generated from its results files (``results_pages``). The
standard-prior rows are skvhp's IWAE with k=1 (the plain VAE) and the same layer sizes;
for L=2 that model infers q(z1|x) q(z2|z1) (Burda et al.), whereas the paper's HVAE
infers q(z2|x) q(z1|x,z2), as VampPriorVAE(n_layers=2) does.

    python benchmarks/experiments/vamp_mnist.py --epochs 10 --test-size 500          # CPU budget
    python benchmarks/experiments/vamp_mnist.py --device cuda --epochs 2000 --early-stopping \\
        --test-size 10000                                                # the protocol
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    DEFAULT_DATA,
    add_smoke_argument,
    figures_path,
    fit_and_score,
    machine_info,
    markdown_table,
    number,
    parse_args,
    peak_memory_mib,
    print_table,
    results_page,
    write_json,
)

from skvhp import IWAE, VampPriorVAE
from skvhp.datasets import load_binarized_mnist

PAPER = {
    "VAE (L=1) standard": -88.56,
    "VAE (L=1) VampPrior": -85.57,
    "HVAE (L=2) standard": -86.05,
    "HVAE (L=2) VampPrior": -83.19,
}


def make_models(args) -> dict:
    common = dict(
        n_components=40,
        hidden_layer_sizes=(300, 300),
        activation="gated",
        max_iter=args.epochs,
        batch_size=100,
        learning_rate=5e-4,
        n_importance_samples=args.importance_samples,
        early_stopping=args.early_stopping,
        n_iter_no_change=50,
        device=args.device,
        random_state=args.seed,
    )
    vamp = dict(n_pseudo_inputs=500, warmup_epochs=args.warmup, **common)
    return {
        "VAE (L=1) standard": IWAE(k=1, **common),
        "VAE (L=1) VampPrior": VampPriorVAE(**vamp),
        "HVAE (L=2) standard": IWAE(
            k=1, n_layers=2, n_components_z1=40, hidden_layer_sizes_z2=(300, 300), **common
        ),
        "HVAE (L=2) VampPrior": VampPriorVAE(n_layers=2, n_components_z1=40, **vamp),
    }


def draw_pseudo_inputs(model, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    U = model.pseudo_inputs_[:32]
    X = model.sample(32, random_state=0)
    fig, axes = plt.subplots(2, 1, figsize=(8, 4.4))
    for ax, images, title in ((axes[0], U, "learned pseudo-inputs"), (axes[1], X, "samples")):
        grid = images.reshape(2, 16, 28, 28).transpose(0, 2, 1, 3).reshape(56, 448)
        ax.imshow(grid, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")


# The runs docs/benchmarks.md shows: results file -> what its rows' names get, and
# whether the paper's figure is shown beside them.
PAGE_RUNS = {
    "vamp_mnist.json": ("", True),
    "vamp_mnist_standard_time_matched.json": (", time-matched", False),
}


def page_rows(payload: dict, suffix: str = "", paper: bool = True) -> list[dict]:
    """A results file's rows as docs/benchmarks.md shows them."""
    return [
        {
            "model": r["model"] + suffix,
            "epochs": r["epochs"],
            "fit (s)": number(r["fit s"], 0),
            "test LL (nats)": f"{number(r['test LL (nats)'], 1)} ± {number(r['s.e.'], 1)}",
            "paper (full training)": number(r["paper"], 2) if paper else "",
        }
        for r in payload["table"]
    ]


def results_pages(results: Path) -> dict[str, str]:
    """The table docs/benchmarks.md includes, from the results files in ``results`` alone
    (the documentation build regenerates it: ``_results_pages.py``)."""
    runs = {name: run for name, run in PAGE_RUNS.items() if (results / name).exists()}
    rows = [
        row
        for name, (suffix, paper) in runs.items()
        for row in page_rows(json.loads((results / name).read_text()), suffix, paper)
    ]
    if not rows:
        return {}
    table = markdown_table(rows, list(rows[0]))
    return {"vamp_mnist.md": results_page("experiments/vamp_mnist.py", list(runs), table)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=None, help="default: epochs // 5")
    parser.add_argument("--early-stopping", action="store_true")
    parser.add_argument("--test-size", type=int, default=500)
    parser.add_argument("--importance-samples", type=int, default=5000)
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--figure", default=None, help="png of pseudo-inputs and samples")
    parser.add_argument("--out", default=None)
    parser.add_argument("--train-size", type=int, default=None, help="default: all")
    add_smoke_argument(parser, train_size=500, epochs=1, test_size=5, importance_samples=5)
    args = parse_args(parser, argv)
    if args.warmup is None:
        args.warmup = max(1, args.epochs // 5)

    X_train, X_valid, X_test = load_binarized_mnist(args.data_home)
    if args.early_stopping:  # the paper's protocol trains on train + valid with a split
        X_train = np.concatenate([X_train, X_valid])
    X_train = X_train[: args.train_size]
    X_test = X_test[: args.test_size]
    models = make_models(args)
    rows, histories = [], {}
    for name in args.models or list(models):
        model = models[name]
        ll, fit_seconds, score_seconds = fit_and_score(model, X_train, X_test)
        rows.append(
            {
                "model": name,
                "test LL (nats)": float(ll.mean()),
                "s.e.": float(ll.std() / np.sqrt(len(ll))),
                "paper": PAPER[name],
                "epochs": model.n_iter_,
                "fit s": fit_seconds,
                "score s": score_seconds,
                **peak_memory_mib(args.device),
            }
        )
        histories[name] = model.history_
        print_table(rows[-1:], list(rows[-1]))
        if name == "VAE (L=1) VampPrior" and args.figure != "none":
            path = args.figure or figures_path("vamp_pseudo_inputs.png")
            draw_pseudo_inputs(model, path)
    print()
    print(f"test subset: first {len(X_test)} test images, {args.importance_samples} IS samples")
    payload = {
        "machine": machine_info(args.device),
        "args": vars(args),
        "table": rows,
        "history": histories,
    }
    lines = page_rows(payload)
    print("\n".join(markdown_table(lines, list(lines[0]))))
    write_json(f"vamp_mnist_{args.device.replace(':', '')}", payload, args.out)


if __name__ == "__main__":
    main()
