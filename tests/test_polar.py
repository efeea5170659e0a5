import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skvhp import PolarCoordinates


def test_ring_maps_to_unit_circle_about_its_centre():
    phi = np.linspace(0, 2 * np.pi, 50, endpoint=False)
    Z = np.c_[3 + 2 * np.cos(phi), -1 + 2 * np.sin(phi)]
    polar = PolarCoordinates(include_radius=True).fit(Z)
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
