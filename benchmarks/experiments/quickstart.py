"""A minimal example: fit an IWAE on scikit-learn's digits and print its score.

python benchmarks/experiments/quickstart.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

from _common import add_smoke_argument, parse_args
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skvhp import IWAE


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--importance-samples", type=int, default=1000)
    add_smoke_argument(parser, epochs=1, importance_samples=10)
    args = parse_args(parser, argv)
    X = load_digits().data / 16.0  # 8x8 grey levels scaled to [0, 1]
    X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)
    model = IWAE(
        n_components=8,
        hidden_layer_sizes=(128,),
        k=5,
        likelihood="continuous_bernoulli",  # grey levels: a density on [0, 1], so log p(x)
        max_iter=args.epochs,
        n_importance_samples=args.importance_samples,
        random_state=0,
    )
    start = time.perf_counter()
    model.fit(X_train)
    print(
        f"trained {model.n_iter_} epochs in {time.perf_counter() - start:.1f} s on {model.device_}"
    )
    print(f"train loss (negative IW bound, k=5): {model.history_['loss'][-1]:.2f} nats")
    print(
        f"test log-likelihood ({args.importance_samples} importance samples): "
        f"{model.score(X_test):.2f} nats/image"
    )


if __name__ == "__main__":
    main()
