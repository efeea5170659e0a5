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
