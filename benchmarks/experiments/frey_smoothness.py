"""Smoothness of graph-based interpolations on Frey Faces (the shape of Fig. 7 of
Klushyn et al. 2019): VHP + REWO, VampPrior and IWAE, each with a 2-d latent space.

For each model: 10 graphs over 1000 prior samples, 100 random start/end pairs of
training images per graph; the smoothness factor (RMS of the second-order difference
along the decoded path, per pixel) averaged over pixels gives one number per path.
Prints mean ± std per model, writes JSON and a figure; the table of docs/graph.md is
generated from docs/results/frey_smoothness.json (``results_pages``).

    python benchmarks/experiments/frey_smoothness.py --epochs 100
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared library in benchmarks/

import numpy as np
from _common import (
    add_graph_experiment_arguments,
    add_smoke_argument,
    figures_path,
    graph_smoothness,
    machine_info,
    markdown_table,
    number,
    one_file_pages,
    parse_args,
    print_table,
    vhp_vamp_iwae,
    write_json,
)

from skvhp.datasets import load_frey_faces


def page_table(payload: dict) -> list[str]:
    """The table of docs/graph.md, from a results file's contents."""
    rows = [
        {
            "model": r["model"],
            f"smoothness, mean ± std over {r['paths']} paths": (
                f"{number(r['smoothness mean'], 4)} ± {number(r['std over paths'], 4)}"
            ),
        }
        for r in payload["table"]
    ]
    return markdown_table(rows, list(rows[0]))


def results_pages(results: Path) -> dict[str, str]:
    """The table docs/graph.md includes, from the results file in ``results`` alone (the
    documentation build regenerates it: ``_results_pages.py``)."""
    return one_file_pages(
        results, "frey_smoothness.json", "experiments/frey_smoothness.py", page_table
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--kappa", type=float, default=0.1)
    add_graph_experiment_arguments(parser, importance_samples=1000)
    parser.add_argument("--figure", default=None)
    parser.add_argument("--redraw", default=None, help="results JSON: only draw the figure")
    add_smoke_argument(parser, epochs=1, graphs=1, pairs=3, n_nodes=60, importance_samples=5)
    args = parse_args(parser, argv)
    if args.redraw:
        redraw(args.redraw, args.figure)
        return

    X = load_frey_faces(args.data_home)
    rng = np.random.default_rng(args.seed)
    rows, per_pixel, runs, strips = [], {}, {}, {}
    shown_pair = (0, len(X) // 2)  # one fixed pair of faces, decoded for the figure
    for name, model in vhp_vamp_iwae(args).items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X)
        fit_seconds = time.perf_counter() - start
        pixel_maps, path_scores, graph = graph_smoothness(model, X, args, rng)
        strips[name] = graph.interpolate(X[shown_pair[0]], X[shown_pair[1]])
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
    payload = {
        "machine": machine_info(args.device),
        "args": vars(args),
        "table": rows,
        "path_scores": runs,
        # What the figure shows, so that --redraw needs no training.
        "per_pixel_smoothness": {k: v.tolist() for k, v in per_pixel.items()},
        "shown_pair": list(shown_pair),
        "shown_paths": {k: np.asarray(v).tolist() for k, v in strips.items()},
    }
    print()
    print("\n".join(page_table(payload)))
    write_json("frey_smoothness", payload, args.out)
    draw(per_pixel, runs, strips, args.figure)


def draw(per_pixel: dict, runs: dict, strips: dict, figure: str | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_models, n_frames = len(per_pixel), 10
    fig = plt.figure(figsize=(12, 3.6 + 1.7 * n_models))
    grid = fig.add_gridspec(
        1 + n_models, n_frames, height_ratios=[2.4] + [1] * n_models, hspace=0.45
    )
    # Maps, their colour bar, a spacer (room for the bar chart's label), the bar chart.
    top = grid[0, :].subgridspec(1, n_models + 3, width_ratios=[1] * n_models + [0.08, 0.7, 1.6],
                                 wspace=0.35)  # fmt: skip
    vmax = max(np.max(m) for m in per_pixel.values())
    for i, (name, pixels) in enumerate(per_pixel.items()):
        ax = fig.add_subplot(top[0, i])
        im = ax.imshow(np.reshape(pixels, (28, 20)), vmin=0, vmax=vmax, cmap="viridis")
        ax.set_title(f"{name}\nper-pixel smoothness", fontsize=8)
        ax.set_axis_off()
    fig.colorbar(im, cax=fig.add_subplot(top[0, n_models]), label="smoothness factor")
    ax = fig.add_subplot(top[0, n_models + 2])
    names = list(runs)
    ax.bar(names, [np.mean(runs[n]) for n in names], yerr=[np.std(runs[n]) for n in names])
    ax.set_ylabel("smoothness factor:\nmean over pixels, ± std over paths", fontsize=8)
    ax.tick_params(axis="x", labelsize=7, rotation=15)
    ax.tick_params(axis="y", labelsize=7)
    # The same pair of faces interpolated by each model (start and end are the faces'
    # decodings), with the model's mean smoothness beside it.
    for row, (name, frames) in enumerate(strips.items(), start=1):
        frames = np.asarray(frames)
        picks = np.linspace(0, len(frames) - 1, min(n_frames, len(frames))).round().astype(int)
        for j, k in enumerate(picks):
            ax = fig.add_subplot(grid[row, j])
            ax.imshow(frames[k].reshape(28, 20), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(f"{name}\nmean {np.mean(runs[name]):.4f}", fontsize=8)
                ax.set_title("start", fontsize=7)
            elif j == len(picks) - 1:
                ax.set_title(f"end (path of {len(frames)})", fontsize=7)
            else:
                ax.set_title(f"step {k}", fontsize=7)
    path = Path(figure) if figure else figures_path("frey_smoothness.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")


def redraw(results: str, figure: str | None) -> None:
    r = json.loads(Path(results).read_text())
    per_pixel = {k: np.asarray(v) for k, v in r["per_pixel_smoothness"].items()}
    draw(per_pixel, r["path_scores"], r["shown_paths"], figure)


if __name__ == "__main__":
    main()
