"""Priors p(z) over the latent space, as small modules with ``log_prob`` and ``sample``.

``log_prob(z, generator)`` takes a generator because some priors (the hierarchical
one) can only estimate their log-density by sampling.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .distributions import (
    LOG_2PI,
    log_mean_exp,
    log_normal_diag,
    log_standard_normal,
    log_unit_mixture,
    reparameterize,
    spread_mode_means,
)
from .nn import GaussianHead


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
    ``log_prob(z, k=1)`` is the single-sample weight: inside an outer importance sampler
    over z it turns the nested estimator of log p(x) into the joint one over (z, ζ).

    With ``n_modes`` M > 1, p(ζ) is instead the mixture Σ_m π_m N(μ_m, I) with fixed,
    well-separated means (``spread_mode_means``: neighbours 6 apart) and learned weights
    π = softmax(logits): ζ can then carry a discrete choice (which piece of the data),
    with little mass between the pieces. Our addition, not in the paper.
    """

    n_modes = 1  # a class default, so that priors pickled before the option still load

    def __init__(
        self,
        n_components: int,
        n_components_zeta: int,
        hidden_layer_sizes: tuple[int, ...],
        activation: str,
        k: int,
        n_modes: int = 1,
    ):
        super().__init__()
        self.n_components = n_components
        self.n_components_zeta = n_components_zeta
        self.k = k
        self.hidden_layer_sizes = tuple(hidden_layer_sizes)
        self.p_z = GaussianHead(n_components_zeta, hidden_layer_sizes, n_components, activation)
        self.q_zeta = GaussianHead(n_components, hidden_layer_sizes, n_components_zeta, activation)
        if n_modes > 1:
            self.n_modes = n_modes
            self.register_buffer("mode_means", spread_mode_means(n_modes, n_components_zeta))
            self.mode_logits = nn.Parameter(torch.zeros(n_modes))

    def log_prob_zeta(self, zeta: torch.Tensor) -> torch.Tensor:
        """log p(ζ), summed over the last axis."""
        if self.n_modes == 1:
            return log_standard_normal(zeta)
        return log_unit_mixture(zeta, self.mode_means, self.mode_logits)

    def log_prob(
        self, z: torch.Tensor, generator: torch.Generator | None = None, k: int | None = None
    ) -> torch.Tensor:
        mean, log_var = self.q_zeta(z)
        k = self.k if k is None else k
        zeta = reparameterize(mean, log_var, k, generator)  # (K, *z.shape[:-1], dζ)
        p_mean, p_log_var = self.p_z(zeta)
        log_w = (
            log_normal_diag(z, p_mean, p_log_var)
            + self.log_prob_zeta(zeta)
            - log_normal_diag(zeta, mean, log_var)
        )
        return log_mean_exp(log_w, dim=0)

    def sample(self, n_samples: int, generator: torch.Generator | None = None) -> torch.Tensor:
        anchor = next(self.p_z.parameters())  # any layer type: only device and dtype
        zeta = torch.randn(
            (n_samples, self.n_components_zeta),
            generator=generator,
            device=anchor.device,
            dtype=anchor.dtype,
        )
        if self.n_modes > 1:
            weights = torch.softmax(self.mode_logits.detach(), dim=0)
            modes = torch.multinomial(weights, n_samples, replacement=True, generator=generator)
            zeta = zeta + self.mode_means[modes]
        mean, log_var = self.p_z(zeta)
        return reparameterize(mean, log_var, 1, generator)[0]


class VampPrior(nn.Module):
    """The variational mixture of posteriors p(z) = (1/K) Σ_k q(z | u_k) (Tomczak & Welling).

    ``encoder`` maps pseudo-inputs to (mean, log_var) of the posterior it defines; it is
    shared with the VAE (held by reference, so its parameters are not registered twice).
    Pseudo-inputs are stored unconstrained and mapped into the data's range by
    ``hardtanh(·, low, high)`` when bounds are given (0 and 1 for Bernoulli data), as in
    the paper's code. With ``learnable=False`` they are a fixed buffer.
    """

    def __init__(
        self,
        encoder: nn.Module,
        pseudo_inputs: torch.Tensor,
        *,
        learnable: bool = True,
        bounds: tuple[float, float] | None = (0.0, 1.0),
    ):
        super().__init__()
        object.__setattr__(self, "_encoder", encoder)  # not a registered submodule
        self.bounds = bounds
        if learnable:
            self.raw_pseudo_inputs = nn.Parameter(pseudo_inputs.clone())
        else:
            self.register_buffer("raw_pseudo_inputs", pseudo_inputs.clone())

    @property
    def n_pseudo_inputs(self) -> int:
        return self.raw_pseudo_inputs.shape[0]

    def pseudo_inputs(self) -> torch.Tensor:
        """The pseudo-inputs in data space, shape (K, n_features)."""
        if self.bounds is None:
            return self.raw_pseudo_inputs
        return F.hardtanh(self.raw_pseudo_inputs, *self.bounds)

    def components(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self._encoder(self.pseudo_inputs())

    def log_prob(self, z: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        mean, log_var = self.components()  # (K, d)
        return mixture_log_prob(z, mean, log_var)

    def sample(self, n_samples: int, generator: torch.Generator | None = None) -> torch.Tensor:
        mean, log_var = self.components()
        pick = torch.randint(
            0, mean.shape[0], (n_samples,), generator=generator, device=mean.device
        )
        return reparameterize(mean[pick], log_var[pick], 1, generator)[0]


def mixture_log_prob(z: torch.Tensor, means: torch.Tensor, log_vars: torch.Tensor) -> torch.Tensor:
    """log (1/K) Σ_k N(z; means_k, diag exp(log_vars_k)) for z of shape (..., d).

    The squared distances Σ_j (z_j - m_kj)² / v_kj are expanded into matrix products
    (z² - 2 z m + m², weighted by the precisions), so memory is (..., K) floats rather
    than (..., K, d) and the work runs at matmul speed. The products are taken in float64:
    in float32 the expansion cancels catastrophically near a narrow component far from the
    origin (6 nats off at log-variance -12, means at 3, d = 40), while float64 keeps the
    error below 1e-6 nats there. The mixture is combined with ``logsumexp``.
    """
    z64, means64 = z.double(), means.double()
    precision = torch.exp(-log_vars.double())  # (K, d)
    squared = (
        (z64 * z64) @ precision.T
        - 2.0 * z64 @ (means64 * precision).T
        + (means64 * means64 * precision).sum(-1)
    ).clamp_min(0.0)  # Σ_j (z_j - m_kj)² / v_kj, shape (..., K)
    log_components = -0.5 * (z.shape[-1] * LOG_2PI + log_vars.double().sum(-1) + squared)
    return log_mean_exp(log_components, dim=-1).to(z.dtype)
