"""Observation models p(x | z): the decoder's output layer and its log-density."""

from __future__ import annotations

import torch
from torch import nn

from .distributions import (
    continuous_bernoulli_mean,
    continuous_bernoulli_sample,
    log_bernoulli_logits,
    log_continuous_bernoulli_logits,
    log_normal_diag,
)


class BernoulliLikelihood(nn.Module):
    """Bernoulli pixels: the decoder outputs logits; data must lie in [0, 1].

    On binary data ``log_prob`` is a log-probability. On grey levels it is the papers'
    cross-entropy, which is not normalised over [0, 1]: use the continuous Bernoulli for
    a density."""

    name = "bernoulli"

    def __init__(self, n_features: int):
        super().__init__()
        self.n_features = n_features

    def log_prob(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        return log_bernoulli_logits(x, out)

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(out)

    def sample(self, out: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return torch.bernoulli(torch.sigmoid(out), generator=generator)


class GaussianLikelihood(nn.Module):
    """Gaussian features with a learned variance per feature (homoscedastic over data).

    The decoder outputs the mean; ``log_var`` is a free parameter per feature, floored
    at ``log(1e-6)`` so that a constant feature cannot give an infinite density.
    """

    name = "gaussian"
    LOG_VAR_MIN = -13.8

    def __init__(self, n_features: int):
        super().__init__()
        self.n_features = n_features
        self.log_var = nn.Parameter(torch.zeros(n_features))

    def variance_log(self) -> torch.Tensor:
        return self.log_var.clamp(min=self.LOG_VAR_MIN)

    def log_prob(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        return log_normal_diag(x, out, self.variance_log())

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return out

    def sample(self, out: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        eps = torch.randn(out.shape, generator=generator, device=out.device, dtype=out.dtype)
        return out + torch.exp(0.5 * self.variance_log()) * eps


class ContinuousBernoulliLikelihood(BernoulliLikelihood):
    """The continuous Bernoulli (Loaiza-Ganem & Cunningham, 2019): a normalised density
    on [0, 1] with the Bernoulli's logits, so grey-level data get log p(x) in nats."""

    name = "continuous_bernoulli"

    def log_prob(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        return log_continuous_bernoulli_logits(x, out)

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        return continuous_bernoulli_mean(out)

    def sample(self, out: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        u = torch.rand(out.shape, generator=generator, device=out.device, dtype=out.dtype)
        return continuous_bernoulli_sample(out, u)


LIKELIHOODS = {
    "bernoulli": BernoulliLikelihood,
    "continuous_bernoulli": ContinuousBernoulliLikelihood,
    "gaussian": GaussianLikelihood,
}
LIKELIHOODS_IN_UNIT_INTERVAL = ("bernoulli", "continuous_bernoulli")
