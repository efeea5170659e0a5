"""The one-stochastic-layer VAE module: q(z|x), a prior p(z) and p(x|z).

Estimators differ only in the prior they plug in and the objective they build from
``log_weights``; this module knows nothing about training.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._distributions import log_normal_diag, reparameterize
from ._likelihoods import LIKELIHOODS
from ._nn import GaussianHead, make_mlp


def bound_terms(
    x: torch.Tensor,
    likelihood: nn.Module,
    out: torch.Tensor,
    log_pz: torch.Tensor,
    log_qz: torch.Tensor,
) -> dict[str, torch.Tensor]:
    """The terms every model's ``forward_terms`` returns, from its decoder output ``out``
    (the likelihood's parameters; its mean is computed only where it is needed)."""
    log_px = likelihood.log_prob(x, out)
    return {
        "log_px": log_px,
        "log_pz": log_pz,
        "log_qz": log_qz,
        "log_w": log_px + log_pz - log_qz,
        "decoder_out": out,
    }


class SingleLayerVAE(nn.Module):
    """Encoder q(z|x) (diagonal Gaussian), ``prior`` p(z) and decoder p(x|z).

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

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.encoder(x)

    def encode_mean(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)[0]

    def decode_mean(self, z: torch.Tensor) -> torch.Tensor:
        return self.likelihood.mean(self.decoder(z))

    def sample_latent(self, n_samples: int, generator: torch.Generator | None) -> torch.Tensor:
        return self.prior.sample(n_samples, generator)

    def sample_data(self, z: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        return self.likelihood.sample(self.decoder(z), generator)

    def log_weights(
        self,
        x: torch.Tensor,
        n_samples: int,
        generator: torch.Generator | None,
        prior_samples: int | None = None,
    ) -> torch.Tensor:
        """``log p(x, z_s) - log q(z_s | x)`` for ``n_samples`` draws: shape (S, B)."""
        return self.forward_terms(x, n_samples, generator, prior_samples)["log_w"]

    def forward_terms(
        self,
        x: torch.Tensor,
        n_samples: int,
        generator: torch.Generator | None,
        prior_samples: int | None = None,
    ) -> dict[str, torch.Tensor]:
        """All terms of one pass, shape (S, B) each, plus the decoder output (S, B, D).

        ``log_px`` is log p(x|z), ``log_pz`` log p(z) (an estimate for sampled priors,
        from ``prior_samples`` draws where the prior takes that option: the
        hierarchical prior's k), ``log_qz`` log q(z|x), ``log_w = log_px + log_pz - log_qz``.
        """
        mean, log_var = self.encoder(x)
        z = reparameterize(mean, log_var, n_samples, generator)
        log_qz = log_normal_diag(z, mean, log_var)
        if prior_samples is None:
            log_pz = self.prior.log_prob(z, generator)
        else:
            log_pz = self.prior.log_prob(z, generator, prior_samples)
        return bound_terms(x, self.likelihood, self.decoder(z), log_pz, log_qz)
