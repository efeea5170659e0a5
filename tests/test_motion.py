"""A small motion-capture fit: graph interpolation between two frames of one clip."""

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.preprocessing import StandardScaler

from skvhp import LatentGraphInterpolator, VHPAutoencoder
from skvhp.datasets import load_cmu_mocap

# The mocap fits use a loose κ to reach REWO's main phase in few epochs (the warning
# is asserted in test_vhp.py::test_loose_kappa_warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore:kappa=.* is loose:sklearn.exceptions.ConvergenceWarning"
)


def test_interpolating_within_a_clip_gives_finite_joint_angles(shared_data_dir):
    mocap = load_cmu_mocap(shared_data_dir)
    frames = np.flatnonzero(mocap.clip == mocap.clip[0])  # the first walking clip
    scaler = StandardScaler().fit(mocap.data)
    X = scaler.transform(mocap.data[:600]).astype(np.float32)
    vhp = VHPAutoencoder(
        n_components=2,
        hidden_layer_sizes=(32,),
        prior_hidden_layer_sizes=(16,),
        k=4,
        likelihood="gaussian",
        kappa=0.8,
        max_iter=5,
        n_importance_samples=10,
        device="cpu",
        random_state=0,
    ).fit(X)
    graph = LatentGraphInterpolator(
        FrozenEstimator(vhp), n_nodes=200, connect_components=True, random_state=0
    ).fit(X)
    start, end = X[frames[0]], X[frames[-1]]
    path, latent = graph.interpolate(start, end, return_latent=True)
    angles = scaler.inverse_transform(path)
    assert angles.shape[1] == 50 and len(angles) >= 2 and np.all(np.isfinite(angles))
    # The path runs from the start frame's encoding to the end frame's, decoded.
    np.testing.assert_allclose(latent[0], vhp.transform(start[None])[0], rtol=1e-6)
    np.testing.assert_allclose(latent[-1], vhp.transform(end[None])[0], rtol=1e-6)
    # float32 decoding of 2 rows or of the whole path: the products' rounding differs by
    # ~1e-7 in absolute terms, which a relative tolerance cannot absorb near 0.
    np.testing.assert_allclose(
        path[[0, -1]], vhp.inverse_transform(latent[[0, -1]]), rtol=1e-5, atol=1e-6
    )
    assert np.all(np.abs(angles) < 4 * np.pi)  # plausible joint angles, in radians
