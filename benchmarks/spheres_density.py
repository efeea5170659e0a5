"""Where Spheres' KL₀.₀₁ comes from: each class's share of it.

KL₀.₀₁ = Σ_i f_X(i) log(f_X(i) / f_Z(i)) over the 1000 test points, with Moor et al.'s
normalised densities at σ = 0.01 (distances scaled to a maximum of 1). Summed by class
(the ten small spheres, the enclosing sphere) with each class's mean density in the
data and in the codes, it says which part of the picture an embedding gets wrong. For
the kept codes of the suite's Spheres runs (seed 0) and Moor et al.'s released latents.

    python benchmarks/spheres_density.py   # writes docs/results/spheres_density.json
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import (
    DEFAULT_DATA,
    add_smoke_argument,
    parse_args,
    print_table,
    results_path,
    write_json,
)
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist
from topology_suite import load, released_latents

from skvhp.topology import _moor_density

SIGMA = 0.01
ENCLOSING = 10  # the label of the enclosing sphere


def shares(X: np.ndarray, Z: np.ndarray, labels: np.ndarray) -> dict:
    f_X = _moor_density(cdist(X, X), SIGMA)
    f_Z = _moor_density(cdist(Z, Z), SIGMA)
    terms = f_X * np.log(f_X / f_Z)
    small = labels != ENCLOSING
    return {
        "KL0.01": float(terms.sum()),
        "enclosing share": float(terms[~small].sum()),
        "small spheres share": float(terms[small].sum()),
        # mean density of a point, codes over data: < 1 too isolated, > 1 too crowded
        "enclosing density ratio": float(f_Z[~small].mean() / f_X[~small].mean()),
        "small density ratio": float(f_Z[small].mean() / f_X[small].mean()),
        "per class": [float(terms[labels == c].sum()) for c in range(ENCLOSING + 1)],
    }


def tree_edges(X: np.ndarray, labels: np.ndarray, batch_size: int, draws: int) -> dict:
    """Shares of the edge kinds in the data's minimum spanning trees of ``draws`` random
    batches (seeded: the same batches on every run)."""
    rng = np.random.default_rng(0)
    kinds = np.zeros(3)
    for _ in range(draws):
        rows = rng.choice(len(X), batch_size, replace=False)
        tree = minimum_spanning_tree(cdist(X[rows], X[rows])).tocoo()
        a, b = labels[rows][tree.row], labels[rows][tree.col]
        enclosing = (a == ENCLOSING) | (b == ENCLOSING)
        kinds += [np.sum(~enclosing & (a == b)), np.sum(~enclosing & (a != b)), np.sum(enclosing)]
    kinds /= kinds.sum()
    return {
        "batch size": batch_size,
        "within a small sphere": float(kinds[0]),
        "between small spheres": float(kinds[1]),
        "touching the enclosing sphere": float(kinds[2]),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=None, help="JSON path")
    parser.add_argument("--limit", type=int, default=None, help="first rows only")
    add_smoke_argument(parser, limit=200)
    args = parse_args(parser, argv)
    X_train, _, labels, labels_train, X = load("spheres", 0, 0, args.data_home)
    rows = []
    for path in sorted(results_path("topology").glob("spheres__*__0.npz")):
        codes = np.load(path)["codes"].astype(np.float64)
        rows.append({"codes": path.name.split("__")[1], "Z": codes})
    latents = released_latents("spheres", args.data_home)
    if latents is None or not np.array_equal(latents[:, 2].astype(int), labels):
        raise ValueError("Moor et al.'s released Spheres latents are missing or out of order")
    rows.append({"codes": "TopoAE (released)", "Z": latents[:, :2]})
    n = args.limit or len(X)
    for row in rows:
        row.update(shares(X[:n], row.pop("Z")[:n], labels[:n]))
    print_table(rows, [c for c in rows[0] if c != "per class"])
    draws = 20 if args.smoke else 200
    edges = [tree_edges(X_train, labels_train, size, draws) for size in (32, 64, 100)]
    print_table(edges, list(edges[0]))
    result = {"sigma": SIGMA, "rows": rows, "tree edges": edges, "tree draws": draws}
    write_json("spheres_density", result, args.out)


if __name__ == "__main__":
    main()
