"""Which defaults of ``LatentGraphInterpolator`` give graph paths without shortcuts?

For every pendulum geometry (default, thick, thin) and seed it fits
``VHPAutoencoder(n_components=2, init="pca", posterior="isotropic")`` (the recommended
pendulum settings) on 12,000 images of ``make_pendulum(15000, random_state=seed)``, as
``pendulum_topology.py`` does, then builds the interpolation graph with each candidate
configuration and interpolates between eight pairs of rendered images: 0 → π (the
paper's path) and seven pairs of random angles. Each decoded frame's angle is read off
the nearest of 1440 rendered templates; a shortcut shows as a large angle step between
consecutive frames. One JSON line per (geometry, seed, candidate) goes to
``docs/results/graph_defaults.jsonl``: the largest step per pair, the path lengths,
connected components before joining, and any error. Fitted models are cached (not
tracked) in ``benchmarks/results/graph_defaults_models``, so new candidates rerun
without refitting; finished rows are skipped.

    python benchmarks/experiments/graph_defaults.py --seeds 0 1 2 3 4 5 6 7     # fits, then graphs
    python benchmarks/experiments/graph_defaults.py --table                     # the summary
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
import torch
from _common import (
    ROOT,
    add_smoke_argument,
    machine_info,
    markdown_table,
    parse_args,
    print_table,
    results_path,
)
from _topology import AngleReader, angular_error
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator

import skvhp
from skvhp import LatentGraphInterpolator, VHPAutoencoder
from skvhp.datasets import make_pendulum

GEOMETRIES = {"default": (0.08, 0.11), "thick": (0.24, 0.16), "thin": (0.05, 0.08)}
# Candidate configurations; the keys name them in the results file. "defaults" is
# whatever LatentGraphInterpolator() does in the installed version.
CANDIDATES = {
    "defaults": {},
    "union": dict(edges="union", connect_components=False),
    "union, joined": dict(edges="union", connect_components=True),
    "mutual": dict(edges="mutual", connect_components=False),
    "mutual, joined": dict(edges="mutual", connect_components=True),
    "union, 5 neighbours": dict(edges="union", n_neighbors=5, connect_components=True),
    "data nodes, union": dict(nodes="data", edges="union", connect_components=True),
}
STEP_GOAL = 0.3  # rad: larger steps between consecutive frames are shortcuts


def model_path(folder: Path, geometry: str, seed: int, epochs: int) -> Path:
    return folder / f"{geometry}_seed{seed}_{epochs}ep.safetensors"


def fitted_model(folder: Path, geometry: str, seed: int, epochs: int, n_images: int):
    """The recommended pendulum fit, from the cache or fitted now (and cached)."""
    path = model_path(folder, geometry, seed, epochs)
    rod, bob = GEOMETRIES[geometry]
    X, _ = make_pendulum(n_images, random_state=seed, rod_width=rod, bob_radius=bob)
    X_train = X[: int(0.8 * n_images)]
    if path.exists():
        return skvhp.load(path), X_train, None
    model = VHPAutoencoder(
        n_components=2, init="pca", posterior="isotropic", max_iter=epochs, random_state=seed
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train)
    fit_s = time.perf_counter() - start
    folder.mkdir(parents=True, exist_ok=True)
    skvhp.save(model, path, include_training_state=False)
    return model, X_train, fit_s


def path_pairs(seed: int, n_random: int = 7) -> np.ndarray:
    """(start, end) angles: 0 → π, then random pairs (the same for every candidate)."""
    rng = np.random.default_rng(1000 + seed)
    return np.vstack([[0.0, np.pi], rng.uniform(0, 2 * np.pi, size=(n_random, 2))])


def measure(model, X_train, geometry: dict, reader, pairs, params: dict, seed: int) -> dict:
    """Largest angle step of each pair's decoded path with one graph configuration."""
    from skvhp.datasets import render_pendulum

    # With nodes="data" the graph's nodes are the codes of the rows given to fit: a
    # subsample of 1000 training images (as many nodes as the prior-sample graphs).
    rows = np.random.default_rng(seed).choice(len(X_train), 1000, replace=False)
    fit_on = X_train[rows] if params.get("nodes") == "data" else X_train[:2]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        graph = LatentGraphInterpolator(FrozenEstimator(model), random_state=seed, **params)
        graph.fit(fit_on)
    resolved = graph.get_params(deep=False)
    out = {
        "resolved": {k: v for k, v in resolved.items() if k not in ("estimator", "random_state")},
        "components": int(graph.n_connected_components_),
        "warnings": [str(w.message) for w in caught],
        "max_step": [],
        "path_len": [],
        "error": None,
    }
    starts = render_pendulum(pairs[:, 0], **geometry)
    ends = render_pendulum(pairs[:, 1], **geometry)
    try:
        frames = graph.interpolate(starts, ends)
    except ValueError as exc:  # disconnected ends: counted as a failure
        out["error"] = str(exc)
        return out
    for path in frames:
        theta = reader(path)
        steps = angular_error(theta[1:], theta[:-1])
        out["max_step"].append(float(steps.max()) if len(steps) else 0.0)
        out["path_len"].append(len(path))
    return out


def read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def summary(rows: list[dict]) -> list[dict]:
    table = []
    for name in dict.fromkeys(r["candidate"] for r in rows):
        for geometry in GEOMETRIES:
            mine = [r for r in rows if r["candidate"] == name and r["geometry"] == geometry]
            if not mine:
                continue
            ok = [r["error"] is None and max(r["max_step"]) <= STEP_GOAL for r in mine]
            worst = [max(r["max_step"]) if r["error"] is None else np.inf for r in mine]
            table.append(
                {
                    "candidate": name,
                    "geometry": geometry,
                    "seeds": len(mine),
                    f"seeds with every step ≤ {STEP_GOAL}": f"{sum(ok)}/{len(mine)}",
                    "errors": sum(r["error"] is not None for r in mine),
                    "largest step, median over seeds": float(np.median(worst)),
                    "largest step, worst seed": float(np.max(worst)),
                    "frames per path (mean)": float(
                        np.mean([np.mean(r["path_len"]) for r in mine if r["path_len"]] or [0])
                    ),
                }
            )
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geometries", nargs="*", default=list(GEOMETRIES))
    parser.add_argument("--seeds", nargs="*", type=int, default=list(range(8)))
    parser.add_argument("--candidates", nargs="*", default=list(CANDIDATES))
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--n-images", type=int, default=15000)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--table", action="store_true", help="summarise the results file")
    parser.add_argument("--out", default=None, help="results file (JSONL)")
    add_smoke_argument(parser, seeds=[0], geometries=["default"], epochs=1, n_images=1500)
    args = parse_args(parser, argv)
    out = Path(args.out) if args.out else results_path("graph_defaults.jsonl")
    if args.table:
        report(read(out), out.with_suffix(".md"))
        return
    torch.set_num_threads(args.threads)
    unknown = set(args.candidates) - set(CANDIDATES)
    if unknown:
        parser.error(f"unknown candidates {sorted(unknown)}; choose from {list(CANDIDATES)}")
    folder = (
        out.parent / "graph_defaults_models"
        if args.smoke
        else ROOT / "benchmarks" / "results" / "graph_defaults_models"
    )
    done = {(r["geometry"], r["seed"], r["epochs"], r["candidate"]) for r in read(out)}
    machine = machine_info("cpu")
    for geometry in args.geometries:
        rod, bob = GEOMETRIES[geometry]
        reader = AngleReader(dict(rod_width=rod, bob_radius=bob))
        for seed in args.seeds:
            todo = [c for c in args.candidates if (geometry, seed, args.epochs, c) not in done]
            if not todo:
                continue
            model, X_train, fit_s = fitted_model(folder, geometry, seed, args.epochs, args.n_images)
            for name in todo:
                row = {"geometry": geometry, "seed": seed, "epochs": args.epochs, "candidate": name}
                row["params"] = {**CANDIDATES[name]}
                row.update(
                    measure(
                        model,
                        X_train,
                        dict(rod_width=rod, bob_radius=bob),
                        reader,
                        path_pairs(seed),
                        CANDIDATES[name],
                        seed,
                    )
                )
                row["fit_s"], row["skvhp"], row["machine"] = fit_s, skvhp.__version__, machine
                with out.open("a") as f:
                    f.write(json.dumps(row) + "\n")
                worst = max(row["max_step"]) if row["max_step"] else float("nan")
                error = row["error"] or ""
                print(f"{geometry} seed {seed} {name}: largest step {worst:.3f} {error}")
    report(read(out), out.with_suffix(".md"))


def graph_page(rows: list[dict]) -> str:
    """The summary as a Markdown table (docs/graph.md includes it)."""
    table = summary(rows)
    cells = [{c: f"{v:.2f}" if isinstance(v, float) else v for c, v in r.items()} for r in table]
    return "\n".join(markdown_table(cells, list(table[0]))) + "\n"


def results_pages(results: Path) -> dict[str, str]:
    """The summary page, from the results file in ``results`` alone (the documentation
    build regenerates it: ``_results_pages.py``)."""
    rows = read(results / "graph_defaults.jsonl")
    return {"graph_defaults.md": graph_page(rows)} if rows else {}


def report(rows: list[dict], markdown: Path) -> None:
    """Print the summary and write it as a Markdown page."""
    table = summary(rows)
    if not table:
        print("no results yet")
        return
    print_table(table, list(table[0]))
    markdown.write_text(graph_page(rows))
    print(f"wrote {markdown}")


if __name__ == "__main__":
    main()
