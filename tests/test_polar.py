import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skvhp import PolarCoordinates


def test_ring_maps_to_unit_circle_about_its_centre():
    phi = np.linspace(0, 2 * np.pi, 50, endpoint=False)
    Z = np.c_[3 + 2 * np.cos(phi), -1 + 2 * np.sin(phi)]
    polar = PolarCoordinates(center="mean", include_radius=True).fit(Z)
    np.testing.assert_allclose(polar.center_, [3, -1], atol=1e-12)
    out = polar.transform(Z)
    np.testing.assert_allclose(out[:, 0], 2.0)
    diff = np.angle(np.exp(1j * (np.arctan2(out[:, 2], out[:, 1]) - phi)))
    np.testing.assert_allclose(diff, 0.0, atol=1e-12)
    assert list(polar.get_feature_names_out()) == ["r", "cos_phi", "sin_phi"]


def test_center_options_and_dtypes():
    Z = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]], dtype=np.float32)
    assert PolarCoordinates(center="median").fit(Z).center_[0] == 1.0
    out = PolarCoordinates(center=[0.5, 0.0]).fit(Z).transform(Z)
    assert out.dtype == np.float32 and out.shape == (3, 2)
    restored = pickle.loads(pickle.dumps(PolarCoordinates().fit(Z)))
    np.testing.assert_array_equal(restored.transform(Z), PolarCoordinates().fit(Z).transform(Z))
    assert not hasattr(clone(restored), "center_")


@pytest.mark.parametrize(
    "params, X, message",
    [
        ({}, np.zeros((3, 3)), "2 features"),
        ({}, np.zeros((3, 1)), "2 features"),
        ({}, np.array([[np.nan, 0.0]]), "NaN"),
        ({"center": "mode"}, np.zeros((3, 2)), "center"),
        ({"center": [1.0]}, np.zeros((3, 2)), "center"),
    ],
)
def test_bad_input(params, X, message):
    with pytest.raises(ValueError, match=message):
        PolarCoordinates(**params).fit(X)


def test_transform_checks_features():
    polar = PolarCoordinates().fit(np.eye(2))
    with pytest.raises(ValueError, match="features"):
        polar.transform(np.zeros((2, 3)))


def test_circle_centre_is_robust_to_uneven_sampling():
    """Points crowded on one side of a ring pull the mean off-centre, not the circle fit."""
    phi = np.random.default_rng(0).beta(0.7, 3.0, size=500) * 2 * np.pi  # mostly near 0
    Z = np.c_[1 + 3 * np.cos(phi), 2 + 3 * np.sin(phi)]
    np.testing.assert_allclose(PolarCoordinates(center="circle").fit(Z).center_, [1, 2], atol=1e-9)
    assert np.linalg.norm(PolarCoordinates().fit(Z).center_ - [1, 2]) > 0.5
    # Degenerate input (collinear points) falls back to the mean.
    line = np.c_[np.arange(5.0), np.zeros(5)]
    np.testing.assert_allclose(PolarCoordinates(center="circle").fit(line).center_, [2.0, 0.0])
