"""Estimators trained on the β-weighted single-sample bound with a β-schedule.

``loss = -log p(x|z) + β · [log q(z|x) - log p(z)]`` per point, z ~ q(z|x), where
log p(z) may itself be an estimate (the hierarchical prior). Used by VHPAutoencoder
(REWO, GECO, warm-up, constant) and VampPriorVAE (warm-up).
"""

from __future__ import annotations

from abc import abstractmethod

import torch

from ._base import _BaseVAE
from ._torch.callbacks import regulariser
from ._torch.models import LatentVariableModel
from ._torch.objectives import beta_weighted_loss, single_sample_terms
from ._torch.schedules import Schedule
from ._torch.training import FitState, Terms, optimizer_step


class _BetaBoundVAE(_BaseVAE):
    """Adds the β-weighted bound to the engine. Subclasses implement ``_make_schedule()``
    (the schedule is required here); the constraint C that REWO and GECO steer by is the
    batch's mean squared reconstruction error per feature."""

    @abstractmethod
    def _make_schedule(self) -> Schedule:
        """A fresh schedule object (see ``skvhp._torch.schedules``)."""

    def _objective(
        self, model: LatentVariableModel, x: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, Terms]:
        # Used for the validation loss: the β = 1 bound, comparable across epochs.
        out = model.forward_terms(x, 1, generator)
        nll, kl, _ = single_sample_terms(out, x, model.likelihood)
        return (nll + kl).mean(), {}

    def _training_step(self, state: FitState, x: torch.Tensor) -> Terms:
        out = state.model.forward_terms(x, 1, state.generator)
        nll, kl, c = single_sample_terms(out, x, state.model.likelihood)
        # Algorithm 1 of Klushyn et al.: the batch's reconstruction error updates Ĉ_t and
        # β first; then the parameters take a step on the loss with the new β. The
        # schedule works on device tensors: nothing here waits for the device.
        beta = state.schedule.step(c.detach()).to(nll.dtype)
        loss, terms = beta_weighted_loss(nll, kl, beta)
        extra = regulariser(state, x)  # the callbacks' terms (the topological term)
        if extra is not None:  # absent by default: the loss stays the paper's, bit for bit
            loss = loss + extra
            terms["regulariser"] = extra
        optimizer_step(state, loss)
        detached = {k: v.detach() for k, v in terms.items()}
        return {"loss": loss.detach(), **detached, "C": c.detach(), "beta": beta.detach()}
