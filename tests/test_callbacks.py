"""skvhp/_torch/callbacks.py: what a callback adds to a step's loss and when the encoder
release lets go, on a stand-in for the fit state."""

from types import SimpleNamespace

import torch
from torch import nn

from skvhp._torch.callbacks import Callback, EncoderRelease, TopologicalTermCallback, regulariser
from skvhp._torch.objectives import topological_loss


class Constant(Callback):
    def __init__(self, value):
        self.value = torch.tensor(value)

    def regulariser(self, model, x):
        return self.value


def _state(callbacks=(), main_phase_start=None, beta=0.5, iteration=7):
    schedule = SimpleNamespace(
        main_phase_start=main_phase_start, beta=torch.tensor(beta), iteration=iteration
    )
    return SimpleNamespace(callbacks=list(callbacks), frozen=[], schedule=schedule, model=None)


def test_the_regulariser_is_none_without_terms_and_sums_them():
    x = torch.zeros(3, 2)
    assert regulariser(_state([Callback()]), x) is None
    assert float(regulariser(_state([Constant(1.5), Callback(), Constant(2.0)]), x)) == 3.5


def test_the_topological_term_measures_against_the_data_or_the_reference():
    torch.manual_seed(0)
    encoder = nn.Linear(4, 2)
    model = SimpleNamespace(encode_mean=encoder)
    reference = nn.Sequential(nn.Linear(4, 2))
    x = torch.randn(16, 4)

    def as_gaussian_head(x):
        return reference(x), None

    against_data = TopologicalTermCallback(2.0, "mean").regulariser(model, x)
    assert torch.allclose(against_data, 2.0 * topological_loss(x, encoder(x), "mean"))
    against_start = TopologicalTermCallback(1.0, "mean", as_gaussian_head).regulariser(model, x)
    expected = topological_loss(reference(x).detach(), encoder(x), "mean")
    assert torch.allclose(against_start, expected)


def test_the_release_holds_under_the_mask_until_the_switch():
    encoder = nn.Linear(3, 2)
    state = _state()
    release = EncoderRelease()
    release.hold(state, encoder, None)
    assert len(state.frozen) == 2 and release.released_at is None
    release.on_epoch_end(state, {"C": 1.0})  # still in the initial phase, C falling
    release.on_epoch_end(state, {"C": 0.5})
    assert release.released_at is None and len(state.frozen) == 2
    state.schedule.main_phase_start = 40
    release.on_epoch_end(state, {"C": 0.4})
    assert release.released_at == 40 and state.frozen == []


def test_a_plateau_in_the_initial_phase_releases_and_a_released_encoder_stays_free():
    encoder = nn.Linear(3, 2)
    state = _state(iteration=12)
    release = EncoderRelease()
    release.hold(state, encoder, previous_C=1.0)
    release.on_epoch_end(state, {"C": 0.995})  # fell by under 1 %
    assert release.released_at == 12 and state.frozen == []
    resumed = EncoderRelease(released_at=12)  # a resumed fit: not held again
    resumed.on_epoch_end(state, {"C": 0.5})
    assert resumed.released_at == 12
