"""The set-up of Table 2 (the VHP paper's test log-likelihoods), shared by
``nll_table.py``, ``kappa_recipe.py`` and ``iwae_warmup_screen.py``: the data sets, the
architecture, the VHP prior and the κ per data set."""

from __future__ import annotations

import numpy as np

DATASETS = {
    "static-mnist": "static MNIST",
    "dynamic-mnist": "dynamic MNIST",
    "fashion-mnist": "Fashion-MNIST",
}
# REWO / GECO tolerance κ, an RMS error per pixel, per data set: the recipe of docs/models.md
# (choosing κ; benchmarks/kappa_recipe.py, docs/results/kappa_recipe*.json): 5 % above the
# error of a 4-epoch β = 1 fit, so the constraint is slack at β = 1 and REWO ends there.
# Static MNIST's 0.25 predates the recipe (which gives 0.26 there); both are slack.
KAPPA = {"static-mnist": 0.25, "dynamic-mnist": 0.26, "fashion-mnist": 0.34}
# The one architecture of Table 2 (the VampPrior paper's MLPs), and the VHP prior's.
ARCHITECTURE = dict(
    n_components=40,
    hidden_layer_sizes=(300, 300),
    activation="gated",
    batch_size=100,
    learning_rate=5e-4,
)
VHP_PRIOR = dict(k=16, prior_hidden_layer_sizes=(300, 300))


def load(dataset: str, data_home: str):
    """(X_train, X_test, dynamic): test images binarized once where dynamic."""
    from skvhp.datasets import load_binarized_mnist, load_fashion_mnist, load_mnist

    if dataset == "static-mnist":
        X_train, X_valid, X_test = load_binarized_mnist(data_home)
        return np.concatenate([X_train, X_valid]), X_test, False
    loader = load_mnist if dataset == "dynamic-mnist" else load_fashion_mnist
    X_train, _, X_test, _ = loader(data_home)
    rng = np.random.default_rng(0)
    return X_train, (rng.random(X_test.shape) < X_test).astype(np.float32), True
