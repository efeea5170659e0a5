"""The pendulum experiment's set-up used by ``pendulum.py`` (Table 1), and by the archived
seed study (``git show 37efb55:benchmarks/experiments/pendulum_seed_study.py``): the
methods, the data, the angle probe and the options."""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _common import ALGORITHM_1
from _topology import angular_error as angular_error_1d
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline

from skvhp import IWAE, PolarCoordinates, VHPAutoencoder
from skvhp.datasets import make_pendulum

PAPER = {
    "VHP + REWO (pendulum settings)": 0.054,
    "VHP + REWO": 0.054,
    "VHP + GECO": 0.53,
    "VHP (plain bound)": 0.49,
    "VHP + WU (short)": 0.20,
    "VHP + WU (long)": 0.31,
    "IWAE": None,
}


def make_methods(args) -> dict:
    common = dict(
        n_components=2,
        hidden_layer_sizes=(256, 256),
        activation=args.activation,
        likelihood="bernoulli",
        max_iter=args.epochs,
        batch_size=100,
        learning_rate=1e-3,
        n_importance_samples=args.importance_samples,
        device=args.device,
    )
    vhp = VHPAutoencoder(
        kappa=args.kappa, k=args.k, prior_hidden_layer_sizes=(256, 256), **ALGORITHM_1, **common
    )
    short, long = args.warmup
    return {
        # init="pca", posterior="isotropic": the recommended settings (docs/pendulum.md)
        "VHP + REWO (pendulum settings)": clone(vhp).set_params(
            schedule="rewo", init="pca", posterior="isotropic"
        ),
        "VHP + REWO": clone(vhp).set_params(schedule="rewo"),
        "VHP + GECO": clone(vhp).set_params(schedule="geco"),
        "VHP (plain bound)": clone(vhp).set_params(schedule="constant"),
        "VHP + WU (short)": clone(vhp).set_params(schedule="warmup", warmup_epochs=short),
        "VHP + WU (long)": clone(vhp).set_params(schedule="warmup", warmup_epochs=long),
        "IWAE": IWAE(k=args.k, **common),
    }


def angle_probe(model) -> Pipeline:
    return Pipeline([("vhp", model), ("polar", PolarCoordinates()), ("ols", LinearRegression())])


def angular_error(pred: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """|θ̂ - θ| on the circle for a prediction of (cos θ, sin θ)."""
    return angular_error_1d(np.arctan2(pred[:, 1], pred[:, 0]), angles)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="The pendulum experiment (Table 1).")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the main job: the pendulum settings beside Algorithm 1 as written, short fits",
    )
    parser.add_argument("--methods", nargs="*", default=None, help="subset of the table's rows")
    parser.add_argument(
        "--seeds", nargs="*", type=int, default=None, help="default: 0 1 2 (--quick: 0)"
    )
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--n-train", type=int, default=15000)
    parser.add_argument("--n-test", type=int, default=3000)
    parser.add_argument("--kappa", type=float, default=0.1)
    parser.add_argument("--k", type=int, default=16)
    parser.add_argument("--activation", default="tanh")
    parser.add_argument("--warmup", nargs=2, type=int, default=[4, 40], help="short, long")
    parser.add_argument("--importance-samples", type=int, default=1000)
    parser.add_argument("--rod-width", type=float, default=0.08, help="fraction of the image")
    parser.add_argument("--bob-radius", type=float, default=0.11, help="fraction of the image")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--figure", default=None, help="where to draw Fig. 2 (png)")
    parser.add_argument("--interpolation-figure", default=None, help="Fig. 3/4 (png)")
    parser.add_argument("--out", default=None, help="JSON path")
    return parser


def load_data(args):
    """``n_train`` training and ``n_test`` test images, independent draws of the angle."""
    geometry = dict(rod_width=args.rod_width, bob_radius=args.bob_radius)
    X, angles = make_pendulum(args.n_train, random_state=10_000, **geometry)
    X_test, angles_test = make_pendulum(args.n_test, random_state=20_000, **geometry)
    return X, angles, X_test, angles_test, geometry
