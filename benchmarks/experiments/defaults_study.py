"""Do the pendulum settings cost likelihood? The evidence for ``VHPAutoencoder``'s defaults.

Table 2's VHP + REWO on static (binarized) MNIST, trained per seed for ``--epochs``
epochs: as Algorithm 1 is written (``init="random", posterior="diagonal"``), with the
settings that keep the pendulum's ring (``init="pca", posterior="isotropic"``, now the
defaults) and with the shape-keeping settings of docs/topology.md (``init="auto"``, the
topological term against that start). Each run is ``nll_table.py run`` (same
architecture, κ, early-stopping set-up and resumable checkpoints), its results file
``docs/results/defaults/static-mnist__<model>__seed<s>.json`` with the per-image test
log-likelihoods (``--importance-samples`` draws each), so that each candidate's
difference from Algorithm 1 gets a paired standard error per seed.

    python benchmarks/experiments/defaults_study.py run --seeds 0 --models vhp-rewo --minutes 85
    python benchmarks/experiments/defaults_study.py summary   # docs/results/defaults.json and .md
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    DEFAULT_DATA,
    add_smoke_argument,
    checkpoints_path,
    markdown_table,
    parse_args,
    print_table,
    results_path,
)
from _table2 import paired_difference

# Algorithm 1, then the candidates: the pendulum settings (now the defaults) and the
# shape-keeping settings of docs/topology.md.
MODELS = ["vhp-rewo", "vhp-rewo-pca-isotropic", "vhp-rewo-shape-keeping"]
DATASET = "static-mnist"


def _folder(args) -> Path:
    return Path(args.results_dir) if args.results_dir else results_path("defaults")


def run(args) -> None:
    for seed in args.seeds:
        for model in args.models:
            # nll_table.py as a user runs it: a script does not import another.
            command = [
                *(sys.executable, str(Path(__file__).with_name("nll_table.py")), "run"),
                *("--dataset", DATASET, "--model", model, "--seed", str(seed)),
                *("--tag", f"seed{seed}", "--epochs", str(args.epochs)),
                *("--importance-samples", str(args.importance_samples)),
                *("--minutes", str(args.minutes), "--threads", str(args.threads)),
                *("--results-dir", str(_folder(args)), "--data-home", args.data_home),
                # Named always: a smoke run's child must not use a real run's checkpoint.
                *("--checkpoint-dir", args.checkpoint_dir or str(checkpoints_path())),
                *(args.extra or []),
            ]
            subprocess.run(command, check=True)


def per_seed(folder: Path) -> tuple[list[dict], dict[str, list[float]]]:
    """Per seed: each setting's test NLL, and the paired difference (candidate − Algorithm
    1, in log-likelihood: positive means the candidate is better)."""
    found: dict = {}
    for path in sorted(folder.glob(f"{DATASET}__*__seed*.json")):
        r = json.loads(path.read_text())
        model, tag = path.stem.split("__")[1:]
        if r["status"] == "done":
            found.setdefault(int(tag.removeprefix("seed")), {})[model] = r
    rows, differences = [], {}
    for seed, runs in sorted(found.items()):
        row = {"seed": seed}
        for model in MODELS:
            if model in runs:
                row[f"NLL {model}"] = f"{runs[model]['nll']:.2f}"
                row[f"epochs {model}"] = runs[model]["epochs"]
        for candidate in MODELS[1:]:
            if candidate in runs and MODELS[0] in runs:
                mean, se = paired_difference(
                    runs[candidate]["test_log_likelihoods"],
                    runs[MODELS[0]]["test_log_likelihoods"],
                )
                row[f"{candidate} − Algorithm 1 (nats)"] = f"{mean:+.2f} ± {se:.2f}"
                differences.setdefault(candidate, []).append(mean)
        rows.append(row)
    return rows, differences


def defaults_page(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(c for r in rows for c in r))
    return "\n".join(markdown_table(rows, columns)) + "\n"


def results_pages(results: Path) -> dict[str, str]:
    """The per-seed page, from the results files in ``results`` alone (the documentation
    build regenerates it: ``_results_pages.py``)."""
    rows, _ = per_seed(results / "defaults")
    return {"defaults.md": defaults_page(rows)} if rows else {}


def summary(args) -> None:
    """The per-seed table and each candidate's mean difference from Algorithm 1."""
    rows, differences = per_seed(_folder(args))
    if not rows:
        print("no finished runs yet")
        return
    print_table(rows, list(dict.fromkeys(c for r in rows for c in r)))
    out = {"rows": rows, "differences": differences, "mean_difference": {}, "sd_difference": {}}
    for candidate, values in differences.items():
        out["mean_difference"][candidate] = float(np.mean(values))
        out["sd_difference"][candidate] = float(np.std(values))
        print(f"{candidate}: mean over {len(values)} seeds {np.mean(values):+.2f} nats")
    results_path("defaults.json").write_text(json.dumps(out, indent=1) + "\n")
    results_path("defaults.md").write_text(defaults_page(rows))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("run", help="train (resuming) and score the settings on the seeds")
    p.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    p.add_argument("--models", nargs="*", choices=MODELS, default=MODELS)
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--importance-samples", type=int, default=1000)
    p.add_argument("--minutes", type=float, default=85.0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-home", default=str(DEFAULT_DATA))
    p.add_argument("--checkpoint-dir", default=None, help="default: nll_table.py's")
    p.add_argument("--results-dir", default=None, help="default: docs/results/defaults")
    p.add_argument("--extra", nargs=argparse.REMAINDER, help="more nll_table.py run options")
    s = sub.add_parser("summary", help="the per-seed table and the mean difference")
    s.add_argument("--results-dir", default=None, help="default: docs/results/defaults")
    add_smoke_argument(parser)
    args = parse_args(parser, argv)
    if args.smoke:
        tiny = ["--train-size", "300", "--test-size", "10", "--chunk", "1", "--score-chunk", "5"]
        args = p.parse_args(["--seeds", "0", "--epochs", "2", "--importance-samples", "5"])
        args.extra = tiny
        run(args)
        summary(args)
        return
    if args.command == "run":
        run(args)
    elif args.command == "summary":
        summary(args)
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
