"""Which VHP likelihood estimate is better per second: nested or joint importance sampling.

``VHPAutoencoder.score_samples`` can weight each of S draws z ~ q(z|x) with the k-sample
estimate of the prior density (``score_estimator="nested"``, k times the prior's cost) or
sample (z, ζ) jointly from q(z|x) q_Φ(ζ|z), one ζ per z (``"joint"``). Both average
unbiased estimates of p(x), so the log of either is a stochastic lower bound on log p(x):
at equal cost, the higher mean is the better estimate. This script scores the same test
images with both, at S = 5000 and with joint sampling given the nested estimate's time,
over a few seeds, on a fitted model: ``--model`` (a pickled model or a checkpoint of
``benchmarks/experiments/nll_table.py``), or else the static-MNIST VHP + REWO of Table 2
trained here for ``--train-epochs`` epochs (as ``nll_table.py`` would, early stopping included) and
kept in the scratch folder ``benchmarks/results`` for the next run.

    python benchmarks/experiments/vhp_score_estimators.py --points 100 --repeats 3  # docs/models.md

The table of docs/models.md is generated from docs/results/vhp_score_estimators.json
(``results_pages``).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    CHECKPOINTS,
    DEFAULT_DATA,
    ROOT,
    add_smoke_argument,
    machine_info,
    markdown_table,
    number,
    one_file_pages,
    parse_args,
    write_json,
)
from _table2 import make_model

CHECKPOINT = CHECKPOINTS / "static-mnist__vhp-rewo.pkl"
TRAINED = ROOT / "benchmarks" / "results" / "vhp_score_estimators_model.safetensors"


def table2_vhp(X_train, epochs: int, path: Path):
    """The static-MNIST VHP + REWO of Table 2 after ``epochs`` epochs (cached at path)."""
    import skvhp

    if path.exists():
        return skvhp.load(path)
    settings = argparse.Namespace(
        dataset="static-mnist", kappa=None, importance_samples=5000, device="auto", seed=0
    )
    model = make_model("vhp-rewo", settings, dynamic=False).set_params(max_iter=epochs)
    model.fit(X_train)
    path.parent.mkdir(parents=True, exist_ok=True)
    skvhp.save(model, path, include_training_state=False)
    return model


def page_table(payload: dict) -> list[str]:
    """The table of docs/models.md, from a results file's contents."""
    rows = [
        {
            "estimator": r["estimator"],
            "samples S": f"{r['samples']:,}" if r["samples"] >= 10000 else str(r["samples"]),
            "mean log-likelihood (nats)": number(r["mean log-likelihood"], 2),
            "spread over seeds": number(r["spread over seeds"], 3),
            "ms per image": f"{r['ms per point']:.0f}",
        }
        for r in payload["rows"]
    ]
    return markdown_table(rows, list(rows[0]))


def results_pages(results: Path) -> dict[str, str]:
    """The table docs/models.md includes, from the results file in ``results`` alone (the
    documentation build regenerates it: ``_results_pages.py``)."""
    return one_file_pages(
        results, "vhp_score_estimators.json", "experiments/vhp_score_estimators.py", page_table
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="pickled model or nll_table checkpoint")
    parser.add_argument("--train-epochs", type=int, default=10, help="without --model")
    parser.add_argument("--points", type=int, default=200, help="static-MNIST test images")
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=None, help="default: docs/results/<script>.json")
    add_smoke_argument(parser, points=5, samples=20, repeats=2)
    args = parse_args(parser, argv)

    import torch

    from skvhp.datasets import load_binarized_mnist

    torch.set_num_threads(args.threads)
    X_train, _, X_test = load_binarized_mnist(args.data_home)
    X = X_test[: args.points]
    if args.smoke:  # a one-epoch model stands in for the checkpoint
        from skvhp import VHPAutoencoder

        model = VHPAutoencoder(n_components=8, max_iter=1, kappa=0.4, init="random", random_state=0)
        model.fit(X_train[:300])
    elif args.model is not None or CHECKPOINT.exists():
        loaded = pickle.loads(Path(args.model or CHECKPOINT).read_bytes())
        model = loaded["model"] if isinstance(loaded, dict) else loaded
    else:
        model = table2_vhp(X_train, args.train_epochs, TRAINED)

    def measure(estimator: str, samples: int) -> dict:
        model.set_params(score_estimator=estimator, n_importance_samples=samples)
        means, seconds = [], []
        for seed in range(args.repeats):
            model.set_params(random_state=seed)
            start = time.perf_counter()
            means.append(float(model.score_samples(X).mean()))
            seconds.append(time.perf_counter() - start)
        return {
            "estimator": estimator,
            "samples": samples,
            "mean log-likelihood": float(np.mean(means)),
            "spread over seeds": float(np.std(means, ddof=1)) if len(means) > 1 else 0.0,
            "ms per point": 1000 * float(np.mean(seconds)) / len(X),
            "runs": means,
        }

    rows = [measure("nested", args.samples), measure("joint", args.samples)]
    ratio = rows[0]["ms per point"] / rows[1]["ms per point"]
    # Joint sampling given the nested estimate's time (a multiple of 1000 samples).
    matched = int(max(1, round(ratio * args.samples / 1000)) * 1000)
    rows.append(measure("joint", matched))
    payload = {
        "machine": machine_info("cpu"),
        "args": vars(args),
        "model": {"n_iter_": model.n_iter_, "k": model.k},
        "speed ratio": ratio,
        "rows": rows,
    }
    print("\n".join(page_table(payload)))
    print(f"joint is {ratio:.1f}x faster per sample at S={args.samples}")
    write_json("vhp_score_estimators", payload, args.out)


if __name__ == "__main__":
    main()
