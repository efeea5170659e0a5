"""Training callbacks: behaviour an estimator adds to a fit, each keeping its own state.

A callback may add a term to each training step's loss (``regulariser``) and act at the
end of each epoch (``on_epoch_end``, after the schedule has read the epoch). The
estimator builds its callbacks at the start of a fit, puts them in
``FitState.callbacks`` and reads what it keeps from them when the fit commits; the
engine calls them. (Lightning's and skorch's callbacks, cut to what a fit here needs.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from .objectives import topological_loss

if TYPE_CHECKING:
    from .models import LatentVariableModel
    from .training import FitState


class Callback:
    """The hooks a callback may define; these defaults do nothing."""

    def regulariser(self, model: LatentVariableModel, x: torch.Tensor) -> torch.Tensor | None:
        """A term added to the training loss of batch ``x`` (not to the validation bound)."""
        return None

    def on_epoch_end(self, state: FitState, epoch_terms: dict[str, float]) -> None:
        """Called after every training epoch with its mean terms."""


def regulariser(state: FitState, x: torch.Tensor) -> torch.Tensor | None:
    """The callbacks' terms for batch ``x``, summed; None where none adds one (the loss
    then stays the paper's, bit for bit)."""
    total = None
    for callback in state.callbacks:
        term = callback.regulariser(state.model, x)
        if term is not None:
            total = term if total is None else total + term
    return total


class TopologicalTermCallback(Callback):
    """The fit-time side of ``skvhp.TopologicalTerm``: ``weight`` times the
    0-dimensional topological loss of each batch's posterior means (Moor et al. 2020;
    ``objectives.topological_loss`` with ``scale``) against the batch's rows, or, with a
    ``reference`` encoder (the start, frozen), against its means of the batch."""

    def __init__(self, weight: float, scale: str, reference: nn.Module | None = None):
        self.weight = weight
        self.scale = scale
        self.reference = reference

    def regulariser(self, model: LatentVariableModel, x: torch.Tensor) -> torch.Tensor:
        against = x if self.reference is None else self.reference(x)[0].detach()
        codes = model.encode_mean(x)
        return self.weight * topological_loss(against, codes, self.scale)


class EncoderRelease(Callback):
    """Holds a pre-trained encoder still through REWO's initial phase, so the decoder
    learns the start's codes, then releases it: at the switch to the main phase, or at
    the end of an epoch whose mean reconstruction error fell by under 1 % (whichever
    comes first).

    ``released_at`` is the iteration of the release (None while held or never held);
    a resumed fit passes the previous fit's value, and an encoder released once is not
    held again.
    """

    def __init__(self, released_at: int | None = None):
        self.released_at = released_at
        self.held: list[nn.Parameter] = []
        self.previous_C: float | None = None

    def hold(self, state: FitState, encoder: nn.Module, previous_C: float | None) -> None:
        """Hold ``encoder`` under the schedule's mask until the switch. ``previous_C`` is
        the last epoch's mean error where the fit resumes one (the plateau rule compares
        with the previous epoch, also across a resume)."""
        self.held = list(encoder.parameters())
        state.frozen += self.held
        self.previous_C = previous_C

    def on_epoch_end(self, state: FitState, epoch_terms: dict[str, float]) -> None:
        if not self.held:
            return
        schedule = state.schedule
        if schedule.main_phase_start is not None:
            self._release(state, schedule.main_phase_start)
        elif self.previous_C is not None and epoch_terms["C"] > 0.99 * self.previous_C:
            self._release(state, schedule.iteration)  # C stopped falling
        self.previous_C = epoch_terms["C"]

    def _release(self, state: FitState, iteration: int) -> None:
        released = {id(p) for p in self.held}
        state.frozen = [p for p in state.frozen if id(p) not in released]
        self.held = []
        self.released_at = iteration
