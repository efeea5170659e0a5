"""Evaluation without gradients: batched passes, the validation loss, and the
importance-sampled log-likelihood, batched over points x samples under a memory cap."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from .device import make_generator, to_device

LogWeightsFn = Callable[[torch.Tensor, int, "torch.Generator | None"], torch.Tensor]
PREDICT_BATCH = 4096  # rows per forward pass in transform, inverse_transform, validation


def batched(
    fn: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor, device: torch.device
) -> torch.Tensor:
    """``fn`` over the rows of X in batches of :data:`PREDICT_BATCH` moved to ``device``
    (X may stay on the host), without autograd."""
    with torch.inference_mode():
        return torch.cat(
            [
                fn(to_device(X[i : i + PREDICT_BATCH], device))
                for i in range(0, X.shape[0], PREDICT_BATCH)
            ]
        )


@torch.no_grad()
def validation_loss(objective, model: torch.nn.Module, X_val: torch.Tensor, seed: int) -> float:
    """The mean of ``objective(model, x, generator)[0]`` over the rows of X_val, with the
    same noise every epoch (a generator seeded ``seed + 1``), so epochs compare."""
    model.eval()
    device = next(model.parameters()).device
    generator = make_generator(seed + 1, device)
    total = 0.0
    for start in range(0, X_val.shape[0], PREDICT_BATCH):
        xb = to_device(X_val[start : start + PREDICT_BATCH], device)
        loss, _ = objective(model, xb, generator)
        total += float(loss) * xb.shape[0]
    model.train()
    return total / X_val.shape[0]


def plan_chunks(n_points: int, n_samples: int, width: int, max_elements: int) -> tuple[int, int]:
    """Choose (points per chunk, samples per chunk) so that one chunk's widest
    activation, ``points * samples * width`` floats, stays under ``max_elements``."""
    samples = max(1, min(n_samples, max_elements // max(width, 1)))
    points = max(1, min(n_points, max_elements // (samples * max(width, 1))))
    return points, samples


@torch.inference_mode()
def importance_log_likelihood(
    log_weights: LogWeightsFn,
    X: torch.Tensor,
    n_samples: int,
    *,
    width: int,
    generator: torch.Generator | None = None,
    max_elements: int = 2**21,
    device: torch.device | None = None,
) -> torch.Tensor:
    """Importance-sampled ``log p(x) ~= log (1/S) sum_s w_s`` for every row of ``X``.

    Parameters
    ----------
    log_weights : callable ``(x_batch, n, generator) -> (n, batch)`` tensor
        Log importance weights ``log p(x, z) - log q(z | x)`` of ``n`` fresh draws.
    X : tensor of shape (n_points, n_features)
    n_samples : int
        S, the number of importance samples per point (the papers use 5000).
    width : int
        The widest per-sample activation of the model, used to size the chunks.
    device : torch.device, optional
        Where the model is; X may stay on the host (chunks move there). Default: X's.
    max_elements : int
        Memory cap: a chunk holds at most about this many floats per activation. The
        default (8 MiB of float32) keeps a chunk's activations in the CPU's cache: on
        MNIST-sized models scoring runs 1.5x faster than with 32 MiB chunks.

    Returns
    -------
    tensor of shape (n_points,)
        The estimate is exact in the chunking: partial ``logsumexp`` values over
        sample chunks are combined with another ``logsumexp``, never averaged.
    """
    n_points = X.shape[0]
    device = X.device if device is None else device
    points, samples = plan_chunks(n_points, n_samples, width, max_elements)
    result = torch.empty(n_points, dtype=torch.float64, device=device)
    for start in range(0, n_points, points):
        xb = to_device(X[start : start + points], device)
        partial = []
        for s_start in range(0, n_samples, samples):
            s = min(samples, n_samples - s_start)
            partial.append(torch.logsumexp(log_weights(xb, s, generator).double(), dim=0))
        result[start : start + points] = torch.logsumexp(torch.stack(partial), dim=0)
    return result - math.log(n_samples)
