"""Generated data sets with a known topology: pendulum images (a circle, an open arc, two
disjoint circles, a torus) and the Spheres data of Topological Autoencoders.

Each docstring says which manifold the data lie on, so that a latent space can be checked
against it (:mod:`skvhp.topology`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.utils import check_random_state

from ._validation import check_float, check_int

ROD_LENGTH = 0.36  # the single pendulum's rod, in units of the image size


def _check_sizes(n_samples: int, image_size: int, supersampling: int) -> None:
    check_int(n_samples, "n_samples", 1)
    check_int(image_size, "image_size", 4)
    check_int(supersampling, "supersampling", 1)


def _sample_points(image_size: int, supersampling: int) -> tuple[np.ndarray, np.ndarray]:
    """Sub-pixel sample positions (x, y), in pixels, the image centre at the origin."""
    s, ss = image_size, supersampling
    offsets = (np.arange(ss) + 0.5) / ss
    coords = (np.arange(s)[:, None] + offsets[None, :]).ravel()
    py, px = np.meshgrid(coords, coords, indexing="ij")  # (s*ss, s*ss)
    return px.ravel() - s / 2, py.ravel() - s / 2


def _near_segment(px, py, ax, ay, bx, by, half_width) -> np.ndarray:
    """Sample points within ``half_width`` of the segments from (ax, ay) to (bx, by)
    (one segment per row of the column vectors ax … by)."""
    dx, dy = bx - ax, by - ay
    length2 = np.maximum(dx**2 + dy**2, 1e-12)
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
    return (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2 <= half_width**2


def _render(n_images: int, image_size: int, supersampling: int, draw) -> np.ndarray:
    """Images whose pixels hold the covered fraction of their area: ``draw(rows, px, py)``
    returns the covered sub-pixel samples of the images in ``rows``."""
    s, ss = image_size, supersampling
    px, py = _sample_points(s, ss)
    X = np.empty((n_images, s * s), dtype=np.float32)
    for start in range(0, n_images, 512):
        rows = slice(start, min(start + 512, n_images))
        covered = draw(rows, px, py).reshape(-1, s, ss, s, ss).mean(axis=(2, 4))
        X[rows] = covered.reshape(-1, s * s)
    return X


def render_pendulum(
    angles: np.ndarray,
    image_size: int = 16,
    supersampling: int = 4,
    rod_width: float = 0.08,
    bob_radius: float = 0.11,
    rod_length: float = ROD_LENGTH,
) -> np.ndarray:
    """Render pendulum images for given joint angles (see :func:`make_pendulum`); the
    rod length is in units of the image size (0.36 by default)."""
    s = image_size
    length, half_width, bob = rod_length * s, rod_width / 2 * s, bob_radius * s
    angles = np.asarray(angles, dtype=np.float64)

    def draw(rows, px, py):
        theta = angles[rows][:, None]
        # Bob centre: down (+y on the image) at θ = 0, counter-clockwise on screen.
        bx, by = length * np.sin(theta), length * np.cos(theta)
        rod = _near_segment(px, py, 0.0, 0.0, bx, by, half_width)
        return rod | ((px - bx) ** 2 + (py - by) ** 2 <= bob**2)

    return _render(len(angles), s, supersampling, draw)


def make_pendulum(
    n_samples: int = 15000,
    image_size: int = 16,
    random_state=None,
    return_angles: bool = True,
    *,
    supersampling: int = 4,
    rod_width: float = 0.08,
    bob_radius: float = 0.11,
    angle_range: tuple[float, float] = (0.0, 2.0 * np.pi),
):
    """Grey-level images of a pendulum swinging around the image centre.

    The data set of Klushyn et al. (2019), Sec. 4.1: the joint angle θ is uniform in
    ``angle_range`` ([0, 2π) by default) and is the only degree of freedom. A rod from the
    centre ends in a round bob; θ = 0 points straight down and θ grows counter-clockwise as
    seen on the image. Pixels hold the covered fraction of their area (anti-aliasing by
    ``supersampling`` × ``supersampling`` samples per pixel), so values lie in [0, 1].

    **Topology.** With the full turn the images lie on a circle S¹ (a closed loop in pixel
    space); with a smaller ``angle_range``, e.g. ``(0, 1.5 * np.pi)`` for a pendulum that
    swings through 270° only, on an interval: an open arc, whose two ends are different
    images, with no loop.

    Geometry, in units of the image size s: rod length 0.36 s, rod width ``rod_width`` s,
    bob radius ``bob_radius`` s (defaults at s = 16: 5.8, 1.3 and 1.8 pixels). The paper
    does not give them; they matter for the paper's model as written (docs/pendulum.md).

    To learn the latent ring of the paper's Sec. 4.1 from these images, fit
    ``VHPAutoencoder(n_components=2, init="pca", posterior="isotropic")`` (the
    *pendulum settings*; everything else at its defaults): the encoder starts on the
    principal ring and stays frozen during REWO's initial phase, and the posterior is
    isotropic. Over 8 seeds this keeps the ring round and closed with the learned prior
    on it, for the default geometry and for thicker and thinner pendulums
    (``benchmarks/experiments/pendulum_topology.py``, results in docs/pendulum.md).

    Parameters
    ----------
    n_samples : int, default=15000
    image_size : int, default=16
        Images are ``image_size`` x ``image_size``, flattened row-major.
    random_state : int, RandomState instance or None
    return_angles : bool, default=True
    supersampling : int, default=4
    rod_width, bob_radius : float, default=0.08, 0.11
        In units of the image size.
    angle_range : tuple of two floats, default=(0, 2π)
        The angles are uniform in [low, high), with 0 < high - low <= 2π.

    Returns
    -------
    X : ndarray of shape (n_samples, image_size**2), float32 in [0, 1]
    angles : ndarray of shape (n_samples,), float64 in ``angle_range``
        Only if ``return_angles``.

    Examples
    --------
    >>> import numpy as np
    >>> from skvhp.datasets import make_pendulum
    >>> X, angles = make_pendulum(100, random_state=0)
    >>> X.shape, float(X.min()) >= 0.0, float(X.max()) <= 1.0
    ((100, 256), True, True)
    >>> arc, angles = make_pendulum(100, random_state=0, angle_range=(0, 1.5 * np.pi))
    >>> float(angles.max()) < 1.5 * np.pi
    True
    """
    _check_sizes(n_samples=n_samples, image_size=image_size, supersampling=supersampling)
    low, high = _check_angle_range(angle_range)
    rng = check_random_state(random_state)
    angles = rng.uniform(low, high, size=n_samples)
    for name, value in (("rod_width", rod_width), ("bob_radius", bob_radius)):
        check_float(value, name, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    X = render_pendulum(angles, image_size, supersampling, rod_width, bob_radius)
    return (X, angles) if return_angles else X


def _check_angle_range(angle_range) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in angle_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"angle_range must be two numbers (low, high), got {angle_range!r}."
        ) from None
    if not (np.isfinite(low) and np.isfinite(high) and 0 < high - low <= 2 * np.pi + 1e-12):
        raise ValueError(f"angle_range must have 0 < high - low <= 2π, got {angle_range!r}.")
    return low, high


# The second pendulum of make_two_pendulums: shorter, with a thicker rod and a larger bob,
# so that no image of one is close to an image of the other.
SECOND_PENDULUM = dict(rod_length=0.24, rod_width=0.16, bob_radius=0.16)


def make_two_pendulums(
    n_samples: int = 15000,
    image_size: int = 16,
    random_state=None,
    *,
    supersampling: int = 4,
):
    """Images of one of two different pendulums each: two disjoint circles.

    Each image shows either the pendulum of :func:`make_pendulum` (label 0) or a shorter
    one with a thicker rod and a larger bob (label 1: rod length 0.24, rod width 0.16, bob
    radius 0.16, in units of the image size), each swinging through the full turn; the
    label is drawn with probability 1/2 and the angle uniformly in [0, 2π).

    **Topology.** Two disjoint circles: a latent space that keeps it has two separate
    loops (two connected components, each with one hole).

    Parameters
    ----------
    n_samples : int, default=15000
    image_size : int, default=16
    random_state : int, RandomState instance or None
    supersampling : int, default=4

    Returns
    -------
    X : ndarray of shape (n_samples, image_size**2), float32 in [0, 1]
    angles : ndarray of shape (n_samples,), float64 in [0, 2π)
    labels : ndarray of shape (n_samples,), int64 in {0, 1}
        Which pendulum.

    Examples
    --------
    >>> from skvhp.datasets import make_two_pendulums
    >>> X, angles, labels = make_two_pendulums(200, random_state=0)
    >>> X.shape, sorted(set(labels.tolist()))
    ((200, 256), [0, 1])
    """
    _check_sizes(n_samples=n_samples, image_size=image_size, supersampling=supersampling)
    rng = check_random_state(random_state)
    labels = rng.randint(0, 2, size=n_samples).astype(np.int64)
    angles = rng.uniform(0.0, 2.0 * np.pi, size=n_samples)
    X = np.empty((n_samples, image_size * image_size), dtype=np.float32)
    for label, geometry in ((0, {}), (1, SECOND_PENDULUM)):
        rows = labels == label
        X[rows] = render_pendulum(angles[rows], image_size, supersampling, **geometry)
    return X, angles, labels


def render_double_pendulum(
    angles: np.ndarray,
    image_size: int = 24,
    supersampling: int = 4,
    *,
    lengths: Sequence[float] = (0.22, 0.2),
    rod_width: float = 0.06,
    joint_radius: float = 0.05,
    bob_radius: float = 0.08,
) -> np.ndarray:
    """Render double-pendulum images for angles of shape (n, 2) (see
    :func:`make_double_pendulum`)."""
    s = image_size
    angles = np.asarray(angles, dtype=np.float64).reshape(-1, 2)
    l1, l2 = (length * s for length in lengths)
    half_width, joint, bob = rod_width / 2 * s, joint_radius * s, bob_radius * s

    def draw(rows, px, py):
        theta1, theta2 = angles[rows, :1], angles[rows, 1:]
        jx, jy = l1 * np.sin(theta1), l1 * np.cos(theta1)  # the elbow
        bx, by = jx + l2 * np.sin(theta2), jy + l2 * np.cos(theta2)  # the bob
        covered = _near_segment(px, py, 0.0, 0.0, jx, jy, half_width)
        covered |= _near_segment(px, py, jx, jy, bx, by, half_width)
        covered |= (px - jx) ** 2 + (py - jy) ** 2 <= joint**2
        return covered | ((px - bx) ** 2 + (py - by) ** 2 <= bob**2)

    return _render(len(angles), s, supersampling, draw)


def make_double_pendulum(
    n_samples: int = 15000,
    image_size: int = 24,
    random_state=None,
    *,
    supersampling: int = 4,
):
    """Grey-level images of a double pendulum: two joint angles, each uniform in [0, 2π).

    The first rod (length 0.22 of the image size) hangs from the centre at angle θ₁ and
    ends in a small joint disk; the second (length 0.2) hangs from the joint at angle θ₂
    (measured, like θ₁, from straight down, not relative to the first rod) and ends in a
    larger bob. At 24 × 24 pixels (the default) both angles show: the rods are 5.3 and 4.8
    pixels long; at 16 × 16 the second rod is barely three pixels.

    **Topology.** A torus T² = S¹ × S¹: both angles wrap around independently. The images
    determine both angles (the joint disk marks the elbow even when the second rod folds
    back onto the first), so a latent space that keeps the topology needs 3 dimensions to
    embed the torus.

    Parameters
    ----------
    n_samples : int, default=15000
    image_size : int, default=24
    random_state : int, RandomState instance or None
    supersampling : int, default=4

    Returns
    -------
    X : ndarray of shape (n_samples, image_size**2), float32 in [0, 1]
    angles : ndarray of shape (n_samples, 2), float64 in [0, 2π)
        (θ₁, θ₂).

    Examples
    --------
    >>> from skvhp.datasets import make_double_pendulum
    >>> X, angles = make_double_pendulum(50, random_state=0)
    >>> X.shape, angles.shape
    ((50, 576), (50, 2))
    """
    _check_sizes(n_samples=n_samples, image_size=image_size, supersampling=supersampling)
    rng = check_random_state(random_state)
    angles = rng.uniform(0.0, 2.0 * np.pi, size=(n_samples, 2))
    return render_double_pendulum(angles, image_size, supersampling), angles


def make_spheres(
    n_samples: int = 500,
    n_spheres: int = 10,
    dimension: int = 100,
    radius: float = 5.0,
    random_state=None,
):
    """The Spheres data of Topological Autoencoders (Moor, Horn, Rieck, Borgwardt 2020).

    ``n_spheres`` spheres S^``dimension`` in R^(``dimension`` + 1), of radius ``radius``
    with ``n_samples`` points each, their centres shifted by N(0, (10/√dimension)²) per
    coordinate, inside one enclosing sphere of radius 5 × ``radius`` centred at the origin
    with 10 × ``n_samples`` points (label ``n_spheres``). A point on a sphere is r·g/‖g‖
    with g standard normal. Draws follow Moor et al.'s generator in its order (shifts, then
    the small spheres, then the big one), so ``random_state=42`` gives their data point
    for point: their test split is the first 1000 indices of
    ``np.random.RandomState(42).permutation(10000)``, z-scored with the mean and standard
    deviation of the other 9000 points.

    **Topology.** Eleven disjoint spheres, ten of them nested inside the eleventh; in a
    2-d latent space the best one can do is keep the ten clusters apart and inside the
    big one (Moor et al.'s Fig. 3).

    Parameters
    ----------
    n_samples : int, default=500
        Points per small sphere (the big one has ten times as many).
    n_spheres : int, default=10
        Small spheres.
    dimension : int, default=100
        The spheres' intrinsic dimension; the data live in R^(dimension + 1).
    radius : float, default=5.0
    random_state : int, RandomState instance or None
        42 reproduces Moor et al.'s data.

    Returns
    -------
    X : ndarray of shape ((n_spheres + 10) * n_samples, dimension + 1), float64
    labels : ndarray of shape ((n_spheres + 10) * n_samples,), int64
        0 … n_spheres - 1 for the small spheres, n_spheres for the big one.

    Examples
    --------
    >>> from skvhp.datasets import make_spheres
    >>> X, labels = make_spheres(random_state=42)
    >>> X.shape, int(labels.max())
    ((10000, 101), 10)
    """
    n_samples = check_int(n_samples, "n_samples", 1)
    n_spheres = check_int(n_spheres, "n_spheres", 1)
    dimension = check_int(dimension, "dimension", 1)
    radius = check_float(radius, "radius", 0.0, low_inclusive=False)
    rng = check_random_state(random_state)

    def sphere(n: int, r: float) -> np.ndarray:
        g = rng.randn(n, dimension + 1)
        return r * g / np.sqrt(np.sum(g**2, 1)[:, None])

    # Their shift matrix has a row for the big sphere too, which it does not use.
    shifts = rng.normal(0.0, 10.0 / np.sqrt(dimension), (n_spheres + 1, dimension + 1))
    parts = [sphere(n_samples, radius) + shifts[i] for i in range(n_spheres)]
    parts.append(sphere(10 * n_samples, 5.0 * radius))
    labels = np.repeat(np.arange(n_spheres + 1), [len(p) for p in parts]).astype(np.int64)
    return np.concatenate(parts), labels
