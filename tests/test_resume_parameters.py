"""Changed parameters under a warm start: every parameter of every estimator is either
applied by the resumed fit or refused with a ValueError naming it (skvhp._resume)."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import skvhp
from skvhp import IWAE, TopologicalTerm, VampPriorVAE, VHPAutoencoder
from skvhp._resume import fixed_names

from .conftest import small

# A valid value other than the one the fitted models below use, for every parameter.
ALTERNATIVES = {
    "n_components": 3,
    "n_components_zeta": 3,
    "zeta_modes": 2,
    "k": 4,
    "schedule": "geco",
    "kappa": 0.25,
    "nu": 5.0,
    "tau": 2.0,
    "alpha": 0.9,
    "beta_init": 0.01,
    "warmup_epochs": 2,
    "hidden_layer_sizes": (6,),
    "hidden_layer_sizes_z2": (4,),
    "prior_hidden_layer_sizes": (5,),
    "activation": "relu",
    "likelihood": "gaussian",
    "posterior": "diagonal",
    "init": "random",
    "score_estimator": "nested",
    "topology": TopologicalTerm(weight=0.5, reference="start", scale="fitted"),
    # deprecated in 0.2 (tests/test_deprecated.py)
    "topology_weight": 0.5,
    "topology_reference": "start",
    "topology_scale": "fitted",
    "beta": 0.5,
    "encoder_release": "switch",
    "n_layers": 2,
    "n_components_z1": 3,
    "n_pseudo_inputs": 3,
    "pseudo_inputs": "data",
    "max_iter": 2,
    "batch_size": 16,
    "learning_rate": 2e-3,
    "n_importance_samples": 4,
    "early_stopping": True,
    "validation_fraction": 0.2,
    "n_iter_no_change": 3,
    "tol": 1e-3,
    "device": "auto",
    "random_state": 1,
    "verbose": 1,
    "dynamic_binarization": True,
    "mixed_precision": True,
    "shape_check": False,
}
ESTIMATORS = {
    "IWAE": lambda: small(IWAE, k=2),
    "VampPriorVAE": lambda: small(VampPriorVAE, n_pseudo_inputs=5, warmup_epochs=1),
    "VHPAutoencoder": lambda: small(
        VHPAutoencoder, k=3, kappa=0.3, alpha=0.5, prior_hidden_layer_sizes=(4,)
    ),
}
CASES = [
    (name, parameter)
    for name, make in ESTIMATORS.items()
    for parameter in make().get_params()
    if parameter != "warm_start"  # the switch itself
]


@pytest.fixture(scope="module")
def fitted(digits01_module):
    models = {}
    for name, make in ESTIMATORS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models[name] = make().set_params(warm_start=True, max_iter=1).fit(digits01_module)
    return models


@pytest.fixture(scope="module")
def digits01_module():
    from sklearn.datasets import load_digits

    return load_digits().data[:200] / 16.0


def test_every_parameter_has_an_alternative_and_the_fixed_ones_exist():
    for name, make in ESTIMATORS.items():
        params = set(make().get_params())
        assert params - {"warm_start"} <= set(ALTERNATIVES), name
        assert set(fixed_names(make())) <= params, name


@pytest.mark.parametrize(("name", "parameter"), CASES)
def test_a_changed_parameter_is_applied_or_refused(name, parameter, fitted, digits01_module):
    model = copy.deepcopy(fitted[name])
    before = {k: v.clone() for k, v in model.module_.state_dict().items()}
    value = ALTERNATIVES[parameter]
    assert model.get_params()[parameter] != value
    model.set_params(**{parameter: value})
    if parameter in fixed_names(model):
        for resume in (model.fit, model.partial_fit):
            with pytest.raises(
                ValueError, match=f"changed since the model was fitted: {parameter}"
            ):
                resume(digits01_module)
        after = model.module_.state_dict()  # a refused fit changes nothing
        assert all(torch.equal(before[k], after[k]) for k in before)
        return
    if parameter == "topology":  # "start" needs a frozen start: documented refusal
        with pytest.raises(ValueError, match="no frozen start"):
            model.fit(digits01_module)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(digits01_module)
    assert model.n_iter_ == fitted[name].n_iter_ + model.max_iter


def test_a_resumed_fit_applies_the_schedule_settings(fitted, digits01_module):
    model = copy.deepcopy(fitted["VHPAutoencoder"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # REWO stays in its initial phase: not the point
        model.set_params(kappa=0.2, alpha=0.9, tau=2.0, k=4).fit(digits01_module)
    schedule = model.schedule_
    assert (schedule.kappa, schedule.alpha, schedule.tau) == (0.2, 0.9, 2.0)
    assert schedule.nu_used == pytest.approx(0.02 / 0.2**2)  # nu="auto" follows kappa
    assert model.module_.prior.k == 4
    assert schedule.iteration == len(model.iteration_history_["beta"])  # the state went on
    vamp = copy.deepcopy(fitted["VampPriorVAE"]).set_params(warmup_epochs=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the warm-up has not ended: not the point
        vamp.fit(digits01_module)
    assert vamp.schedule_.warmup_epochs == 3
    n_batches = -(-len(digits01_module) // vamp.batch_size)
    # β = t / T over T = 3 epochs' iterations, t counting on from the first fit's
    assert vamp.iteration_history_["beta"][-1] == pytest.approx(
        (2 * n_batches - 1) / (3 * n_batches)
    )


def test_a_warm_start_of_another_shape_is_refused_with_everything_consistent(digits01_module):
    model = small(IWAE, warm_start=True, max_iter=1).fit(digits01_module)
    model.set_params(n_components=3)
    with pytest.raises(ValueError, match="n_components"):
        model.fit(digits01_module)
    model.set_params(n_components=2)  # set back: the resumed fit goes on
    assert model.fit(digits01_module).transform(digits01_module).shape == (200, 2)


def test_saving_refuses_parameters_that_no_longer_describe_the_weights(fitted, tmp_path):
    model = copy.deepcopy(fitted["IWAE"]).set_params(hidden_layer_sizes=(3,))
    with pytest.raises(ValueError, match="no longer describe its weights"):
        skvhp.save(model, tmp_path / "m.safetensors")
    model.set_params(learning_rate=0.5)  # a training parameter: nothing to refuse
    model.set_params(hidden_layer_sizes=[8])  # the same sizes as a list
    skvhp.save(model, tmp_path / "m.safetensors")
    assert skvhp.load(tmp_path / "m.safetensors").learning_rate == 0.5


def test_unpickling_builds_the_networks_the_weights_belong_to(fitted, digits01_module):
    model = copy.deepcopy(fitted["VHPAutoencoder"])
    expected = model.transform(digits01_module)
    model.set_params(hidden_layer_sizes=(3,), activation="relu")
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(digits01_module), expected)


def test_saving_leaves_the_live_record_alone(digits01_module, tmp_path):
    """A RandomState random_state is stored as None in the file, not in the model."""
    rng = np.random.RandomState(0)
    model = small(IWAE, random_state=rng, warm_start=True, max_iter=1).fit(digits01_module)
    skvhp.save(model, tmp_path / "m.safetensors")
    model.fit(digits01_module)  # still resumable: its record still holds the RandomState
    assert model.n_iter_ == 2


def test_layer_sizes_given_as_arrays_compare_by_value(digits01_module):
    model = small(IWAE, hidden_layer_sizes=np.array([4, 4]), warm_start=True, max_iter=1)
    model.fit(digits01_module)
    model.set_params(hidden_layer_sizes=np.array([4, 4])).fit(digits01_module)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        model.set_params(hidden_layer_sizes=np.array([4, 5])).fit(digits01_module)


def test_a_changed_k_scores_the_same_before_and_after_a_pickle(fitted, digits01_module):
    model = copy.deepcopy(fitted["VHPAutoencoder"]).set_params(score_estimator="nested", k=5)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(
        restored.score_samples(digits01_module[:20]), model.score_samples(digits01_module[:20])
    )
