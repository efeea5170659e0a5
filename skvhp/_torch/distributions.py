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


def spread_mode_means(n_modes: int, n_dims: int, separation: float = 6.0) -> torch.Tensor:
    """``n_modes`` points in R^n_dims, neighbours ``separation`` apart: evenly on a circle
    in the first two coordinates (on a line when ``n_dims`` is 1), centred at 0."""
    if n_modes == 1:
        return torch.zeros(1, n_dims)
    means = torch.zeros(n_modes, n_dims)
    if n_dims == 1:
        means[:, 0] = separation * (torch.arange(n_modes) - (n_modes - 1) / 2)
        return means
    angles = 2 * math.pi * torch.arange(n_modes) / n_modes
    radius = separation / (2 * math.sin(math.pi / n_modes))
    means[:, 0], means[:, 1] = radius * torch.cos(angles), radius * torch.sin(angles)
    return means


def log_unit_mixture(x: torch.Tensor, means: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Log-density of the mixture Σ_m softmax(logits)_m N(means_m, I), summed over the
    last axis of ``x`` (..., d); ``means`` (M, d)."""
    log_weights = torch.log_softmax(logits, dim=0)
    per_mode = log_standard_normal(x.unsqueeze(-2) - means)  # (..., M)
    return torch.logsumexp(per_mode + log_weights, dim=-1)


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


def continuous_bernoulli_log_norm(logits: torch.Tensor) -> torch.Tensor:
    """log C(λ) of the continuous Bernoulli with λ = sigmoid(l), elementwise.

    C(λ) = 2 artanh(1 - 2λ) / (1 - 2λ), which in logits is l / tanh(l / 2) (even in l,
    2 at l = 0); near 0 its Taylor series 2 + l²/6 avoids 0/0 (Loaiza-Ganem &
    Cunningham, 2019).
    """
    small = logits.abs() < 1e-3
    safe = torch.where(small, torch.ones_like(logits), logits)
    exact = torch.log(safe.abs()) - torch.log(torch.tanh(safe.abs() / 2.0))
    return torch.where(small, torch.log(2.0 + logits.pow(2) / 6.0), exact)


def log_continuous_bernoulli_logits(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Log-density of x in [0, 1] under the continuous Bernoulli CB(sigmoid(logits)),
    summed over the last axis: the Bernoulli cross-entropy plus log C, so that it
    integrates to 1 over [0, 1] per feature (a true log-density for grey levels)."""
    return log_bernoulli_logits(x, logits) + continuous_bernoulli_log_norm(logits).sum(-1)


def continuous_bernoulli_mean(logits: torch.Tensor) -> torch.Tensor:
    """E[x] = λ / (2λ - 1) + 1 / (2 artanh(1 - 2λ)) = sigmoid(l) / tanh(l/2) - 1/l, with
    its series 1/2 + l/12 - l³/720 near l = 0."""
    small = logits.abs() < 1e-2
    safe = torch.where(small, torch.ones_like(logits), logits)
    exact = torch.sigmoid(safe) / torch.tanh(safe / 2.0) - 1.0 / safe
    series = 0.5 + logits / 12.0 - logits.pow(3) / 720.0
    return torch.where(small, series, exact)


def continuous_bernoulli_sample(logits: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Inverse-CDF draw from CB(sigmoid(logits)) given uniforms u in (0, 1):
    x = log(1 + u (e^l - 1)) / l, written without overflow for either sign of l."""
    small = logits.abs() < 1e-4
    safe = torch.where(small, torch.ones_like(logits), logits)
    negative = torch.log1p(u * torch.expm1(safe.clamp(max=0.0))) / safe
    positive = 1.0 + torch.log(u + (1.0 - u) * torch.exp(-safe.clamp(min=0.0))) / safe
    x = torch.where(safe < 0, negative, positive)
    return torch.where(small, u, x).clamp(0.0, 1.0)
