"""Priors p(z) over the latent space, as small modules with ``log_prob`` and ``sample``.

``log_prob(z, generator)`` takes a generator because some priors (the hierarchical
one) can only estimate their log-density by sampling.
"""

from __future__ import annotations

import torch
from torch import nn

from ._distributions import log_standard_normal


class StandardNormalPrior(nn.Module):
    """p(z) = N(0, I)."""

    def __init__(self, n_components: int):
        super().__init__()
        self.n_components = n_components
        # A buffer only to know the device and dtype the module lives on.
        self.register_buffer("_anchor", torch.zeros(()), persistent=False)

    def log_prob(self, z: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        return log_standard_normal(z)

    def sample(self, n_samples: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(
            (n_samples, self.n_components),
            generator=generator,
            device=self._anchor.device,
            dtype=self._anchor.dtype,
        )
