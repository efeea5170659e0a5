"""Does a latent space keep the shape of the data? Measures to run on any embedding.

- :func:`persistence` and :func:`longest_bars`: Vietoris–Rips persistent homology of a
  point cloud (H0, H1, H2), on a subsample scaled to unit spread, via ``ripser`` (the
  ``topology`` extra: ``pip install skvhp[topology]``). Loops show as long H1 bars,
  separate pieces as long finite H0 bars, enclosed cavities (a torus's) as H2 bars.
- :func:`prior_mass_off_data`: how much of a model's learned prior lies away from the
  encoded data.
- :func:`embedding_quality` and its parts: the measures of Topological Autoencoders
  (Moor, Horn, Rieck, Borgwardt, ICML 2020): density KL divergences KL_σ, trustworthiness,
  continuity and mean relative rank error averaged over neighbourhood sizes, and the RMSE
  of the distance matrices.
- :func:`embedding_scorer`: any of them as a scikit-learn scorer, so that a grid search can
  choose, say, κ by geometry rather than by likelihood.
- :func:`plot_barcode`: a persistence barcode (the ``plots`` extra).

Unit spread: a point cloud is centred and divided by the square root of its total
variance, so bar lengths compare across embeddings of any scale. A circle then has radius
1 and its H1 bar lives from about 0 to √3 (the side of the inscribed equilateral
triangle), a length of about 1.73.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from scipy.spatial.distance import pdist, squareform
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._shape_check import MIN_COMPARE_ROWS, TopologyWarning, compare
from ._validation import check_float, check_int

__all__ = [
    "TopologyWarning",
    "compare_shapes",
    "continuity",
    "density_kl",
    "distance_rmse",
    "embedding_quality",
    "embedding_scorer",
    "fraction_off",
    "longest_bars",
    "mean_relative_rank_error",
    "persistence",
    "plot_barcode",
    "prior_mass_off_data",
    "trustworthiness",
    "unit_spread",
]

DEFAULT_KS = tuple(range(10, 201, 10))  # Moor et al.'s neighbourhood sizes
DEFAULT_SIGMAS = (0.01, 0.1, 1.0)


def unit_spread(X: Any) -> np.ndarray:
    """X centred and divided by the square root of its total variance."""
    X = check_array(X, dtype=np.float64)
    centred = X - X.mean(0)
    spread = np.sqrt(centred.var(0).sum())
    return centred / spread if spread > 0 else centred


def _ripser():
    try:
        from ripser import ripser
    except ImportError:  # pragma: no cover - the extra is installed in CI
        raise ImportError(
            "skvhp.topology's persistence needs ripser: pip install skvhp[topology]"
        ) from None
    return ripser


def persistence(
    X: Any, *, max_dim: int = 1, n_points: int = 600, random_state: Any = 0
) -> list[np.ndarray]:
    """The Vietoris–Rips persistence diagrams of a point cloud, on unit spread.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    max_dim : int, default=1
        Highest homology dimension (2 finds the cavity of a torus, but costs much more).
    n_points : int, default=600
        Random subsample size (persistence is cubic in the number of points at worst).
    random_state : int, RandomState instance or None, default=0
        The subsample.

    Returns
    -------
    diagrams : list of ndarray of shape (n_bars, 2)
        (birth, death) per bar, one array per dimension 0 … ``max_dim``; H0's one
        infinite bar has death ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from skvhp.topology import persistence
    >>> t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    >>> h1 = persistence(np.c_[np.cos(t), np.sin(t)])[1]
    >>> bool(np.isclose((h1[:, 1] - h1[:, 0]).max(), np.sqrt(3), atol=0.05))
    True
    """
    max_dim = check_int(max_dim, "max_dim", 0, 2)
    n_points = check_int(n_points, "n_points", 2)
    X = check_array(X, dtype=np.float64)
    rng = check_random_state(random_state)
    if len(X) > n_points:
        X = X[np.sort(rng.choice(len(X), size=n_points, replace=False))]
    return list(_ripser()(unit_spread(X), maxdim=max_dim)["dgms"])


def longest_bars(
    X: Any, *, n_bars: int = 2, max_dim: int = 1, n_points: int = 600, random_state: Any = 0
) -> dict[str, list[float]]:
    """Lifetimes of the ``n_bars`` longest finite bars per dimension, on unit spread.

    A circle gives H1 ≈ [1.73, 0]; two separate circles give two H1 bars and a long
    finite H0 bar (the gap between them); a torus two H1 bars and one H2 bar.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_bars : int, default=2
    max_dim, n_points, random_state
        As for :func:`persistence`.

    Returns
    -------
    bars : dict
        ``{"H0": [...], "H1": [...], ...}``, each of length ``n_bars``, longest first,
        padded with zeros.

    Examples
    --------
    >>> import numpy as np
    >>> from skvhp.topology import longest_bars
    >>> t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    >>> circle = np.c_[np.cos(t), np.sin(t)]
    >>> bars = longest_bars(np.r_[circle, circle + 4.0])
    >>> bars["H1"][1] > 0.3 and bars["H0"][0] > 0.3
    True
    """
    n_bars = check_int(n_bars, "n_bars", 1)
    diagrams = persistence(X, max_dim=max_dim, n_points=n_points, random_state=random_state)
    out = {}
    for dim, diagram in enumerate(diagrams):
        life = diagram[:, 1] - diagram[:, 0]
        life = np.sort(life[np.isfinite(life)])[::-1][:n_bars]
        out[f"H{dim}"] = [float(v) for v in life] + [0.0] * (n_bars - len(life))
    return out


def compare_shapes(X: Any, Z: Any, *, random_state: Any = 0) -> dict[str, Any]:
    """Does the embedding Z keep the loops and separate pieces of the points X?

    For a fitted model's codes (``compare_shapes(X, model.transform(X))``; ``fit`` runs
    it on its training data unless ``shape_check=False``) or any other embedding (PCA,
    UMAP). On the same rows of X and Z (up to 3000), the data are read along their
    neighbour graph: the persistence of the geodesic distances between 500 of them along
    the 15-neighbour graph, divided by the largest. Pixel distances saturate between
    images that share no pixels, so the Euclidean persistence of a 270° swing shows a
    loop, and along the graph it shows none. Z is read in its own Euclidean metric on
    unit spread (as :func:`longest_bars`): a latent space's geometry is Euclidean, so a
    C whose ends nearly touch is a loop there. Both also count the pieces further apart
    than the longest edge of their 10-neighbour graph. A loop in the data is present
    from 0.15 of the diameter and absent below 0.05; in Z from 0.45 and below 0.15; a
    present loop must also stand out 1.5-fold from the next bar (the neighbour graphs of
    sparse high-dimensional data, MNIST's say, show an even ladder of bars of 0.13-0.21,
    none a loop); in between nothing is judged. How this reads data of a known shape
    (the shape harness's variants) and real images with no known loop: docs/shape.md.
    One to a few seconds on 2 cores. Needs ``ripser``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    Z : array-like of shape (n_samples, n_components)
        The embedding of X, row for row.
    random_state : int, RandomState instance or None, default=0
        The rows.

    Returns
    -------
    comparison : dict
        ``data`` and ``codes`` (each ``{"metric": "geodesic" or "euclidean", "H1":
        [...], "pieces": n}``, at most three H1 bars, longest first), ``problems``, a
        list of what Z changes (empty when it keeps both), and ``rows``, how many
        distinct rows were read.

    Examples
    --------
    >>> import numpy as np
    >>> from skvhp.topology import compare_shapes
    >>> t = np.random.default_rng(0).uniform(0, 1.5 * np.pi, 500)  # an open arc
    >>> arc = np.c_[np.cos(t), np.sin(t), np.zeros_like(t)]
    >>> closed = np.c_[np.cos(t / 0.75), np.sin(t / 0.75)]  # its ends joined
    >>> compare_shapes(arc, closed)["problems"]
    ['the codes have a loop the data lack']
    >>> compare_shapes(arc, arc[:, :2])["problems"]
    []
    """
    X, Z = _distances_inputs(X, Z)
    found = compare(X, lambda rows: Z[rows], check_random_state(random_state))
    if found is None:
        raise ValueError(
            f"compare_shapes needs at least {MIN_COMPARE_ROWS} distinct rows of X to read "
            f"loops and pieces off neighbour graphs (got {len(np.unique(X, axis=0))})."
        )
    return found


def _distances_inputs(X: Any, Z: Any) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, dtype=np.float64)
    Z = check_array(Z, dtype=np.float64)
    if len(X) != len(Z):
        raise ValueError(f"X and Z must have the same rows, got {len(X)} and {len(Z)}.")
    return X, Z


def prior_mass_off_data(
    estimator: Any,
    X: Any,
    *,
    threshold: float = 0.25,
    n_samples: int = 2000,
    random_state: Any = 0,
) -> float:
    """The fraction of prior samples that lie away from the encoded data.

    Draws ``n_samples`` points from the fitted estimator's prior (``sample_latent``) and
    reports the fraction whose nearest code (``transform(X)``) is farther than
    ``threshold`` × the codes' spread (the square root of their total variance). A prior
    that matches the aggregate posterior puts almost nothing there; a standard normal
    prior under a ring of codes puts its centre there.

    Parameters
    ----------
    estimator : fitted skvhp estimator
    X : array-like of shape (n_samples, n_features)
        Data whose codes the prior is compared with.
    threshold : float, default=0.25
    n_samples : int, default=2000
    random_state : int, RandomState instance or None, default=0

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvhp import IWAE
    >>> from skvhp.topology import prior_mass_off_data
    >>> X = load_digits().data / 16.0
    >>> model = IWAE(n_components=2, hidden_layer_sizes=(32,), max_iter=2,
    ...              n_importance_samples=10, random_state=0).fit(X)
    >>> 0.0 <= prior_mass_off_data(model, X, n_samples=200) <= 1.0
    True
    """
    threshold = check_float(threshold, "threshold", 0.0)
    n_samples = check_int(n_samples, "n_samples", 1)
    codes = np.asarray(estimator.transform(X), dtype=np.float64)
    prior = np.asarray(estimator.sample_latent(n_samples, random_state=random_state))
    return fraction_off(prior, codes, threshold)


def fraction_off(points: Any, codes: Any, threshold: float = 0.25) -> float:
    """The fraction of ``points`` whose nearest code is farther than ``threshold`` × the
    codes' spread (the square root of their total variance): the computation behind
    :func:`prior_mass_off_data`, for points drawn any other way."""
    points = check_array(points, dtype=np.float64)
    codes = check_array(codes, dtype=np.float64)
    distance, _ = NearestNeighbors(n_neighbors=1).fit(codes).kneighbors(points)
    spread = np.sqrt(codes.var(0).sum())
    return float(np.mean(distance[:, 0] > threshold * spread))


# ---------------------------------------------------------------- Moor et al.'s measures
def density_kl(D_X: np.ndarray, D_Z: np.ndarray, sigma: float) -> float:
    """KL_σ of Moor et al.: KL(f_X ‖ f_Z) between the normalised density estimates
    f_i ∝ Σ_j exp(-D_ij² / σ) on distance matrices scaled to a maximum of 1 (the sum
    includes j = i, as in their code).

    Collapsed codes (all distances 0) carry no density to compare: their KL_σ is +inf,
    the worst value, so that a scorer ranks a collapsed model last. X must have spread.
    """
    sigma = check_float(sigma, "sigma", 0.0, low_inclusive=False)
    if not D_X.max() > 0.0:
        raise ValueError("X has no spread (all its points coincide): KL_σ is undefined.")
    if not D_Z.max() > 0.0:
        return math.inf
    f_X, f_Z = _moor_density(D_X, sigma), _moor_density(D_Z, sigma)
    return float(np.sum(f_X * (np.log(f_X) - np.log(f_Z))))


def _moor_density(D: np.ndarray, sigma: float) -> np.ndarray:
    """The normalised density estimate of KL_σ at every point (sums to 1)."""
    D = D / D.max()
    f = np.exp(-(D**2) / sigma).sum(-1)
    return f / f.sum()


def distance_rmse(D_X: np.ndarray, D_Z: np.ndarray) -> float:
    """ℓ-RMSE of Moor et al.: sqrt(Σ_ij (D^X_ij - D^Z_ij)² / n²), unscaled distances."""
    return float(np.sqrt(np.mean((D_X - D_Z) ** 2)))


def _ranks(D: np.ndarray, k_max: int, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """(rank, neighbours): rank[i, j] is the position of j among i's neighbours by
    distance (i itself is 0; ties broken by index, as a stable sort does), and
    neighbours[i] the ``k_max`` nearest points of i, itself excluded, nearest first. One
    sort of each row gives both."""
    n = len(D)
    ranks = np.empty((n, n), dtype=np.int32)
    neighbours = np.empty((n, k_max), dtype=np.int64)
    columns = np.arange(n, dtype=np.int32)
    for start in range(0, n, chunk):
        order = np.argsort(D[start : start + chunk], axis=1, kind="stable")
        np.put_along_axis(ranks[start : start + chunk], order, columns[None, :], axis=1)
        neighbours[start : start + chunk] = order[:, 1 : k_max + 1]
    return ranks, neighbours


def _check_ks(ks: Iterable[int], n: int) -> tuple[int, ...]:
    ks = tuple(check_int(k, "each k", 1) for k in ks)
    if not ks or max(ks) >= n / 2:
        raise ValueError(
            f"ks must be non-empty with every k < n_samples / 2 = {n / 2:g}, got {ks!r}."
        )
    return ks


def _rank_measures(D_X: np.ndarray, D_Z: np.ndarray, ks: Iterable[int]) -> dict[str, np.ndarray]:
    """Trustworthiness, continuity and MRRE for every k in ``ks``, from one pass."""
    n = len(D_X)
    ks = _check_ks(ks, n)
    k_max = max(ks)
    (rank_X, nbr_X), (rank_Z, nbr_Z) = _ranks(D_X, k_max), _ranks(D_Z, k_max)
    rows = np.arange(n)[:, None]
    # Ranks, in the other space, of each space's k_max nearest neighbours.
    rX_of_nZ = rank_X[rows, nbr_Z].astype(np.float64)  # (n, k_max)
    rZ_of_nX = rank_Z[rows, nbr_X].astype(np.float64)
    position = np.arange(1, k_max + 1, dtype=np.float64)[None, :]  # own rank of the m-th
    trust, cont, mrre = [], [], []
    for k in ks:
        norm = 2.0 / (n * k * (2 * n - 3 * k - 1))
        # Intruders: in Z's k-neighbourhood but not X's (their X rank exceeds k).
        trust.append(1.0 - norm * np.sum(np.maximum(rX_of_nZ[:, :k] - k, 0.0)))
        cont.append(1.0 - norm * np.sum(np.maximum(rZ_of_nX[:, :k] - k, 0.0)))
        scale = n * np.sum(np.abs(2 * np.arange(1, k + 1) - n - 1) / np.arange(1, k + 1))
        m = position[:, :k]
        zx = np.sum(np.abs(rX_of_nZ[:, :k] - m) / m) / scale  # over Z's neighbourhoods
        xz = np.sum(np.abs(rZ_of_nX[:, :k] - m) / m) / scale  # over X's
        mrre.append((zx + xz) / 2.0)
    return {"trust": np.array(trust), "cont": np.array(cont), "mrre": np.array(mrre)}


def trustworthiness(X: Any, Z: Any, k: int = 10) -> float:
    """Trustworthiness of the embedding Z of X (Venna & Kaski): 1 when no point of Z's
    k-neighbourhoods is a stranger in X. Equal to ``sklearn.manifold.trustworthiness``."""
    D_X, D_Z = _distances(X, Z)
    return float(_rank_measures(D_X, D_Z, (k,))["trust"][0])


def continuity(X: Any, Z: Any, k: int = 10) -> float:
    """Continuity of the embedding Z of X: trustworthiness with the roles swapped, 1 when
    every k-neighbourhood of X stays together in Z."""
    D_X, D_Z = _distances(X, Z)
    return float(_rank_measures(D_X, D_Z, (k,))["cont"][0])


def mean_relative_rank_error(X: Any, Z: Any, k: int = 10) -> float:
    """The mean relative rank error (Lee & Verleysen), the mean of its two directions, as
    Moor et al. report it (0 is best)."""
    D_X, D_Z = _distances(X, Z)
    return float(_rank_measures(D_X, D_Z, (k,))["mrre"][0])


def _distances(X: Any, Z: Any) -> tuple[np.ndarray, np.ndarray]:
    X, Z = _distances_inputs(X, Z)
    return squareform(pdist(X)), squareform(pdist(Z))


def embedding_quality(
    X: Any,
    Z: Any,
    *,
    ks: Iterable[int] = DEFAULT_KS,
    sigmas: Iterable[float] = DEFAULT_SIGMAS,
) -> dict[str, float]:
    """Every measure of Moor et al.'s Table 1 for the embedding Z of the points X.

    Distances are Euclidean, between the given points only. ``ℓ-`` measures average over
    ``ks`` (10, 20, …, 200 by default, which needs more than 400 points).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The points in input space.
    Z : array-like of shape (n_samples, n_components)
        Their embedding (e.g. ``estimator.transform(X)``).
    ks : iterable of int
    sigmas : iterable of float

    Returns
    -------
    measures : dict
        ``kl_0.01``, ``kl_0.1``, ``kl_1`` (one per σ; lower is better), ``mrre`` (lower),
        ``cont``, ``trust`` (higher), ``rmse`` (lower).

    References
    ----------
    M. Moor, M. Horn, B. Rieck, K. Borgwardt. Topological autoencoders. ICML 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skvhp.topology import embedding_quality
    >>> X = np.random.default_rng(0).normal(size=(60, 5))
    >>> m = embedding_quality(X, X[:, :2], ks=(5, 10))
    >>> 0.0 < m["trust"] <= 1.0 and m["kl_0.1"] >= 0.0
    True
    """
    D_X, D_Z = _distances(X, Z)
    out = {f"kl_{s:g}": density_kl(D_X, D_Z, s) for s in sigmas}
    ranks = _rank_measures(D_X, D_Z, ks)
    out.update({name: float(values.mean()) for name, values in ranks.items()})
    out["rmse"] = distance_rmse(D_X, D_Z)
    return {k: out[k] for k in [*(f"kl_{s:g}" for s in sigmas), "mrre", "cont", "trust", "rmse"]}


HIGHER_IS_BETTER = {"cont", "trust"}


def embedding_scorer(
    measure: str = "kl_0.1",
    *,
    n_points: int | None = 1000,
    ks: Iterable[int] = DEFAULT_KS,
    random_state: Any = 0,
) -> Callable[..., float]:
    """A scikit-learn scorer ``(estimator, X, y=None) -> float`` (higher is better) from
    one of :func:`embedding_quality`'s measures of ``estimator.transform(X)``.

    Measures where lower is better are negated, as scikit-learn's ``neg_*`` scorers are.
    With ``n_points`` the measure is computed on a fixed random subsample (its cost grows
    with the square of the points).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skvhp.topology import embedding_scorer
    >>> X = load_digits().data
    >>> scorer = embedding_scorer("kl_0.1", n_points=300)
    >>> scorer(PCA(2).fit(X), X) <= 0.0
    True
    """
    ks = tuple(ks)
    if not isinstance(measure, str) or not (
        measure in ("mrre", "cont", "trust", "rmse") or measure.startswith("kl_")
    ):
        raise ValueError(
            f"measure must be 'kl_<sigma>', 'mrre', 'cont', 'trust' or 'rmse', got {measure!r}."
        )
    sigmas = (float(measure[3:]),) if measure.startswith("kl_") else DEFAULT_SIGMAS

    def scorer(estimator: Any, X: Any, y: Any = None) -> float:
        X = check_array(X, dtype=np.float64)
        if n_points is not None and len(X) > n_points:
            rng = check_random_state(random_state)
            X = X[np.sort(rng.choice(len(X), size=n_points, replace=False))]
        usable = tuple(k for k in ks if k < len(X) / 2) or (max(1, (len(X) - 1) // 2),)
        values = embedding_quality(X, estimator.transform(X), ks=usable, sigmas=sigmas)
        key = f"kl_{sigmas[0]:g}" if measure.startswith("kl_") else measure
        return values[key] if measure in HIGHER_IS_BETTER else -values[key]

    return scorer


def plot_barcode(diagrams: list[np.ndarray], ax: Any = None, *, max_bars: int = 20) -> Any:
    """Draw a persistence barcode: each dimension's ``max_bars`` longest bars as
    horizontal lines, infinite ones to the right edge (needs matplotlib, the ``plots``
    extra). Returns the axes."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover
        raise ImportError("plot_barcode needs matplotlib: pip install skvhp[plots]") from None
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    finite = [d[np.isfinite(d[:, 1]), 1].max() for d in diagrams if np.isfinite(d[:, 1]).any()]
    right = 1.05 * max(finite) if finite else 1.0
    row = 0
    for dim, diagram in enumerate(diagrams):
        life = diagram[:, 1] - diagram[:, 0]
        for birth, death in diagram[np.argsort(-life, kind="stable")][:max_bars]:
            end = death if np.isfinite(death) else right
            ax.plot([birth, end], [row, row], color=f"C{dim}", lw=2)
            row += 1
        ax.plot([], [], color=f"C{dim}", lw=2, label=f"H{dim}")
    ax.set_yticks([])
    ax.set_xlabel("scale (unit spread)")
    ax.legend(loc="lower right", fontsize=8)
    return ax
