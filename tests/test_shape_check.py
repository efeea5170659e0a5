"""The check after every fit (issue #39, item 4): the codes' loops and pieces against the
data's, kept as ``shape_check_``, a ``TopologyWarning`` where they differ."""

import warnings

import numpy as np
import pytest

from skvhp import IWAE, TopologyWarning, VHPAutoencoder
from skvhp._shape_check import n_loops, sample_rows, shape_summary
from skvhp.datasets import make_pendulum, make_two_pendulums

from .conftest import small


def circle(t, centre=0.0):
    return np.c_[np.cos(t) + centre, np.sin(t)]


class GivenCodes(IWAE):
    """An IWAE whose codes are given, row by row (fit trains as usual): the check then
    sees codes of a known shape."""

    codes: dict = {}

    def _codes(self, X):
        return np.array([self.codes[row.tobytes()] for row in np.asarray(X)])


def given(X, Z):
    GivenCodes.codes = {row.tobytes(): code for row, code in zip(X, Z, strict=True)}
    return small(GivenCodes, max_iter=1)


def topology_warnings(fit):
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        fit()
    return [str(r.message) for r in records if issubclass(r.category, TopologyWarning)]


def arc_closed():
    X, angles = make_pendulum(900, random_state=0, angle_range=(0, 1.5 * np.pi))
    return X, circle(angles / 0.75), "the codes have a loop the data lack"


def ring_cut_open():
    X, angles = make_pendulum(900, random_state=0)
    return X, circle(0.5 * angles), "the codes lack a loop the data have"


def pieces_merged():
    X, angles, _ = make_two_pendulums(900, random_state=0)
    return X, circle(angles), "the data's 2 separate pieces merge in the codes"


@pytest.mark.parametrize("case", [arc_closed, ring_cut_open, pieces_merged])
def test_fit_warns_where_the_codes_change_the_shape_of_the_data(case):
    X, Z, problem = case()
    model = given(X, Z)
    messages = topology_warnings(lambda: model.fit(X))
    assert len(messages) == 1 and problem in messages[0]
    assert "shape_check=False" in messages[0] and "Keeping the shape" in messages[0]
    assert problem in model.shape_check_["problems"]
    # Switched off: no check, no warning.
    model.set_params(shape_check=False)
    assert topology_warnings(lambda: model.fit(X)) == [] and model.shape_check_ is None


@pytest.mark.parametrize("keep", ["arc", "ring", "two pieces"])
def test_fit_is_silent_where_the_codes_keep_the_shape(keep):
    if keep == "arc":
        X, angles = make_pendulum(900, random_state=0, angle_range=(0, 1.5 * np.pi))
        Z = np.c_[angles, 0.1 * np.sin(3 * angles)]  # unrolled, a little wavy
    elif keep == "ring":
        X, angles = make_pendulum(900, random_state=0)
        Z = circle(angles) * (1.0 + 0.3 * np.cos(angles))[:, None]  # not round: still a loop
    else:
        X, angles, labels = make_two_pendulums(900, random_state=0)
        Z = circle(angles, 3.0 * labels)
    model = given(X, Z)
    assert topology_warnings(lambda: model.fit(X)) == []
    assert model.shape_check_["problems"] == []


def test_a_trained_model_that_keeps_a_ring_fits_silently():
    """A real fit: the circular start keeps the ring's loop, and the check says so."""
    X, _ = make_pendulum(1000, random_state=1)
    model = VHPAutoencoder(
        init="circular", max_iter=3, hidden_layer_sizes=(64,), device="cpu", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # REWO's phase: not this test's
        warnings.simplefilter("error", TopologyWarning)
        model.fit(X)
    check = model.shape_check_
    assert check["data"]["H1"][0] >= 0.15 and check["codes"]["H1"][0] >= 0.45
    assert check["problems"] == []


def test_the_check_repeats_with_the_fit_and_skips_what_it_cannot_read(digits01):
    X, angles = make_pendulum(300, random_state=0)
    first, second = (small(IWAE, max_iter=1).fit(X).shape_check_ for _ in range(2))
    assert first == second and set(first) == {"data", "codes", "problems", "rows"}
    # Fewer than 50 distinct rows, and partial_fit: nothing read, nothing said.
    model = small(IWAE, max_iter=1)
    assert topology_warnings(lambda: model.fit(np.repeat(X[:40], 3, axis=0))) == []
    assert model.shape_check_ is None
    model.partial_fit(X)
    assert model.shape_check_ is None


def test_codes_that_cannot_be_read_warn_and_leave_the_fit_standing():
    X, angles = make_pendulum(300, random_state=0)
    Z = circle(angles)
    Z[::7] = np.nan  # a diverged model's codes
    model = given(X, Z)
    messages = topology_warnings(lambda: model.fit(X))
    assert len(messages) == 1 and "could not read the codes" in messages[0]
    assert model.shape_check_ is None and model.n_iter_ == 1  # fitted all the same


def test_a_frame_fits_without_a_feature_name_warning_and_keeps_set_output():
    """The check encodes the rows fit validated: no second check of their names."""
    pd = pytest.importorskip("pandas")
    X, _ = make_pendulum(300, random_state=0)
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])])
    model = small(IWAE, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", TopologyWarning)  # a 1-epoch model: not this test's
        model.fit(frame)
    assert model.shape_check_ is not None
    codes = model.set_output(transform="pandas").transform(frame)
    assert list(codes.columns) == ["iwae0", "iwae1"]


def test_auto_on_too_few_distinct_rows_to_read_a_shape_takes_pca():
    X, _ = make_pendulum(60, random_state=0)
    X = np.repeat(X[:20], 3, axis=0)  # 20 distinct rows
    model = VHPAutoencoder(init="auto", max_iter=1, hidden_layer_sizes=(8,), device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model.fit(X)
    assert model.layout_ == "pca" and model.shape_check_ is None


def test_shape_check_must_be_a_bool(digits01):
    with pytest.raises(ValueError, match="shape_check"):
        small(IWAE, shape_check="yes").fit(digits01)


def test_a_loop_must_pass_its_line_and_stand_out_from_the_next_bar():
    def geodesic(*bars):
        return {"metric": "geodesic", "H1": list(bars), "pieces": 1}

    assert n_loops(geodesic(0.39, 0.03, 0.03)) == 1  # a ring (its bar read up to 0.4)
    assert n_loops(geodesic(0.26, 0.13, 0.09)) == 1  # a torus: the second loop not sure
    assert n_loops(geodesic(0.34, 0.25)) == 2  # two rings
    assert n_loops(geodesic(0.19, 0.17, 0.17)) == 0  # MNIST's ladder of short cycles
    assert n_loops(geodesic(0.12, 0.01)) == 0  # below the line
    assert n_loops({"metric": "euclidean", "H1": [1.7, 0.02], "pieces": 1}) == 1
    assert n_loops({"metric": "euclidean", "H1": [0.35], "pieces": 1}) == 0  # a C of 270°


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "caltech101_silhouettes_28"])
def test_real_images_without_a_known_loop_read_none(shared_data_dir, name):
    """Data sets whose images have no loop we know of: their neighbour graphs' ladder of
    short cycles is no loop, so no fit of them is told that its codes lack one."""
    data = np.load(shared_data_dir / f"{name}.npz")
    X = (data["x_train"] if "x_train" in data else data["x"])[:3000].reshape(3000, -1)
    X = X.astype(np.float64) / X.max()
    rows, landmarks = sample_rows(X, np.random.default_rng(0))
    reading = shape_summary(X[rows], landmarks)
    assert reading["H1"][0] >= 0.1 and n_loops(reading) == 0
