"""Estimators trained on the β-weighted single-sample bound with a β-schedule.

``loss = -log p(x|z) + β · [log q(z|x) - log p(z)]`` per point, z ~ q(z|x), where
log p(z) may itself be an estimate (the hierarchical prior). Used by VHPAutoencoder
(REWO, GECO, warm-up, constant) and VampPriorVAE (warm-up).
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from typing import Any

import torch
from torch import nn

from ._base import _BaseVAE


class _ScheduledVAE(_BaseVAE):
    """Adds a β-schedule to the engine. Subclasses implement ``_make_schedule()``; the
    module must provide ``forward_terms(x, n_samples, generator)`` (log_px, log_pz,
    log_qz, decoder_out) and may have a ``prior`` that the schedule can freeze."""

    @abstractmethod
    def _make_schedule(self):
        """A fresh schedule object (see ``skvhp._schedules``)."""

    def _terms(self, module, x, generator):
        out = module.forward_terms(x, 1, generator)
        nll = -out["log_px"][0]
        kl = (out["log_qz"] - out["log_pz"])[0]
        x_mean = module.likelihood.mean(out["decoder_out"][0])
        c = (x - x_mean).pow(2).mean()  # the constraint: per-feature MSE
        return nll, kl, c

    def _objective(self, module, x, generator):
        # Used for the validation loss: the β = 1 bound, comparable across epochs.
        nll, kl, _ = self._terms(module, x, generator)
        return (nll + kl).mean(), {}

    def _on_fit_start(
        self,
        module: nn.Module,
        X_train: torch.Tensor,
        generator: torch.Generator,
        continuing: bool,
    ) -> None:
        # A copy, so that a failed resumed fit leaves the previous schedule intact.
        if continuing and hasattr(self, "schedule_"):
            self.schedule_ = copy.deepcopy(self.schedule_)
        else:
            self.schedule_ = self._make_schedule()
        n_samples = X_train.shape[0]
        batch = min(self.batch_size, n_samples)
        self.schedule_.start(-(-n_samples // batch))
        prior = getattr(module, "prior", None)
        # Parameters that REWO's initial phase leaves untouched (subclasses may add some).
        self._frozen_in_initial_phase = [] if prior is None else list(prior.parameters())

    def _training_step(self, module, optimizer, x, generator):
        nll, kl, c = self._terms(module, x, generator)
        # Algorithm 1 of Klushyn et al.: the batch's reconstruction error updates Ĉ_t and
        # β first; then the parameters take a step on the loss with the new β. The
        # schedule works on device tensors: nothing here waits for the device.
        beta = self.schedule_.step(c.detach())
        if isinstance(beta, torch.Tensor):
            beta = beta.to(nll.dtype)
        nll, kl = nll.mean(), kl.mean()
        loss = nll + beta * kl
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        mask = self.schedule_.trains_prior_mask
        frozen = self._frozen_in_initial_phase if mask is not None else []
        for p in frozen:  # zero gradients while frozen: Adam then leaves p exactly as is
            if p.grad is not None:
                p.grad.mul_(mask)
        optimizer.step()
        for p in frozen:
            # ... and Adam's step count stays 0, so a parameter that starts training
            # later gets Adam's usual bias correction, as if it had been left out.
            step = optimizer.state.get(p, {}).get("step")
            if isinstance(step, torch.Tensor):
                step.mul_(mask.to(step.device, step.dtype))
        return {
            "loss": loss.detach(),
            "nll": nll.detach(),
            "kl": kl.detach(),
            "bound": (nll + kl).detach(),
            "C": c.detach(),
            "beta": beta.detach() if isinstance(beta, torch.Tensor) else beta,
        }

    def _on_epoch_end(self, epoch_terms: dict[str, float]) -> None:
        self.schedule_.flush_trace()  # one device read per traced quantity and epoch

    def _train(self, X: Any, *, continuing: bool, n_epochs: int):
        # Also records ``schedule_`` and the per-iteration ``iteration_history_``.
        previous = self.__dict__.get("schedule_")
        try:
            super()._train(X, continuing=continuing, n_epochs=n_epochs)
        except BaseException:
            # A failed fit must not leave a half-trained schedule behind.
            if previous is None:
                self.__dict__.pop("schedule_", None)
            else:
                self.schedule_ = previous
            raise
        finally:
            self.__dict__.pop("_frozen_in_initial_phase", None)
        self.schedule_.finish()
        self.iteration_history_ = {k: list(v) for k, v in self.schedule_.trace.items()}
        return self
