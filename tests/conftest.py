import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# CI explores the same examples on every run (no flaky red builds); locally, hypothesis
# keeps searching for new counter-examples.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Under pytest-xdist (addopts: -n auto, one worker per core) each worker trains on one
# thread: workers with a thread per core each would fight over the cores.
if os.environ.get("PYTEST_XDIST_WORKER"):
    import torch

    torch.set_num_threads(1)

# The shared data sets: $SKVHP_DATA if set (as the package's loaders read it), else
# ../shared/data beside the clone. A fresh clone has neither: tests that need the data
# take the shared_data_dir fixture and skip, saying why.
DATA_DIR = Path(
    os.environ.get("SKVHP_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)


@pytest.fixture
def digits01():
    """sklearn's 8x8 digits scaled to [0, 1] (a small, built-in data set)."""
    from sklearn.datasets import load_digits

    return load_digits().data[:300] / 16.0


def pytest_collection_modifyitems(items):
    # `pytest -m shared_data` selects every test that reads the shared data (.ci/run
    # runs them once more with the data out of reach: they must skip, not fail).
    for item in items:
        if "shared_data_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared_data)


@pytest.fixture
def shared_data_dir():
    if not DATA_DIR.is_dir():
        pytest.skip(f"shared data folder not found at {DATA_DIR}")
    return DATA_DIR


def small(cls, **params):
    """An estimator small enough for a unit test."""
    defaults = dict(
        n_components=2,
        hidden_layer_sizes=(8,),
        max_iter=2,
        batch_size=32,
        n_importance_samples=8,
        device="cpu",
        random_state=0,
    )
    if cls().get_params().get("warmup_epochs", 0) > 0:
        # A warm-up that ends within the test's epochs (else fit warns that β stayed < 1).
        defaults["warmup_epochs"] = 1
    defaults.update(params)
    return cls(**defaults)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
