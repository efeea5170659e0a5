"""Does the objective prefer a round latent ring? Twenty seeds of VHP + REWO as written
(Algorithm 1, the settings of ``pendulum.py``: κ = 0.1, 40 epochs) with three sizes of
prior networks, recording the angle probe's error beside the final training bound and
the test log-likelihood.

    python benchmarks/experiments/pendulum_seed_study.py            # the 20 fits (resumable)
    python benchmarks/experiments/pendulum_seed_study.py --table    # summary from the results file
    python benchmarks/experiments/pendulum_seed_study.py --figure   # refit the two best-bound seeds

Each fit appends one JSON line to ``docs/results/pendulum_seed_study.jsonl``; fits already
there are skipped. The figure replays the two default-model seeds with the lowest final
bound (a fit is deterministic for a seed on the same machine and thread count).
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
import torch
from _common import ROOT, add_smoke_argument, figures_path, machine_info, parse_args
from _pendulum_experiment import (
    angle_probe,
    angular_error,
    build_parser,
    load_data,
    make_methods,
)
from _pendulum_figures import latent_panels
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

RESULTS_FILE = ROOT / "docs" / "results" / "pendulum_seed_study.jsonl"
FIGURE_NAME = "pendulum_curled_rings.png"
# Prior networks p_Θ(z|ζ) and q_Φ(ζ|z): the default 256-256 on eight seeds, smaller ones on six.
STUDY = [((256, 256), range(8)), ((64,), range(6)), ((16,), range(6))]
TEST_IMAGES, TEST_SAMPLES = 500, 200


def make_model(prior: tuple, seed: int, epochs: int = 40):
    args = build_parser().parse_args(["--epochs", str(epochs)])
    model = clone(make_methods(args)["VHP + REWO"])
    return model.set_params(prior_hidden_layer_sizes=prior, random_state=seed)


def fit_one(prior: tuple, seed: int, data, epochs: int = 40) -> tuple[dict, object]:
    X, angles, X_test, angles_test, _ = data
    model = make_model(prior, seed, epochs)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        probe = angle_probe(model).fit(X, np.c_[np.cos(angles), np.sin(angles)])
    fit_s = time.perf_counter() - start
    last = {k: model.history_[k][-1] for k in ("bound", "loss", "kl", "nll", "beta")}
    model.set_params(n_importance_samples=TEST_SAMPLES)  # read by score only
    row = {
        "prior_hidden_layer_sizes": list(prior),
        "seed": seed,
        "err": float(angular_error(probe.predict(X_test), angles_test).mean()),
        **last,
        "test_ll": float(model.score(X_test[:TEST_IMAGES])),
        "fit_s": fit_s,
        "warnings": [str(w.message) for w in caught],
    }
    return row, model


def read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def summary(rows: list[dict]) -> str:
    lines = [
        "| prior networks | probe error (rad), mean ± std | per seed "
        "| seed with the best bound: its probe error |",
        "| --- | --- | --- | --- |",
    ]
    for prior, _ in STUDY:
        group = [r for r in rows if tuple(r["prior_hidden_layer_sizes"]) == prior]
        if not group:
            continue
        err = np.array([r["err"] for r in group])
        best = min(group, key=lambda r: r["bound"])
        lines.append(
            f"| {'-'.join(map(str, prior))} | {err.mean():.2f} ± {err.std():.2f} "
            f"| {', '.join(f'{e:.2f}' for e in err)} | {best['err']:.2f} (seed {best['seed']}) |"
        )
    err = [r["err"] for r in rows]
    bound = spearmanr(err, [r["bound"] for r in rows])
    ll = spearmanr(err, [-r["test_ll"] for r in rows])
    lines.append("")
    lines.append(
        f"{len(rows)} runs: Spearman ρ(probe error, final bound) = {bound.statistic:.2f} "
        f"(p = {bound.pvalue:.2f}); ρ(probe error, −test LL) = {ll.statistic:.2f} "
        f"(p = {ll.pvalue:.2f})"
    )
    default = sorted(
        (r for r in rows if tuple(r["prior_hidden_layer_sizes"]) == STUDY[0][0]),
        key=lambda r: r["bound"],
    )
    lines.append(
        "default model by final bound (best first): "
        + ", ".join(f"seed {r['seed']} ({r['bound']:.3f}, err {r['err']:.2f})" for r in default)
    )
    by_ll = sorted(default, key=lambda r: -r["test_ll"])
    lines.append(
        "default model by test LL (best first): "
        + ", ".join(f"seed {r['seed']} ({r['test_ll']:.3f})" for r in by_ll)
    )
    return "\n".join(lines)


def draw_figure(rows: list[dict], data, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    default = [r for r in rows if tuple(r["prior_hidden_layer_sizes"]) == STUDY[0][0]]
    best = sorted(default, key=lambda r: r["bound"])[:2]
    _, _, X_test, angles_test, _ = data
    fig, axes = plt.subplots(2, len(best), figsize=(3.6 * len(best) + 1.0, 7.0), squeeze=False)
    for col, record in enumerate(best):
        row, model = fit_one(STUDY[0][0], record["seed"], data)
        if not np.isclose(row["bound"], record["bound"], rtol=1e-4):
            print(f"seed {record['seed']}: the replay's bound {row['bound']:.4f} differs from")
            print(f"  the recorded {record['bound']:.4f} (another machine or thread count?)")
        points = latent_panels(axes[0, col], axes[1, col], model, X_test[:2000], angles_test[:2000])
        axes[0, col].set_title(
            f"seed {record['seed']}: bound {row['bound']:.2f}, probe error {row['err']:.2f} rad\n"
            "posterior means of test images",
            fontsize=8,
        )
        axes[1, col].set_title("samples of the learned prior", fontsize=8)
    fig.tight_layout()
    cbar = fig.colorbar(points, ax=axes[0, :].tolist(), fraction=0.04, pad=0.02)
    cbar.set_label("joint angle θ (rad)", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")  # keep the colour bar label
    plt.close(fig)
    print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(RESULTS_FILE))
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--n-train", type=int, default=15000)
    parser.add_argument("--n-test", type=int, default=3000)
    parser.add_argument("--max-seeds", type=int, default=None, help="seeds per prior, at most")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--table", action="store_true", help="print the summary and exit")
    parser.add_argument("--figure", action="store_true", help="draw the two best-bound seeds")
    add_smoke_argument(parser, epochs=1, n_train=300, n_test=200, max_seeds=1)
    args = parse_args(parser, argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    if args.table:
        print(summary(read(out)))
        return
    sizes = ["--n-train", str(args.n_train), "--n-test", str(args.n_test)]
    data = load_data(build_parser().parse_args(sizes))
    if args.figure:
        draw_figure(read(out), data, figures_path(FIGURE_NAME))
        return
    done = {(tuple(r["prior_hidden_layer_sizes"]), r["seed"]) for r in read(out)}
    for prior, seeds in STUDY:
        for seed in list(seeds)[: args.max_seeds]:
            if (prior, seed) in done:
                continue
            row, _ = fit_one(prior, seed, data, args.epochs)
            row["machine"] = machine_info("cpu")
            print(json.dumps({k: v for k, v in row.items() if k != "machine"}), flush=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
    print(summary(read(out)))


if __name__ == "__main__":
    main()
