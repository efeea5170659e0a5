"""Training a learned prior alone on a fitted encoder's posterior (``fit_prior``).

With the encoder and decoder held fixed, the only part of the training bound that still
depends on the prior is the average over the data of E_q(z|x)[log p̂_Θ(z)], the prior's
side of the KL term (Eq. 8 of Klushyn et al.). Maximising it over the prior's networks
is one block of coordinate ascent on the same bound the fit maximises, whatever β is:
the prior moves towards the aggregate posterior, and nothing else changes. REWO trains
the prior only in its main phase, so after a short fit the prior lags the aggregate
posterior (the shape harness of #39: two rings' prior fills its loops in; this closes
the gap).
"""

from __future__ import annotations

import copy
import math

import torch

from .device import make_generator
from .models import SingleLayerVAE
from .training import adam


def fit_prior_only(
    model: SingleLayerVAE,
    x: torch.Tensor,  # on the model's device or the host
    n_steps: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    k: int,
    dynamic_binarization: bool = False,
) -> list[float]:
    """Train ``model.prior`` for ``n_steps`` Adam steps to maximise the importance-weighted
    bound on log p_Θ(z) (K = ``k``, which the prior keeps) over fresh draws z ~ q(z|x) of
    ``batch_size`` random rows of ``x`` a step (binarized afresh where the fit binarizes
    dynamically). The encoder and decoder are not touched; the prior is trained on a copy
    and copied back only once every step's loss and every weight are finite, so a
    failure (a divergence, Ctrl-C) leaves the model as it was. Returns the mean loss
    (−log p̂(z), nats) of each tenth of the steps."""
    device = next(model.parameters()).device  # x may stay on the host (too big)
    generator = make_generator(seed, device)
    prior = copy.deepcopy(model.prior)
    prior.k = k
    optimiser = adam(prior.parameters(), learning_rate)
    losses, block, block_size = [], [], max(1, n_steps // 10)
    for step in range(n_steps):
        rows = torch.randint(0, len(x), (batch_size,), generator=generator, device=device)
        with torch.no_grad():
            batch = x[rows.to(x.device)].to(device)
            if dynamic_binarization:
                batch = torch.bernoulli(batch, generator=generator)
            mean, log_var = model.encode(batch)
            z = mean + (0.5 * log_var).exp() * torch.randn(
                mean.shape, generator=generator, device=device, dtype=mean.dtype
            )
        loss = -prior.log_prob(z, generator).mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        block.append(loss.detach())
        if len(block) == block_size or step == n_steps - 1:
            losses.append(float(torch.stack(block).mean()))
            block = []
            if not math.isfinite(losses[-1]):
                _diverged(f"near step {step + 1} (mean loss {losses[-1]})", learning_rate)
    # A loss precedes its step: the last step's weights are checked on their own.
    if not all(bool(torch.isfinite(p).all()) for p in prior.parameters()):
        _diverged(f"in its last {block_size} steps (weights not finite)", learning_rate)
    model.prior.load_state_dict(prior.state_dict())
    model.prior.k = k
    return losses


def _diverged(where: str, learning_rate: float) -> None:
    raise ValueError(
        f"Training the prior diverged {where}. Try a smaller learning_rate (now "
        f"{learning_rate:g}); the fitted model is unchanged."
    )
