"""The pendulum experiment of Klushyn et al. (2019), Sec. 4.1 and Table 1.

Fits each method on 16x16 pendulum images, then the angle probe
``Pipeline([("vhp", model), ("polar", PolarCoordinates()), ("ols", LinearRegression())])``
on target (cos θ, sin θ); the figure of merit is the mean absolute angular error (rad)
of atan2 of the prediction on held-out images. Prints a table beside the paper's
figures, writes JSON, and draws Fig. 2 (latent means coloured by angle, prior samples,
β over iterations).

    python benchmarks/pendulum.py --quick            # the README's main job (REWO only)
    python benchmarks/pendulum.py --seeds 0 1 2      # Table 1, all methods
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from _common import ROOT, machine_info, print_table, write_json
from _pendulum_figures import (
    draw_frames,
    frame_picks,
    latent_panels,
    path_ends,
    path_over_ring,
    schedule_panel,
)
from _topology import AngleReader
from _topology import angular_error as angular_error_1d
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline

from skvhp import (
    IWAE,
    LatentGraphInterpolator,
    PolarCoordinates,
    VHPAutoencoder,
    smoothness_factor,
)
from skvhp.datasets import make_pendulum

PAPER = {
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
    vhp = VHPAutoencoder(kappa=args.kappa, k=args.k, prior_hidden_layer_sizes=(256, 256), **common)
    short, long = args.warmup
    return {
        "VHP + REWO": clone(vhp).set_params(schedule="rewo"),
        "VHP + GECO": clone(vhp).set_params(schedule="geco"),
        "VHP (plain bound)": clone(vhp).set_params(schedule="constant", beta=1.0),
        "VHP + WU (short)": clone(vhp).set_params(schedule="warmup", warmup_epochs=short),
        "VHP + WU (long)": clone(vhp).set_params(schedule="warmup", warmup_epochs=long),
        "IWAE": IWAE(k=args.k, **common),
    }


def angle_probe(model) -> Pipeline:
    return Pipeline([("vhp", model), ("polar", PolarCoordinates()), ("ols", LinearRegression())])


def angular_error(pred: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """|θ̂ - θ| on the circle for a prediction of (cos θ, sin θ)."""
    return angular_error_1d(np.arctan2(pred[:, 1], pred[:, 0]), angles)


def draw_figure(fits: dict, X_test, angles_test, path: Path) -> None:
    """Fig. 2 of the paper, one column per method: posterior means coloured by θ, prior
    samples (each on its own scale), and the schedule."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, len(fits), figsize=(3.2 * len(fits), 9.6), squeeze=False)
    for col, (name, model) in enumerate(fits.items()):
        points = latent_panels(axes[0, col], axes[1, col], model, X_test, angles_test)
        axes[0, col].set_title(f"{name}\nposterior means of test images", fontsize=8)
        axes[1, col].set_title("samples of the learned prior", fontsize=8)
        ax = axes[2, col]
        if getattr(model, "iteration_history_", None) is not None:
            schedule_panel(ax, model)
            ax.set_title("β and Ĉ / κ² per iteration", fontsize=8)
        else:
            ax.text(0.5, 0.5, "k-sample IW bound\n(β = 1 throughout)", ha="center", va="center")
            ax.set_axis_off()
    fig.tight_layout()
    cbar = fig.colorbar(points, ax=axes[0, :].tolist(), fraction=0.02, pad=0.01)
    cbar.set_label("joint angle θ (rad)", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")  # keeps the colour bar's label
    plt.close(fig)
    print(f"wrote {path}")


def draw_interpolations(
    fits: dict, path: Path, geometry: dict, X_codes, angles_codes, n_frames: int = 12
) -> list[dict]:
    """Fig. 3/4 of the paper: a 10-NN graph over 1000 prior samples, the shortest path
    between the images at 0 and π rad drawn over the codes of ``X_codes`` (coloured by θ),
    and the decoded frames, each titled with the angle read from it; one row per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in ("VHP + REWO", "VHP + GECO", "IWAE") if n in fits]
    if not names:
        return []
    reader = AngleReader(geometry)
    ends = path_ends(geometry)
    half = n_frames // 2
    fig = plt.figure(figsize=(13, 4.2 * len(names) + 0.4))
    grid = fig.add_gridspec(2 * len(names), half + 2, width_ratios=[2.6, 0.12] + [1] * half)
    rows = []
    for row, name in enumerate(names):
        graph = LatentGraphInterpolator(
            FrozenEstimator(fits[name]),
            n_nodes=1000,
            n_neighbors=10,
            connect_components=True,
            random_state=0,
        ).fit(ends)
        frames, latent = graph.interpolate(ends[0], ends[1], return_latent=True)
        theta = reader(frames)
        steps = angular_error_1d(theta[1:], theta[:-1])
        rows.append(
            {
                "method": name,
                "path points": len(frames),
                "smoothness (mean over pixels)": float(smoothness_factor(frames).mean())
                if len(frames) >= 3
                else float("nan"),
                "largest angle step (rad)": float(steps.max()) if len(steps) else 0.0,
            }
        )
        ax = fig.add_subplot(grid[2 * row : 2 * row + 2, 0])
        points = path_over_ring(ax, graph, latent, fits[name].transform(X_codes), angles_codes)
        ax.set_title(f"{name}: path over the data ring", fontsize=9)
        cbar = fig.colorbar(points, cax=fig.add_subplot(grid[2 * row : 2 * row + 2, 1]))
        cbar.set_label("joint angle θ of the image (rad)", fontsize=7)
        strip = [fig.add_subplot(grid[2 * row + j // half, 2 + j % half]) for j in range(n_frames)]
        draw_frames(strip, frames, theta, frame_picks(len(frames), n_frames))
        strip[0].set_title(f"{name}: {len(frames)} frames\n" + strip[0].get_title(), fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")
    return rows


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="REWO only, one seed, short")
    parser.add_argument("--methods", nargs="*", default=None, help="subset of the table's rows")
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
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


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.quick:
        args.methods = args.methods or ["VHP + REWO"]
        args.seeds = args.seeds[:1]
        args.epochs = min(args.epochs, 30)
        args.n_train = min(args.n_train, 6000)
    torch.set_num_threads(args.threads)
    # The full run draws the documentation's figures; a quick run keeps them untouched.
    figures = ROOT / ("benchmarks/results" if args.quick else "docs/figures")
    figure = Path(args.figure) if args.figure else figures / "pendulum_latents.png"

    X, angles, X_test, angles_test, geometry = load_data(args)
    Y = np.c_[np.cos(angles), np.sin(angles)]
    methods = make_methods(args)
    names = args.methods or list(methods)
    unknown = set(names) - set(methods)
    if unknown:
        parser.error(f"unknown methods {sorted(unknown)}; choose from {list(methods)}")

    rows, runs, first_fits = [], [], {}
    for name in names:
        errors, scores, seconds = [], [], []
        for seed in args.seeds:
            model = clone(methods[name]).set_params(random_state=seed)
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                probe = angle_probe(model).fit(X, Y)
            seconds.append(time.perf_counter() - start)
            err = float(angular_error(probe.predict(X_test), angles_test).mean())
            score = float(model.score(X_test[:1000]))
            errors.append(err)
            scores.append(score)
            runs.append(
                {
                    "method": name,
                    "seed": seed,
                    "abs_error_rad": err,
                    "test_log_likelihood": score,
                    "fit_seconds": seconds[-1],
                    "final_beta": model.history_.get("beta", [1.0])[-1],
                    "warnings": [str(w.message) for w in caught],
                }
            )
            print(f"{name} seed {seed}: error {err:.4f} rad, LL {score:.2f}, {seconds[-1]:.0f} s")
            first_fits.setdefault(name, model)
        rows.append(
            {
                "method": name,
                "error (rad)": f"{np.mean(errors):.3f} ± {np.std(errors):.3f}",
                "paper": PAPER[name] if PAPER[name] is not None else "-",
                "test LL (nats)": f"{np.mean(scores):.2f}",
                "seeds": len(args.seeds),
                "s/fit": float(np.mean(seconds)),
            }
        )
    print()
    print_table(rows, list(rows[0]))
    draw_figure(first_fits, X_test[:2000], angles_test[:2000], figure)
    interpolation_path = (
        Path(args.interpolation_figure)
        if args.interpolation_figure
        else figures / "pendulum_interpolations.png"
    )
    interpolations = draw_interpolations(
        first_fits, interpolation_path, geometry, X[:4000], angles[:4000]
    )
    if interpolations:
        print_table(interpolations, list(interpolations[0]))
    write_json(
        "pendulum_quick" if args.quick else "pendulum",
        {
            "machine": machine_info(args.device),
            "args": vars(args),
            "table": rows,
            "runs": runs,
            "interpolations": interpolations,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
