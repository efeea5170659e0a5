"""VHPAutoencoder's parameters renamed or retired in 0.2 (skvhp._deprecated): the old
names still work for one release, with a FutureWarning, and old pickles and model files
load with the new ones."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

import skvhp
from skvhp import TopologicalTerm, VHPAutoencoder
from skvhp._model_files import _rebuild
from skvhp.datasets import make_pendulum

from .conftest import small


@pytest.fixture(scope="module")
def pendulum():
    return make_pendulum(300, random_state=0)


def _quiet(make):
    with pytest.warns(FutureWarning, match="deprecated in 0.2") as caught:
        model = make()
    return model, caught


def test_old_topology_names_build_the_term_and_are_not_parameters():
    old, caught = _quiet(
        lambda: VHPAutoencoder(
            init="auto", topology_weight=2.0, topology_reference="start", topology_scale="fitted"
        )
    )
    assert "topology_weight -> topology=TopologicalTerm(weight=...)" in str(caught[0].message)
    assert old.topology.get_params() == {"weight": 2.0, "reference": "start", "scale": "fitted"}
    params = old.get_params()
    assert not {"topology_weight", "topology_reference", "beta", "encoder_release"} & set(params)
    assert params["topology__scale"] == "fitted"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clone sees the new names only
        assert clone(old).topology.get_params() == old.topology.get_params()
    # One old name on its own: the others keep the old defaults (against the data).
    one, _ = _quiet(lambda: VHPAutoencoder(topology_weight=1.0))
    assert one.topology.get_params() == {"weight": 1.0, "reference": "data", "scale": "mean"}


def test_old_names_in_set_params_change_the_term_in_place_of_the_new_ones():
    model = VHPAutoencoder(init="auto", topology=TopologicalTerm(weight=3.0))
    with pytest.warns(FutureWarning, match="topology_scale"):
        model.set_params(topology_scale="fitted", kappa=0.2)
    assert model.topology.get_params() == {"weight": 3.0, "reference": "start", "scale": "fitted"}
    assert model.kappa == 0.2


def test_beta_becomes_beta_init_where_it_acted_and_encoder_release_is_retired():
    constant, _ = _quiet(lambda: VHPAutoencoder(schedule="constant", beta=0.5))
    assert constant.beta_init == 0.5
    rewo, _ = _quiet(lambda: VHPAutoencoder(beta=0.5))  # it never acted with REWO
    assert rewo.beta_init is None
    switch, _ = _quiet(lambda: VHPAutoencoder(encoder_release="switch"))
    assert switch.get_params() == VHPAutoencoder().get_params()
    with pytest.raises(ValueError, match="encoder_release='beta'.*retired"):
        VHPAutoencoder(encoder_release="beta")
    with pytest.raises(TypeError, match="unexpected"):  # sklearn's way for an unknown name
        VHPAutoencoder(not_a_parameter=1)


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
    state = dict(state)
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
    grid = {"topology__weight": [0.0, 1.0]}
    search = GridSearchCV(model, grid, cv=2).fit(X[:200])
    assert search.best_estimator_.topology.weight in (0.0, 1.0)
    assert model.topology.weight == 1.0  # the search worked on clones
