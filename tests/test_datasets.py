import numpy as np
import pytest

from skvhp.datasets import get_data_home, load_binarized_mnist


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
