"""scikit-learn's estimator checks over every skvhp estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skvhp import IWAE, LatentGraphInterpolator, VampPriorVAE, VHPAutoencoder

from .conftest import small

# scikit-learn's checks fit on their own small random data sets, on which REWO may stay in
# its initial phase; its ConvergenceWarning is expected there (and tested in test_vhp).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Importance sampling draws (S, batch, d) noise from one seeded generator, so the
# noise a row receives depends on which rows share its batch: per-sample scores are
# reproducible for the same X, but not invariant to subsetting or reordering X.
_IS_BATCH_DEPENDENCE = (
    "score_samples is an importance-sampled estimate whose noise depends on the "
    "batch composition (documented); transform and inverse_transform are invariant"
)
EXPECTED_FAILURES = {
    "check_methods_subset_invariance": _IS_BATCH_DEPENDENCE,
    "check_methods_sample_order_invariance": _IS_BATCH_DEPENDENCE,
}

ESTIMATORS = [
    small(IWAE, likelihood="gaussian"),
    small(IWAE, likelihood="gaussian", n_layers=2, n_components_z1=3, hidden_layer_sizes_z2=(4,)),
    *(
        small(
            VHPAutoencoder,
            likelihood="gaussian",
            schedule=s,
            kappa=10.0,
            prior_hidden_layer_sizes=(4,),
            k=3,
        )
        for s in ("rewo", "geco")
    ),
    small(VampPriorVAE, likelihood="gaussian", n_pseudo_inputs=4),
    small(VampPriorVAE, likelihood="gaussian", n_pseudo_inputs=4, n_layers=2, n_components_z1=3),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILURES)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# The defaults: the Bernoulli likelihood, which takes X in [0, 1]. Its tags say
# positive_only, the nearest scikit-learn has; these checks still feed values above 1 and
# fail on the refusal, which names the range. With likelihood="gaussian" (above) each
# passes, but the two batch-dependence checks, expected to fail there for their own reason.
_ABOVE_ONE = (
    "feeds X with values above 1, which likelihood='bernoulli' (the default) refuses "
    "with a ValueError naming [0, 1]; runs with likelihood='gaussian' (test_sklearn_compatible)"
)
BERNOULLI_FAILURES = {
    name: _ABOVE_ONE
    for name in (
        "check_estimators_overwrite_params",
        "check_dont_overwrite_parameters",
        "check_estimators_fit_returns_self",
        "check_readonly_memmap_input",
        "check_n_features_in_after_fitting",
        "check_estimators_dtypes",
        "check_pipeline_consistency",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_transformer_data_not_an_array",
        "check_transformer_general",
        "check_transformer_preserve_dtypes",
        "check_transformer_n_iter",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_fit2d_1sample",
        "check_fit2d_1feature",
        "check_dict_unchanged",
        "check_fit_idempotent",
        "check_fit_check_is_fitted",
        "check_n_features_in",
        "check_fit2d_predict1d",
    )
}
DEFAULTS = [
    small(IWAE),
    small(VampPriorVAE, n_pseudo_inputs=4),
    small(VHPAutoencoder, prior_hidden_layer_sizes=(4,), k=3),
]


@parametrize_with_checks(DEFAULTS)
def test_the_defaults_pass_every_check_but_the_documented_ones(estimator, check):
    """Small networks, but the default likelihood, schedule, start and posterior. A
    listed check must fail for the listed reason only (a check that starts passing, or
    fails otherwise, fails this test)."""
    name = getattr(check, "func", check).__name__
    if name not in BERNOULLI_FAILURES:
        check(estimator)
        return
    with pytest.raises((ValueError, AssertionError), match=r"needs X in \[0, 1\]"):
        check(estimator)


# PolarCoordinates is not run through these checks: it takes exactly 2 features and
# sklearn's checks feed arbitrary feature counts. tests/test_polar.py covers its API.


# With estimator=None the interpolator is a plain transformer over latent points (the
# checks' random data often gives disconnected graphs: the warning is expected there).
@parametrize_with_checks([LatentGraphInterpolator(n_neighbors=3)])
@pytest.mark.filterwarnings("ignore:The latent graph has")
def test_graph_interpolator_is_sklearn_compatible(estimator, check):
    check(estimator)
