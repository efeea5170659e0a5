"""IWAE (784-200-200-50 tanh, k=5) on statically binarized MNIST.

Measures seconds per epoch, peak memory and the test log-likelihood with 5000
importance samples on a test subset. Prints a table and writes JSON.

    python benchmarks/experiments/iwae_mnist.py --epochs 5 --test-size 500
    python benchmarks/experiments/iwae_mnist.py --device cuda --epochs 100 --test-size 10000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    DEFAULT_DATA,
    add_smoke_argument,
    fit_and_score,
    machine_info,
    parse_args,
    peak_memory_mib,
    print_table,
    write_json,
)

from skvhp import IWAE
from skvhp.datasets import load_binarized_mnist


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--n-layers", type=int, default=1, choices=(1, 2))
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--test-size", type=int, default=500)
    parser.add_argument("--importance-samples", type=int, default=5000)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    add_smoke_argument(parser, epochs=1, test_size=5, importance_samples=5)
    args = parse_args(parser, argv)

    X_train, _, X_test = load_binarized_mnist(args.data_home)
    X_test = X_test[: args.test_size]
    model = IWAE(
        n_components=50,
        hidden_layer_sizes=(200, 200),
        k=args.k,
        n_layers=args.n_layers,
        max_iter=args.epochs,
        batch_size=args.batch_size,
        learning_rate=1e-3,
        n_importance_samples=args.importance_samples,
        device=args.device,
        random_state=args.seed,
    )
    test_ll, fit_seconds, score_seconds = fit_and_score(model, X_train, X_test)
    epoch_times = np.diff([0.0, *model.history_["time"]])

    row = {
        "model": f"IWAE (L={args.n_layers}, k={args.k})",
        "epochs": args.epochs,
        "s/epoch": float(np.median(epoch_times)),
        "train samples/s": len(X_train) / float(np.median(epoch_times)),
        "final train loss": model.history_["loss"][-1],
        "test LL (nats)": float(test_ll.mean()),
        "test LL s.e.": float(test_ll.std() / np.sqrt(len(test_ll))),
        "test points": len(X_test),
        "IS samples": args.importance_samples,
        "score s": score_seconds,
        "score points*samples/s": len(X_test) * args.importance_samples / score_seconds,
        **peak_memory_mib(args.device),
    }
    print_table([row], list(row))
    write_json(
        f"iwae_mnist_L{args.n_layers}_{args.device.replace(':', '')}",
        {
            "machine": machine_info(args.device),
            "args": vars(args),
            "result": row,
            "history": model.history_,
            "fit_seconds": fit_seconds,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
