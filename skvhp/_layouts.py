"""Starting layouts for the encoder (``init``): coordinates that keep the data's global
shape, which the encoder is pre-trained to output before the VAE trains.

PCA keeps linear structure only: a 270° arc of images projects onto a nearly closed loop,
and a torus onto a disk. Isomap keeps geodesic distances along a neighbourhood graph, so
an arc unrolls and separate pieces stay apart; the spectral layout (Laplacian eigenmaps)
keeps neighbourhoods. Both come from ``sklearn.manifold`` on a subsample; every training
point then takes the mean layout of its nearest subsample points.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.manifold import Isomap, SpectralEmbedding
from sklearn.neighbors import NearestNeighbors

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
        # The dense eigensolver: ARPACK would start from the global random state.
        layout = Isomap(n_neighbors=neighbours, n_components=n_components, eigen_solver="dense")
    else:
        layout = SpectralEmbedding(
            n_components=n_components,
            affinity="nearest_neighbors",
            n_neighbors=neighbours,
            random_state=seed,
        )
    with warnings.catch_warnings():
        # A disconnected graph (separate pieces) is expected: Isomap joins the pieces,
        # the spectral layout keeps them apart; neither is an error here.
        warnings.simplefilter("ignore", UserWarning)
        coords_sub = layout.fit_transform(X[pick])
    index = NearestNeighbors(n_neighbors=min(EXTENSION_NEIGHBOURS, len(pick))).fit(X[pick])
    _, nearest = index.kneighbors(X)
    coords = coords_sub[nearest].mean(axis=1)
    coords[pick] = coords_sub  # subsample points keep their own
    coords = coords - coords.mean(0)
    return coords / np.maximum(coords.std(0), 1e-12)
