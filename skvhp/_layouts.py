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
gap of half the widest piece's width apart, each at its own scale.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.sparse.csgraph import connected_components
from sklearn.manifold import Isomap, SpectralEmbedding
from sklearn.neighbors import NearestNeighbors, kneighbors_graph

LAYOUT_POINTS = 2000  # subsample the layout is computed on
LAYOUT_NEIGHBOURS = 10  # neighbourhood graph of Isomap and of the spectral layout
EXTENSION_NEIGHBOURS = 5  # subsample points averaged for every other point


def manifold_layout(
    X: np.ndarray, method: str, n_components: int, seed: int, n_points: int = LAYOUT_POINTS
) -> np.ndarray:
    """Whitened ``method`` ("isomap" or "spectral") coordinates of every row of X,
    shape (n, n_components): zero mean, unit variance per coordinate, as the PCA start."""
    X = np.asarray(X, dtype=np.float64)
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(X), size=min(n_points, len(X)), replace=False))
    neighbours = min(LAYOUT_NEIGHBOURS, len(pick) - 1)
    if method == "isomap":
        coords_sub, n_pieces = _isomap_by_piece(X[pick], n_components, neighbours)
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


def _isomap_by_piece(X: np.ndarray, n_components: int, neighbours: int) -> tuple[np.ndarray, int]:
    """Isomap of each connected piece of the k-NN graph of X, the pieces side by side;
    returns the layout and the number of pieces laid out on their own."""

    def isomap(points: np.ndarray) -> np.ndarray:
        # The dense eigensolver: ARPACK would start from the global random state.
        k = min(neighbours, len(points) - 1)
        layout = Isomap(n_neighbors=k, n_components=n_components, eigen_solver="dense")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return layout.fit_transform(points)

    graph = kneighbors_graph(X, neighbours, include_self=False)
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    # Pieces too small for a layout of their own (stray points) join the large ones.
    large = np.flatnonzero(sizes > max(2 * neighbours, n_components + 1))
    if len(large) <= 1:
        return isomap(X), 1
    coords = np.zeros((len(X), n_components))
    placed = np.zeros(len(X), dtype=bool)
    pieces = []
    for piece in large[np.argsort(-sizes[large])]:  # the largest first, left to right
        members = np.flatnonzero(labels == piece)
        layout = isomap(X[members])
        pieces.append((members, layout - layout.mean(0)))
    widths = [np.ptp(layout[:, 0]) for _, layout in pieces]
    gap, left = 0.5 * max(widths), 0.0
    for (members, layout), width in zip(pieces, widths, strict=True):
        layout[:, 0] += left + width / 2
        coords[members], placed[members] = layout, True
        left += width + gap
    strays = np.flatnonzero(~placed)
    if len(strays):  # the mean layout of their nearest placed points
        index = NearestNeighbors(n_neighbors=min(EXTENSION_NEIGHBOURS, placed.sum()))
        _, nearest = index.fit(X[placed]).kneighbors(X[strays])
        coords[strays] = coords[placed][nearest].mean(axis=1)
    return coords, len(large)


def choose_layout(
    X: np.ndarray, pca: np.ndarray, n_components: int, seed: int, n_points: int = 500
) -> tuple[str, np.ndarray, dict[str, float]]:
    """``init="auto"``: of the PCA start and the Isomap start, the one whose persistence
    is nearest the data's own.

    The longest two H0 and H1 bars (on unit spread, Vietoris-Rips, via ripser) of the
    same ``n_points`` rows are computed in data space and in each layout; the distance is
    the sum of absolute differences, and PCA wins ties. Returns the chosen method, its
    coordinates (those of ``manifold_layout`` for "isomap", ``pca`` for "pca") and the
    distances.
    """
    from .topology import longest_bars

    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(X), size=min(n_points, len(X)), replace=False))

    def bars(points: np.ndarray) -> np.ndarray:
        found = longest_bars(np.asarray(points)[pick], n_points=len(pick))
        return np.r_[found["H0"], found["H1"]]

    with warnings.catch_warnings():
        # ripser warns when points have more coordinates than there are points (images).
        warnings.filterwarnings("ignore", message=".*more columns than rows")
        target = bars(X)
        layouts = {"pca": pca, "isomap": manifold_layout(X, "isomap", n_components, seed)}
        distances = {name: float(np.abs(bars(c) - target).sum()) for name, c in layouts.items()}
    best = min(distances, key=distances.get)  # dicts keep order: PCA wins ties
    return best, layouts[best], distances
