"""Active latent units (Burda et al. 2016): how many dimensions of a code carry
information about the data."""

from __future__ import annotations

from typing import Any

import numpy as np


def active_units(estimator: Any, X: Any, threshold: float = 1e-2) -> int:
    """Number of active latent units, as defined by Burda et al. (2016), section 5.2.

    A unit u is active when the variance over the data of its posterior mean,
    Cov_x(E_{q(u|x)}[u]), exceeds ``threshold`` (0.01 in the paper): inactive units
    carry no information about x. It counts the units of what ``transform`` returns:
    for two-layer models (``IWAE(n_layers=2)``, ``VampPriorVAE(n_layers=2)``) the top
    layer z2 only, not z1.

    Parameters
    ----------
    estimator : fitted skvhp estimator
        Anything whose ``transform`` returns posterior means.
    X : array-like of shape (n_samples, n_features)
    threshold : float, default=0.01

    Returns
    -------
    int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvhp import IWAE, active_units
    >>> X = load_digits().data / 16.0
    >>> model = IWAE(n_components=5, hidden_layer_sizes=(32,), max_iter=2,
    ...              random_state=0).fit(X)
    >>> 0 <= active_units(model, X) <= 5
    True
    """
    if not (isinstance(threshold, (int, float)) and np.isfinite(threshold) and threshold >= 0):
        raise ValueError(f"threshold must be a non-negative number, got {threshold!r}.")
    means = np.asarray(estimator.transform(X), dtype=np.float64)
    return int(np.sum(means.var(axis=0) > threshold))
