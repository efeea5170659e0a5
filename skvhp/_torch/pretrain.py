"""Pre-training the encoder on a start (``VHPAutoencoder(init=...)``): its mean regresses
the start's coordinates (:mod:`skvhp._start`), so that the VAE begins on that layout
instead of a random one, as t-SNE and UMAP start from PCA or spectral layouts.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .device import to_device
from .training import adam

PCA_INIT_STEPS = 500  # Adam steps of the pre-training (lr 1e-3, batches of 100)
# A circle or torus start has more shape for the encoder to learn than a projection: on
# a double pendulum's torus, 500 steps reach R² 0.915 (the tube filled in), 5000 reach
# 0.996 (both loops and the cavity kept), in 3 s on a CPU.
CIRCULAR_INIT_STEPS = 5000
PCA_INIT_BATCH = 100
PCA_INIT_LR = 1e-3
# Posterior std the pre-training aims for: 0.03 on unit-variance coordinates, about 2 % of
# the ring's radius (√2), so that a decoder trained on these codes can be sharp.
PCA_INIT_LOG_VAR = 2.0 * math.log(0.03)


def pretrain_encoder(
    encoder: nn.Module,
    X: torch.Tensor,
    targets: torch.Tensor,
    generator: torch.Generator,
    n_steps: int = PCA_INIT_STEPS,
    log_var_target: float = PCA_INIT_LOG_VAR,
) -> float:
    """Fit the encoder's mean to ``targets`` and its log-variance to ``log_var_target`` by
    squared error, with Adam (its own optimiser, discarded afterwards); returns the last
    batch's loss."""
    optimizer = adam(encoder.parameters(), PCA_INIT_LR)  # fused: no host reads per step
    n = X.shape[0]
    device = next(encoder.parameters()).device  # X and targets may stay on the host
    loss = torch.zeros(())
    for _ in range(n_steps):
        idx = torch.randint(0, n, (min(PCA_INIT_BATCH, n),), generator=generator, device=device)
        idx = idx.to(X.device)
        mean, log_var = encoder(to_device(X[idx], device))
        target = to_device(targets[idx], device)
        loss = (mean - target).pow(2).mean() + (log_var - log_var_target).pow(2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return float(loss.detach())
