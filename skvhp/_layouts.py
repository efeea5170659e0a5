"""Starting layouts for the encoder (``init``): coordinates that keep the data's global
shape, which the encoder is pre-trained to output before the VAE trains.

PCA keeps linear structure only: a 270° arc of images projects onto a nearly closed loop,
and a torus onto a disk. Isomap keeps geodesic distances along a neighbourhood graph, so
an arc unrolls; the spectral layout (Laplacian eigenmaps) keeps neighbourhoods. Both come
from ``sklearn.manifold`` on a subsample; every training point then takes the mean layout
of its nearest subsample points.

Where the neighbourhood graph falls into separate pieces (two different pendulums), there
are no geodesic distances between them: scikit-learn's Isomap would join the pieces by
their shortest edges and lay them out as one, overlapping. Here each piece gets its own
Isomap layout instead, and the pieces are placed side by side along the first axis, a
gap of half the widest piece's width apart, each at its own scale. The "by-piece" layout
does the same with each piece's own PCA or Isomap, whichever matches the piece's
persistence (Isomap can collapse a ring that PCA keeps round, as for one of two
pendulums; PCA bends an arc that Isomap keeps open), each piece at one common size.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial

import numpy as np
from scipy.sparse.csgraph import connected_components
from sklearn.decomposition import PCA
from sklearn.manifold import Isomap, SpectralEmbedding
from sklearn.neighbors import NearestNeighbors, kneighbors_graph, radius_neighbors_graph

LAYOUT_POINTS = 2000  # subsample the layout is computed on
LAYOUT_NEIGHBOURS = 10  # neighbourhood graph of Isomap and of the spectral layout
EXTENSION_NEIGHBOURS = 5  # subsample points averaged for every other point
PERSISTENCE_POINTS = 500  # rows whose persistence compares a layout with the data


def manifold_layout(
    X: np.ndarray, method: str, n_components: int, seed: int, n_points: int = LAYOUT_POINTS
) -> np.ndarray:
    """Whitened ``method`` ("isomap", "spectral" or "by-piece") coordinates of every row
    of X, shape (n, n_components): zero mean, unit variance per coordinate, as the PCA
    start (pieces side by side: one common scale)."""
    X = np.asarray(X, dtype=np.float64)
    pick, neighbours = _subsample(len(X), seed, n_points)
    if method in ("isomap", "by-piece"):
        lay_out = _isomap if method == "isomap" else _closest_of_pca_and_isomap
        lay_out = partial(lay_out, n_components=n_components, neighbours=neighbours)
        coords_sub, n_pieces = _by_piece(X[pick], n_components, neighbours, lay_out)
        # Pieces side by side keep their shapes under one common scale.
        return _extend_and_whiten(X, pick, coords_sub, isotropic=n_pieces > 1)
    layout = SpectralEmbedding(
        n_components=n_components,
        affinity="nearest_neighbors",
        n_neighbors=neighbours,
        random_state=seed,
    )
    with warnings.catch_warnings():
        # A disconnected graph (separate pieces) is expected: the spectral layout keeps
        # them apart; not an error here.
        warnings.simplefilter("ignore", UserWarning)
        coords_sub = layout.fit_transform(X[pick])
    return _extend_and_whiten(X, pick, coords_sub)


def _subsample(n: int, seed: int, n_points: int) -> tuple[np.ndarray, int]:
    """The sorted rows a layout is computed on, and its neighbourhood size."""
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(n, size=min(n_points, n), replace=False))
    return pick, min(LAYOUT_NEIGHBOURS, len(pick) - 1)


def _extend_and_whiten(
    X: np.ndarray, pick: np.ndarray, coords_sub: np.ndarray, isotropic: bool = False
) -> np.ndarray:
    """Every row's layout: its own on the subsample, else the mean of its nearest
    subsample points'; then zero mean and unit variance per coordinate (``isotropic``:
    unit mean variance, one scale for all coordinates)."""
    index = NearestNeighbors(n_neighbors=min(EXTENSION_NEIGHBOURS, len(pick))).fit(X[pick])
    _, nearest = index.kneighbors(X)
    coords = coords_sub[nearest].mean(axis=1)
    coords[pick] = coords_sub  # subsample points keep their own
    coords = coords - coords.mean(0)
    scale = np.sqrt(coords.var(0).mean()) if isotropic else coords.std(0)
    return coords / np.maximum(scale, 1e-12)


def _isomap(points: np.ndarray, n_components: int, neighbours: int) -> np.ndarray:
    # The dense eigensolver: ARPACK would start from the global random state.
    k = min(neighbours, len(points) - 1)
    layout = Isomap(n_neighbors=k, n_components=n_components, eigen_solver="dense")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return layout.fit_transform(points)


def _closest_of_pca_and_isomap(
    points: np.ndarray, n_components: int, neighbours: int
) -> np.ndarray:
    """The PCA or the Isomap layout of ``points``, whichever persistence is nearer the
    points' own (as :func:`choose_layout` measures it; PCA wins ties), centred and at
    unit root-mean-square radius: the pieces of a "by-piece" layout get one size, since
    their sizes relative to each other carry no topology, and a small piece's loop would
    otherwise start small."""
    pca = PCA(n_components, svd_solver="full").fit_transform(points)
    isomap = _isomap(points, n_components, neighbours)
    rows = _subsample(len(points), 0, PERSISTENCE_POINTS)[0]
    target = _bars(points, rows)
    closer_to_pca = _bars_distance(isomap, target, rows) >= _bars_distance(pca, target, rows)
    layout = pca if closer_to_pca else isomap - isomap.mean(0)
    return layout / max(np.sqrt((layout**2).sum(1).mean()), 1e-12)


def _pieces(X: np.ndarray, neighbours: int, n_components: int) -> list[np.ndarray]:
    """The rows of each connected piece of the k-NN graph of X large enough for a layout
    of its own (stray points are in none), the largest first."""
    graph = kneighbors_graph(X, neighbours, include_self=False)
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    large = np.flatnonzero(sizes > max(2 * neighbours, n_components + 1))
    return [np.flatnonzero(labels == piece) for piece in large[np.argsort(-sizes[large])]]


def _n_separate_pieces(X: np.ndarray, neighbours: int, n_components: int) -> int:
    """How many pieces X falls into that are further apart than any point is from its
    ``neighbours``-th nearest neighbour: the large connected pieces of the graph joining
    all points closer than the k-NN graph's longest edge. The k-NN graph alone also
    splits where sampling is thin (a ring of pendulum images cut in two on some seeds,
    its pieces 0.3–0.4 apart while k-NN edges reach 0.6–0.7); two different pendulums
    are 3.1 apart with edges of at most 1.0."""
    distances, _ = NearestNeighbors(n_neighbors=neighbours + 1).fit(X).kneighbors(X)
    graph = radius_neighbors_graph(X, distances[:, -1].max())
    _, labels = connected_components(graph, directed=False)
    return int((np.bincount(labels) > max(2 * neighbours, n_components + 1)).sum())


def _by_piece(
    X: np.ndarray, n_components: int, neighbours: int, lay_out: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, int]:
    """``lay_out`` of each connected piece of the k-NN graph of X, the pieces side by
    side along the first axis (the largest on the left, a gap of half the widest piece's
    width between them), stray points at the mean of their nearest placed points; with
    one piece, ``lay_out(X)``. Returns the layout and the number of pieces."""
    pieces = _pieces(X, neighbours, n_components)
    if len(pieces) <= 1:
        return lay_out(X), 1
    coords = np.zeros((len(X), n_components))
    placed = np.zeros(len(X), dtype=bool)
    layouts = [lay_out(X[members]) for members in pieces]
    layouts = [layout - layout.mean(0) for layout in layouts]
    widths = [np.ptp(layout[:, 0]) for layout in layouts]
    gap, left = 0.5 * max(widths), 0.0
    for members, layout, width in zip(pieces, layouts, widths, strict=True):
        layout[:, 0] += left + width / 2
        coords[members], placed[members] = layout, True
        left += width + gap
    strays = np.flatnonzero(~placed)
    if len(strays):
        index = NearestNeighbors(n_neighbors=min(EXTENSION_NEIGHBOURS, placed.sum()))
        _, nearest = index.fit(X[placed]).kneighbors(X[strays])
        coords[strays] = coords[placed][nearest].mean(axis=1)
    return coords, len(pieces)


def _bars(points: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The two longest H0 and H1 bars of ``points[rows]`` (unit spread, via ripser)."""
    from .topology import longest_bars

    with warnings.catch_warnings():
        # ripser warns when points have more coordinates than there are points (images).
        warnings.filterwarnings("ignore", message=".*more columns than rows")
        found = longest_bars(np.asarray(points)[rows], n_points=len(rows))
    return np.r_[found["H0"], found["H1"]]


def _bars_distance(layout: np.ndarray, target: np.ndarray, rows: np.ndarray) -> float:
    return float(np.abs(_bars(layout, rows) - target).sum())


def choose_layout(
    X: np.ndarray, pca: np.ndarray, n_components: int, seed: int, n_points: int = PERSISTENCE_POINTS
) -> tuple[str, np.ndarray, dict[str, float]]:
    """``init="auto"``: the "by-piece" start where the data fall into separate pieces
    (:func:`_n_separate_pieces`), else of the PCA start and the Isomap start the one
    whose persistence is nearest the data's own.

    Separate pieces are laid out apart whatever a joint layout's persistence: the bars
    would compare the pieces' sizes relative to each other, which carry no topology
    (each piece takes its own PCA or Isomap by the same comparison). For one piece, the
    longest two H0 and H1 bars (on unit spread, Vietoris-Rips, via ripser) of the same
    ``n_points`` rows are computed in data space and in each layout; the distance is the
    sum of absolute differences, and PCA wins ties. Returns the chosen method, its
    coordinates (``pca`` for "pca", else those of ``manifold_layout``) and the distances
    (empty for "by-piece").
    """
    pick, neighbours = _subsample(len(X), seed, LAYOUT_POINTS)
    if _n_separate_pieces(np.asarray(X, dtype=np.float64)[pick], neighbours, n_components) > 1:
        return "by-piece", manifold_layout(X, "by-piece", n_components, seed), {}
    rows = _subsample(len(X), seed, n_points)[0]
    target = _bars(X, rows)
    layouts = {"pca": pca, "isomap": manifold_layout(X, "isomap", n_components, seed)}
    distances = {name: _bars_distance(c, target, rows) for name, c in layouts.items()}
    best = min(distances, key=distances.get)  # dicts keep order: PCA wins ties
    return best, layouts[best], distances
