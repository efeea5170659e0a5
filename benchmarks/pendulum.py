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

import time
import warnings
from pathlib import Path

import numpy as np
import torch
from _common import (
    ROOT,
    add_smoke_argument,
    figures_path,
    machine_info,
    parse_args,
    print_table,
    write_json,
)
from _pendulum_experiment import (
    PAPER,
    angle_probe,
    angular_error,
    build_parser,
    load_data,
    make_methods,
)
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

from skvhp import (
    LatentGraphInterpolator,
    smoothness_factor,
)


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


def main(argv=None):
    parser = build_parser()
    add_smoke_argument(
        parser,
        methods=["VHP + REWO", "IWAE"],
        seeds=[0],
        epochs=1,
        n_train=300,
        n_test=200,
        importance_samples=5,
    )
    args = parse_args(parser, argv)
    if args.quick:
        args.methods = args.methods or ["VHP + REWO"]
        args.seeds = args.seeds[:1]
        args.epochs = min(args.epochs, 30)
        args.n_train = min(args.n_train, 6000)
    torch.set_num_threads(args.threads)
    # The full run draws the documentation's figures; a quick run (the README's demo)
    # keeps them untouched and writes into the scratch folder benchmarks/results.
    figures = ROOT / "benchmarks" / "results" if args.quick else figures_path()
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
        "pendulum",
        {
            "machine": machine_info(args.device),
            "args": vars(args),
            "table": rows,
            "runs": runs,
            "interpolations": interpolations,
        },
        args.out or (figures / "pendulum_quick.json" if args.quick else None),
    )


if __name__ == "__main__":
    main()
