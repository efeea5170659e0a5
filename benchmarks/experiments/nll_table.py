"""Table 2 of Klushyn et al. (2019), converged: negative test log-likelihood (5000
importance samples, the full 10,000-image test set) of VHP + REWO, VHP + GECO, VampPrior,
IWAE (L=1) and IWAE (L=2) on static MNIST, dynamic MNIST and Fashion-MNIST.

One architecture for all models, the VampPrior paper's: two gated layers of 300 units in
every network (encoders, decoders, the VHP prior's p_Θ(z|ζ) and q_Φ(ζ|z), IWAE's z1-z2
networks), 40-d latents (both layers for L=2), Adam (learning rate 5e-4), batches of 100,
early stopping on a held-out sixth of the training images (10,000 images) with a
look-ahead of 50 epochs (the VampPrior paper's), at most ``--epochs`` epochs.

Besides the paper's five rows, ``--model iwae1-warmup`` / ``iwae2-warmup`` train the IWAEs
with the VampPrior paper's warm-up (β from 0 to 1 over the first 100 epochs, as our
VampPrior row does; Burda et al., and so the plain IWAE rows, train without).

Every (data set, model) run is resumable: it trains in chunks of ``--chunk`` epochs
(warm-started fits, which continue Adam, the β-schedule and the random stream exactly),
pickles a checkpoint after each chunk and rewrites its results file
``docs/results/nll/<data set>__<model>.json`` (status, epochs, learning curve, seconds,
machine). When ``--minutes`` run out it stops after a chunk; the same command resumes.
Scoring goes in chunks of test points, also checkpointed. Checkpoints live in
``benchmarks/nll_checkpoints/`` (about 25 MB each: the last and the best weights and Adam's
moments), which is tracked by git: a session's work tree is a fresh clone, so before a
session ends, commit the checkpoints of unfinished runs; a finished run deletes its own.

    python benchmarks/experiments/nll_table.py run --dataset static-mnist --model iwae1 --minutes 85
    python benchmarks/experiments/nll_table.py table     # docs/results/nll_table.md and the figures
    python benchmarks/experiments/nll_table.py run --dataset static-mnist --model iwae1 \\
        --epochs 3 --train-size 2000 --test-size 100 --importance-samples 100 --tag smoke  # smoke

Binarization: dynamic MNIST and Fashion-MNIST train on fresh Bernoulli(grey/255) draws
every epoch and are tested on one fixed Bernoulli draw of the test images (seed 0); static
MNIST uses Larochelle & Murray's fixed binarization (its train and validation images are
pooled, and the estimator holds out its own random sixth).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    DEFAULT_DATA,
    add_smoke_argument,
    checkpoints_path,
    figures_path,
    machine_info,
    markdown_table,
    parse_args,
    print_table,
    results_path,
)
from _table2 import DATASETS, MODELS, load, make_model, paired_difference

PAPER_NLL = {  # Table 2 of the VHP paper, in MODELS' order (a variant: its model's figure)
    "static-mnist": [82.74, 96.32, 84.02, 84.46, 82.83],
    "dynamic-mnist": [78.88, 95.01, 80.42, 81.36, 80.66],
    "fashion-mnist": [225.37, 234.73, 232.78, 226.83, 225.39],
}
# Checkpoints (_common.CHECKPOINTS) are tracked, not ignored: a new session starts from a
# fresh clone, so a checkpoint that is not committed is lost with the session (commit
# unfinished runs' ones; done runs delete theirs).
SCORE_CHUNK = 500  # test points per scoring step (checkpointed)


def _paper_row(model: str) -> str:
    """The paper's row a variant is compared with."""
    return "vhp-rewo" if model.startswith("vhp-rewo") else model.removesuffix("-warmup")


def _stem(args) -> str:
    return f"{args.dataset}__{args.model}" + (f"__{args.tag}" if args.tag else "")


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _learning_curve(model) -> dict:
    h = model.history_
    curve = {"validation_bound": h.get("validation_loss", []), "train_loss": h["loss"]}
    if "beta" in h:
        curve["beta"] = h["beta"]
    if "C" in h:
        curve["rms_error"] = [float(np.sqrt(c)) for c in h["C"]]
    return curve


def run(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    deadline = time.time() + 60 * args.minutes
    stem = _stem(args)
    ckpt_path = Path(args.checkpoint_dir or checkpoints_path()) / f"{stem}.pkl"
    result_path = Path(args.results_dir or results_path("nll")) / f"{stem}.json"
    X_train, X_test, dynamic = load(args.dataset, args.data_home)
    X_train, X_test = X_train[: args.train_size], X_test[: args.test_size]
    if ckpt_path.exists():
        state = pickle.loads(ckpt_path.read_bytes())
        print(f"resuming {stem} at epoch {state['model'].n_iter_}", flush=True)
    else:
        state = {
            "model": make_model(args.model, args, dynamic),
            "fit_s": 0.0,
            "stopped_early": False,
            "scores": [],
            "score_s": 0.0,
            "warnings": [],
        }
    model = state["model"]

    def save(status: str) -> None:
        _atomic_write(ckpt_path, pickle.dumps(state))
        fitted = hasattr(model, "n_iter_")
        ll = np.concatenate(state["scores"]) if state["scores"] else np.zeros(0)
        result = {
            "dataset": DATASETS[args.dataset],
            "model": MODELS[args.model],
            "status": status,
            "epochs": model.n_iter_ if fitted else 0,
            "max_epochs": args.epochs,
            "stopped_early": state["stopped_early"],
            "best_validation_bound": getattr(model, "best_validation_loss_", None),
            "train_points": len(X_train),
            "test_points_scored": len(ll),
            "test_points": len(X_test),
            "importance_samples": model.n_importance_samples,
            "nll": float(-ll.mean()) if len(ll) else None,
            "nll_standard_error": float(ll.std(ddof=1) / np.sqrt(len(ll))) if len(ll) > 1 else None,
            "paper_nll": PAPER_NLL[args.dataset][list(MODELS).index(_paper_row(args.model))],
            "fit_s": state["fit_s"],
            "score_s": state["score_s"],
            "params": {k: repr(v) for k, v in model.get_params().items()},
            "warnings": state["warnings"],
            "learning_curve": _learning_curve(model) if fitted else {},
            "machine": machine_info(args.device),
        }
        if fitted and hasattr(model, "schedule_"):
            schedule = model.schedule_
            result["schedule"] = {
                "beta": float(schedule.beta) if hasattr(schedule, "beta") else None,
                "main_phase_start": getattr(schedule, "main_phase_start", None),
                "iterations": schedule.iteration,
            }
        if status == "done":
            from skvhp import active_units

            result["active_units"] = active_units(model, X_test)
            # Per-image log-likelihoods (test-set order, 1e-4 nats), so that two models'
            # difference gets a paired standard error (paired_difference).
            result["test_log_likelihoods"] = np.round(ll, 4).tolist()
        _atomic_write(result_path, json.dumps(result, indent=1).encode())

    # Every process does at least one chunk (of training, or else of scoring), so that a
    # queue that reruns it makes progress whatever --minutes is (0: one chunk, then stop).
    chunk_s, progressed = 0.0, False
    while not state["stopped_early"]:
        done = model.n_iter_ if hasattr(model, "n_iter_") else 0
        if done >= args.epochs:
            break
        if progressed and time.time() + chunk_s > deadline:
            save("training (paused)")
            print(f"{stem}: paused at epoch {done} (time budget)", flush=True)
            return
        n = min(args.chunk, args.epochs - done)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.set_params(max_iter=n).fit(X_train)
        chunk_s = time.perf_counter() - start
        state["fit_s"] += chunk_s
        # The last chunk's warnings are the fit's (earlier chunks were unfinished fits).
        state["warnings"] = [f"epoch {model.n_iter_}: {w.message}" for w in caught]
        state["scores"], state["score_s"] = [], 0.0  # a changed model is scored anew
        state["stopped_early"] = model.n_iter_ - done < n
        progressed = True
        save("training")
        val = model.history_["validation_loss"][-1]
        print(
            f"{stem}: epoch {model.n_iter_} validation bound {val:.2f} "
            f"({chunk_s:.0f} s for {n} epochs)",
            flush=True,
        )

    n_scored = sum(len(s) for s in state["scores"])
    while n_scored < len(X_test):
        if progressed and time.time() > deadline:
            save("scoring (paused)")
            print(f"{stem}: paused scoring at {n_scored} test points", flush=True)
            return
        start = time.perf_counter()
        # Each chunk its own seed, so a resumed scoring draws what an unbroken one would.
        model.set_params(random_state=args.seed * 100_003 + n_scored)
        part = model.score_samples(X_test[n_scored : n_scored + args.score_chunk])
        model.set_params(random_state=args.seed)
        state["score_s"] += time.perf_counter() - start
        state["scores"].append(part)
        n_scored += len(part)
        progressed = True
        save("scoring")
        print(
            f"{stem}: scored {n_scored}/{len(X_test)} "
            f"(NLL so far {-np.concatenate(state['scores']).mean():.2f})",
            flush=True,
        )
    save("done")
    ckpt_path.unlink()  # the results file holds all that is reported; keep the repo small
    print(f"{stem}: done", flush=True)


def _paired_lines(rows) -> list[str]:
    """Each pair of models on one data set whose results store per-image values."""
    lines = []
    stored = [r for r in rows if r.get("test_log_likelihoods")]
    for i, a in enumerate(stored):
        for b in stored[i + 1 :]:
            if a["dataset"] == b["dataset"]:
                mean, se = paired_difference(a["test_log_likelihoods"], b["test_log_likelihoods"])
                lines.append(f"{a['dataset']}: {a['model']} − {b['model']}: {mean:+.2f} ± {se:.2f}")
    return lines


def table_rows(folder: Path) -> tuple[list[dict], list[dict]]:
    """The finished runs' results in ``folder`` (data set, then model, in Table 2's order)
    and their rows of the table."""
    rows = []
    for path in sorted(folder.glob("*.json")):
        r = json.loads(path.read_text())
        if "__" in path.stem[path.stem.index("__") + 2 :]:
            continue  # tagged (smoke) runs stay out of the table
        rows.append(r)
    order = {name: i for i, name in enumerate(MODELS.values())}
    dorder = {name: i for i, name in enumerate(DATASETS.values())}
    rows.sort(key=lambda r: (dorder[r["dataset"]], order[r["model"]]))
    return rows, [
        {
            "dataset": r["dataset"],
            "model": r["model"],
            # Only over the whole test set: the static test set appears to be ordered by
            # digit (its first images are zeros), so a partial mean is biased.
            "NLL": f"{r['nll']:.2f} ± {r['nll_standard_error']:.2f}"
            if r["nll"] is not None and r["test_points_scored"] == r["test_points"]
            else "",
            "paper": f"{r['paper_nll']:.2f}",
            "epochs": f"{r['epochs']}{' (early stop)' if r['stopped_early'] else ''}",
            "best val. bound": ""
            if r["best_validation_bound"] is None
            else f"{r['best_validation_bound']:.2f}",
            "test points": f"{r['test_points_scored']}/{r['test_points']}",
            "fit min": f"{r['fit_s'] / 60:.0f}",
            "score min": f"{r['score_s'] / 60:.0f}",
            "status": r["status"],
        }
        for r in rows
    ]


def results_pages(results: Path) -> dict[str, str]:
    """Table 2's page, from the results files in ``results`` alone (the documentation
    build regenerates it: ``_results_pages.py``)."""
    _, lines = table_rows(results / "nll")
    return {"nll_table.md": table_page(lines)} if lines else {}


def table_page(lines: list[dict]) -> str:
    return "\n".join(markdown_table(lines, list(lines[0]))) + "\n"


def table(args) -> None:
    rows, lines = table_rows(Path(args.results_dir or results_path("nll")))
    if not lines:
        print("no results yet")
        return
    print_table(lines, list(lines[0]))
    out = results_path("nll_table.md")
    out.write_text(table_page(lines))
    print(f"wrote {out}")
    paired = _paired_lines(rows)
    print("paired differences of test log-likelihood (nats, ± paired standard error):")
    print("\n".join(paired) if paired else "none: no results file stores per-image values yet")
    _figures(rows)


def _figures(rows) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for dataset in DATASETS.values():
        runs = [r for r in rows if r["dataset"] == dataset and r["learning_curve"]]
        if not runs:
            continue
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for r in runs:
            curve = r["learning_curve"]["validation_bound"]
            colour = f"C{list(MODELS.values()).index(r['model'])}"  # same in every figure
            style = "--" if "warm-up" in r["model"] else "-"  # a variant of the row above
            ax.plot(np.arange(1, len(curve) + 1), curve, style, label=r["model"], color=colour)
        low = min(min(r["learning_curve"]["validation_bound"]) for r in runs)
        ax.set_ylim(low - 2, low + 40)
        ax.set_xlabel("epoch")
        ax.set_ylabel("negative bound on held-out images (nats)")
        ax.set_title(
            f"{dataset}: validation bound per epoch (lower is better)\n"
            "IWAE: its k = 5 bound; VHP and VampPrior: the ELBO (β = 1)",
            fontsize=10,
        )
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        slug = next(k for k, v in DATASETS.items() if v == dataset)
        path = figures_path(f"nll_curves_{slug}.png")
        fig.savefig(path, dpi=120)
        plt.close(fig)
        print(f"wrote {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("run", help="train (resuming) and score one model on one data set")
    p.add_argument("--dataset", choices=list(DATASETS), required=True)
    p.add_argument("--model", choices=list(MODELS), required=True)
    p.add_argument("--epochs", type=int, default=200, help="most epochs (early stopping)")
    p.add_argument("--chunk", type=int, default=5, help="epochs between checkpoints")
    p.add_argument("--minutes", type=float, default=85.0, help="stop after a chunk past this")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    p.add_argument("--train-size", type=int, default=None, help="default: all")
    p.add_argument("--test-size", type=int, default=None, help="default: all 10,000")
    p.add_argument("--importance-samples", type=int, default=5000)
    p.add_argument("--kappa", type=float, default=None, help="RMS per pixel (default: KAPPA)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tag", default="", help="suffix for results files (smoke runs)")
    p.add_argument("--data-home", default=str(DEFAULT_DATA))
    p.add_argument("--score-chunk", type=int, default=SCORE_CHUNK, help="test points a step")
    p.add_argument("--checkpoint-dir", default=None, help="default: benchmarks/nll_checkpoints")
    p.add_argument("--results-dir", default=None, help="default: docs/results/nll")
    t = sub.add_parser("table", help="the table and learning-curve figures from the results")
    t.add_argument("--results-dir", default=None, help="default: docs/results/nll")
    add_smoke_argument(parser)
    args = parse_args(parser, argv)
    if args.smoke:  # a tiny run of two models, resumed once, then the table of both
        tiny = ["--epochs", "2", "--chunk", "1", "--train-size", "300", "--test-size", "10"]
        tiny += ["--importance-samples", "5", "--score-chunk", "5"]
        for model in ("vhp-rewo", "iwae2-warmup"):
            run(p.parse_args(["--dataset", "static-mnist", "--model", model, *tiny]))
        args.command, args.results_dir = "table", None
    if args.command == "run":
        run(args)
    elif args.command == "table":
        table(args)
    else:
        parser.error("choose a command: run or table (or --smoke)")


if __name__ == "__main__":
    main()
