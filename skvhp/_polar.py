"""Polar coordinates of 2-d codes, for the pendulum angle probe of Klushyn et al."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


def circle_center(X: np.ndarray) -> np.ndarray:
    """Centre of the algebraic least-squares circle x² + y² + D x + E y + F = 0 (Kåsa).

    Falls back to the mean when the points do not determine a circle (fewer than three
    distinct points, or all on a line).
    """
    A = np.column_stack([X, np.ones(len(X))])
    b = -(X**2).sum(1)
    (d, e, _), _, rank, _ = np.linalg.lstsq(A, b, rcond=None)
    if rank < 3:
        return X.mean(0)
    return np.array([-d / 2.0, -e / 2.0])


CENTERS = {
    "circle": circle_center,
    "mean": lambda X: X.mean(0),
    "median": lambda X: np.median(X, 0),
}


class PolarCoordinates(TransformerMixin, BaseEstimator):
    """Map 2-d points to (cos φ, sin φ) (and optionally r) about a fitted centre.

    The pendulum experiment of Klushyn et al. (2019, Sec. 4.1) regresses the joint
    angle on the latent code "after transforming the latent space to polar
    coordinates". A linear model on (cos φ, sin φ) can then rotate and reflect the
    latent angle onto the target (cos θ, sin θ), and ``atan2`` of its prediction gives
    the angle.

    Parameters
    ----------
    center : {"mean", "median", "circle"} or array-like of shape (2,), default="mean"
        The origin of the polar coordinates, learned from the training codes.
        "circle" is the centre of the least-squares circle through the points (the
        algebraic fit of Kåsa, 1976), which stays at the middle of a round ring that the
        codes traverse unevenly; on the folded rings that Algorithm 1 as written learns on
        the pendulum data it did no better than the mean, hence the default.
    include_radius : bool, default=False
        Also output the radius r as a first column.

    Attributes
    ----------
    center_ : ndarray of shape (2,)
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skvhp import PolarCoordinates
    >>> Z = np.array([[2.0, 1.0], [1.0, 2.0], [0.0, 1.0], [1.0, 0.0]])
    >>> polar = PolarCoordinates(include_radius=True).fit(Z)
    >>> polar.center_.round(6)
    array([1., 1.])
    >>> polar.transform(Z)[:, 0].round(6)  # the radius; then cos φ, sin φ
    array([1., 1., 1., 1.])
    """

    def __init__(self, *, center: Any = "mean", include_radius: bool = False):
        self.center = center
        self.include_radius = include_radius

    def fit(self, X: Any, y: Any = None) -> PolarCoordinates:
        """Learn the centre of the polar coordinates.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)
            2-d points, e.g. latent codes.
        y : Ignored

        Returns
        -------
        self : object
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if X.shape[1] != 2:
            raise ValueError(f"PolarCoordinates needs 2 features, got {X.shape[1]}.")
        if isinstance(self.center, str):
            if self.center not in CENTERS:
                raise ValueError(
                    f"center must be one of {tuple(CENTERS)} or a point, got {self.center!r}."
                )
            self.center_ = CENTERS[self.center](np.asarray(X, dtype=np.float64))
        else:
            center = np.asarray(self.center, dtype=np.float64)
            if center.shape != (2,) or not np.all(np.isfinite(center)):
                raise ValueError(
                    f"center must be a finite point of shape (2,), got {self.center!r}."
                )
            self.center_ = center
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Polar features: (cos φ, sin φ), or (r, cos φ, sin φ) with ``include_radius``.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)

        Returns
        -------
        X_polar : ndarray of shape (n_samples, 2) or (n_samples, 3)
            Same float dtype as X.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        d = X - self.center_
        r = np.hypot(d[:, 0], d[:, 1])
        phi = np.arctan2(d[:, 1], d[:, 0])
        cols = [np.cos(phi), np.sin(phi)]
        if self.include_radius:
            cols.insert(0, r)
        return np.column_stack(cols).astype(X.dtype, copy=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output feature names: ``cos_phi``, ``sin_phi`` (after ``r`` with the radius).

        Parameters
        ----------
        input_features : Ignored

        Returns
        -------
        names : ndarray of str objects
        """
        names = ["cos_phi", "sin_phi"]
        return np.asarray(["r", *names] if self.include_radius else names, dtype=object)
