"""Graph-based interpolation along the learned latent manifold (Klushyn et al. 2019,
Sec. 2.3): a k-nearest-neighbour graph over latent points, shortest paths, decoding."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._validation import check_choice, check_int

EXACT_BELOW = 4096  # as UMAP: exact neighbours for small node sets, NN-descent above
_MIN_WEIGHT = 1e-12  # csgraph drops zero-weight edges: duplicates get a tiny weight


def smoothness_factor(path: Any) -> np.ndarray:
    """RMS of the second-order finite difference along a path, per output dimension.

    The smoothness measure of Klushyn et al. (2019, Sec. 4.2): for a path
    x_1, ..., x_T, ``sqrt(mean_t (x_{t+1} - 2 x_t + x_{t-1})²)`` for every feature.
    Smaller is smoother; a path at constant speed along a line scores 0.

    Parameters
    ----------
    path : array-like of shape (n_points, n_features), n_points >= 3

    Returns
    -------
    ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from skvhp import smoothness_factor
    >>> smoothness_factor(np.array([[0.0], [1.0], [2.0], [3.0]]))
    array([0.])
    >>> smoothness_factor(np.array([[0.0], [1.0], [0.0]]))
    array([2.])
    """
    path = check_array(path, ensure_min_samples=3, input_name="path")
    second = path[2:] - 2.0 * path[1:-1] + path[:-2]
    return np.sqrt(np.mean(second**2, axis=0))


def _check_latent_model(estimator: Any, nodes: str) -> None:
    """Refuse, before anything trains, an estimator that cannot give the graph its nodes
    or decode a path."""
    needed = ["fit", "transform", "inverse_transform"]
    if nodes == "prior":
        needed.append("sample_latent")
    missing = [name for name in needed if not callable(getattr(estimator, name, None))]
    if missing:
        hint = "; nodes='data' needs no sample_latent" if missing == ["sample_latent"] else ""
        raise ValueError(
            f"estimator must be a latent variable model with {', '.join(needed)}; "
            f"{type(estimator).__name__} has no {', '.join(missing)} (skvhp's VAEs have "
            f"them all{hint})."
        )


def _frozen_inner(estimator):
    """The wrapped estimator of a ``sklearn.frozen.FrozenEstimator``, else None."""
    try:
        from sklearn.frozen import FrozenEstimator
    except ImportError:  # scikit-learn < 1.6
        return None
    return estimator if isinstance(estimator, FrozenEstimator) else None


class LatentGraphInterpolator(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Interpolate between data points along shortest paths of a latent k-NN graph.

    Following Klushyn et al. (2019, Sec. 2.3), the graph's nodes are ``n_nodes`` samples
    from the model's learned prior (``nodes="prior"``, their Eq. 13) or the encodings of
    the training data (``nodes="data"``), joined by edges between nearest neighbours and
    weighted by Euclidean distance. To interpolate, both end points are encoded
    (posterior mean), attached to their ``n_neighbors`` nearest nodes (on a copy: the
    fitted graph never changes), joined by Dijkstra's shortest path, and the latent path
    is decoded.

    By default an edge joins two nodes only where *each* is among the other's
    ``n_neighbors`` nearest nodes (the mutual k-NN graph), and the components this leaves
    are joined by their shortest connecting edges (as Isomap does). The paper's graph
    (``edges="union"``: an edge wherever either end lists the other) lets the few prior
    samples that fall inside a hole of the latent manifold link both sides of it, so
    paths cut across: on pendulum images it jumped by more than 0.3 rad of joint angle
    between consecutive frames on many seeds, where the mutual graph did not
    (docs/graph.md, ``benchmarks/experiments/graph_defaults.py``). ``edges="union",
    connect_components=False`` is the paper's graph.

    Parameters
    ----------
    estimator : skvhp estimator, FrozenEstimator or None, default=None
        A model with ``transform``, ``inverse_transform`` and ``sample_latent``. It is
        cloned and fitted on X in ``fit``, unless wrapped in
        ``sklearn.frozen.FrozenEstimator``, in which case the fitted model is used as is.
        With None, X holds latent points already: they are the nodes, and
        ``interpolate`` takes and returns latent points.
    n_nodes : int, default=1000
        Prior samples used as nodes (``nodes="prior"``).
    n_neighbors : int, default=10
        Neighbours per node in the k-NN graph, and the number of nodes each end point
        of an interpolation (or each row in ``transform``) is attached to. More
        neighbours join more of the graph (fewer connected components) but let paths
        take longer straight steps.
    nodes : {"prior", "data"}, default="prior"
        "data" uses the encodings of all rows of X as nodes.
    edges : {"mutual", "union"}, default="mutual"
        "mutual" keeps an edge only where each end is among the other's ``n_neighbors``
        nearest nodes (the mutual k-NN graph of spectral clustering): a stray prior
        sample inside a hole of the latent manifold then gets no edges to the far side,
        so it cannot carry a shortcut across the hole; it is left isolated or, with
        ``connect_components=True``, hangs on by one edge. "union" is the paper's
        symmetric k-NN graph.
    connect_components : bool, default=True
        If the graph is disconnected, join components by the shortest edge between
        them, one at a time, until one remains (as Isomap does); the added edges are in
        ``joining_edges_``. With False, a disconnected graph warns, and interpolating
        between components raises a ``ValueError``. Where the data truly lie on
        separate pieces, a joining edge is a jump between them: check
        ``joining_edges_``.
    algorithm : {"auto", "exact", "nndescent"}, default="auto"
        Neighbour search: exact (scikit-learn) or approximate (pynndescent); "auto"
        uses exact search below 4096 nodes, as UMAP does.
    random_state : int, RandomState instance or None, default=None
        Seeds the prior samples and NN-descent.

    Attributes
    ----------
    estimator_ : estimator or None
        The fitted model (the frozen one itself when given frozen).
    nodes_ : ndarray of shape (n_nodes, n_components)
        The graph's nodes in latent space.
    graph_ : scipy.sparse.csr_matrix of shape (n_nodes, n_nodes)
        Symmetric edge weights (Euclidean distances).
    n_connected_components_ : int
        Connected components of the graph (1 after ``connect_components=True``).
    joining_edges_ : ndarray of shape (n_joins, 2)
        The node pairs joined by ``connect_components=True`` (no rows if the graph was
        connected, or with ``connect_components=False``).
    component_labels_ : ndarray of shape (n_nodes,)
        The connected component (0 .. ``n_connected_components_`` - 1) of each node; all
        0 once ``connect_components=True`` has joined them.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skvhp import LatentGraphInterpolator
    >>> t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    >>> circle = np.c_[np.cos(t), np.sin(t)]
    >>> graph = LatentGraphInterpolator(n_neighbors=4).fit(circle)
    >>> path = graph.interpolate([1.0, 0.0], [-1.0, 0.0])
    >>> bool(np.all(np.abs(np.linalg.norm(path, axis=1) - 1) < 1e-6))
    True
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_nodes: int = 1000,
        n_neighbors: int = 10,
        nodes: str = "prior",
        edges: str = "mutual",
        connect_components: bool = True,
        algorithm: str = "auto",
        random_state: Any = None,
    ):
        self.estimator = estimator
        self.n_nodes = n_nodes
        self.n_neighbors = n_neighbors
        self.nodes = nodes
        self.edges = edges
        self.connect_components = connect_components
        self.algorithm = algorithm
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any = None) -> LatentGraphInterpolator:
        """Fit the model (unless frozen or None) and build the graph over latent nodes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data for the estimator (or the latent nodes themselves when
            ``estimator=None``); with ``nodes="data"`` their encodings are the nodes.
        y : Ignored

        Returns
        -------
        self : object
        """
        check_int(self.n_nodes, "n_nodes", 1)
        check_int(self.n_neighbors, "n_neighbors", 1)
        check_choice(self.nodes, "nodes", ("prior", "data"))
        check_choice(self.edges, "edges", ("mutual", "union"))
        check_choice(self.connect_components, "connect_components", (True, False))
        check_choice(self.algorithm, "algorithm", ("auto", "exact", "nndescent"))
        rng = check_random_state(self.random_state)
        if self.estimator is None:
            X = validate_data(self, X)
            estimator, nodes = None, X.astype(np.float64)
        else:
            _check_latent_model(self.estimator, self.nodes)
            estimator = self.estimator if _frozen_inner(self.estimator) else clone(self.estimator)
            if estimator is not self.estimator:
                estimator.fit(X)
            X = validate_data(self, X)
            if self.nodes == "prior":
                seed = int(rng.randint(np.iinfo(np.int32).max))
                nodes = estimator.sample_latent(self.n_nodes, random_state=seed)
            else:
                nodes = estimator.transform(X).astype(np.float64)
        if not np.all(np.isfinite(nodes)):
            raise ValueError("The latent nodes contain NaN or infinity.")
        index, graph = self._build_graph(nodes, rng)
        n_comp, labels = connected_components(graph, directed=False)
        joining = np.empty((0, 2), dtype=np.intp)
        if n_comp > 1 and self.connect_components:
            graph, joining = _join_components(nodes, graph, labels)
            n_comp, labels = 1, np.zeros(len(nodes), dtype=int)
        elif n_comp > 1:
            warnings.warn(
                f"The latent graph has {n_comp} connected components: points in different "
                "components cannot be interpolated. Increase n_neighbors or set "
                "connect_components=True.",
                UserWarning,
                stacklevel=2,
            )
        self.estimator_ = estimator
        self.nodes_ = nodes
        self.graph_ = graph
        self.n_connected_components_ = n_comp
        self.component_labels_ = labels
        self.joining_edges_ = joining
        self._index = index
        return self

    def _build_graph(self, nodes: np.ndarray, rng) -> tuple[Any, sp.csr_matrix]:
        n = len(nodes)
        k = min(self.n_neighbors, n - 1)
        use_exact = self.algorithm == "exact" or (self.algorithm == "auto" and n < EXACT_BELOW)
        if use_exact:
            index = _ExactIndex(nodes)
            idx, dist = index.query(nodes, k + 1) if k > 0 else (np.zeros((n, 0), int),) * 2
        else:
            import pynndescent  # lazy: importing it compiles numba code

            index = pynndescent.NNDescent(
                nodes,
                n_neighbors=max(k + 1, 2),
                random_state=int(rng.randint(np.iinfo(np.int32).max)),
                compressed=False,
            )
            idx, dist = index.neighbor_graph
            index.prepare()  # build the search graph now, not on the first query
            index = _NNDescentIndex(index)
        rows = np.repeat(np.arange(n), idx.shape[1])
        cols, weights = idx.ravel(), np.maximum(dist.ravel().astype(np.float64), _MIN_WEIGHT)
        keep = (cols != rows) & (cols >= 0)  # drop self-loops and NN-descent's -1 padding
        directed = sp.csr_matrix((weights[keep], (rows[keep], cols[keep])), shape=(n, n))
        # Undirected: an edge where either end lists the other, or (mutual) where both do.
        if self.edges == "mutual":
            return index, directed.minimum(directed.T).tocsr()
        return index, directed.maximum(directed.T).tocsr()

    # ------------------------------------------------------------------ queries
    def _encode(self, X: Any, name: str) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64) if not sp.issparse(X) else X
        single = getattr(X, "ndim", 2) == 1
        X = check_array(np.atleast_2d(X) if single else X, input_name=name)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{name} has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        Z = X if self.estimator_ is None else self.estimator_.transform(X)
        return np.asarray(Z, dtype=np.float64)

    def _augmented(self, sources: np.ndarray, targets: np.ndarray) -> sp.csr_matrix:
        """A copy of the graph with directed edges source -> k nearest nodes and
        k nearest nodes -> target, so that end points never serve as shortcuts."""
        n, k = len(self.nodes_), min(self.n_neighbors, len(self.nodes_))
        n_src = len(sources)
        blocks = []
        for points, offset, outgoing in ((sources, n, True), (targets, n + n_src, False)):
            if len(points) == 0:
                continue
            idx, dist = self._index.query(points, k)
            r = np.repeat(np.arange(len(points)) + offset, k)
            c = idx.ravel()
            w = np.maximum(dist.ravel(), _MIN_WEIGHT)
            blocks.append((r, c, w) if outgoing else (c, r, w))
        g = self.graph_.tocoo()
        rows = np.concatenate([g.row, *(b[0] for b in blocks)])
        cols = np.concatenate([g.col, *(b[1] for b in blocks)])
        weights = np.concatenate([g.data, *(b[2] for b in blocks)])
        size = n + n_src + len(targets)
        return sp.csr_matrix((weights, (rows, cols)), shape=(size, size))

    def interpolate(self, x_start: Any, x_end: Any, *, return_latent: bool = False):
        """Decoded shortest paths between start and end points.

        Parameters
        ----------
        x_start, x_end : array-like of shape (n_features,) or (n_pairs, n_features)
            End points in data space (latent space when ``estimator=None``).
        return_latent : bool, default=False
            Also return the latent paths.

        Returns
        -------
        path : ndarray of shape (n_points, n_features), or a list of them for 2-D input
            The decoded path from the start's encoding through graph nodes to the end's
            encoding (the end points' own encodings included). Identical end points give
            a path of the two equal points.
        latent_path : ndarray of shape (n_points, n_components), or a list
            Only if ``return_latent``.

        Raises
        ------
        ValueError
            If start and end lie in different connected components of the graph.
        """
        check_is_fitted(self)
        single = np.ndim(x_start) == 1 and np.ndim(x_end) == 1
        Z_start, Z_end = self._encode(x_start, "x_start"), self._encode(x_end, "x_end")
        if len(Z_start) != len(Z_end):
            raise ValueError(
                f"x_start and x_end must hold as many points ({len(Z_start)} != {len(Z_end)})."
            )
        # One Dijkstra call per distinct start point, not per pair.
        starts, start_of_pair = np.unique(Z_start, axis=0, return_inverse=True)
        start_of_pair = start_of_pair.ravel()
        graph = self._augmented(starts, Z_end)
        n, n_src = len(self.nodes_), len(starts)
        _, predecessors = dijkstra(
            graph, directed=True, indices=np.arange(n_src) + n, return_predecessors=True
        )
        latent_paths = []
        for pair, (z_s, z_e) in enumerate(zip(Z_start, Z_end, strict=True)):
            if np.array_equal(z_s, z_e):
                latent_paths.append(np.vstack([z_s, z_e]))
                continue
            src, tgt = start_of_pair[pair], n + n_src + pair
            pred = predecessors[src]
            if pred[tgt] < 0:
                raise ValueError(
                    f"No path between pair {pair}: its end points attach to different "
                    f"connected components ({self.n_connected_components_} in the graph). "
                    "Increase n_neighbors or set connect_components=True."
                )
            hops = []
            node = pred[tgt]
            while node != src + n:
                hops.append(node)
                node = pred[node]
            latent_paths.append(np.vstack([z_s, self.nodes_[hops[::-1]], z_e]))
        decoded = [self._decode(p) for p in latent_paths]
        if single:
            decoded, latent_paths = decoded[0], latent_paths[0]
        return (decoded, latent_paths) if return_latent else decoded

    def _decode(self, latent_path: np.ndarray) -> np.ndarray:
        if self.estimator_ is None:
            return latent_path.copy()
        return np.asarray(self.estimator_.inverse_transform(latent_path), dtype=np.float64)

    def transform(self, X: Any) -> np.ndarray:
        """Geodesic (graph) distances from each row's encoding to every node.

        Each row is attached to its ``n_neighbors`` nearest nodes and its shortest-path
        distances along the graph are returned; nodes in another connected component
        are at ``inf``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data (latent points when ``estimator=None``).

        Returns
        -------
        D : ndarray of shape (n_samples, n_nodes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        Z = X.astype(np.float64) if self.estimator_ is None else self._encode(X, "X")
        graph = self._augmented(Z, np.empty((0, Z.shape[1])))
        n = len(self.nodes_)
        dist = dijkstra(graph, directed=True, indices=np.arange(len(Z)) + n)
        return dist[:, :n]

    @property
    def _n_features_out(self) -> int:
        return len(self.nodes_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        tags.input_tags.allow_nan = False
        return tags


class _ExactIndex:
    """Exact neighbour queries with scikit-learn."""

    def __init__(self, nodes: np.ndarray):
        self.nn = NearestNeighbors().fit(nodes)

    def query(self, points: np.ndarray, k: int):
        dist, idx = self.nn.kneighbors(points, n_neighbors=k)
        return idx, dist


class _NNDescentIndex:
    """Approximate neighbour queries with a prepared pynndescent index."""

    def __init__(self, index):
        self.index = index

    def query(self, points: np.ndarray, k: int):
        return self.index.query(np.asarray(points, dtype=np.float32), k=k)


def _join_components(nodes: np.ndarray, graph: sp.csr_matrix, labels: np.ndarray):
    """Join components by their shortest connecting edge until one remains; returns the
    joined graph and the (i, j) node pairs of the added edges."""
    graph = graph.tolil()
    labels = labels.copy()
    added = []
    while True:
        members = labels == labels[0]
        if members.all():
            return graph.tocsr(), np.array(added, dtype=np.intp).reshape(-1, 2)
        inside, outside = np.flatnonzero(members), np.flatnonzero(~members)
        dist, idx = NearestNeighbors(n_neighbors=1).fit(nodes[outside]).kneighbors(nodes[inside])
        a = int(np.argmin(dist[:, 0]))
        i, j = inside[a], outside[idx[a, 0]]
        weight = max(float(dist[a, 0]), _MIN_WEIGHT)
        graph[i, j] = graph[j, i] = weight
        added.append((i, j))
        labels[labels == labels[j]] = labels[0]
