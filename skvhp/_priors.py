"""Priors p(z) over the latent space, as small modules with ``log_prob`` and ``sample``.

``log_prob(z, generator)`` takes a generator because some priors (the hierarchical
one) can only estimate their log-density by sampling.
"""

from __future__ import annotations

import torch
from torch import nn

from ._distributions import log_mean_exp, log_normal_diag, log_standard_normal, reparameterize
from ._nn import GaussianHead


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


class HierarchicalPrior(nn.Module):
    """The variational hierarchical prior p_Θ(z) = ∫ p_Θ(z|ζ) p(ζ) dζ (Klushyn et al. 2019).

    p(ζ) = N(0, I); p_Θ(z|ζ) and the proposal q_Φ(ζ|z) are diagonal Gaussians whose
    parameters MLPs output. ``log_prob`` is the importance-weighted estimate

        log p̂_Θ(z) = log (1/K) Σ_k p_Θ(z|ζ_k) p(ζ_k) / q_Φ(ζ_k|z),   ζ_k ~ q_Φ(ζ|z),

    whose expectation is a lower bound on log p_Θ(z) that tightens with K (Burda et al.);
    so ``log q(z|x) - log p̂_Θ(z)`` bounds the KL term from above (Eq. 8 of the paper).
    """

    def __init__(
        self,
        n_components: int,
        n_components_zeta: int,
        hidden_layer_sizes: tuple[int, ...],
        activation: str,
        k: int,
    ):
        super().__init__()
        self.n_components = n_components
        self.n_components_zeta = n_components_zeta
        self.k = k
        self.p_z = GaussianHead(n_components_zeta, hidden_layer_sizes, n_components, activation)
        self.q_zeta = GaussianHead(n_components, hidden_layer_sizes, n_components_zeta, activation)

    def log_prob(self, z: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        mean, log_var = self.q_zeta(z)
        zeta = reparameterize(mean, log_var, self.k, generator)  # (K, *z.shape[:-1], dζ)
        p_mean, p_log_var = self.p_z(zeta)
        log_w = (
            log_normal_diag(z, p_mean, p_log_var)
            + log_standard_normal(zeta)
            - log_normal_diag(zeta, mean, log_var)
        )
        return log_mean_exp(log_w, dim=0)

    def sample(self, n_samples: int, generator: torch.Generator | None = None) -> torch.Tensor:
        anchor = self.p_z.net[0].weight
        zeta = torch.randn(
            (n_samples, self.n_components_zeta),
            generator=generator,
            device=anchor.device,
            dtype=anchor.dtype,
        )
        mean, log_var = self.p_z(zeta)
        return reparameterize(mean, log_var, 1, generator)[0]
