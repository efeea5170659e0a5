"""Smoothness of graph-based interpolations on Frey Faces (the shape of Fig. 7 of
Klushyn et al. 2019): VHP + REWO, VampPrior and IWAE, each with a 2-d latent space.

For each model: 10 graphs over 1000 prior samples, 100 random start/end pairs of
training images per graph; the smoothness factor (RMS of the second-order difference
along the decoded path, per pixel) averaged over pixels gives one number per path.
Prints mean ± std per model, writes JSON and a figure.

    python benchmarks/frey_smoothness.py --epochs 100
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from _common import (
    RESULTS,
    add_graph_experiment_arguments,
    graph_smoothness,
    machine_info,
    print_table,
    vhp_vamp_iwae,
    write_json,
)

from skvhp.datasets import load_frey_faces


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--kappa", type=float, default=0.1)
    add_graph_experiment_arguments(parser, importance_samples=1000)
    parser.add_argument("--figure", default=None)
    args = parser.parse_args(argv)

    X = load_frey_faces(args.data_home)
    rng = np.random.default_rng(args.seed)
    rows, per_pixel, runs = [], {}, {}
    for name, model in vhp_vamp_iwae(args).items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X)
        fit_seconds = time.perf_counter() - start
        pixel_maps, path_scores, _ = graph_smoothness(model, X, args, rng)
        per_pixel[name] = np.mean(pixel_maps, axis=0)
        runs[name] = path_scores
        rows.append(
            {
                "model": name,
                "smoothness mean": float(np.mean(path_scores)),
                "std over paths": float(np.std(path_scores)),
                "paths": len(path_scores),
                "LL (train subset, nats)": float(model.score(X[:300])),
                "fit s": fit_seconds,
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    print()
    print_table(rows, list(rows[0]))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(per_pixel) + 1, figsize=(3 * (len(per_pixel) + 1), 3.2))
    vmax = max(m.max() for m in per_pixel.values())
    for ax, (name, pixels) in zip(axes, per_pixel.items(), strict=False):
        im = ax.imshow(pixels.reshape(28, 20), vmin=0, vmax=vmax, cmap="viridis")
        ax.set_title(f"{name}\nper-pixel smoothness", fontsize=8)
        ax.set_axis_off()
    fig.colorbar(im, ax=axes[-2])
    ax = axes[-1]
    names = list(runs)
    ax.bar(names, [np.mean(runs[n]) for n in names], yerr=[np.std(runs[n]) for n in names])
    ax.set_ylabel("smoothness factor (mean over pixels)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7, rotation=20)
    fig.tight_layout()
    path = Path(args.figure) if args.figure else RESULTS / "frey_smoothness.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")
    write_json(
        "frey_smoothness",
        {
            "machine": machine_info(args.device),
            "args": vars(args),
            "table": rows,
            "path_scores": runs,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
