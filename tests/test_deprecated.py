"""VHPAutoencoder's parameters renamed or retired in 0.2 (skvhp._deprecated): the old
names still work for one release, with a FutureWarning, and old pickles and model files
load with the new ones."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone

import skvhp
from skvhp import TopologicalTerm, VHPAutoencoder, _deprecated
from skvhp._model_files import _rebuild
from skvhp.datasets import make_pendulum

from .conftest import small


@pytest.fixture(scope="module")
def pendulum():
    return make_pendulum(300, random_state=0)


def _effective(model):
    return {k: model._effective(k) for k in ("topology", "beta_init")}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_old_topology_names_act_in_fit_with_a_future_warning(pendulum):
    """As scikit-learn deprecates: the old names stay parameters (default "deprecated")
    until 0.3; a value given there acts in fit in place of the new parameter's."""
    X, _ = pendulum
    old = small(
        VHPAutoencoder, kappa=0.6, topology_weight=2.0, topology_scale="fitted", shape_check=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing warns before fit; a clone keeps them
        assert clone(old).get_params()["topology_weight"] == 2.0
    assert old.topology is None and VHPAutoencoder().topology_weight == "deprecated"
    # One old name on its own: the others keep the old defaults (against the data).
    term = _effective(old)["topology"]
    assert term.get_params() == {"weight": 2.0, "reference": "data", "scale": "fitted"}
    with pytest.warns(FutureWarning, match=r"topology_weight -> topology=TopologicalTerm"):
        old.fit(X[:100])
    new = small(
        VHPAutoencoder,
        kappa=0.6,
        topology=TopologicalTerm(weight=2.0, reference="data", scale="fitted"),
        shape_check=False,
    ).fit(X[:100])
    for p, q in zip(old.module_.parameters(), new.module_.parameters(), strict=True):
        assert torch.equal(p, q)
    assert old.topology is None  # fit changes no parameter
    # Given beside a term, they change its values.
    both = VHPAutoencoder(
        init="auto", topology=TopologicalTerm(weight=3.0), topology_scale="fitted"
    )
    term = _effective(both)["topology"]
    assert term.get_params() == {"weight": 3.0, "reference": "start", "scale": "fitted"}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_beta_acts_where_it_acted_and_encoder_release_is_retired(pendulum):
    X, _ = pendulum
    assert _effective(VHPAutoencoder(schedule="constant", beta=0.5))["beta_init"] == 0.5
    assert _effective(VHPAutoencoder(beta=0.5))["beta_init"] is None  # never acted in REWO
    constant = small(VHPAutoencoder, schedule="constant", beta=0.5, shape_check=False)
    with pytest.warns(FutureWarning, match="beta -> beta_init"):
        constant.fit(X[:100])
    assert set(constant.iteration_history_["beta"]) == {0.5}
    switch = small(VHPAutoencoder, kappa=0.6, encoder_release="switch", shape_check=False)
    with pytest.warns(FutureWarning, match="encoder_release -> nothing"):
        switch.fit(X[:100])
    retired = small(VHPAutoencoder, encoder_release="beta")
    with pytest.raises(ValueError, match="encoder_release='beta'.*retired"):
        with pytest.warns(FutureWarning):
            retired.fit(X[:100])
    assert not hasattr(retired, "module_")


def test_beta_init_of_the_constant_schedule(pendulum):
    X, _ = pendulum
    for bad in (-0.5, "one"):
        with pytest.raises(ValueError, match="beta_init"):
            small(VHPAutoencoder, schedule="constant", beta_init=bad).fit(X[:100])
    model = small(VHPAutoencoder, schedule="constant", warm_start=True).fit(X[:100])
    assert set(model.iteration_history_["beta"]) == {1.0}  # None: the plain bound
    model.set_params(beta_init=2.0, max_iter=1).fit(X[:100])  # β > 1 allowed; applied
    assert model.iteration_history_["beta"][-1] == 2.0


def _as_written_by_0_1(state):
    """A VHPAutoencoder's state with the parameters of 0.1 in place of the new ones."""
    state = {k: v for k, v in state.items() if k not in _deprecated.DEPRECATED}
    term = state.pop("topology")
    state.update(topology_weight=0.0, topology_reference="data", topology_scale="mean")
    if term is not None:
        state.update({f"topology_{k}": v for k, v in term.get_params().items()})
    state.update(beta=state.pop("beta_init") or 1.0, beta_init=1e-3, encoder_release="switch")
    return state


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_models_pickled_or_saved_by_0_1_load_with_the_new_names(pendulum, tmp_path):
    X, _ = pendulum
    term = TopologicalTerm(weight=0.5, reference="data", scale="fitted")
    fitted = small(VHPAutoencoder, kappa=0.6, topology=term).fit(X[:100])
    constant = small(VHPAutoencoder, schedule="constant", beta_init=0.7).fit(X[:100])
    for model in (fitted, constant):
        old = VHPAutoencoder.__new__(VHPAutoencoder)
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)  # the user did not write them
            old.__setstate__(_as_written_by_0_1(model.__getstate__()))
        assert old.get_params(deep=False).keys() == model.get_params(deep=False).keys()
        assert not _deprecated.given(old.get_params())
        assert repr(old.topology) == repr(model.topology)
        assert old._beta_init() == model._beta_init()  # 0.1 stored REWO's 1e-3 itself
        np.testing.assert_array_equal(old.transform(X[:5]), model.transform(X[:5]))
        # A model file of 0.1: the same state, rebuilt as skvhp.load rebuilds it.
        state = _as_written_by_0_1(model.__getstate__())
        loaded = _rebuild(VHPAutoencoder, state, "old.safetensors")
        assert repr(loaded.topology) == repr(model.topology)
    # The term itself travels in a model file and a pickle.
    skvhp.save(fitted, tmp_path / "term.safetensors")
    for copy in (skvhp.load(tmp_path / "term.safetensors"), pickle.loads(pickle.dumps(fitted))):
        assert copy.topology.get_params() == term.get_params()
        assert copy.topology is not term


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_term_in_a_grid_search_over_its_weight(pendulum):
    from sklearn.model_selection import GridSearchCV

    X, _ = pendulum
    term = TopologicalTerm(reference="data")
    model = small(VHPAutoencoder, kappa=0.6, topology=term, shape_check=False)
    grid = {"topology__weight": [0.0, 1.0, "auto"]}
    search = GridSearchCV(model, grid, cv=2).fit(X[:200])
    assert search.best_estimator_.topology.weight in (0.0, 1.0, "auto")
    assert model.topology.weight == "auto"  # the search worked on clones


def test_copies_keep_the_deprecated_values_and_the_warning_points_at_the_caller(pendulum):
    import copy

    X, _ = pendulum
    given = VHPAutoencoder(topology_weight=2.0, beta=0.5, encoder_release="beta")
    for twin in (copy.deepcopy(given), pickle.loads(pickle.dumps(given)), clone(given)):
        assert twin.get_params() == given.get_params()  # a 0.2 state is not rewritten
    with pytest.warns(FutureWarning, match="deprecated in 0.2") as caught:
        with pytest.raises(ValueError, match="topology_weight must be"):
            small(VHPAutoencoder, topology_weight=-1.0).fit(X[:50])
        with pytest.raises(ValueError, match="topology_weight must be a finite real"):
            small(VHPAutoencoder, topology_weight="auto").fit(X[:50])  # the new option's
    assert caught[0].filename == __file__  # where the user wrote fit
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="^beta must be"):
        small(VHPAutoencoder, schedule="constant", beta=-0.5).fit(X[:50])


SEEN_ROWS: list[int] = []


def pca_start(X, n_components, seed):
    """A callable start (at module level, so that a model holding it pickles)."""
    from skvhp._start import pca_coordinates

    SEEN_ROWS.append(len(X))
    return pca_coordinates(X, n_components)


def test_a_callable_init_under_early_stopping_and_no_model_file_for_it(pendulum, tmp_path):
    X, _ = pendulum
    SEEN_ROWS.clear()
    pca = pca_start

    params = dict(early_stopping=True, validation_fraction=0.2, shape_check=False, kappa=0.6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = small(VHPAutoencoder, init=pca, **params).fit(X)
        named = small(VHPAutoencoder, init="pca", **params).fit(X)
    assert SEEN_ROWS == [240] and model.layout_ == "callable"  # the training rows only
    for p, q in zip(model.module_.parameters(), named.module_.parameters(), strict=True):
        assert torch.equal(p, q)
    with pytest.raises(ValueError, match="init is a callable"):
        skvhp.save(model, tmp_path / "m.safetensors")
    assert pickle.loads(pickle.dumps(model)).layout_ == "callable"
