"""The set-up of Table 2 (the VHP paper's test log-likelihoods), shared by
``nll_table.py``, ``defaults_study.py``, ``kappa_recipe.py`` and ``iwae_warmup_screen.py``:
the data sets, the architecture, the VHP prior, the κ per data set, and the paired
difference of two models' per-image test log-likelihoods."""

from __future__ import annotations

import numpy as np
from _common import ALGORITHM_1

DATASETS = {
    "static-mnist": "static MNIST",
    "dynamic-mnist": "dynamic MNIST",
    "fashion-mnist": "Fashion-MNIST",
}
# REWO / GECO tolerance κ, an RMS error per pixel, per data set: the recipe of docs/models.md
# (choosing κ; benchmarks/experiments/kappa_recipe.py, docs/results/kappa_recipe*.json): 5 %
# above the error of a 4-epoch β = 1 fit, so the constraint is slack at β = 1 and REWO ends there.
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


MODELS = {
    "vhp-rewo": "VHP + REWO",
    "vhp-geco": "VHP + GECO",
    "vampprior": "VampPrior",
    "iwae1": "IWAE (L=1)",
    "iwae2": "IWAE (L=2)",
    # Variants, not in the paper's table: IWAE with the VampPrior paper's warm-up (β from
    # 0 to 1 over the first 100 epochs, as for VampPrior), compared with the paper's row.
    "iwae1-warmup": "IWAE (L=1) + warm-up",
    "iwae2-warmup": "IWAE (L=2) + warm-up",
    # The pendulum's recommended settings on Table 2's VHP + REWO, for the choice of
    # defaults (docs/research_log.md, "Defaults decided"): does the PCA start with an isotropic
    # posterior cost likelihood?
    "vhp-rewo-pca-isotropic": "VHP + REWO, PCA start, isotropic posterior",
    # The shape-keeping settings of docs/topology.md: do they cost likelihood?
    "vhp-rewo-shape-keeping": "VHP + REWO, auto start kept by the topological term",
}
VHP_SETTINGS = {
    "vhp-rewo-pca-isotropic": dict(init="pca", posterior="isotropic"),
    "vhp-rewo-shape-keeping": dict(
        init="auto", posterior="isotropic", topology_term={"weight": 1.0}
    ),
}
WARMUP_EPOCHS = 100  # VampPrior's and the IWAE variants' (the VampPrior paper's)


def make_model(name: str, args, dynamic: bool):
    from skvhp import IWAE, TopologicalTerm, VampPriorVAE, VHPAutoencoder

    common = dict(
        **ARCHITECTURE,
        early_stopping=True,
        validation_fraction=1 / 6,
        n_iter_no_change=50,
        tol=0.0,
        n_importance_samples=args.importance_samples,
        device=args.device,
        random_state=args.seed,
        dynamic_binarization=dynamic,
        warm_start=True,
    )
    if name.startswith("vhp"):
        schedule = "geco" if name == "vhp-geco" else "rewo"
        kappa = KAPPA[args.dataset] if args.kappa is None else args.kappa
        settings = dict(VHP_SETTINGS.get(name, ALGORITHM_1))
        if "topology_term" in settings:  # kept as plain values: this module imports no torch
            settings["topology"] = TopologicalTerm(**settings.pop("topology_term"))
        return VHPAutoencoder(schedule=schedule, kappa=kappa, **settings, **VHP_PRIOR, **common)
    if name == "vampprior":
        return VampPriorVAE(n_pseudo_inputs=500, warmup_epochs=WARMUP_EPOCHS, **common)
    layers = dict(n_layers=2, n_components_z1=40, hidden_layer_sizes_z2=(300, 300))
    warmup = WARMUP_EPOCHS if name.endswith("-warmup") else 0
    two_layers = name.startswith("iwae2")
    return IWAE(k=5, warmup_epochs=warmup, **(layers if two_layers else {}), **common)


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


def paired_difference(ll_a, ll_b) -> tuple[float, float]:
    """Mean difference of per-image log-likelihoods (a − b, nats; positive: a better)
    and its paired standard error. Pairing removes the spread of the test images that
    both models share, which the unpaired error sqrt(se_a² + se_b²) keeps."""
    diff = np.asarray(ll_a, dtype=np.float64) - np.asarray(ll_b, dtype=np.float64)
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))
