"""What fit tells a user: schedules that did not do their job (skvhp._fit_warnings), a
latent code larger than the data, and progress during the start with verbose=1."""

import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skvhp import IWAE, VampPriorVAE, VHPAutoencoder, load, save
from skvhp._torch.schedules import BETA_FLOOR

from .conftest import small


def caught(fit):
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        fit()
    return [str(r.message) for r in records if issubclass(r.category, ConvergenceWarning)]


@pytest.mark.parametrize(
    "make",
    [
        lambda: small(IWAE, warmup_epochs=5, max_iter=2),
        lambda: small(VampPriorVAE, n_pseudo_inputs=4, warmup_epochs=5, max_iter=2),
        lambda: small(VHPAutoencoder, schedule="warmup", warmup_epochs=5, max_iter=2),
    ],
)
def test_a_warm_up_that_ends_before_beta_1_warns(make, digits01):
    model = make()
    messages = caught(lambda: model.fit(digits01))
    assert any("warm-up ended at β = 0.3" in m and "max_iter" in m for m in messages)
    # Continued to the end of the warm-up (a warm start), it no longer warns.
    model.set_params(warm_start=True, max_iter=4)
    assert not any("warm-up" in m for m in caught(lambda: model.fit(digits01)))


@pytest.mark.parametrize("warmup_epochs", [1, 2])
def test_a_warm_up_that_runs_its_course_is_silent(digits01, warmup_epochs):
    model = small(IWAE, warmup_epochs=warmup_epochs, max_iter=2)  # 2: its last β is 1 - 1/T
    assert not caught(lambda: model.fit(digits01))


def test_geco_at_its_floor_warns_with_a_reachable_kappa(digits01):
    model = small(VHPAutoencoder, schedule="geco", kappa=1e-3, nu=1e4, max_iter=2)
    messages = caught(lambda: model.fit(digits01))
    assert model.schedule_.beta == pytest.approx(BETA_FLOOR)
    (message,) = [m for m in messages if "GECO" in m]
    suggested = float(re.search(r"a kappa above ([0-9.e+-]+)", message).group(1))
    rms = model.history_["C"][-1] ** 0.5
    assert suggested == pytest.approx(1.05 * rms, rel=1e-2)
    reachable = small(VHPAutoencoder, schedule="geco", kappa=0.3, max_iter=2)
    assert not any("GECO" in m for m in caught(lambda: reachable.fit(digits01)))


def test_rewo_stuck_advice_follows_the_recent_error_and_names_alpha(digits01):
    """A short fit whose error falls fast: Ĉ, seeded with the untrained error, lags far
    behind it, and the advice reads the error itself."""
    fast = dict(prior_hidden_layer_sizes=(4,), hidden_layer_sizes=(32,), learning_rate=1e-2)
    model = small(VHPAutoencoder, kappa=1e-3, **fast)
    (message,) = [m for m in caught(lambda: model.fit(digits01)) if "never left" in m]
    assert "alpha=0.99" in message
    suggested = float(re.search(r"kappa=([0-9.e+-]+) would", message).group(1))
    recent = model.history_["C"][-1] ** 0.5
    assert suggested == pytest.approx(1.05 * recent, rel=1e-2)
    # Advice read off the lagging running average would be far looser.
    assert suggested < 0.8 * min(model.iteration_history_["C_hat"]) ** 0.5
    # Followed, with the smaller alpha the message suggests, the same run switches.
    alpha = float(re.search(r"\(alpha=([0-9.]+): about", message).group(1))
    switched = small(VHPAutoencoder, kappa=suggested, alpha=alpha, **fast)
    assert not any("never left" in m for m in caught(lambda: switched.fit(digits01)))
    assert switched.schedule_.main_phase_start is not None


def test_auto_kappa_trains_the_prior_where_the_default_kappa_is_out_of_reach(digits01, tmp_path):
    """Digits in [0, 1] level off near an RMS error of 0.25: REWO at κ = 0.1 never leaves
    its initial phase; kappa="auto" raises κ to just above the plateau and does."""
    fast = dict(
        prior_hidden_layer_sizes=(4,), hidden_layer_sizes=(32,), learning_rate=1e-2, alpha=0.9
    )
    stuck = small(VHPAutoencoder, kappa=0.1, max_iter=12, **fast)
    assert any("never left" in m for m in caught(lambda: stuck.fit(digits01)))
    auto = small(VHPAutoencoder, kappa="auto", max_iter=12, **fast)
    assert not caught(lambda: auto.fit(digits01))
    schedule, errors = auto.schedule_, auto.history_["C"]
    assert schedule.main_phase_start is not None and not schedule.initial_phase
    # Raised at the first epoch whose mean error fell by under 5 %, once below half the
    # first epoch's, to 5 % above it.
    first = next(
        i
        for i in range(1, len(errors))
        if errors[i] > 0.95 * errors[i - 1] and errors[i] < 0.5 * errors[0]
    )
    assert schedule.chosen_kappa == pytest.approx(1.05 * errors[first] ** 0.5)
    assert schedule.kappa_used == schedule.chosen_kappa > 0.1
    # The raised κ is state: a model file and a pickle keep it, a warm start goes on with it.
    path = tmp_path / "auto.skvhp"
    save(auto, path)
    for copy in (load(path), pickle.loads(pickle.dumps(auto))):
        assert copy.schedule_.chosen_kappa == schedule.chosen_kappa
    auto.set_params(warm_start=True, max_iter=1).fit(digits01)
    assert auto.schedule_.kappa_used == schedule.chosen_kappa
    # Ended before Ĉ caught up, the warning says so and names the raised κ.
    short = small(VHPAutoencoder, kappa="auto", max_iter=first + 1, **{**fast, "alpha": 0.99})
    (message,) = [m for m in caught(lambda: short.fit(digits01)) if "never left" in m]
    assert "raised κ to" in message and "alpha=0.99" in message
    with pytest.raises(ValueError, match="kappa='auto'"):
        small(VHPAutoencoder, kappa="auto", schedule="geco").fit(digits01)


def test_a_latent_code_larger_than_the_data_warns(digits01):
    with pytest.warns(UserWarning, match="n_components=70 exceeds the data's n_features=64"):
        small(IWAE, n_components=70, max_iter=1).fit(digits01)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        small(IWAE, n_components=64, max_iter=1).fit(digits01)


def test_verbose_reports_the_set_up_and_the_history_counts_it(digits01, capsys):
    model = small(
        VHPAutoencoder, init="isomap", kappa=0.3, prior_hidden_layer_sizes=(4,), verbose=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(digits01)
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\[VHPAutoencoder\] start: init='isomap' on 300 rows", lines[0])
    setup = float(re.fullmatch(r"\[VHPAutoencoder\] set-up: ([0-9.e+-]+) s", lines[1]).group(1))
    assert lines[2].startswith("[VHPAutoencoder] epoch 1:")
    assert model.history_["time"][0] >= setup
    assert np.all(np.diff(model.history_["time"]) > 0)
