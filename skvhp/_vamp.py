"""The VAE with a VampPrior (Tomczak & Welling, "VAE with a VampPrior", AISTATS 2018)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._base import signature_parameters
from ._beta_bound import _BetaBoundVAE
from ._torch.likelihoods import LIKELIHOODS_IN_UNIT_INTERVAL
from ._torch.models import LatentVariableModel, SingleLayerVAE, TwoLayerVampVAE
from ._torch.priors import VampPrior
from ._torch.schedules import LinearWarmUp
from ._torch.training import FitState
from ._validation import check_choice, check_int, check_layer_sizes

PSEUDO_INPUT_MARGIN = 0.01  # learned pseudo-inputs start this far inside [0, 1]


class VampPriorVAE(_BetaBoundVAE):
    """VAE with a VampPrior: p(z) = (1/K) Σ_k q(z | u_k) over K pseudo-inputs u_k.

    The prior is the encoder's own posterior averaged over K pseudo-inputs in data
    space, an approximation of the aggregated posterior, the optimal prior (Tomczak &
    Welling, 2018). Training maximises the single-sample ELBO with the KL term weighted
    by β, which rises linearly from 0 to 1 over ``warmup_epochs`` (the paper: 100).

    Parameters
    ----------
    n_components : int, default=40
        Size of the latent layer that carries the VampPrior (z, or z2 for two layers);
        ``transform`` returns its posterior mean.
    n_pseudo_inputs : int, default=500
        K, the number of mixture components.
    pseudo_inputs : {"learned", "data"}, default="learned"
        "learned": trainable, initialised at K random training points pulled 0.01 into
        (0, 1) (so that the hardtanh passes gradients for binary data; the paper drew
        them near a constant instead). "data": K random training points, kept fixed.
        With fewer training points than K, points are drawn with replacement.
    n_layers : {1, 2}, default=1
        2 gives the paper's HVAE (L=2): q(z1|x,z2) q(z2|x) and p(x|z1,z2) p(z1|z2) p(z2)
        with the VampPrior on z2.
    n_components_z1 : int, default=40
        Size of z1 (only for ``n_layers=2``).
    warmup_epochs : int, default=20
        Epochs over which β rises linearly from 0 to 1 (0: no warm-up).
    hidden_layer_sizes : tuple of int, default=(300, 300)
    activation : {"gated", "tanh", "relu", "elu", "softplus", "sigmoid"}, default="gated"
        "gated": the paper's gated dense layers.
    likelihood : {"bernoulli", "continuous_bernoulli", "gaussian"}, default="bernoulli"
        For Bernoulli data the pseudo-inputs pass through hardtanh into [0, 1]; for
        Gaussian data they are unconstrained.
    learning_rate : float, default=5e-4
        The paper's Adam step size.
    max_iter, batch_size, n_importance_samples, early_stopping, validation_fraction,
    n_iter_no_change, tol, device, random_state, verbose, warm_start,
    dynamic_binarization, mixed_precision, shape_check
        As for :class:`IWAE`. The validation loss is the β = 1 bound.

    Attributes
    ----------
    pseudo_inputs_ : ndarray of shape (n_pseudo_inputs, n_features)
        The pseudo-inputs in data space.
    module_, schedule_, iteration_history_, history_, n_iter_, device_,
    n_features_in_, feature_names_in_, shape_check_
        As for :class:`VHPAutoencoder`.

    See Also
    --------
    VHPAutoencoder, IWAE

    References
    ----------
    J. M. Tomczak, M. Welling. VAE with a VampPrior. AISTATS 2018.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvhp import VampPriorVAE
    >>> X = load_digits().data / 16.0
    >>> model = VampPriorVAE(n_components=4, n_pseudo_inputs=20, hidden_layer_sizes=(64,),
    ...                      max_iter=2, warmup_epochs=2,  # a warm-up that ends
    ...                      n_importance_samples=10, random_state=0).fit(X)
    >>> model.pseudo_inputs_.shape
    (20, 64)
    >>> model.transform(X[:3]).shape
    (3, 4)
    """

    def __init__(
        self,
        *,
        n_components: int = 40,
        n_pseudo_inputs: int = 500,
        pseudo_inputs: str = "learned",
        n_layers: int = 1,
        n_components_z1: int = 40,
        warmup_epochs: int = 20,
        hidden_layer_sizes: tuple[int, ...] = (300, 300),
        activation: str = "gated",
        likelihood: str = "bernoulli",
        max_iter: int = 100,
        batch_size: int = 100,
        learning_rate: float = 5e-4,
        n_importance_samples: int = 5000,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        device: str = "auto",
        random_state: Any = None,
        verbose: int = 0,
        warm_start: bool = False,
        dynamic_binarization: bool = False,
        mixed_precision: bool = False,
        shape_check: bool = True,
    ):
        super().__init__(**signature_parameters(self, locals()))

    _model_parameters = (
        *_BetaBoundVAE._model_parameters,
        "n_pseudo_inputs",
        "pseudo_inputs",
        "n_layers",
        "n_components_z1",
    )

    def _check_extra_params(self) -> None:
        check_int(self.n_pseudo_inputs, "n_pseudo_inputs", 1)
        check_choice(self.pseudo_inputs, "pseudo_inputs", ("learned", "data"))
        check_int(self.n_layers, "n_layers", 1, 2)
        check_int(self.n_components_z1, "n_components_z1", 1)
        check_int(self.warmup_epochs, "warmup_epochs", 0)

    def _make_schedule(self) -> LinearWarmUp:
        return LinearWarmUp(self.warmup_epochs)

    def _make_module(self, n_features: int, layout: str | None = None) -> LatentVariableModel:
        hidden = check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        # Placeholder pseudo-inputs; _on_fit_start sets them from the data (unpickling
        # overwrites them with the saved ones).
        placeholder = torch.full((self.n_pseudo_inputs, n_features), 0.5)
        learnable = self.pseudo_inputs == "learned"
        bounds = (0.0, 1.0) if self.likelihood in LIKELIHOODS_IN_UNIT_INTERVAL else None
        if self.n_layers == 2:
            return TwoLayerVampVAE(
                n_features,
                self.n_components_z1,
                self.n_components,
                hidden,
                self.activation,
                self.likelihood,
                placeholder,
                learnable,
                bounds,
            )
        module = SingleLayerVAE(
            n_features, self.n_components, hidden, self.activation, self.likelihood, None
        )
        module.prior = VampPrior(module.encoder, placeholder, learnable=learnable, bounds=bounds)
        return module

    def _on_fit_start(self, state: FitState, X_train: torch.Tensor, continuing: bool) -> None:
        if continuing:
            return
        n, generator = X_train.shape[0], state.generator
        if n >= self.n_pseudo_inputs:
            pick = torch.randperm(n, generator=generator, device=state.device)
            pick = pick[: self.n_pseudo_inputs]
        else:
            pick = torch.randint(
                0, n, (self.n_pseudo_inputs,), generator=generator, device=state.device
            )
        chosen = X_train[pick.to(X_train.device)]  # X_train may stay on the host
        if self.pseudo_inputs == "learned" and self.likelihood in LIKELIHOODS_IN_UNIT_INTERVAL:
            chosen = chosen.clamp(PSEUDO_INPUT_MARGIN, 1.0 - PSEUDO_INPUT_MARGIN)
        with torch.no_grad():
            state.model.prior.raw_pseudo_inputs.copy_(chosen)

    @property
    def pseudo_inputs_(self) -> np.ndarray:
        """The pseudo-inputs in data space, shape (n_pseudo_inputs, n_features)."""
        check_is_fitted(self, "module_")
        with torch.inference_mode():
            return self.module_.prior.pseudo_inputs().cpu().numpy().astype(np.float64)
