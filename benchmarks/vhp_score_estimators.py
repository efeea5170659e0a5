"""Which VHP likelihood estimate is better per second: nested or joint importance sampling.

``VHPAutoencoder.score_samples`` can weight each of S draws z ~ q(z|x) with the k-sample
estimate of the prior density (``score_estimator="nested"``, k times the prior's cost) or
sample (z, ζ) jointly from q(z|x) q_Φ(ζ|z), one ζ per z (``"joint"``). Both average
unbiased estimates of p(x), so the log of either is a stochastic lower bound on log p(x):
at equal cost, the higher mean is the better estimate. This script scores the same test
images with both, at S = 5000 and with joint sampling given the nested estimate's time,
over a few seeds, on a fitted model (by default the static-MNIST VHP + REWO checkpoint of
``benchmarks/nll_table.py``).

    python benchmarks/vhp_score_estimators.py --points 200 --repeats 3
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

import numpy as np
from _common import (
    CHECKPOINTS,
    DEFAULT_DATA,
    add_smoke_argument,
    machine_info,
    parse_args,
    print_table,
    write_json,
)

CHECKPOINT = CHECKPOINTS / "static-mnist__vhp-rewo.pkl"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(CHECKPOINT), help="pickled model or checkpoint")
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

        model = VHPAutoencoder(n_components=8, max_iter=1, kappa=0.4, random_state=0)
        model.fit(X_train[:300])
    else:
        loaded = pickle.loads(Path(args.model).read_bytes())
        model = loaded["model"] if isinstance(loaded, dict) else loaded

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
    columns = ["estimator", "samples", "mean log-likelihood", "spread over seeds", "ms per point"]
    print_table(rows, columns)
    print(f"joint is {ratio:.1f}x faster per sample at S={args.samples}")
    payload = {
        "machine": machine_info("cpu"),
        "args": vars(args),
        "model": {"n_iter_": model.n_iter_, "k": model.k},
        "speed ratio": ratio,
        "rows": rows,
    }
    write_json("vhp_score_estimators", payload, args.out)


if __name__ == "__main__":
    main()
