"""Reading a point cloud's shape: its loops and its separate pieces, the same way for the
start ``init="auto"`` chooses, for the check after every fit and for
``skvhp.topology.compare_shapes``.

The data are read along their neighbour graph: the persistence of the geodesic distances
between landmarks, divided by the largest (bars as fractions of the geodesic diameter).
Pixel distances saturate between images that share no pixels, so the Euclidean
persistence of a 270° swing of a pendulum shows a loop; along the graph it shows none.
Codes and start layouts are read in their own Euclidean metric, on unit spread (as
``skvhp.topology.longest_bars`` and the targets of the shape harness read them): the
latent space's geometry is Euclidean (the prior's and the decoder's), so a 270° arc laid
out as a C whose ends nearly touch is a loop there, although its own neighbour graph may
not cross the gap.

Each reading has its own two lines (``LOOP_BARS``): a loop is present from the upper one
where its bar also stands out from the next (``STAND_OUT``: noise comes as an even
ladder), and absent below the lower one; between the two nothing is judged, so that no
bar near one line flips a verdict. Along the data's graph: 0.15 and 0.05 of the geodesic diameter
(how this reads the shape harness's data: ``docs/results/shape_check_calibration.json``).
In codes: 0.45 on unit spread, #27's line for an arc's codes closed into a loop (a C of
270° on a circle reads about 0.35, a full circle 1.73), and 0.15 (a C of about 255°).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree, shortest_path
from scipy.spatial.distance import pdist, squareform
from sklearn.neighbors import kneighbors_graph, radius_neighbors_graph

# The neighbour graphs are built on up to GRAPH_POINTS rows, so that they follow the data
# closely; persistence is computed on LANDMARKS of them (ripser's cost grows steeply). On
# 800 rows alone, the edges of a 15-neighbour graph reached across the gap between two
# pendulums' images on some draws and added a spurious loop.
GRAPH_POINTS = 3000
LANDMARKS = 500
LOOP_NEIGHBOURS = 15  # with 10, a gap of thin sampling can cut a ring open
PIECE_NEIGHBOURS = 10  # pieces as init="auto" finds them ...
PIECE_SHARE = 0.1  # ... that hold a tenth of the rows each (fragments of sparse sampling aside)
MIN_COMPARE_ROWS = 50  # distinct rows: a 15-neighbour graph needs a few times 15
LOOP_BARS = {"geodesic": (0.05, 0.15), "euclidean": (0.15, 0.45)}  # absent below, present from
# A loop is present only where it also stands out from the next bar: the neighbour graphs
# of sparse high-dimensional data show an even ladder of short cycles (MNIST, Fashion-
# and binarized MNIST, Frey faces, Caltech silhouettes, digits: bars of 0.13-0.21 of the
# diameter, each at most 1.26 times the next), a ring 10-50 times, a torus's first loop
# 1.6-2.1 times its second. At most MOST_LOOPS count (a torus's two).
STAND_OUT = 1.5
MOST_LOOPS = 2
# Along the data's graph the filtration stops at READ_UP_TO of the diameter, and a bar
# still alive reads as its length so far: a Rips complex up to 0.4 of the diameter costs
# a tenth of the full one (ripser on 500 landmarks: 0.1-0.6 s, not 1.2-1.8 s). A ring's
# bar (0.6-0.65 in full) then reads about 0.4, still 10 times its next; the line of
# presence (0.15) and the 1.5-fold standing out are judged on the capped bars. Codes are
# read to the end (a C's loop is born where its ends meet, late), on CODE_LANDMARKS of
# the landmarks (0.2 s): in two or three coordinates they show a loop as 500 do.
READ_UP_TO = 0.4
CODE_LANDMARKS = 300


def joined_neighbour_graph(X: np.ndarray, neighbours: int):
    """The ``neighbours``-NN graph of X (edge weights: distances) and, where it
    falls into pieces, every pair across pieces no farther apart than its longest edge:
    its pieces are those of the graph joining all points that close, and pieces cut
    apart by thin sampling are joined wherever they are close (a ring of images cut in
    two places stays a loop; one link per cut would make it a line)."""
    graph = kneighbors_graph(X, neighbours, mode="distance", include_self=False)
    n_pieces, labels = connected_components(graph, directed=False)
    if n_pieces == 1:
        return graph  # directed; callers take it as undirected
    near = radius_neighbors_graph(X, graph.data.max(), mode="distance").tocoo()
    across = labels[near.row] != labels[near.col]
    links = coo_matrix((near.data[across], (near.row[across], near.col[across])), shape=graph.shape)
    return graph.maximum(graph.T).maximum(links.tocsr())


def _geodesic(X: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Distances between the ``landmarks`` rows along the ``LOOP_NEIGHBOURS``-NN graph
    of all rows (pieces closer than its longest edge joined, the rest by the minimum
    spanning tree of the landmarks)."""
    graph = joined_neighbour_graph(X, min(LOOP_NEIGHBOURS, len(X) - 1))
    distances = shortest_path(graph, directed=False, indices=landmarks)[:, landmarks]
    if np.isinf(distances).any():
        tree = minimum_spanning_tree(squareform(pdist(X[landmarks])))
        links = tree.maximum(tree.T).toarray()
        distances = np.where(np.isinf(distances), 0.0, distances)
        distances = shortest_path(np.maximum(distances, links), directed=False)
    return distances


def shape_summary(X: np.ndarray, landmarks: np.ndarray, *, geodesic: bool = True) -> dict:
    """Loops and pieces of the rows of X: the H1 bars (at most 3, longest first) of the
    distances between the ``landmarks`` rows, either geodesic (:func:`_geodesic`) as
    fractions of the largest (read up to ``READ_UP_TO``), or Euclidean on unit spread
    (on ``CODE_LANDMARKS`` of them); and the pieces further apart
    than the longest edge of the ``PIECE_NEIGHBOURS``-NN graph that hold
    ``PIECE_SHARE`` of the rows or more."""
    from .topology import _ripser

    X = np.asarray(X, dtype=np.float64)
    metric = "geodesic" if geodesic else "euclidean"
    joined = joined_neighbour_graph(X, min(PIECE_NEIGHBOURS, len(X) - 1))
    _, labels = connected_components(joined, directed=False)
    pieces = max(int((np.bincount(labels) >= PIECE_SHARE * len(X)).sum()), 1)
    if geodesic:
        distances = _geodesic(X, landmarks)
        scale, cap = distances.max(), READ_UP_TO
    else:
        some = landmarks[np.linspace(0, len(landmarks) - 1, CODE_LANDMARKS).astype(int)]
        distances = squareform(pdist(X[np.unique(some)]))
        scale, cap = np.sqrt(X.var(axis=0).sum()), np.inf  # unit spread, over all rows
    if not scale > 0.0:
        return {"metric": metric, "H1": [], "pieces": pieces}
    diagram = _ripser()(distances / scale, distance_matrix=True, maxdim=1, thresh=cap)["dgms"][1]
    bars = np.sort(np.minimum(diagram[:, 1], cap) - diagram[:, 0])[::-1][:3]
    return {"metric": metric, "H1": [round(float(b), 4) for b in bars], "pieces": pieces}


def n_loops(summary: dict) -> int:
    """The loops present in a reading: the largest m ≤ ``MOST_LOOPS`` whose m-th bar
    passes the reading's line of presence and is ``STAND_OUT`` times the next."""
    bars = np.r_[summary["H1"], np.zeros(MOST_LOOPS + 1)]
    line = LOOP_BARS[summary["metric"]][1]
    for m in range(MOST_LOOPS, 0, -1):
        if bars[m - 1] >= line and bars[m - 1] >= STAND_OUT * bars[m]:
            return m
    return 0


def possible_loops(summary: dict) -> int:
    """The bars of a reading that are not clearly no loop (at or above its lower line):
    the most loops the reading allows."""
    return sum(bar >= LOOP_BARS[summary["metric"]][0] for bar in summary["H1"])


def shape_problems(data: dict, codes: dict) -> list[str]:
    """What the codes (or a layout) change about the data's shape (empty: nothing)."""
    problems = []
    if n_loops(codes) > possible_loops(data):
        problems.append("the codes have a loop the data lack")
    if possible_loops(codes) < n_loops(data):
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


def compare(
    X: np.ndarray, embed: Callable[[np.ndarray], np.ndarray], rng: Any
) -> dict[str, Any] | None:
    """The loops and pieces of X (geodesic) and of its embedding (Euclidean), on the
    same rows (:func:`sample_rows`; ``embed(rows)`` gives their codes), and what the
    embedding changes (:func:`shape_problems`); None where X has fewer than
    ``MIN_COMPARE_ROWS`` distinct rows."""
    rows, landmarks = sample_rows(X, rng)
    if len(rows) < MIN_COMPARE_ROWS:
        return None
    data = shape_summary(X[rows], landmarks)
    codes = shape_summary(embed(rows), landmarks, geodesic=False)
    problems = shape_problems(data, codes)
    return {"data": data, "codes": codes, "problems": problems, "rows": len(rows)}


class TopologyWarning(UserWarning):
    """The codes of a fitted model do not keep the loops or the separate pieces of its
    training data (``fit``'s shape check; see ``skvhp.topology.compare_shapes``)."""


def describe(summary: dict) -> str:
    """A reading in a few words: "1 loop, 2 pieces"."""
    loops, pieces = n_loops(summary), summary["pieces"]
    return f"{loops} loop{'s' * (loops != 1)}, {pieces} piece{'s' * (pieces != 1)}"
