"""The start (``VHPAutoencoder(init=...)``): the coordinates the encoder is pre-trained to
output before the VAE trains, computed here on numpy before the data go to the device.

:func:`start_coordinates` is the one entry: a name ("pca", "isomap", "spectral",
"by-piece", "circular", "auto"), an array of coordinates, one row per training row, or a
callable ``init(X, n_components, random_state) -> coordinates`` (as ``KMeans(init=...)``
takes each). The pre-training itself is in :mod:`skvhp._torch.pretrain`.

PCA keeps linear structure only: its leading pair of principal coordinates already holds
a pendulum's ring (the image set is rotation invariant, so its covariance is circulant in
the angle and the leading pair is (cos θ, sin θ)), but a 270° arc of images projects onto
a nearly closed loop, and a torus onto a disk. Isomap keeps geodesic distances along a
neighbourhood graph, so an arc unrolls; the spectral layout (Laplacian eigenmaps) keeps
neighbourhoods. Both come from ``sklearn.manifold`` on a subsample; every training point
then takes the mean layout of its nearest subsample points.


Where the neighbourhood graph falls into separate pieces (two different pendulums), there
are no geodesic distances between them: scikit-learn's Isomap would join the pieces by
their shortest edges and lay them out as one, overlapping. Here each piece gets its own
Isomap layout instead, and the pieces are placed side by side along the first axis, a
gap of half the widest piece's width apart, each at its own scale. The "by-piece" layout
does the same with each piece's own PCA or Isomap, whichever matches the piece's
persistence (Isomap can collapse a ring that PCA keeps round, as for one of two
pendulums; PCA bends an arc that Isomap keeps open), each piece at one common size.

Neither PCA nor Isomap can lay out a torus in three coordinates: PCA flattens it, and
Isomap's few leading eigenvectors keep one of its loops at best. The "circular" layout
reads the loops off the data instead: circular coordinates (de Silva, Morozov and
Vejdemo-Johansson, 2011) of the most persistent H1 classes of the neighbourhood graph's
geodesic distances, one angle per loop, embedded as a circle (one loop) or a torus (two).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree, shortest_path
from scipy.sparse.linalg import lsqr
from scipy.spatial.distance import pdist, squareform
from sklearn.decomposition import PCA
from sklearn.manifold import Isomap, SpectralEmbedding
from sklearn.neighbors import NearestNeighbors, kneighbors_graph

from ._shape_check import (
    MIN_COMPARE_ROWS,
    joined_neighbour_graph,
    n_loops,
    possible_loops,
    sample_rows,
    shape_problems,
    shape_summary,
)

LAYOUT_POINTS = 2000  # subsample the layout is computed on
LAYOUT_NEIGHBOURS = 10  # neighbourhood graph of Isomap and of the spectral layout
# A layout coordinate with under a tenth of the widest one's spread is noise about a
# lower-dimensional layout, and is divided by that tenth rather than by its own spread,
# so it stays below unit variance: Isomap lays a 270° arc of images out as a line whose
# second coordinate has 1/1000 of the first's spread, and whitening it to unit variance
# made a band that training bent shut on 4 of 21 tuning arcs (shape harness). The 2-D
# Isomap layouts of MNIST and Spheres have ratios of 0.89 and 0.95: unchanged.
NOISE_SHARE = 0.1
EXTENSION_NEIGHBOURS = 5  # subsample points averaged for every other point
CIRCULAR_LANDMARKS = 600  # geodesic landmarks whose cocycles give circular coordinates
CIRCULAR_SCALE = 0.8  # edges up to birth + 0.8 lifetime smooth the circular coordinates
SMOOTHING_POINTS = 15000  # rows the circular start is smoothed and spread on
SMOOTHING_STEPS = 4  # averaging steps along their neighbour graph
COCYCLE_PRIME = 47  # coefficients of the cohomology: any prime a loop's winding stays below
# A loop's circular coordinate goes round: over the landmarks, the mean of exp(iθ) is
# short. A short-lived H1 class of noise gives a nearly constant θ (the mean near 1).
LOOP_WINDING = 0.5


NAMES = ("random", "pca", "isomap", "spectral", "by-piece", "circular", "auto")


def check_init(init: Any, n_components: int) -> None:
    """Raise a ``ValueError`` naming ``init`` if it is not a start's name, a 2-d array of
    ``n_components`` columns or a callable."""
    if callable(init):
        return
    if isinstance(init, str):
        if init not in NAMES:
            raise ValueError(
                f"init must be one of {NAMES}, an array of coordinates or a callable, got {init!r}."
            )
        if init == "circular" and n_components < 2:
            raise ValueError(
                f"init='circular' lays the data out on a circle or a torus, which needs "
                f"n_components >= 2; got n_components={n_components}."
            )
        return
    if not isinstance(init, np.ndarray):
        raise ValueError(
            f"init must be one of {NAMES}, an array of coordinates or a callable, got a "
            f"{type(init).__name__}."
        )
    _check_coordinates(init, None, n_components, "init")


def is_named(init: Any, *names: str) -> bool:
    """Whether ``init`` is one of the named starts (an array never is)."""
    return isinstance(init, str) and init in names


def _check_coordinates(coords: Any, n_rows: int | None, n_components: int, what: str) -> None:
    shape = f"({n_rows if n_rows is not None else 'n_samples'}, {n_components})"
    array = np.asarray(coords)
    if (
        array.ndim != 2
        or array.shape[1] != n_components
        or (n_rows is not None and array.shape[0] != n_rows)
    ):
        raise ValueError(f"{what} must have shape {shape}, got {array.shape}.")
    if not np.issubdtype(array.dtype, np.number) or not np.all(np.isfinite(array)):
        raise ValueError(f"{what} must hold finite numbers.")


def start_coordinates(
    X: np.ndarray, init: Any, n_components: int, seed: int, rows: np.ndarray | None = None
) -> tuple[str, np.ndarray]:
    """The start of ``init`` for the training rows X: (its name, coordinates of shape
    (len(X), n_components)). ``rows`` are X's rows in the data given to ``fit`` (where
    early stopping held some out), which an array of coordinates is indexed by; the
    name is "array" or "callable" for those."""
    if isinstance(init, np.ndarray):
        coords = init if rows is None else init[rows]
        _check_coordinates(coords, len(X), n_components, "init")
        return "array", np.asarray(coords, dtype=np.float64)
    if callable(init):
        coords = init(X, n_components, seed)
        _check_coordinates(coords, len(X), n_components, "the coordinates init returned")
        return "callable", np.asarray(coords, dtype=np.float64)
    if init == "pca":
        return "pca", pca_coordinates(X, n_components)
    need = min_layout_samples(n_components)
    if len(X) < need:
        raise ValueError(
            f"init={init!r} needs at least {need} training samples for "
            f"n_components={n_components} (got {len(X)}); use init='pca' or 'random' on "
            "so few."
        )
    if init == "auto":
        name, coords, _ = choose_layout(X, pca_coordinates(X, n_components), n_components, seed)
        return name, coords
    return init, manifold_layout(X, init, n_components, seed)


def pca_coordinates(X: np.ndarray, n_components: int) -> np.ndarray:
    """Whitened principal coordinates of the rows of X, shape (n, n_components), in
    float64.

    The principal axes are the leading eigenvectors of the covariance (``eigh``: exact and
    free of random draws), each signed so that its largest loading is positive, and the
    coordinates are scaled to unit variance. Coordinates beyond the data's ``n_features``
    (a latent space larger than the data) are 0: those units start unused.
    """
    n, d = X.shape
    if n_components > d:
        return np.hstack([pca_coordinates(X, d), np.zeros((n, n_components - d))])
    X64 = np.asarray(X, dtype=np.float64)
    centred = X64 - X64.mean(0)
    cov = centred.T @ centred / max(n - 1, 1)
    _, vectors = np.linalg.eigh(cov)  # ascending eigenvalues
    axes = vectors[:, -n_components:][:, ::-1]  # (d, n_components), leading first
    signs = np.sign(axes[np.abs(axes).argmax(0), np.arange(n_components)])
    coords = centred @ (axes * signs)
    # A constant direction (or a single row, whose coordinates are 0) stays at 0.
    std = np.maximum(coords.std(0, ddof=1 if n > 1 else 0), 1e-12)
    return coords / std


def min_layout_samples(n_components: int) -> int:
    """The fewest rows a neighbour-graph layout of ``n_components`` coordinates takes: the
    spectral layout's eigensolver needs more rows than coordinates + 1."""
    return n_components + 2


def manifold_layout(
    X: np.ndarray, method: str, n_components: int, seed: int, n_points: int = LAYOUT_POINTS
) -> np.ndarray:
    """Whitened ``method`` ("isomap", "spectral", "by-piece" or "circular") coordinates
    of every row of X, shape (n, n_components): zero mean, unit variance per coordinate,
    as the PCA start (pieces side by side, and circles and tori: one common scale)."""
    X = np.asarray(X, dtype=np.float64)
    pick, neighbours = _subsample(len(X), seed, n_points)
    if method == "circular":
        coords = _circular_start(X, pick, n_components, neighbours, seed, read_shape(X, seed))
        if coords is None:
            raise ValueError(
                "init='circular' found no loop in the data (no H1 class in the "
                "persistence of its neighbour graph); choose another init, such as 'auto'."
            )
        return coords
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


def _circular_start(
    X: np.ndarray,
    pick: np.ndarray,
    n_components: int,
    neighbours: int,
    seed: int,
    reading: tuple | None,
) -> np.ndarray | None:
    """The whitened "circular" start of every row of X from the subsample ``pick``, with
    as many loops as :func:`circular_loops` reads in X's shape (``reading``, from
    :func:`read_shape`), or None where the data have no loop (:func:`circular_layout`)."""
    loops = circular_loops(None if reading is None else reading[2], n_components)
    landmarks, angles = circular_layout(X[pick], loops, neighbours)
    if angles.shape[1] == 0:
        return None
    # The angles of up to SMOOTHING_POINTS rows (the subsample among them), smoothed
    # along their neighbour graph and spread evenly there; every other row's then by
    # its nearest of those rows.
    rows = np.union1d(pick, _subsample(len(X), seed, SMOOTHING_POINTS)[0])
    angles = _extend(X[pick], landmarks, angles, _circular_mean)
    angles = _extend(X[rows], np.searchsorted(rows, pick), angles, _circular_mean)
    angles = spread_evenly(smooth_on_graph(X[rows], angles, neighbours, SMOOTHING_STEPS))
    if len(rows) < len(X):
        angles = _extend(X, rows, angles, _circular_mean)
    return _whiten(torus_embedding(angles, n_components), isotropic=True)


def is_torus_start(layout: str | None, coords: Any) -> bool:
    """Whether a start (coordinates: an array or a tensor) laid out two loops: the
    "circular" start on a torus, whose third coordinate (sin φ₂,
    :func:`torus_embedding`) varies; on a circle it is 0."""
    if layout != "circular" or coords.shape[1] < 3:
        return False
    return float(coords[:, 2].max() - coords[:, 2].min()) > 0.0


def smooth_on_graph(X: np.ndarray, angles: np.ndarray, neighbours: int, steps: int) -> np.ndarray:
    """Angles (n, d) averaged ``steps`` times over each row and its ``neighbours`` - 1
    nearest rows of X (circular means): circular coordinates are read off landmarks
    and carried to the other rows by their nearest subsample points, which leaves
    neighbouring images with jittered angles; averaging along the data's own neighbour
    graph removes the jitter and keeps the loops (on the double pendulum, 3 seeds, it
    cuts the error with which the true angles can be read back from the start by 40 %:
    the circular-start study, ``git show 9241cf1:benchmarks/circular_start.py``)."""
    k = min(neighbours, len(X))
    _, near = NearestNeighbors(n_neighbors=k).fit(X).kneighbors(X)  # self included
    for _ in range(steps):
        angles = _circular_mean(angles[near])
    return angles


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
    return _whiten(_extend(X, pick, coords_sub, lambda near: near.mean(axis=1)), isotropic)


def _extend(X: np.ndarray, pick: np.ndarray, values_sub: np.ndarray, average) -> np.ndarray:
    """Every row's value: its own on the subsample, else ``average`` of its nearest
    subsample points' (an array of shape (n, neighbours, ...))."""
    index = NearestNeighbors(n_neighbors=min(EXTENSION_NEIGHBOURS, len(pick))).fit(X[pick])
    _, nearest = index.kneighbors(X)
    values = average(values_sub[nearest])
    values[pick] = values_sub  # subsample points keep their own
    return values


def _whiten(coords: np.ndarray, isotropic: bool) -> np.ndarray:
    """Zero mean, and unit variance per coordinate, except that a coordinate with less
    than ``NOISE_SHARE`` of the widest one's spread is divided by that share of it (it
    stays flat); with ``isotropic``, unit mean variance, one scale for all."""
    coords = coords - coords.mean(0)
    if isotropic:
        return coords / max(np.sqrt(coords.var(0).mean()), 1e-12)
    spread = coords.std(0)
    return coords / np.maximum(spread, max(NOISE_SHARE * spread.max(), 1e-12))


def _circular_mean(angles: np.ndarray) -> np.ndarray:
    """Mean direction over axis 1: averaging angles, not points, keeps them on the
    circle (or torus) instead of pulling them inside."""
    return np.mod(np.angle(np.exp(1j * angles).mean(axis=1)), 2.0 * np.pi)


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
    """The PCA or the Isomap layout of ``points``, whichever keeps the points' shape
    (:func:`closest_in_shape`), centred and at unit root-mean-square
    radius: the pieces of a "by-piece" layout get one size, since their sizes relative
    to each other carry no topology, and a small piece's loop would otherwise start
    small."""
    layouts = {
        "pca": lambda: PCA(n_components, svd_solver="full").fit_transform(points),
        "isomap": lambda: _isomap(points, n_components, neighbours),
    }
    reading = read_shape(points, 0)
    if reading is None:  # too few rows to read a shape: PCA
        layout = layouts["pca"]()
    else:
        layout = closest_in_shape(points, reading, layouts)[1]
    layout = layout - layout.mean(0)
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
    ``neighbours``-th nearest neighbour: the large connected pieces of
    :func:`joined_neighbour_graph`. The k-NN graph alone also splits where sampling is
    thin (a ring of pendulum images cut in two on some seeds, its pieces 0.3–0.4 apart
    while k-NN edges reach 0.6–0.7); two different pendulums are 3.1 apart with edges of
    at most 1.0."""
    _, labels = connected_components(joined_neighbour_graph(X, neighbours), directed=False)
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


def geodesic_distances(X: np.ndarray, neighbours: int) -> np.ndarray:
    """Shortest-path distances along :func:`joined_neighbour_graph`; pieces still
    apart are joined by the minimum spanning tree of all pairwise distances, as
    scikit-learn's Isomap joins them."""
    graph = joined_neighbour_graph(X, neighbours)
    if connected_components(graph, directed=False)[0] > 1:
        tree = minimum_spanning_tree(squareform(pdist(X)))
        graph = graph.maximum(tree.maximum(tree.T))
    return shortest_path(graph, directed=False)


def circular_coordinates(
    distances: np.ndarray, n_loops: int, prime: int = COCYCLE_PRIME, scale: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Circular coordinates (de Silva, Morozov and Vejdemo-Johansson, 2011) of the
    ``n_loops`` most persistent H1 classes of the Vietoris-Rips filtration of a distance
    matrix: one angle in [0, 2π) per point and loop, shape (n, n_loops), and the
    lifetimes of all H1 classes, longest first.

    Per class, its cocycle (ripser, coefficients mod ``prime``) is lifted to integers in
    (-prime/2, prime/2] and, on the edges shorter than birth + ``scale`` × lifetime,
    the function f on the points whose coboundary is closest to it in least squares
    (f(j) − f(i) ≈ α(i, j)) is found; the angle is 2π (f mod 1). Along the loop f winds
    once, so the angle goes once round; its smoothness comes from the least squares.
    """
    from .topology import _ripser

    n = len(distances)
    found = _ripser()(distances, distance_matrix=True, coeff=prime, do_cocycles=True, maxdim=1)
    diagram, cocycles = found["dgms"][1], found["cocycles"][1]
    order = np.argsort(diagram[:, 0] - diagram[:, 1])  # longest first
    angles = np.zeros((n, min(n_loops, len(order))))
    for column, index in enumerate(order[:n_loops]):
        birth, death = diagram[index]
        rows, cols, values = np.asarray(cocycles[index], dtype=np.int64).T
        values = np.where(values > (prime - 1) / 2, values - prime, values).astype(np.float64)
        alpha = np.zeros((n, n))
        alpha[rows, cols] = values
        alpha -= alpha.T  # antisymmetric: an oriented 1-cochain
        i, j = np.nonzero(np.triu(distances < birth + scale * (death - birth), 1))
        edges = np.arange(len(i))
        coboundary = coo_matrix(
            (np.r_[-np.ones(len(i)), np.ones(len(i))], (np.r_[edges, edges], np.r_[i, j])),
            shape=(len(i), n),
        ).tocsr()
        f = lsqr(coboundary, alpha[i, j])[0]
        angles[:, column] = 2.0 * np.pi * np.mod(f, 1.0)
    return angles, diagram[order, 1] - diagram[order, 0]


def torus_embedding(angles: np.ndarray, n_components: int) -> np.ndarray:
    """Angles as points: one angle on the unit circle, two on the torus of radii 2 and 1
    in three coordinates, ((2 + cos φ₂) cos φ₁, (2 + cos φ₂) sin φ₁, sin φ₂); any further
    coordinates 0."""
    if angles.shape[1] == 1:
        shape = np.c_[np.cos(angles[:, 0]), np.sin(angles[:, 0])]
    else:
        u, v = angles[:, 0], angles[:, 1]
        shape = np.c_[(2 + np.cos(v)) * np.cos(u), (2 + np.cos(v)) * np.sin(u), np.sin(v)]
    return np.pad(shape, ((0, 0), (0, n_components - shape.shape[1])))


def circular_loops(data: dict | None, n_components: int) -> int:
    """How many loops the "circular" start lays out, given the data's shape reading
    (:func:`~skvhp._shape_check.shape_summary` along the neighbour graph; None where
    there are too few rows to read): two (a torus) where ``n_components`` ≥ 3 and the
    reading does not rule a second loop out (its second bar at or above the lower line,
    0.05 of the geodesic diameter), else one (a circle); :func:`circular_layout` then
    drops the second where its coordinate does not go round (:func:`winds`).

    A torus start on data with one loop adds a loop the data lack, which the check after
    the fit and the choice of ``init="auto"`` count as a fault; a circle start on a torus
    drops a loop, which training then cannot add. The line is the shape check's own,
    which reads the shape harness's renderers alike: second bars of 0.09–0.23 on every
    torus variant with a loop read, at most 0.034 on every ring
    (``docs/results/shape_check_calibration.json``). The ratio of the cocycles' second
    bar to the third that decided this before sat within 3 % of its threshold on a
    double pendulum, so that the BLAS thread count turned the torus into a circle."""
    if data is None:
        return 1
    return int(np.clip(possible_loops(data), 1, min(2, n_components - 1)))


def circular_layout(
    X: np.ndarray,
    n_loops: int,
    neighbours: int,
    n_landmarks: int = CIRCULAR_LANDMARKS,
) -> tuple[np.ndarray, np.ndarray]:
    """The angles of the "circular" start on X's rows: the rows of ``n_landmarks``
    landmarks (greedy farthest points under the geodesic distances of the
    ``neighbours``-NN graph) and their circular coordinates of the ``n_loops`` most
    persistent loops whose angles go round (:func:`winds`; the first is kept, and a
    second is sought among the next two classes), shape (n_landmarks, n_loops), or
    fewer columns where fewer classes wind (none: the data have no H1 class at all).
    The geodesic distances matter:
    between images that share no pixels, pixel distances saturate, and the Rips
    filtration of a double pendulum's images shows no loop above its noise, while the
    geodesic one shows both (bars 0.51–0.56 and 0.31–0.33 of the median distance, the
    next 0.19–0.21)."""
    distances = geodesic_distances(X, neighbours)
    landmarks = _farthest_points(distances, min(n_landmarks, len(X)))
    distances = distances[np.ix_(landmarks, landmarks)]
    # One class more than asked for: on a few thousand images the noise's classes can
    # outlive the second loop's (a double pendulum's on 1500 rows: third of the classes).
    more = n_loops + (n_loops > 1)
    angles, _ = circular_coordinates(distances, more, scale=CIRCULAR_SCALE)
    if angles.shape[1] == 0:
        return landmarks, angles
    further = [column for column in range(1, angles.shape[1]) if winds(angles[:, column])]
    return landmarks, angles[:, [0, *further][:n_loops]]


def winds(angles: np.ndarray) -> bool:
    """Whether circular coordinates go round the circle rather than stay near one
    angle: the mean of exp(iθ) is shorter than ``LOOP_WINDING``. A second loop that
    the shape reading does not rule out can still be noise, whose cocycle's
    coordinate barely moves; spread evenly, it would become a loop of the start. On
    the 600 landmarks of 2000 rows: the loops of a double pendulum and of the shape
    harness's blurred, thin and noisy tori 0.02–0.08; the second class of pendulum
    rings (noise of 0.07 and 0.2 on 120 to 3000 images, the harness's noisy ring)
    0.84–0.99."""
    return bool(np.abs(np.exp(1j * angles).mean()) < LOOP_WINDING)


def spread_evenly(angles: np.ndarray, window: float = 0.1) -> np.ndarray:
    """Angles of n points (shape (n, 1) or (n, 2)) moved so that the points cover the
    circle or torus evenly, keeping their order: the first angle by its rank, the
    second by its rank among the ``window`` fraction of points nearest in the first
    (the Knothe-Rosenblatt rearrangement, conditional ranks counted from 0). Applied to
    points drawn as the data, their codes then cover the circle or torus as evenly as
    the data cover their manifold: circular coordinates alone bunch them (2000 double
    pendulum images fell 5 to 86 into the cells of an 8 × 8 grid, 31 on average), and
    the gaps shorten the torus's H2 bar. A limitation: where a dense band runs
    diagonally through the chart, the window's conditional ranks are biased and the
    spread stays uneven (on 3000 double pendulum images; on 15,000 it comes out even)."""
    n = len(angles)
    spread = np.empty_like(angles, dtype=np.float64)
    first = np.argsort(np.argsort(angles[:, 0]))
    spread[:, 0] = 2.0 * np.pi * first / n
    if angles.shape[1] > 1:
        half = max(int(window * n) // 2, 1)
        by_first = np.argsort(first)
        window_offsets = np.arange(-half, half + 1)
        for block in np.array_split(np.arange(n), max(n // 2000, 1)):  # bounded memory
            near = by_first[(first[block, None] + window_offsets) % n]
            below = (angles[near, 1] < angles[block, 1:2]).mean(axis=1)
            spread[block, 1] = 2.0 * np.pi * below
    return spread


def _farthest_points(distances: np.ndarray, n: int) -> np.ndarray:
    """Greedy farthest-point sample of n rows, starting from row 0: landmarks that cover
    the data evenly."""
    chosen = np.zeros(n, dtype=np.int64)
    nearest = distances[0].copy()
    for k in range(1, n):
        chosen[k] = int(np.argmax(nearest))
        nearest = np.minimum(nearest, distances[chosen[k]])
    return chosen


def read_shape(X: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, dict] | None:
    """The rows and landmarks :mod:`skvhp._shape_check` reads X's shape on, and its
    reading (loops along the neighbour graph, pieces); None with fewer than
    ``MIN_COMPARE_ROWS`` distinct rows."""
    rows, landmarks = sample_rows(X, np.random.default_rng(seed))
    if len(rows) < MIN_COMPARE_ROWS:
        return None
    return rows, landmarks, shape_summary(X[rows], landmarks)


def closest_in_shape(
    X: np.ndarray,
    reading: tuple,
    layouts: dict[str, Callable[[], np.ndarray]],
    fallbacks: dict[str, Callable[[], np.ndarray]] | None = None,
) -> tuple[str, np.ndarray, dict[str, tuple[int, float]]]:
    """Of the ``layouts`` (name → a function computing the layout of every row of X),
    the one that keeps the data's shape (``reading``, from :func:`read_shape`): fewest
    problems (:func:`~skvhp._shape_check.shape_problems`: a loop the data lack, one they
    have missing, pieces split or merged); then, where the data have a loop, the first
    (the rest are not computed once one keeps the shape), else the most open (the
    shortest longest H1 bar). Only where every one changes the shape are the
    ``fallbacks`` tried too. The layouts are read in their Euclidean metric, the data
    along their graph. Returns the name, its layout and each one tried's (problems,
    position or longest bar)."""
    rows, landmarks, data = reading
    loops = n_loops(data)
    scores: dict[str, tuple[int, float]] = {}
    best: tuple[str, np.ndarray] | None = None
    for position, (name, lay_out) in enumerate([*layouts.items(), *(fallbacks or {}).items()]):
        if best and scores[best[0]][0] == 0 and (loops or position >= len(layouts)):
            break
        coords = lay_out()
        layout = shape_summary(coords[rows], landmarks, geodesic=False)
        tie = position if loops else max(layout["H1"], default=0.0)
        scores[name] = (len(shape_problems(data, layout)), tie)
        if best is None or scores[name] < scores[best[0]]:
            best = (name, coords)
    return best[0], best[1], scores


def choose_layout(
    X: np.ndarray, pca: np.ndarray, n_components: int, seed: int
) -> tuple[str, np.ndarray, dict[str, tuple[int, float]]]:
    """``init="auto"``: the "by-piece" start where the data fall into separate pieces
    (:func:`_n_separate_pieces`), else of the PCA, the Isomap and (where the data have a
    loop, at least two coordinates) the "circular" start the one that keeps the data's
    shape (:func:`closest_in_shape`: fewest problems; where the data have loops, the
    circular start before PCA before Isomap, else the most open); where each of them
    changes the shape, the spectral start is tried as well. With fewer than
    ``MIN_COMPARE_ROWS`` distinct rows there is no shape to read: PCA.

    The data's shape is read along their neighbour graph and each start's in its own
    Euclidean metric (:mod:`skvhp._shape_check`), so a start that bends a 270° arc into
    a C whose ends nearly touch (PCA on images) counts as a loop the data lack, and one
    torn in two (Isomap on some draws) as a split. Separate pieces are laid out apart
    whatever a joint layout's shape: the bars would compare the pieces' sizes relative
    to each other, which carry no topology (each piece takes its own PCA or Isomap by
    the same rule). Returns the chosen method, its coordinates (``pca`` for "pca", else
    those of ``manifold_layout``) and each candidate's (problems, position or longest
    bar); empty for "by-piece" and too few rows.
    """
    X = np.asarray(X, dtype=np.float64)
    pick, neighbours = _subsample(len(X), seed, LAYOUT_POINTS)
    if _n_separate_pieces(X[pick], neighbours, n_components) > 1:
        return "by-piece", manifold_layout(X, "by-piece", n_components, seed), {}
    reading = read_shape(X, seed)
    if reading is None:
        return "pca", pca, {}
    layouts = {}
    if n_loops(reading[2]) and n_components >= 2:  # made for loops: first where they are
        circular = _circular_start(X, pick, n_components, neighbours, seed, reading)
        if circular is not None:
            layouts["circular"] = lambda: circular
    layouts["pca"] = lambda: pca
    layouts["isomap"] = lambda: manifold_layout(X, "isomap", n_components, seed)
    spectral = {"spectral": lambda: manifold_layout(X, "spectral", n_components, seed)}
    return closest_in_shape(X, reading, layouts, fallbacks=spectral)
