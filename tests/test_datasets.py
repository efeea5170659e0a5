import numpy as np
import pytest

from skvhp.datasets import (
    get_data_home,
    load_binarized_mnist,
    load_cmu_mocap,
    load_fashion_mnist,
    load_frey_faces,
    load_mnist,
    make_pendulum,
)


def test_binarized_mnist_shapes(shared_data_dir):
    X_train, X_valid, X_test = load_binarized_mnist(shared_data_dir)
    assert X_train.shape == (50000, 784) and X_valid.shape == X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and set(np.unique(X_test)) == {0.0, 1.0}
    assert X_test.mean() == pytest.approx(0.1325, abs=1e-3)


def test_data_home_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("SKVHP_DATA", raising=False)
    with pytest.raises(ValueError, match="data_home"):
        get_data_home()
    with pytest.raises(ValueError, match="not a folder"):
        get_data_home(tmp_path / "nope")
    with pytest.raises(ValueError, match="not found"):
        load_binarized_mnist(tmp_path)
    (tmp_path / "binarized_mnist.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a readable"):
        load_binarized_mnist(tmp_path)
    np.savez(tmp_path / "binarized_mnist.npz", x_train=np.zeros((2, 98), np.uint8))
    with pytest.raises(ValueError, match="malformed"):
        load_binarized_mnist(tmp_path)
    monkeypatch.setenv("SKVHP_DATA", str(tmp_path))
    assert get_data_home() == tmp_path


def test_frey_faces(shared_data_dir):
    X = load_frey_faces(shared_data_dir)
    assert X.shape == (1965, 560) and X.dtype == np.float32
    assert 0.0 <= X.min() and X.max() <= 1.0


def test_make_pendulum_is_seeded_and_depends_only_on_the_angle():
    X, angles = make_pendulum(50, random_state=3)
    X2, angles2 = make_pendulum(50, random_state=3)
    np.testing.assert_array_equal(X, X2)
    assert X.shape == (50, 256) and X.dtype == np.float32
    assert np.all((angles >= 0) & (angles < 2 * np.pi))
    assert 0.0 <= X.min() and X.max() <= 1.0 and 0 < X.mean() < 0.5
    # Opposite angles give images mirrored through the centre.
    from skvhp.datasets import render_pendulum

    a, b = render_pendulum(np.array([0.3, 0.3 + np.pi]))
    np.testing.assert_allclose(a.reshape(16, 16), b.reshape(16, 16)[::-1, ::-1], atol=1e-6)
    assert make_pendulum(5, image_size=8, return_angles=False).shape == (5, 64)
    with pytest.raises(ValueError, match="n_samples"):
        make_pendulum(0)
    # A thicker pendulum covers more pixels; a nonsensical size is refused.
    thick = make_pendulum(50, random_state=3, rod_width=0.24, bob_radius=0.16)[0]
    assert thick.mean() > 1.5 * X.mean()
    with pytest.raises(ValueError, match="rod_width"):
        make_pendulum(5, rod_width=0.0)
    with pytest.raises(ValueError, match="bob_radius"):
        make_pendulum(5, bob_radius=2.0)


def test_cmu_mocap(shared_data_dir):
    mocap = load_cmu_mocap(shared_data_dir)
    assert mocap.data.shape == (4642, 50) and mocap.data.dtype == np.float32
    assert np.all(np.abs(mocap.data) <= np.pi + 1e-6)
    assert list(mocap.motion_names) == ["walk", "jog", "balance", "martial_arts", "dance"]
    assert np.bincount(mocap.motion).tolist() == [2407, 406, 741, 816, 272]
    assert not any(str(c).startswith("root_") for c in mocap.channels)
    raw = load_cmu_mocap(shared_data_dir, drop_root_rotation=False, wrap_angles=False)
    assert raw.data.shape == (4642, 53) and np.abs(raw.data).max() > 20
    # Wrapping changes values only by whole turns.
    turns = (raw.data[:, 3:] - mocap.data) / (2 * np.pi)
    np.testing.assert_allclose(turns, np.round(turns), atol=1e-4)


def test_cmu_mocap_errors(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        load_cmu_mocap(tmp_path)
    np.savez(tmp_path / "cmu_mocap.npz", x=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="missing arrays"):
        load_cmu_mocap(tmp_path)


@pytest.mark.parametrize("loader", [load_mnist, load_fashion_mnist])
def test_grey_mnist_loaders(loader, shared_data_dir):
    X_train, y_train, X_test, y_test = loader(shared_data_dir)
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and 0.0 <= X_train.min() and X_train.max() <= 1.0
    assert len(np.unique(X_train[:100])) > 2  # grey levels, not binary
    assert np.bincount(y_test).tolist() == (
        [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
        if loader is load_mnist
        else [1000] * 10
    )
