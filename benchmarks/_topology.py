"""Diagnostics of a 2-d latent ring on the pendulum: is it round, closed, and does the
learned prior lie on it?

Every measure takes a fitted estimator (``transform``, ``sample_latent``,
``inverse_transform``) and held-out images with their angles; none trains anything.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor, NearestNeighbors
from sklearn.pipeline import make_pipeline

from skvhp import LatentGraphInterpolator, PolarCoordinates
from skvhp.datasets import render_pendulum
from skvhp.topology import fraction_off, longest_bars


def angular_error(pred_angle: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """|θ̂ - θ| on the circle, in radians."""
    return np.abs(np.angle(np.exp(1j * (pred_angle - angles))))


def whiten(Z: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Z in the coordinates where ``reference`` has zero mean and identity covariance."""
    mean = reference.mean(0)
    cov = np.cov(reference, rowvar=False) + 1e-12 * np.eye(reference.shape[1])
    w = np.linalg.cholesky(np.linalg.inv(cov))
    return (Z - mean) @ w


def polar_probe(Z_train, angles_train, Z_test, angles_test) -> float:
    """The issue's probe: OLS of (cos θ, sin θ) on (cos φ, sin φ) of the whitened codes;
    mean absolute angle error on the test codes (rad). The package's angle probe
    (``PolarCoordinates``, then OLS) after whitening: any whitening gives the same error,
    since the OLS absorbs the rotation or reflection by which two whitenings differ."""
    probe = make_pipeline(PCA(2, whiten=True), PolarCoordinates(), LinearRegression())
    probe.fit(Z_train, np.c_[np.cos(angles_train), np.sin(angles_train)])
    pred = probe.predict(Z_test)
    return float(angular_error(np.arctan2(pred[:, 1], pred[:, 0]), angles_test).mean())


def radius_cv(Z: np.ndarray) -> float:
    """std / mean of the whitened codes' radius (0 for a circle)."""
    r = np.linalg.norm(whiten(Z, Z), axis=1)
    return float(r.std() / r.mean())


def spread(Z: np.ndarray) -> float:
    """Square root of the total variance."""
    return float(np.sqrt(Z.var(0).sum()))


def off_fraction(prior: np.ndarray, codes: np.ndarray, fractions=(0.10, 0.25)) -> dict:
    """Fraction of prior samples whose nearest code is farther than f × spread(codes)."""
    return {f"off_{int(f * 100)}": fraction_off(prior, codes, f) for f in fractions}


def longest_bar(points: np.ndarray, n_points: int = 600, seed: int = 0) -> tuple[float, float]:
    """Lifetimes of the two longest H1 bars of the Vietoris-Rips diagram of ``n_points``
    of ``points`` scaled to unit spread (a circle: √3 ≈ 1.73 and 0). The subsample is
    drawn here (as the recorded runs drew it); the package computes the rest."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(points), size=min(n_points, len(points)), replace=False)
    first, second = longest_bars(points[pick], n_points=len(pick))["H1"]
    return first, second


class AngleReader:
    """Reads the joint angle of an image as that of the nearest rendered template."""

    def __init__(self, geometry: dict, n_templates: int = 1440):
        self.grid = np.linspace(0.0, 2 * np.pi, n_templates, endpoint=False)
        self.templates = render_pendulum(self.grid, **geometry)
        self.nn = NearestNeighbors(n_neighbors=1).fit(self.templates)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        return self.grid[self.nn.kneighbors(images)[1][:, 0]]


def graph_path_steps(model, geometry: dict, reader: AngleReader, seed: int = 0) -> dict:
    """Shortest path 0° → 180° on a 10-NN graph over 1000 prior samples, with the paper's
    union k-NN edges and with mutual k-NN edges: the number of decoded frames and the
    largest angle step between consecutive frames (rad)."""
    ends = render_pendulum(np.array([0.0, np.pi]), **geometry)
    out = {}
    for edges, suffix in (("union", ""), ("mutual", "_mutual")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            graph = LatentGraphInterpolator(
                FrozenEstimator(model),
                n_nodes=1000,
                n_neighbors=10,
                edges=edges,
                connect_components=True,
                random_state=seed,
            ).fit(ends)
        theta = reader(graph.interpolate(ends[0], ends[1]))
        steps = angular_error(theta[1:], theta[:-1])
        out[f"path_len{suffix}"] = len(theta)
        out[f"max_step{suffix}"] = float(steps.max()) if len(steps) else 0.0
    return out


def ring_diagnostics(model, X_train, angles_train, X_test, angles_test, geometry, reader) -> dict:
    """Every measure of the topology issue for one fitted 2-d model."""
    Z_train = model.transform(X_train)
    Z_test = model.transform(X_test)
    prior = model.sample_latent(2000, random_state=0)
    codes = Z_train[:5000]
    out = {
        "probe": polar_probe(Z_train, angles_train, Z_test, angles_test),
        "radius_cv": radius_cv(Z_test),
        **off_fraction(prior, codes),
    }
    out["bar_codes"], out["bar2_codes"] = longest_bar(Z_test)
    out["bar_prior"], out["bar2_prior"] = longest_bar(prior)
    import torch

    with torch.inference_mode():
        x = torch.as_tensor(X_test[:2000], dtype=torch.float32, device=model.device_)
        _, log_var = model.module_.encode(x)
    std = np.exp(0.5 * log_var.cpu().numpy())
    out["posterior_std_mean"] = float(std.mean())
    out["posterior_std_cv"] = float(std.std() / std.mean())
    out["posterior_std_rel"] = float(std.mean() / spread(Z_test))
    out.update(graph_path_steps(model, geometry, reader))
    return out


def read_back(manifold: str, Z_train, truth_train, Z_test, truth_test) -> dict:
    """Mean angular error (rad) of each generating angle, read off the codes by 5-NN."""
    if manifold not in ("ring", "arc", "two-rings", "torus"):
        return {}
    angles = {"torus": (0, 1), "two-rings": (0,)}.get(manifold, (None,))
    out = {}
    for column in angles:
        train = truth_train if column is None else truth_train[:, column]
        test = truth_test if column is None else truth_test[:, column]
        knn = KNeighborsRegressor(5).fit(Z_train, np.c_[np.cos(train), np.sin(train)])
        pred = knn.predict(Z_test)
        error = angular_error(np.arctan2(pred[:, 1], pred[:, 0]), test)
        out[f"readback{'' if column is None else column + 1}"] = float(error.mean())
    if manifold == "ring":  # the paper's probe: OLS on the polar angle of the codes
        probe = make_pipeline(PolarCoordinates(), LinearRegression())
        probe.fit(Z_train, np.c_[np.cos(truth_train), np.sin(truth_train)])
        pred = probe.predict(Z_test)
        out["probe"] = float(angular_error(np.arctan2(pred[:, 1], pred[:, 0]), truth_test).mean())
    return out


def posterior_samples(model, X: np.ndarray, seed: int = 0) -> np.ndarray:
    """One draw z ~ q(z | x) per row of X (a single-layer model's Gaussian encoder): a
    sample of the aggregate posterior, which a prior that fits the data should match.
    Its loops are what the prior's can be at best (the codes are means: noise-free)."""
    import torch

    module = model.module_
    with torch.no_grad():
        x = torch.as_tensor(X, dtype=torch.float32, device=model.device_)
        mean, log_var = module.encode(x)
        generator = torch.Generator(device=model.device_).manual_seed(seed)
        noise = torch.randn(mean.shape, generator=generator, device=model.device_)
        return (mean + (0.5 * log_var).exp() * noise).cpu().numpy().astype(np.float64)
