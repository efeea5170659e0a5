"""The torch models: networks that define q(z|x), p(z) and p(x|z), and one pass that
returns every term a bound needs. They know nothing about training.

Every model derives from :class:`LatentVariableModel`, the interface the training loop,
the objectives and the evaluation use and nothing beyond it:

- ``forward_terms(x, n_samples, generator, **options)`` -> the dict of :data:`TERMS`:
  ``log_px`` = log p(x|z), ``log_pz`` = log p(z) (an estimate for sampled priors),
  ``log_qz`` = log q(z|x), ``log_w = log_px + log_pz - log_qz`` (all of shape (S, B)) and
  ``decoder_out`` (the likelihood's parameters, (S, B, D)), for S draws per row;
- ``encode_mean(x)``, ``decode_mean(z)``, ``sample_data(z, generator)``;
- ``sample_latent(n, generator)`` and ``log_weights(x, S, generator, **options)``, which
  the base class derives from ``prior`` and ``forward_terms``;
- ``evaluation_width(**options)``: the widest per-sample activation of one pass, which
  sizes the chunks of the importance-sampled evaluation.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

import torch
from torch import nn

from .distributions import log_normal_diag, log_standard_normal, reparameterize
from .likelihoods import LIKELIHOODS
from .nn import GaussianHead, make_mlp
from .priors import HierarchicalPrior, StandardNormalPrior, VampPrior

TERMS = ("log_px", "log_pz", "log_qz", "log_w", "decoder_out")


def bound_terms(
    x: torch.Tensor,
    likelihood: nn.Module,
    out: torch.Tensor,
    log_pz: torch.Tensor,
    log_qz: torch.Tensor,
) -> dict[str, torch.Tensor]:
    """The :data:`TERMS` of one pass, from its decoder output ``out`` (the likelihood's
    parameters; its mean is computed only where it is needed)."""
    log_px = likelihood.log_prob(x, out)
    return {
        "log_px": log_px,
        "log_pz": log_pz,
        "log_qz": log_qz,
        "log_w": log_px + log_pz - log_qz,
        "decoder_out": out,
    }


def prior_width(prior: nn.Module, prior_samples: int | None = None) -> int:
    """The widest per-sample activation a prior adds to one evaluation pass."""
    if isinstance(prior, HierarchicalPrior):
        inner = prior.k if prior_samples is None else prior_samples
        return inner * max((prior.n_components, *prior.hidden_layer_sizes))
    if isinstance(prior, VampPrior):
        return prior.n_pseudo_inputs
    return 0


class LatentVariableModel(nn.Module):
    """The declared interface of every model (see the module docstring)."""

    prior: nn.Module

    @abstractmethod
    def forward_terms(
        self, x: torch.Tensor, n_samples: int, generator: torch.Generator | None, **options
    ) -> dict[str, torch.Tensor]:
        """The :data:`TERMS` of one pass with ``n_samples`` draws per row of ``x``."""

    @abstractmethod
    def encode_mean(self, x: torch.Tensor) -> torch.Tensor:
        """The posterior mean of the top latent layer."""

    @abstractmethod
    def decode_mean(self, z: torch.Tensor) -> torch.Tensor:
        """The mean of p(x | z) for top-layer codes z."""

    @abstractmethod
    def sample_data(self, z: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """x ~ p(x | z) for top-layer codes z."""

    @abstractmethod
    def evaluation_width(self, **options) -> int:
        """The widest per-sample activation of ``forward_terms``."""

    def sample_latent(self, n_samples: int, generator: torch.Generator | None) -> torch.Tensor:
        """z ~ p(z), the (learned) prior of the top layer."""
        return self.prior.sample(n_samples, generator)

    def log_weights(
        self, x: torch.Tensor, n_samples: int, generator: torch.Generator | None, **options
    ) -> torch.Tensor:
        """``log p(x, z_s) - log q(z_s | x)`` for ``n_samples`` draws: shape (S, B)."""
        return self.forward_terms(x, n_samples, generator, **options)["log_w"]


class SingleLayerVAE(LatentVariableModel):
    """Encoder q(z|x) (a diagonal Gaussian, or an isotropic one), ``prior`` p(z) and
    decoder p(x|z). Estimators differ only in the prior they plug in.

    ``prior`` may be None at construction for priors built from the encoder itself
    (VampPrior), which the caller assigns afterwards.
    """

    def __init__(
        self,
        n_features: int,
        n_components: int,
        hidden_layer_sizes: Sequence[int],
        activation: str,
        likelihood: str,
        prior: nn.Module | None,
        *,
        isotropic_posterior: bool = False,
    ):
        super().__init__()
        self.encoder = GaussianHead(
            n_features, hidden_layer_sizes, n_components, activation, isotropic=isotropic_posterior
        )
        self.decoder = make_mlp(
            n_components, tuple(reversed(hidden_layer_sizes)), n_features, activation
        )
        self.likelihood = LIKELIHOODS[likelihood](n_features)
        self.prior = prior
        self._width = max((n_features, n_components, *hidden_layer_sizes))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.encoder(x)

    def encode_mean(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)[0]

    def decode_mean(self, z: torch.Tensor) -> torch.Tensor:
        return self.likelihood.mean(self.decoder(z))

    def sample_data(self, z: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return self.likelihood.sample(self.decoder(z), generator)

    def evaluation_width(self, prior_samples: int | None = None) -> int:
        return max(self._width, prior_width(self.prior, prior_samples))

    def forward_terms(
        self,
        x: torch.Tensor,
        n_samples: int,
        generator: torch.Generator | None,
        prior_samples: int | None = None,
    ) -> dict[str, torch.Tensor]:
        """The :data:`TERMS`; ``log_pz`` from ``prior_samples`` draws where the prior
        estimates its density by sampling (the hierarchical prior's k by default)."""
        mean, log_var = self.encoder(x)
        z = reparameterize(mean, log_var, n_samples, generator)
        log_qz = log_normal_diag(z, mean, log_var)
        if prior_samples is None:
            log_pz = self.prior.log_prob(z, generator)
        else:
            log_pz = self.prior.log_prob(z, generator, prior_samples)
        return bound_terms(x, self.likelihood, self.decoder(z), log_pz, log_qz)


class TwoLayerVAE(LatentVariableModel):
    """Burda et al.'s two-stochastic-layer model (``IWAE(n_layers=2)``).

    Generative: p(z2) = N(0, I), p(z1 | z2) diagonal Gaussian, p(x | z1).
    Inference: q(z1 | x) q(z2 | z1), both diagonal Gaussians.
    """

    def __init__(
        self,
        n_features: int,
        n_components_z1: int,
        n_components: int,
        hidden_layer_sizes: Sequence[int],
        hidden_layer_sizes_z2: Sequence[int],
        activation: str,
        likelihood: str,
    ):
        super().__init__()
        self.q_z1 = GaussianHead(n_features, hidden_layer_sizes, n_components_z1, activation)
        self.q_z2 = GaussianHead(n_components_z1, hidden_layer_sizes_z2, n_components, activation)
        self.p_z1 = GaussianHead(
            n_components, tuple(reversed(hidden_layer_sizes_z2)), n_components_z1, activation
        )
        self.decoder = make_mlp(
            n_components_z1, tuple(reversed(hidden_layer_sizes)), n_features, activation
        )
        self.likelihood = LIKELIHOODS[likelihood](n_features)
        self.prior = StandardNormalPrior(n_components)
        self._width = max(
            (n_features, n_components, *hidden_layer_sizes, n_components_z1, *hidden_layer_sizes_z2)
        )

    def encode_mean(self, x: torch.Tensor) -> torch.Tensor:
        # Mean of q(z2 | z1) at the mean of q(z1 | x): a deterministic pass.
        return self.q_z2(self.q_z1(x)[0])[0]

    def decode_mean(self, z2: torch.Tensor) -> torch.Tensor:
        return self.likelihood.mean(self.decoder(self.p_z1(z2)[0]))

    def sample_data(self, z2: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        mean, log_var = self.p_z1(z2)
        z1 = reparameterize(mean, log_var, 1, generator)[0]
        return self.likelihood.sample(self.decoder(z1), generator)

    def evaluation_width(self) -> int:
        return self._width

    def forward_terms(
        self, x: torch.Tensor, n_samples: int, generator: torch.Generator | None
    ) -> dict[str, torch.Tensor]:
        """The :data:`TERMS` with ``log_pz`` = log p(z1|z2) + log p(z2) and ``log_qz`` =
        log q(z1|x) + log q(z2|z1); ``decoder_out`` is p(x|z1)'s parameters."""
        mean1, log_var1 = self.q_z1(x)
        z1 = reparameterize(mean1, log_var1, n_samples, generator)  # (S, B, d1)
        mean2, log_var2 = self.q_z2(z1)
        z2 = mean2 + torch.exp(0.5 * log_var2) * torch.randn(
            mean2.shape, generator=generator, device=mean2.device, dtype=mean2.dtype
        )
        p_mean1, p_log_var1 = self.p_z1(z2)
        out = self.decoder(z1)
        log_px = self.likelihood.log_prob(x, out)
        log_pz1, log_pz2 = log_normal_diag(z1, p_mean1, p_log_var1), log_standard_normal(z2)
        log_qz = log_normal_diag(z1, mean1, log_var1) + log_normal_diag(z2, mean2, log_var2)
        return {
            "log_px": log_px,
            "log_pz": log_pz1 + log_pz2,
            "log_qz": log_qz,
            # Summed in the order of earlier versions: a resumed run continues bit for bit.
            "log_w": log_px + log_pz1 + log_pz2 - log_qz,
            "decoder_out": out,
        }


class TwoLayerVampVAE(LatentVariableModel):
    """The HVAE (L=2) of Tomczak & Welling with the VampPrior on the top layer z2
    (``VampPriorVAE(n_layers=2)``).

    Inference: q(z2 | x) q(z1 | x, z2). Generative: p(z2) = VampPrior,
    p(z1 | z2), p(x | z1, z2); all Gaussians diagonal.
    """

    def __init__(
        self,
        n_features: int,
        n_components_z1: int,
        n_components: int,
        hidden_layer_sizes: Sequence[int],
        activation: str,
        likelihood: str,
        pseudo_inputs: torch.Tensor,
        learnable: bool,
        bounds: tuple[float, float] | None,
    ):
        super().__init__()
        reverse = tuple(reversed(hidden_layer_sizes))
        self.q_z2 = GaussianHead(n_features, hidden_layer_sizes, n_components, activation)
        self.q_z1 = GaussianHead(
            n_features + n_components, hidden_layer_sizes, n_components_z1, activation
        )
        self.p_z1 = GaussianHead(n_components, reverse, n_components_z1, activation)
        self.decoder = make_mlp(n_components_z1 + n_components, reverse, n_features, activation)
        self.likelihood = LIKELIHOODS[likelihood](n_features)
        self.prior = VampPrior(self.q_z2, pseudo_inputs, learnable=learnable, bounds=bounds)
        self._width = max((n_features, n_components, *hidden_layer_sizes))
        self._n_z2 = n_components

    def encode_mean(self, x: torch.Tensor) -> torch.Tensor:
        return self.q_z2(x)[0]

    def _decode(self, z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
        return self.decoder(torch.cat([z1, z2], dim=-1))

    def decode_mean(self, z2: torch.Tensor) -> torch.Tensor:
        return self.likelihood.mean(self._decode(self.p_z1(z2)[0], z2))

    def sample_data(self, z2: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        z1 = reparameterize(*self.p_z1(z2), 1, generator)[0]
        return self.likelihood.sample(self._decode(z1, z2), generator)

    def evaluation_width(self) -> int:
        # (x, z2) enters q(z1 | x, z2): as wide as the widest layer or mixture, plus z2.
        return max(self._width, prior_width(self.prior)) + self._n_z2

    def forward_terms(
        self, x: torch.Tensor, n_samples: int, generator: torch.Generator | None
    ) -> dict[str, torch.Tensor]:
        """The :data:`TERMS` with ``log_pz`` = log p(z2) + log p(z1|z2) and ``log_qz`` =
        log q(z2|x) + log q(z1|x, z2)."""
        mean2, log_var2 = self.q_z2(x)
        z2 = reparameterize(mean2, log_var2, n_samples, generator)  # (S, B, d2)
        mean1, log_var1 = self.q_z1(torch.cat([x.expand(n_samples, *x.shape), z2], dim=-1))
        z1 = reparameterize(mean1, log_var1, 1, generator)[0]
        log_qz = log_normal_diag(z2, mean2, log_var2) + log_normal_diag(z1, mean1, log_var1)
        log_pz = self.prior.log_prob(z2, generator) + log_normal_diag(z1, *self.p_z1(z2))
        return bound_terms(x, self.likelihood, self._decode(z1, z2), log_pz, log_qz)
