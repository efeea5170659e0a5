"""The data are shared, not copied, and never written to: a read-only X (a memory map)
trains and scores with every estimator, and comes back unchanged."""

import numpy as np
import pytest
import torch

from skvhp._torch.device import as_tensor

from .conftest import small
from .test_resume import CASES
from .test_resume import images as images  # the fixture, shared


def test_float32_c_contiguous_data_are_shared_on_the_cpu():
    X = np.random.default_rng(0).random((50, 4)).astype(np.float32)
    tensor = as_tensor(X, torch.device("cpu"))
    assert tensor.data_ptr() == X.ctypes.data  # the same memory
    X64 = X.astype(np.float64)
    assert as_tensor(X64, torch.device("cpu")).dtype == torch.float32  # one copy, float32


@pytest.mark.parametrize("name", list(CASES))
def test_a_read_only_memory_map_trains_and_scores_and_stays_as_it_was(name, images, tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, images.astype(np.float32))
    X = np.load(path, mmap_mode="r")  # read-only: a write would fail
    assert not X.flags.writeable
    cls, params = CASES[name]
    model = small(cls, max_iter=3, **params).fit(X)
    model.transform(X)
    model.score_samples(X)
    if not params.get("early_stopping"):
        model.partial_fit(X)
    np.testing.assert_array_equal(X, images.astype(np.float32))


def test_data_stay_on_the_host_when_the_gpu_is_short_of_memory(monkeypatch):
    from skvhp._torch import device as device_module

    cuda = torch.device("cuda:0")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (1000, 8000))
    assert device_module.data_device(500, cuda) == cuda  # half the free memory at most
    assert device_module.data_device(501, cuda) == torch.device("cpu")
    cpu = torch.device("cpu")
    assert device_module.data_device(10**15, cpu) == cpu
    x = torch.ones(3)
    assert device_module.to_device(x, cpu) is x  # already there: no copy


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", ["IWAE L=1", "VampPrior L=1", "VHP REWO pca"])
def test_host_resident_data_train_as_device_resident_data(name, images, monkeypatch):
    """On a GPU, data kept on the host (batches moved one by one) give the same model."""
    cls, params = CASES[name]
    on_device = small(cls, max_iter=3, device="cuda", **params).fit(images)
    monkeypatch.setattr("skvhp._base.data_device", lambda nbytes, device: torch.device("cpu"))
    on_host = small(cls, max_iter=3, device="cuda", **params).fit(images)
    for key, value in on_device.module_.state_dict().items():
        torch.testing.assert_close(value, on_host.module_.state_dict()[key])
    np.testing.assert_allclose(on_host.transform(images), on_device.transform(images))
    np.testing.assert_allclose(
        on_host.score_samples(images[:20]), on_device.score_samples(images[:20]), rtol=1e-5
    )
