"""benchmarks/experiments/nll_table.py: a Table 2 run stopped after every chunk and
resumed from its checkpoint (a fresh ``run`` each time that reloads it from disk, as a
queue or a new session does) ends where an unbroken run does."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

EXPERIMENTS = Path(__file__).resolve().parents[1] / "benchmarks" / "experiments"


@pytest.fixture
def nll_table(monkeypatch):
    monkeypatch.syspath_prepend(str(EXPERIMENTS))
    import nll_table

    threads = torch.get_num_threads()  # run() sets torch's thread count
    yield nll_table
    torch.set_num_threads(threads)
    sys.modules.pop("nll_table", None)


def _run(nll_table, data_home, out: Path, minutes: float) -> None:
    nll_table.main(
        [
            "run",
            *("--dataset", "static-mnist", "--model", "vhp-rewo"),
            *("--epochs", "4", "--chunk", "2", "--minutes", str(minutes)),
            *("--train-size", "300", "--test-size", "20", "--score-chunk", "10"),
            *("--importance-samples", "10", "--data-home", str(data_home)),
            *("--checkpoint-dir", str(out / "ckpt"), "--results-dir", str(out / "nll")),
        ]
    )


def test_resumed_run_equals_unbroken_run(nll_table, shared_data_dir, tmp_path):
    result = "static-mnist__vhp-rewo.json"
    _run(nll_table, shared_data_dir, tmp_path / "unbroken", minutes=60)
    unbroken = json.loads((tmp_path / "unbroken" / "nll" / result).read_text())
    assert unbroken["status"] == "done"
    assert not list((tmp_path / "unbroken" / "ckpt").glob("*.pkl"))  # deleted when done

    # --minutes 0: one chunk (2 epochs, or 10 test points) per process, then a pause.
    statuses = []
    for _ in range(6):
        _run(nll_table, shared_data_dir, tmp_path / "broken", minutes=0)
        broken = json.loads((tmp_path / "broken" / "nll" / result).read_text())
        statuses.append(broken["status"])
        if broken["status"] == "done":
            break
    assert statuses == ["training (paused)", "scoring (paused)", "scoring (paused)", "done"]

    assert broken["epochs"] == unbroken["epochs"] == 4
    assert broken["test_points_scored"] == 20
    assert broken["learning_curve"]["validation_bound"] == pytest.approx(
        unbroken["learning_curve"]["validation_bound"], rel=1e-5
    )
    assert broken["schedule"] == unbroken["schedule"]
    assert broken["nll"] == pytest.approx(unbroken["nll"], rel=1e-5)
    # Per-image values are stored, in test-set order, and agree with the mean.
    per_image = np.array(broken["test_log_likelihoods"])
    assert per_image.shape == (20,)
    assert -per_image.mean() == pytest.approx(broken["nll"], abs=1e-3)
    np.testing.assert_allclose(per_image, unbroken["test_log_likelihoods"], rtol=1e-5)


def test_paired_difference_removes_the_shared_spread(nll_table):
    """Two models that differ by a constant 0.5 nats on images of widely varying
    likelihood: the paired error is 0, the unpaired one is not."""
    base = np.random.default_rng(0).normal(-90.0, 20.0, size=1000)
    mean, se = nll_table.paired_difference(base + 0.5, base)
    assert mean == pytest.approx(0.5) and se == pytest.approx(0.0, abs=1e-12)
    noisy = base + np.random.default_rng(1).normal(0.0, 1.0, size=1000)
    mean, se = nll_table.paired_difference(noisy, base)
    assert se == pytest.approx(1.0 / np.sqrt(1000), rel=0.1)
