"""Behaviour every skvhp estimator shares: bad input, pipelines, pickling, determinism."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from skvhp import IWAE, VampPriorVAE, VHPAutoencoder
from skvhp._torch.evaluation import validation_loss
from skvhp._torch.objectives import importance_weighted_loss

from .conftest import small

FACTORIES = {
    "iwae": lambda **kw: small(IWAE, **kw),
    "iwae_l2": lambda **kw: small(
        IWAE, n_layers=2, n_components_z1=3, hidden_layer_sizes_z2=(4,), **kw
    ),
}
# κ = 0.42 with a fast running average (α = 0.5) and learning rate: below the untrained
# model's RMS error on digits01 (0.43; a larger κ would skip the initial phase, with a
# ConvergenceWarning) and met within a few iterations (κ = 0.1 would keep REWO in its
# initial phase, with another ConvergenceWarning, and the prior untrained).
FACTORIES["vhp"] = lambda **kw: small(
    VHPAutoencoder,
    prior_hidden_layer_sizes=(4,),
    **{"k": 3, "kappa": 0.42, "alpha": 0.5, "learning_rate": 2e-2, **kw},
)
FACTORIES["vamp"] = lambda **kw: small(VampPriorVAE, n_pseudo_inputs=5, warmup_epochs=1, **kw)
FACTORIES["vamp_l2"] = lambda **kw: small(
    VampPriorVAE, n_pseudo_inputs=5, n_layers=2, n_components_z1=3, **kw
)
factory_names = pytest.mark.parametrize("name", list(FACTORIES))


def fitted_state(model):
    return {k: v.clone() for k, v in model.module_.state_dict().items()}, model.n_features_in_


def assert_unchanged(model, before):
    state, n_features = before
    assert model.n_features_in_ == n_features
    for key, value in model.module_.state_dict().items():
        assert torch.equal(value, state[key]), key


@factory_names
def test_methods_shapes_and_dtypes(name, digits01):
    model = FACTORIES[name]().fit(digits01)
    Z = model.transform(digits01[:5])
    assert Z.shape == (5, 2) and Z.dtype == np.float64
    assert model.transform(digits01[:5].astype(np.float32)).dtype == np.float32
    X_hat = model.inverse_transform(Z)
    assert X_hat.shape == (5, 64) and np.all((X_hat >= 0) & (X_hat <= 1))
    scores = model.score_samples(digits01[:5])
    assert scores.shape == (5,) and np.all(np.isfinite(scores)) and np.all(scores < 0)
    assert model.score(digits01[:5]) == pytest.approx(scores.mean())
    X_new, Z_new = model.sample(4, random_state=0, return_latent=True)
    assert X_new.shape == (4, 64) and Z_new.shape == (4, 2)
    binary = model.sample(3, random_state=0, observation_noise=True)
    assert set(np.unique(binary)) <= {0.0, 1.0}
    assert model.sample_latent(6, random_state=1).shape == (6, 2)
    assert list(model.get_feature_names_out()) == [
        f"{type(model).__name__.lower()}0",
        f"{type(model).__name__.lower()}1",
    ]
    assert model.n_iter_ == 2 and len(model.history_["loss"]) == 2


@factory_names
@pytest.mark.parametrize(
    "bad, message",
    [
        (np.full((4, 64), np.nan), "NaN"),
        (np.full((4, 64), np.inf), "infinity"),
        (np.zeros((4, 63)), "features"),
        (np.full((4, 64), 1.5), r"\[0, 1\]"),
        (np.full((4, 64), -0.1), r"\[0, 1\]"),
        (np.zeros((0, 64)), "0 sample"),
        (np.zeros(64), "2D array"),
        (sp.csr_matrix(np.zeros((4, 64))), "[Ss]parse"),
    ],
)
def test_bad_input_raises_and_leaves_the_model_untouched(name, bad, message, digits01):
    model = FACTORIES[name]().fit(digits01)
    before = fitted_state(model)
    Z_before = model.transform(digits01[:3])
    # A new feature count is valid for fit (a refit), wrong only for a fitted model.
    methods = (
        ("transform", "score_samples")
        if message == "features"
        else ("fit", "transform", "score_samples")
    )
    for method in methods:
        with pytest.raises(ValueError, match=message):
            getattr(model, method)(bad)
        assert_unchanged(model, before)
    np.testing.assert_array_equal(model.transform(digits01[:3]), Z_before)


@pytest.mark.parametrize(
    "param, value",
    [
        ("n_components", 0),
        ("n_components", 1.5),
        ("hidden_layer_sizes", (8, 0)),
        ("hidden_layer_sizes", "big"),
        ("activation", "swish"),
        ("likelihood", "poisson"),
        ("max_iter", 0),
        ("batch_size", -1),
        ("learning_rate", 0.0),
        ("learning_rate", float("nan")),
        ("n_importance_samples", 0),
        ("validation_fraction", 1.0),
        ("n_iter_no_change", 0),
        ("tol", -1.0),
        ("device", "tpu"),
        ("random_state", "seed"),
        ("verbose", -1),
        ("k", 0),
        ("n_layers", 3),
        ("mixed_precision", "yes"),
    ],
)
def test_invalid_parameters_name_themselves(param, value, digits01):
    model = small(IWAE).fit(digits01)
    before = fitted_state(model)
    model.set_params(**{param: value})
    with pytest.raises(ValueError, match=param):
        model.fit(digits01)
    assert_unchanged(model, before)


@factory_names
@pytest.mark.parametrize(
    "param, value",
    [
        ("early_stopping", "yes"),
        ("early_stopping", 1),
        ("warm_start", None),
        ("dynamic_binarization", 0.0),
    ],
)
def test_invalid_flags_name_themselves(name, param, value, digits01):
    model = FACTORIES[name]().fit(digits01)
    before = fitted_state(model)
    model.set_params(**{param: value})
    with pytest.raises(ValueError, match=param):
        model.fit(digits01)
    assert_unchanged(model, before)


def test_numpy_booleans_are_accepted_as_flags(digits01):
    model = small(IWAE, early_stopping=np.True_, warm_start=np.False_).fit(digits01)
    assert "validation_loss" in model.history_


@pytest.mark.parametrize(
    "param, value",
    [
        ("n_components_z1", 0),
        ("hidden_layer_sizes_z2", (3, -1)),
        ("hidden_layer_sizes_z2", "x"),
        ("warmup_epochs", -1),
        ("warmup_epochs", 1.5),
    ],
)
def test_two_layer_iwae_parameters_name_themselves(param, value, digits01):
    with pytest.raises(ValueError, match=param):
        FACTORIES["iwae_l2"]().set_params(**{param: value}).fit(digits01)


@pytest.mark.parametrize("name", ["iwae", "iwae_l2"])
def test_iwae_warmup_scales_the_latent_part_of_each_log_weight(name, digits01):
    # 300 rows in batches of 100: 3 steps an epoch, β = step / 6 over two epochs.
    model = FACTORIES[name](max_iter=3, warmup_epochs=2, batch_size=100).fit(digits01)
    expected = [np.mean(np.arange(3) / 6), np.mean(np.arange(3, 6) / 6), 1.0]
    np.testing.assert_allclose(model.history_["beta"], expected)
    # The trained loss at β against its definition, from the same draws; at β = 1 it is
    # the k-sample bound that validation and ``score`` use.
    x = torch.as_tensor(digits01[:50], dtype=torch.float32)

    def draws():
        return torch.Generator().manual_seed(1)

    def brute_force(log_w):
        return -np.mean(np.log(np.mean(np.exp(log_w.double().numpy()), axis=0)))

    with torch.no_grad():
        for beta in (0.3, 1.0):
            terms = model.module_.forward_terms(x, model.k, draws())
            loss, _ = importance_weighted_loss(terms, torch.tensor(beta))
            out = model.module_.forward_terms(x, model.k, draws())
            log_w = out["log_px"] + beta * (out["log_pz"] - out["log_qz"])
            np.testing.assert_allclose(float(loss), brute_force(log_w), rtol=1e-5)
        plain = model.module_.log_weights(x, model.k, draws())
        np.testing.assert_allclose(float(loss), brute_force(plain), rtol=1e-5)


def test_iwae_without_warmup_trains_the_bound_from_the_start(digits01):
    model = FACTORIES["iwae"](max_iter=2).fit(digits01)
    assert "beta" not in model.history_
    assert model.get_params()["warmup_epochs"] == 0


def test_iwae_pickled_before_warmup_existed_loads_without_it(digits01):
    model = FACTORIES["iwae"](max_iter=1).fit(digits01)
    state = model.__getstate__()
    del state["warmup_epochs"]
    old = IWAE.__new__(IWAE)
    old.__setstate__(state)
    assert old.get_params()["warmup_epochs"] == 0
    old.set_params(warm_start=True, max_iter=1).fit(digits01)  # and resumes
    assert old.n_iter_ == 2


@factory_names
@pytest.mark.parametrize("n_samples", [0, -1, 1.5])
def test_sample_counts_must_be_positive_integers(name, n_samples, digits01):
    model = FACTORIES[name]().fit(digits01)
    for method in (model.sample, model.sample_latent):
        with pytest.raises(ValueError, match="n_samples"):
            method(n_samples)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((3, 5)), "n_components"),
        (np.full((3, 2), np.nan), "NaN"),
        (sp.csr_matrix(np.zeros((3, 2))), "[Ss]parse"),
        (np.zeros(2), "2D array"),
    ],
)
def test_inverse_transform_rejects_bad_codes(bad, message, digits01):
    model = small(IWAE).fit(digits01)
    with pytest.raises(ValueError, match=message):
        model.inverse_transform(bad)


@factory_names
def test_score_rejects_bad_input_and_an_unfitted_model(name, digits01):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        FACTORIES[name]().score(digits01)
    model = FACTORIES[name]().fit(digits01)
    for bad, message in [(digits01[:, :10], "features"), (np.full((2, 64), 2.0), r"\[0, 1\]")]:
        with pytest.raises(ValueError, match=message):
            model.score(bad)


def test_inverse_transform_checks_the_latent_size(digits01):
    model = small(IWAE).fit(digits01)
    with pytest.raises(ValueError, match="n_components=2"):
        model.inverse_transform(np.zeros((3, 5)))


def test_unavailable_cuda_is_a_clear_error(digits01):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(ValueError, match="CUDA is not available"):
        small(IWAE, device="cuda").fit(digits01)


@factory_names
def test_same_seed_same_model_and_no_global_rng_touched(name, digits01):
    torch_state = torch.random.get_rng_state()
    numpy_state = np.random.get_state()[1].tolist()  # noqa: NPY002
    a = FACTORIES[name]().fit(digits01)
    b = FACTORIES[name]().fit(digits01)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    assert np.random.get_state()[1].tolist() == numpy_state  # noqa: NPY002
    np.testing.assert_array_equal(a.transform(digits01), b.transform(digits01))
    np.testing.assert_array_equal(a.score_samples(digits01[:9]), b.score_samples(digits01[:9]))
    c = FACTORIES[name](random_state=1).fit(digits01)
    assert not np.allclose(a.transform(digits01), c.transform(digits01))


@factory_names
def test_pickle_and_joblib_round_trip(name, digits01, tmp_path):
    model = FACTORIES[name]().fit(digits01)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(model.transform(digits01), restored.transform(digits01))
    np.testing.assert_array_equal(
        model.score_samples(digits01[:5]), restored.score_samples(digits01[:5])
    )
    joblib.dump(model, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(
        model.inverse_transform([[0.1, -0.2]]), loaded.inverse_transform([[0.1, -0.2]])
    )
    assert str(loaded.device_) == "cpu"


def test_state_saved_on_cuda_loads_on_cpu(digits01, monkeypatch):
    """A model whose pickle says it was on CUDA loads onto the CPU when CUDA is absent."""
    model = small(IWAE).fit(digits01)
    state = model.__getstate__()
    state["device_"] = "cuda:0"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    clone_ = IWAE.__new__(IWAE)
    clone_.__setstate__(state)
    assert clone_.device_ == torch.device("cpu")
    np.testing.assert_array_equal(clone_.transform(digits01[:4]), model.transform(digits01[:4]))


def test_state_saved_on_a_second_gpu_loads_on_a_one_gpu_host(digits01, monkeypatch):
    """A pickle from cuda:1 goes to cuda:0 on a host with one GPU (no GPU here: the
    device checks are patched and the module's move is recorded, not made)."""
    from skvhp._torch.device import loadable_device as _loadable_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert _loadable_device(torch.device("cuda:1")) == torch.device("cuda:0")
    assert _loadable_device(torch.device("cuda:0")) == torch.device("cuda:0")
    assert _loadable_device(torch.device("cpu")) == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert _loadable_device(torch.device("cuda:1")) == torch.device("cpu")


def cross_validated_scores(estimator, grid_name, values, X):
    """Mean held-out score per value over 2 unshuffled folds, refitting by hand: the
    oracle a grid search must reproduce."""
    from sklearn.model_selection import KFold

    means = []
    for value in values:
        scores = []
        for train, test in KFold(2).split(X):
            model = clone(estimator).set_params(**{grid_name: value}).fit(X[train])
            scores.append(model.score(X[test]))
        means.append(np.mean(scores))
    return np.array(means)


def test_pipeline_and_grid_search(digits01):
    pipe = Pipeline([("scale", MinMaxScaler()), ("vae", small(IWAE))])
    Z = pipe.fit_transform(digits01)
    assert Z.shape == (len(digits01), 2)
    search = GridSearchCV(small(IWAE), {"k": [1, 3]}, cv=2).fit(digits01)
    expected = cross_validated_scores(small(IWAE), "k", [1, 3], digits01)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-6)
    assert search.best_params_["k"] == [1, 3][int(np.argmax(expected))]
    assert search.best_estimator_.k == search.best_params_["k"]
    fresh = clone(search.best_estimator_)
    assert not hasattr(fresh, "module_")


def test_warm_start_continues_training(digits01):
    model = small(IWAE, warm_start=True, max_iter=3).fit(digits01)
    first = model.history_["loss"][:]
    model.fit(digits01)
    assert model.n_iter_ == 6 and model.history_["loss"][:3] == first
    with pytest.raises(ValueError, match="features"):
        model.fit(digits01[:, :10])
    assert model.n_features_in_ == 64


def test_early_stopping_keeps_the_best_validation_loss(digits01):
    model = small(
        IWAE, early_stopping=True, max_iter=60, n_iter_no_change=2, tol=0.0, learning_rate=3e-2
    ).fit(digits01)
    val = model.history_["validation_loss"]
    assert model.n_iter_ < 60
    assert val[-1] > min(val)  # so that restoring the best weights is visible
    # The returned weights are the best epoch's: their validation loss, recomputed on the
    # same split with the same noise, is the best one recorded, not the last.
    n_val = int(np.ceil(model.validation_fraction * len(digits01)))
    order = np.random.default_rng(model._seed_).permutation(len(digits01))
    X_val = torch.tensor(digits01[order[:n_val]], dtype=torch.float32)
    recomputed = validation_loss(model._objective, model.module_, X_val, model._seed_)
    assert recomputed == pytest.approx(min(val), rel=1e-6)
    assert model.best_validation_loss_ == pytest.approx(recomputed, rel=1e-6)


def test_refit_without_early_stopping_drops_the_best_validation_loss(digits01):
    model = small(IWAE, early_stopping=True, max_iter=3).fit(digits01)
    assert hasattr(model, "best_validation_loss_")
    model.set_params(early_stopping=False).fit(digits01)
    assert not hasattr(model, "best_validation_loss_")


def test_importance_weighted_bound_tightens_with_k(digits01):
    """Burda et al., Thm. 1: E[log mean of k weights] grows with k towards log p(x),
    checked on a fitted model's own log-weights (many repetitions)."""
    model = small(IWAE, max_iter=5).fit(digits01)
    x = torch.tensor(digits01[:20], dtype=torch.float32)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        log_w = model.module_.log_weights(x, 4000, g)  # (S, B)
    bound = {
        k: (torch.logsumexp(log_w.reshape(-1, k, 20), 1) - np.log(k)).mean().item()
        for k in (1, 10, 100)
    }
    assert bound[1] < bound[10] < bound[100]
    # score() is the same estimator: with 100 samples it agrees with the 100-sample bound.
    scored = clone(model).set_params(n_importance_samples=100)
    scored.__dict__.update({k: v for k, v in model.__dict__.items() if k.endswith("_")})
    assert scored.score(digits01[:20]) == pytest.approx(bound[100], abs=0.3)


def test_training_improves_the_likelihood(digits01):
    short = small(IWAE, max_iter=1, n_importance_samples=50).fit(digits01)
    longer = small(IWAE, max_iter=30, n_importance_samples=50).fit(digits01)
    assert longer.score(digits01) > short.score(digits01) + 2.0


def test_verbose_prints_only_when_asked(digits01, capsys):
    small(IWAE).fit(digits01)
    assert capsys.readouterr().out == ""
    small(IWAE, verbose=1).fit(digits01)
    assert "epoch 2" in capsys.readouterr().out


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n_samples=st.integers(1, 40),
    n_features=st.integers(1, 12),
    dtype=st.sampled_from([np.float32, np.float64, np.int64, np.uint8]),
    likelihood=st.sampled_from(["bernoulli", "gaussian"]),
)
def test_any_valid_shape_and_dtype_fits(n_samples, n_features, dtype, likelihood):
    rng = np.random.default_rng(n_samples * 100 + n_features)
    X = (rng.random((n_samples, n_features)) > 0.5).astype(dtype)
    model = small(IWAE, likelihood=likelihood, max_iter=1, batch_size=7).fit(X)
    Z = model.transform(X)
    assert Z.shape == (n_samples, 2) and np.all(np.isfinite(Z))
    assert np.all(np.isfinite(model.score_samples(X)))
    assert model.inverse_transform(Z).shape == X.shape


def test_active_units_counts_informative_dimensions(digits01):
    from skvhp import active_units

    class Fixed:
        """Posterior means with one varying and one constant unit."""

        def transform(self, X):
            X = np.asarray(X)
            return np.c_[X[:, 10] * 3, np.full(len(X), 0.5)]

    assert active_units(Fixed(), digits01) == 1
    assert active_units(Fixed(), digits01, threshold=100.0) == 0
    model = small(IWAE, n_components=4, max_iter=5).fit(digits01)
    assert 0 <= active_units(model, digits01) <= 4
    with pytest.raises(ValueError, match="threshold"):
        active_units(model, digits01, threshold=-1)


def test_grid_search_in_parallel_processes(digits01):
    """joblib's process workers each get a share of the cores (it sets OMP_NUM_THREADS,
    which torch reads at import), so n_jobs=2 does not oversubscribe threads; and they
    find the same scores as a sequential search."""
    estimator = FACTORIES["vhp"](k=2)
    grid = {"kappa": [0.4, 0.42]}
    parallel = GridSearchCV(estimator, grid, cv=2, n_jobs=2).fit(digits01)
    sequential = GridSearchCV(estimator, grid, cv=2, n_jobs=1).fit(digits01)
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
        rtol=1e-4,  # other thread counts may reorder float sums
    )
    assert parallel.best_params_ == sequential.best_params_
    threads = joblib.Parallel(n_jobs=2)(joblib.delayed(_torch_threads)() for _ in range(2))
    assert threads == [max(1, joblib.cpu_count() // 2)] * 2


def _torch_threads() -> int:
    return torch.get_num_threads()


def test_grid_search_on_a_local_dask_cluster(digits01):
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is optional and not installed"
    )
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        search = GridSearchCV(small(IWAE), {"k": [1, 2]}, cv=2, n_jobs=-1).fit(digits01)
    sequential = GridSearchCV(small(IWAE), {"k": [1, 2]}, cv=2).fit(digits01)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
        rtol=1e-4,
    )
    assert search.best_params_ == sequential.best_params_


def test_dynamic_binarization_trains_on_fresh_binary_draws(digits01, monkeypatch):
    seen = []
    original = IWAE._training_step

    def recording(self, state, x):
        seen.append(x.clone())
        return original(self, state, x)

    monkeypatch.setattr(IWAE, "_training_step", recording)
    model = small(IWAE, dynamic_binarization=True, batch_size=300).fit(digits01)
    assert len(seen) == 2 and all(set(torch.unique(x).tolist()) <= {0.0, 1.0} for x in seen)
    assert not torch.equal(seen[0].sum(0), seen[1].sum(0))  # a new draw each epoch
    # The draws follow the grey levels: their mean matches the data's mean.
    assert torch.cat(seen).mean().item() == pytest.approx(digits01.mean(), abs=0.01)
    assert np.all(np.isfinite(model.score_samples(digits01[:5])))
    with pytest.raises(ValueError, match="dynamic_binarization"):
        small(IWAE, dynamic_binarization=True, likelihood="gaussian").fit(digits01)


@factory_names
def test_mixed_precision_trains_in_bfloat16_and_evaluates_in_float32(name, digits01, monkeypatch):
    from skvhp._torch.nn import MLP

    dtypes = set()
    original = MLP.forward

    def recording(self, x):
        out = original(self, x)
        dtypes.add((self.autocast_dtype, out.dtype, torch.is_grad_enabled()))
        return out

    monkeypatch.setattr(MLP, "forward", recording)
    monkeypatch.setattr("skvhp._torch.device.cpu_bf16_units", lambda: "avx512_bf16")
    full = FACTORIES[name](max_iter=3).fit(digits01)
    dtypes.clear()
    mixed = FACTORIES[name](max_iter=3, mixed_precision=True).fit(digits01)
    # Training passes ran under bfloat16 autocast and still handed float32 on.
    assert (torch.bfloat16, torch.float32, True) in dtypes
    assert {out for _, out, _ in dtypes} == {torch.float32}
    dtypes.clear()
    scores = mixed.score_samples(digits01[:10])
    assert dtypes and {amp for amp, _, _ in dtypes} == {None}  # evaluation in float32
    # Same seed, same data: bfloat16 products change the losses only a little.
    assert mixed.history_["loss"][-1] == pytest.approx(full.history_["loss"][-1], rel=0.02)
    assert np.all(np.isfinite(scores))
    assert pickle.loads(pickle.dumps(mixed)).score_samples(digits01[:10]) == pytest.approx(scores)


def test_mixed_precision_warns_on_a_cpu_without_bfloat16_units(digits01, monkeypatch):
    monkeypatch.setattr("skvhp._torch.device.cpu_bf16_units", lambda: None)
    with pytest.warns(UserWarning, match="without bfloat16 units"):
        small(IWAE, mixed_precision=True).fit(digits01)
    monkeypatch.setattr("skvhp._torch.device.cpu_bf16_units", lambda: "amx_bf16")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small(IWAE, mixed_precision=True).fit(digits01)


def test_cpu_bf16_units_reads_the_flags(tmp_path):
    from skvhp._torch.device import cpu_bf16_units

    (tmp_path / "amd").write_text("model name : AMD EPYC\nflags : fpu sse avx2 avx512f\n")
    (tmp_path / "intel").write_text("flags : fpu avx512f avx512_bf16 amx_bf16\n")
    (tmp_path / "arm").write_text("Features : fp asimd bf16\n")
    assert cpu_bf16_units(str(tmp_path / "amd")) is None
    assert cpu_bf16_units(str(tmp_path / "intel")) == "amx_bf16"
    assert cpu_bf16_units(str(tmp_path / "arm")) == "bf16"
    assert cpu_bf16_units(str(tmp_path / "missing")) is None


def test_mixed_precision_refuses_emulated_bfloat16_on_cuda(monkeypatch):
    """Pre-Ampere GPUs pass torch's default check (emulation); ours asks for native."""
    from skvhp._torch.device import mixed_precision_dtype as _mixed_precision_dtype

    asked = {}

    def supported(including_emulation=True):
        asked["including_emulation"] = including_emulation
        return including_emulation  # emulated only, as on a V100

    monkeypatch.setattr(torch.cuda, "is_bf16_supported", supported)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Tesla V100")
    with pytest.raises(ValueError, match="V100"):
        _mixed_precision_dtype(torch.device("cuda:0"))
    assert asked["including_emulation"] is False


def test_bfloat16_networks_hand_float32_to_the_densities():
    from skvhp._torch.nn import make_mlp, networks_autocast

    net = make_mlp(6, (32, 32), 3)
    x = torch.randn(50, 6)
    exact = net(x)
    with networks_autocast(net, torch.bfloat16):
        approx = net(x)
    assert approx.dtype == torch.float32 and net[0].weight.dtype == torch.float32
    assert not torch.equal(approx, exact)  # the products really ran in bfloat16
    assert torch.allclose(approx, exact, atol=0.05)
    assert net.autocast_dtype is None  # restored after the block


def test_score_samples_noise_follows_random_state(digits01):
    """An int seed repeats exactly; None draws fresh noise per call (sklearn's
    convention, as documented); a RandomState is advanced by each call."""
    seeded = small(IWAE).fit(digits01)
    np.testing.assert_array_equal(
        seeded.score_samples(digits01[:5]), seeded.score_samples(digits01[:5])
    )
    unseeded = clone(seeded).set_params(random_state=None).fit(digits01)
    assert not np.array_equal(
        unseeded.score_samples(digits01[:5]), unseeded.score_samples(digits01[:5])
    )
    state = np.random.RandomState(0)
    stateful = clone(seeded).set_params(random_state=state).fit(digits01)
    position = state.get_state()[2]  # index into the Mersenne Twister's key
    stateful.score_samples(digits01[:5])
    assert state.get_state()[2] != position


class _HostReads:
    """Counts reads of tensor values by the host (each one a device sync on a GPU)."""

    NAMES = ("item", "tolist", "__float__", "__int__", "__bool__")

    def __init__(self, monkeypatch):
        self.count = 0
        for name in self.NAMES:
            original = getattr(torch.Tensor, name)
            monkeypatch.setattr(torch.Tensor, name, self._counting(original))

    def _counting(self, original):
        def wrapper(tensor, *args, **kwargs):
            self.count += 1
            return original(tensor, *args, **kwargs)

        return wrapper


@pytest.mark.parametrize(
    "name, params",
    [
        ("vhp", dict(schedule="rewo", kappa=0.49)),
        ("vhp", dict(schedule="rewo", kappa=0.49, init="pca")),
        ("vhp", dict(schedule="geco", kappa=0.3)),
        ("vhp", dict(schedule="warmup", warmup_epochs=1)),
        ("vamp", {}),
        ("iwae", {}),
        ("iwae_l2", {}),
    ],
)
def test_training_reads_the_device_a_constant_number_of_times_per_epoch(
    name, params, digits01, monkeypatch
):
    """No host read per iteration: 3 or 30 iterations per epoch cost the same reads."""
    counts = []
    for batch_size in (100, 10):
        model = FACTORIES[name](max_iter=2, batch_size=batch_size, **params)
        reads = _HostReads(monkeypatch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(digits01)
        counts.append(reads.count)
        monkeypatch.undo()
    assert counts[0] == counts[1], counts
    assert counts[0] <= 40 * 2  # a small constant per epoch


def test_continuous_bernoulli_gives_a_density_on_grey_levels(digits01):
    """On grey levels the continuous Bernoulli is a true density: its IS estimate of
    log p(x) of a 1-d-latent model matches quadrature of the normalised model."""
    model = small(IWAE, likelihood="continuous_bernoulli", n_components=1, max_iter=3)
    model.set_params(n_importance_samples=20000).fit(digits01)
    x = torch.tensor(digits01[:5], dtype=torch.float32)
    z = torch.linspace(-8, 8, 4001)[:, None]
    with torch.no_grad():
        log_px = model.module_.likelihood.log_prob(x[:, None], model.module_.decoder(z)[None])
        log_pz = -0.5 * (np.log(2 * np.pi) + z[:, 0] ** 2)
        truth = torch.logsumexp(log_px + log_pz, 1) + np.log(float(z[1] - z[0]))
    np.testing.assert_allclose(model.score_samples(digits01[:5]), truth.numpy(), atol=0.02)
    X_hat = model.inverse_transform(model.transform(digits01[:5]))
    assert np.all((X_hat >= 0) & (X_hat <= 1))
    assert np.all(model.sample(5, observation_noise=True, random_state=0) >= 0)
    with pytest.raises(ValueError, match=r"continuous_bernoulli.*\[0, 1\]"):
        model.fit(digits01 * 2)


def test_scoring_grey_levels_with_bernoulli_warns_once_per_call(digits01):
    model = small(IWAE).fit(digits01)  # grey levels in [0, 1]
    with pytest.warns(UserWarning, match="continuous_bernoulli") as caught:
        model.score(digits01[:5])
    assert len([w for w in caught if "continuous_bernoulli" in str(w.message)]) == 1
    binary = (digits01[:5] > 0.5).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.score_samples(binary)  # binary data: a log-probability, no warning
        small(IWAE, likelihood="continuous_bernoulli").fit(digits01).score(digits01[:5])
