"""The public surface under random input (hypothesis): random shapes, dtypes, memory
layouts, DataFrames, sparse matrices, NaN and inf. Every call either returns a correct
result or raises a ValueError (TypeError for a wrong type) with a message; no other
exception, and a fitted model never changes."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import skvhp
from skvhp import IWAE, VampPriorVAE, VHPAutoencoder

from .conftest import small

N_FEATURES = 5
pytestmark = pytest.mark.filterwarnings("ignore:X has feature names")
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DTYPES = [np.float16, np.float32, np.float64, np.int64, np.bool_]
LAYOUTS = ["C", "F", "strided", "frame", "sparse", "list"]


@st.composite
def data(draw, n_features=None):
    """An input in some dtype and layout, maybe with NaN or inf, maybe out of [0, 1]."""
    n = draw(st.integers(1, 12))
    d = n_features if n_features is not None else draw(st.integers(1, 7))
    values = draw(arrays(np.float64, (n, d), elements=st.floats(0.0, 1.0)))
    if draw(st.booleans()):
        flat = values.ravel()
        for i in draw(st.lists(st.integers(0, flat.size - 1), max_size=3)):
            flat[i] = draw(st.sampled_from([np.nan, np.inf, -np.inf, -0.5, 2.0]))
    dtype = draw(st.sampled_from(DTYPES))
    with np.errstate(invalid="ignore", over="ignore"):
        X = values.astype(dtype) if dtype is not np.int64 else np.nan_to_num(values).astype(dtype)
    layout = draw(st.sampled_from(LAYOUTS))
    if layout == "F":
        return np.asfortranarray(X)
    if layout == "strided":
        return np.repeat(X, 2, axis=1)[:, ::2]
    if layout == "frame":
        return pd.DataFrame(X, columns=[f"f{j}" for j in range(d)])
    if layout == "sparse":
        return sp.csr_matrix(X.astype(np.float64))
    if layout == "list":
        return X.tolist()
    return X


MODELS = {
    "iwae": lambda: small(IWAE, hidden_layer_sizes=(4,), k=2, max_iter=1),
    "vamp": lambda: small(VampPriorVAE, hidden_layer_sizes=(4,), n_pseudo_inputs=3, max_iter=1),
    "vhp": lambda: small(
        VHPAutoencoder,
        hidden_layer_sizes=(4,),
        prior_hidden_layer_sizes=(4,),
        k=2,
        schedule="constant",
        max_iter=1,
    ),
}


def fitted(name):
    rng = np.random.default_rng(0)
    return MODELS[name]().fit(rng.random((40, N_FEATURES)))


def state(model) -> dict:
    return {k: pickle.dumps(v) for k, v in model.__getstate__().items()}


def expect_clean(call):
    """The call's result, or None when it raised a ValueError / TypeError with a message."""
    try:
        return call()
    except (ValueError, TypeError) as error:
        assert str(error), "an error without a message"
        return None


@pytest.mark.parametrize("name", list(MODELS))
@SETTINGS
@given(X=data())
def test_fit_gives_a_model_or_a_clear_error(name, X):
    model = MODELS[name]()
    result = expect_clean(lambda: model.fit(X))
    if result is None:
        assert not hasattr(model, "module_")
        return
    n = np.shape(X)[0]
    Z = model.transform(X)
    assert Z.shape == (n, 2) and np.all(np.isfinite(Z))


@pytest.mark.parametrize("name", list(MODELS))
@SETTINGS
@given(X=data(n_features=N_FEATURES), width=st.sampled_from([N_FEATURES, 3]))
def test_inference_gives_results_or_clear_errors_and_never_changes_the_model(name, X, width):
    model = fitted(name)
    before = state(model)
    if width != N_FEATURES:
        X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)[:, :width]
    n = np.shape(X)[0]
    for method, shape in (("transform", (n, 2)), ("score_samples", (n,))):
        out = expect_clean(lambda method=method: getattr(model, method)(X))
        if out is not None:
            assert out.shape == shape and np.all(np.isfinite(out))
    Z = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)[:, :2]
    out = expect_clean(lambda: model.inverse_transform(Z))
    if out is not None:
        assert out.shape == (n, N_FEATURES) and np.all(np.isfinite(out))
    assert state(model) == before


@pytest.mark.parametrize("name", list(MODELS))
@SETTINGS
@given(
    n=st.one_of(st.integers(-3, 5), st.floats(-1, 3), st.booleans(), st.none(), st.text()),
    seed=st.one_of(st.integers(0, 10), st.integers(-5, -1), st.none()),
)
def test_sample_gives_samples_or_clear_errors(name, n, seed):
    model = fitted(name)
    before = state(model)
    out = expect_clean(lambda: model.sample(n, random_state=seed))
    if out is not None:
        assert isinstance(n, int) and out.shape == (n, N_FEATURES)
    assert state(model) == before


@SETTINGS
@given(blob=st.binary(max_size=400), keep=st.integers(0, 2000))
def test_load_refuses_any_damaged_file_clearly(blob, keep, tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    model = fitted("iwae")
    good = folder / "good.safetensors"
    skvhp.save(model, good)
    for content in (blob, good.read_bytes()[:keep], good.read_bytes()[:keep] + blob):
        path = folder / "damaged.safetensors"
        path.write_bytes(content)
        loaded = expect_clean(lambda path=path: skvhp.load(path))
        if loaded is not None:  # an undamaged prefix can only be the whole file
            assert content == good.read_bytes()
