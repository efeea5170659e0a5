"""The README's main job: fit an IWAE on scikit-learn's digits and print its score.

python benchmarks/quickstart.py
"""

from __future__ import annotations

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skvhp import IWAE


def main():
    X = load_digits().data / 16.0  # 8x8 grey levels scaled to [0, 1]
    X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)
    model = IWAE(
        n_components=8,
        hidden_layer_sizes=(128,),
        k=5,
        max_iter=100,
        n_importance_samples=1000,
        random_state=0,
    )
    start = time.perf_counter()
    model.fit(X_train)
    print(
        f"trained {model.n_iter_} epochs in {time.perf_counter() - start:.1f} s on {model.device_}"
    )
    print(f"train loss (negative IW bound, k=5): {model.history_['loss'][-1]:.2f} nats")
    print(f"test log-likelihood (1000 importance samples): {model.score(X_test):.2f} nats/image")


if __name__ == "__main__":
    main()
