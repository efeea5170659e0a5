"""Log-densities with all their normalising constants.

Every function is pure, works on any broadcastable shapes and sums over the last
(feature) axis, so a result can be compared with the papers' nats directly.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

LOG_2PI = math.log(2.0 * math.pi)


def log_normal_diag(x: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """Log-density of a diagonal Gaussian, summed over the last axis.

    ``-0.5 * sum(log(2 pi) + log_var + (x - mean)^2 / exp(log_var))``.
    """
    return -0.5 * (LOG_2PI + log_var + (x - mean).pow(2) * torch.exp(-log_var)).sum(-1)


def log_standard_normal(x: torch.Tensor) -> torch.Tensor:
    """Log-density of N(0, I), summed over the last axis."""
    return -0.5 * (LOG_2PI + x.pow(2)).sum(-1)


def log_bernoulli_logits(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Log-probability of ``x`` in [0, 1] under Bernoulli(sigmoid(logits)), summed.

    For non-binary ``x`` this is the (unnormalised) continuous cross-entropy that
    the papers use for grey-level targets; for binary ``x`` it is a true log-probability.
    """
    # x l - softplus(l) = log sigmoid(l) - (1 - x) l: one elementwise pass plus a fused
    # dot product, about a third faster than binary_cross_entropy_with_logits, which
    # materialises x broadcast to the logits' shape and takes several passes.
    return F.logsigmoid(logits).sum(-1) - torch.einsum("...d,...d->...", logits, 1.0 - x)


def kl_normal_standard(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL( N(mean, diag(exp(log_var))) || N(0, I) ), summed over the last axis."""
    return 0.5 * (mean.pow(2) + torch.exp(log_var) - 1.0 - log_var).sum(-1)


def log_mean_exp(a: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """``log(mean(exp(a), dim))`` computed stably with ``logsumexp``."""
    return torch.logsumexp(a, dim=dim) - math.log(a.shape[dim])


def reparameterize(
    mean: torch.Tensor,
    log_var: torch.Tensor,
    n_samples: int,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Draw ``n_samples`` reparameterised samples, shape ``(n_samples, *mean.shape)``."""
    eps = torch.randn(
        (n_samples, *mean.shape), generator=generator, device=mean.device, dtype=mean.dtype
    )
    return mean + torch.exp(0.5 * log_var) * eps
