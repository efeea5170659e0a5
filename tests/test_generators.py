"""The generated data sets of skvhp.datasets: shapes, randomness and the topology each
docstring states."""

import numpy as np
import pytest

from skvhp.datasets import (
    make_double_pendulum,
    make_pendulum,
    make_spheres,
    make_two_pendulums,
    render_pendulum,
)
from skvhp.topology import longest_bars


def test_the_pendulum_by_default_is_unchanged_by_the_angle_range_option():
    X, angles = make_pendulum(50, random_state=3)
    X_full, angles_full = make_pendulum(50, random_state=3, angle_range=(0.0, 2 * np.pi))
    assert np.array_equal(X, X_full) and np.array_equal(angles, angles_full)
    np.testing.assert_array_equal(X, render_pendulum(angles))


def test_an_arc_stays_in_its_range_and_has_no_loop():
    X, angles = make_pendulum(1500, random_state=0, angle_range=(0.0, 1.5 * np.pi))
    assert angles.min() >= 0.0 and angles.max() < 1.5 * np.pi
    # The images of a 270° swing: no long loop (a full swing has one).
    arc = longest_bars(X, n_points=400)["H1"][0]
    full = longest_bars(make_pendulum(1500, random_state=0)[0], n_points=400)["H1"][0]
    assert arc < 0.2 < full
    with pytest.raises(ValueError, match="angle_range"):
        make_pendulum(5, angle_range=(0.0, 7.0))
    with pytest.raises(ValueError, match="angle_range"):
        make_pendulum(5, angle_range="wide")


def test_two_pendulums_are_two_separate_loops():
    X, angles, labels = make_two_pendulums(1200, random_state=0)
    assert X.shape == (1200, 256) and X.dtype == np.float32 and 0.4 < labels.mean() < 0.6
    again = make_two_pendulums(1200, random_state=0)
    assert all(np.array_equal(a, b) for a, b in zip((X, angles, labels), again, strict=True))
    bars = longest_bars(X, n_points=500)
    assert min(bars["H1"]) > 0.3 and bars["H0"][0] > 0.3
    # Label 0 is the pendulum of make_pendulum.
    np.testing.assert_array_equal(X[labels == 0], render_pendulum(angles[labels == 0]))


def test_the_double_pendulum_shows_both_angles():
    X, angles = make_double_pendulum(300, random_state=1)
    assert X.shape == (300, 24 * 24) and angles.shape == (300, 2)
    assert 0.0 <= X.min() and X.max() <= 1.0
    # Moving either joint alone changes the image.
    base = make_double_pendulum(1, random_state=2)[1]
    from skvhp._generators import render_double_pendulum

    images = render_double_pendulum(np.r_[base, base + [0.5, 0.0], base + [0.0, 0.5]])
    assert np.abs(images[1] - images[0]).sum() > 5 and np.abs(images[2] - images[0]).sum() > 5


def test_spheres_follow_moor_et_al():
    X, labels = make_spheres(n_samples=20, n_spheres=3, dimension=4, random_state=0)
    assert X.shape == (20 * 3 + 200, 5) and np.bincount(labels).tolist() == [20, 20, 20, 200]
    big = X[labels == 3]
    np.testing.assert_allclose(np.linalg.norm(big, axis=1), 25.0)  # centred, radius 5 × 5
    for label in range(3):  # radius 5 about a shifted centre
        points = X[labels == label]
        centre = np.linalg.lstsq(
            np.c_[2 * points, np.ones(len(points))], (points**2).sum(1), rcond=None
        )[0][:-1]
        np.testing.assert_allclose(np.linalg.norm(points - centre, axis=1), 5.0, rtol=1e-6)
    X_default, _ = make_spheres(random_state=42)
    assert X_default.shape == (10000, 101)
    with pytest.raises(ValueError, match="radius"):
        make_spheres(radius=0.0)
