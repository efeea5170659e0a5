"""Do the codes keep the shape of the data? (``skvhp.topology.compare_shapes``)

Both point clouds are measured the same way, on the same rows: the persistence of the
geodesic distances along their neighbour graph, divided by the largest (so bars are
fractions of the geodesic diameter, whatever the units), and the number of pieces further
apart than the graph's edges. Geodesic distances are what make the data's side
trustworthy: pixel distances saturate between images that share no pixels, so the
Euclidean persistence of a 270° swing shows a loop; along the neighbour graph it shows
none. A loop counts as present from ``LOOP_PRESENT`` = 0.15 and absent below
``LOOP_ABSENT`` = 0.05; between the two the comparison does not judge, so that no bar
near one line flips the verdict. How it reads the shape harness's data:
``docs/results/shape_check_calibration.json`` (summarised in docs/topology.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree, shortest_path
from scipy.spatial.distance import pdist, squareform

from ._layouts import _joined_neighbour_graph

# The neighbour graphs are built on up to GRAPH_POINTS rows, so that they follow the data
# closely; persistence is computed on LANDMARKS of them (ripser's cost grows steeply). On
# 800 rows alone, the edges of a 15-neighbour graph reached across the gap between two
# pendulums' images on some draws and added a spurious loop.
GRAPH_POINTS = 3000
LANDMARKS = 500
LOOP_NEIGHBOURS = 15  # with 10, a gap of thin sampling can cut a ring open
PIECE_NEIGHBOURS = 10  # pieces as init="auto" finds them ...
PIECE_SHARE = 0.1  # ... that hold a tenth of the rows each (fragments of sparse sampling aside)
LOOP_PRESENT = 0.15  # fraction of the geodesic diameter
LOOP_ABSENT = 0.05


def shape_summary(X: np.ndarray, landmarks: np.ndarray) -> dict[str, Any]:
    """Loops and pieces of the rows of X: the H1 bars of the geodesic distances between
    the ``landmarks`` rows along the ``LOOP_NEIGHBOURS``-NN graph of all rows (pieces
    closer than its longest edge joined, the rest by the minimum spanning tree of the
    landmarks), as fractions of the largest (longest first, at most 3), and the pieces
    further apart than the longest edge of the ``PIECE_NEIGHBOURS``-NN graph that hold
    ``PIECE_SHARE`` of the rows or more."""
    from .topology import _ripser

    X = np.asarray(X, dtype=np.float64)
    graph = _joined_neighbour_graph(X, min(LOOP_NEIGHBOURS, len(X) - 1))
    distances = shortest_path(graph, directed=False, indices=landmarks)[:, landmarks]
    if np.isinf(distances).any():  # pieces still apart: joined through the landmarks' tree
        tree = minimum_spanning_tree(squareform(pdist(X[landmarks])))
        links = tree.maximum(tree.T).toarray()
        distances = np.where(np.isinf(distances), 0.0, distances)
        distances = shortest_path(np.maximum(distances, links), directed=False)
    joined = _joined_neighbour_graph(X, min(PIECE_NEIGHBOURS, len(X) - 1))
    _, labels = connected_components(joined, directed=False)
    pieces = int((np.bincount(labels) >= PIECE_SHARE * len(X)).sum())
    diameter = distances.max()
    if not diameter > 0.0:
        return {"H1": [], "pieces": max(pieces, 1)}
    diagrams = _ripser()(distances / diameter, distance_matrix=True, maxdim=1)["dgms"]
    bars = np.sort(diagrams[1][:, 1] - diagrams[1][:, 0])[::-1][:3]
    return {"H1": [round(float(b), 4) for b in bars], "pieces": max(pieces, 1)}


def _loops(summary: dict, floor: float) -> int:
    return sum(bar >= floor for bar in summary["H1"])


def shape_problems(data: dict, codes: dict) -> list[str]:
    """What the codes change about the data's shape (empty: nothing)."""
    problems = []
    if _loops(codes, LOOP_PRESENT) > _loops(data, LOOP_ABSENT):
        problems.append("the codes have a loop the data lack")
    if _loops(codes, LOOP_ABSENT) < _loops(data, LOOP_PRESENT):
        problems.append("the codes lack a loop the data have")
    if codes["pieces"] < data["pieces"]:
        problems.append(f"the data's {data['pieces']} separate pieces merge in the codes")
    elif codes["pieces"] > data["pieces"]:
        problems.append(f"the codes split into {codes['pieces']} pieces")
    return problems


def sample_rows(X: np.ndarray, rng: Any) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``GRAPH_POINTS`` distinct rows of X (duplicates, as aliased renderings of
    nearby angles give, would make zero-length edges that cut the graph), and
    ``LANDMARKS`` positions among them."""
    rows = np.sort(rng.permutation(len(X))[:GRAPH_POINTS])
    _, first = np.unique(X[rows], axis=0, return_index=True)
    rows = rows[np.sort(first)]
    return rows, np.sort(rng.permutation(len(rows))[:LANDMARKS])


def compare(X: Any, Z: Any, rng: Any) -> dict[str, Any]:
    """The loops and pieces of X and of its embedding Z, on the same rows
    (:func:`sample_rows`), and what Z changes (:func:`shape_problems`)."""
    X = np.asarray(X, dtype=np.float64)
    Z = np.asarray(Z, dtype=np.float64)
    rows, landmarks = sample_rows(X, rng)
    data = shape_summary(X[rows], landmarks)
    codes = shape_summary(Z[rows], landmarks)
    return {"data": data, "codes": codes, "problems": shape_problems(data, codes)}
