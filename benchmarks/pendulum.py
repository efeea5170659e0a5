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
from _common import RESULTS, machine_info, print_table, write_json
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
from skvhp.datasets import make_pendulum, render_pendulum

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
    diff = np.arctan2(pred[:, 1], pred[:, 0]) - angles
    return np.abs(np.angle(np.exp(1j * diff)))


def draw_figure(fits: dict, X_test, angles_test, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, len(fits), figsize=(3.2 * len(fits), 9.0), squeeze=False)
    for col, (name, model) in enumerate(fits.items()):
        Z = model.transform(X_test)
        P = model.sample_latent(2000, random_state=0)
        ax = axes[0, col]
        ax.scatter(Z[:, 0], Z[:, 1], c=angles_test, cmap="hsv", s=2, vmin=0, vmax=2 * np.pi)
        ax.set_title(f"{name}\nposterior means (colour: angle)", fontsize=8)
        ax = axes[1, col]
        ax.scatter(P[:, 0], P[:, 1], s=1, c="k", alpha=0.3)
        ax.set_xlim(axes[0, col].get_xlim())
        ax.set_ylim(axes[0, col].get_ylim())
        ax.set_title("prior samples", fontsize=8)
        for ax in axes[:2, col]:
            ax.set_aspect("equal", adjustable="box")
            ax.tick_params(labelsize=6)
        ax = axes[2, col]
        trace = getattr(model, "iteration_history_", None)
        if trace is not None:
            ax.plot(trace["beta"], lw=1)
            ax.set_yscale("log")
            ax.set_xlabel("iteration", fontsize=7)
            ax.set_title("β", fontsize=8)
        else:
            ax.text(0.5, 0.5, "k-sample IW bound\n(β = 1 throughout)", ha="center", va="center")
            ax.set_axis_off()
        ax.tick_params(labelsize=6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def draw_interpolations(fits: dict, path: Path, geometry: dict, n_frames: int = 12) -> list[dict]:
    """Fig. 3/4 of the paper: graph over 1000 prior samples, the shortest path between
    the images at 0 and 180 degrees, and the decoded strip, per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    ends = render_pendulum(np.array([0.0, np.pi]), **geometry)
    names = [n for n in ("VHP + REWO", "VHP + GECO", "IWAE") if n in fits]
    if not names:
        return []
    fig = plt.figure(figsize=(3.4 * len(names), 5.2))
    rows = []
    for col, name in enumerate(names):
        graph = LatentGraphInterpolator(
            FrozenEstimator(fits[name]),
            n_nodes=1000,
            n_neighbors=10,
            connect_components=True,
            random_state=0,
        ).fit(ends)
        frames, latent = graph.interpolate(ends[0], ends[1], return_latent=True)
        rows.append(
            {
                "method": name,
                "path points": len(frames),
                "smoothness (mean over pixels)": float(smoothness_factor(frames).mean())
                if len(frames) >= 3
                else float("nan"),
            }
        )
        ax = fig.add_subplot(2, len(names), col + 1)
        g = graph.graph_.tocoo()
        segments = np.stack([graph.nodes_[g.row], graph.nodes_[g.col]], axis=1)
        ax.add_collection(LineCollection(segments, colors="tab:blue", linewidths=0.3, alpha=0.4))
        ax.scatter(*graph.nodes_.T, s=1, c="tab:blue")
        ax.plot(*latent.T, c="red", lw=1.5)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(f"{name}: graph over prior samples", fontsize=8)
        ax.tick_params(labelsize=6)
        pick = np.linspace(0, len(frames) - 1, min(n_frames, len(frames))).round().astype(int)
        strip = np.concatenate([frames[i].reshape(16, 16) for i in pick], axis=1)
        ax = fig.add_subplot(2, len(names), len(names) + col + 1)
        ax.imshow(strip, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title("decoded path, 0° to 180°", fontsize=8)
        ax.set_axis_off()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")
    return rows


def main(argv=None):
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
    parser.add_argument("--figure", default=None, help="where to draw Fig. 2 (png)")
    parser.add_argument("--interpolation-figure", default=None, help="Fig. 3/4 (png)")
    parser.add_argument("--out", default=None, help="JSON path")
    args = parser.parse_args(argv)
    if args.quick:
        args.methods = args.methods or ["VHP + REWO"]
        args.seeds = args.seeds[:1]
        args.epochs = min(args.epochs, 30)
        args.n_train = min(args.n_train, 6000)
    figure = Path(args.figure) if args.figure else RESULTS / "pendulum_latents.png"

    geometry = dict(rod_width=args.rod_width, bob_radius=args.bob_radius)
    X, angles = make_pendulum(args.n_train, random_state=10_000, **geometry)
    X_test, angles_test = make_pendulum(args.n_test, random_state=20_000, **geometry)
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
        else RESULTS / "pendulum_interpolations.png"
    )
    interpolations = draw_interpolations(first_fits, interpolation_path, geometry)
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
