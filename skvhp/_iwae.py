"""The importance-weighted autoencoder (Burda, Grosse & Salakhutdinov, 2016)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ._base import _BaseVAE, common_parameters
from ._distributions import log_mean_exp, log_normal_diag, log_standard_normal, reparameterize
from ._likelihoods import LIKELIHOODS
from ._nn import GaussianHead, make_mlp
from ._priors import StandardNormalPrior
from ._schedules import linear_warmup_beta
from ._vae import SingleLayerVAE
from ._validation import check_int, check_layer_sizes


class TwoLayerVAE(nn.Module):
    """Burda et al.'s two-stochastic-layer model.

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

    def encode_mean(self, x: torch.Tensor) -> torch.Tensor:
        # Mean of q(z2 | z1) at the mean of q(z1 | x): a deterministic pass.
        return self.q_z2(self.q_z1(x)[0])[0]

    def decode_mean(self, z2: torch.Tensor) -> torch.Tensor:
        return self.likelihood.mean(self.decoder(self.p_z1(z2)[0]))

    def sample_latent(self, n_samples: int, generator: torch.Generator | None) -> torch.Tensor:
        return self.prior.sample(n_samples, generator)

    def sample_data(self, z2: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        mean, log_var = self.p_z1(z2)
        z1 = reparameterize(mean, log_var, 1, generator)[0]
        return self.likelihood.sample(self.decoder(z1), generator)

    def log_weights(
        self, x: torch.Tensor, n_samples: int, generator: torch.Generator | None
    ) -> torch.Tensor:
        """``log p(x, z1_s, z2_s) - log q(z1_s, z2_s | x)`` for ``n_samples`` draws: (S, B)."""
        return self.forward_terms(x, n_samples, generator)["log_w"]

    def forward_terms(
        self, x: torch.Tensor, n_samples: int, generator: torch.Generator | None
    ) -> dict[str, torch.Tensor]:
        """The terms of one pass, shape (S, B) each: ``log_px`` = log p(x|z1), ``log_pz`` =
        log p(z1|z2) + log p(z2), ``log_qz`` = log q(z1|x) + log q(z2|z1), and ``log_w``."""
        mean1, log_var1 = self.q_z1(x)
        z1 = reparameterize(mean1, log_var1, n_samples, generator)  # (S, B, d1)
        mean2, log_var2 = self.q_z2(z1)
        z2 = mean2 + torch.exp(0.5 * log_var2) * torch.randn(
            mean2.shape, generator=generator, device=mean2.device, dtype=mean2.dtype
        )
        p_mean1, p_log_var1 = self.p_z1(z2)
        log_px = self.likelihood.log_prob(x, self.decoder(z1))
        log_pz1, log_pz2 = log_normal_diag(z1, p_mean1, p_log_var1), log_standard_normal(z2)
        log_qz = log_normal_diag(z1, mean1, log_var1) + log_normal_diag(z2, mean2, log_var2)
        return {
            "log_px": log_px,
            "log_pz": log_pz1 + log_pz2,
            "log_qz": log_qz,
            # Summed in the order of earlier versions: a resumed run continues bit for bit.
            "log_w": log_px + log_pz1 + log_pz2 - log_qz,
        }


class IWAE(_BaseVAE):
    """Importance-weighted autoencoder, with one or two stochastic layers.

    Trains the importance-weighted bound
    ``L_k = E[log (1/k) sum_i p(x, z_i) / q(z_i | x)]`` with ``k`` samples
    (Burda et al., 2016); ``k=1`` is the plain VAE's ELBO. With ``warmup_epochs`` the
    latent part of every log-weight is scaled by β, which rises linearly from 0 to 1 over
    those epochs (``log p(x|z_i) + β log [p(z_i) / q(z_i|x)]``; at ``k=1`` the warm-up of
    Sønderby et al. 2016 and of the VampPrior paper, which trains all its models so);
    Burda et al. train without (the default).

    Parameters
    ----------
    n_components : int, default=50
        Size of the top latent layer (the one ``transform`` returns).
    k : int, default=5
        Importance samples per data point in the training bound.
    n_layers : {1, 2}, default=1
        Stochastic layers. With 2, the model is x -> z1 -> z2 as in Burda et al.
    n_components_z1 : int, default=100
        Size of the lower latent layer z1 (only for ``n_layers=2``).
    hidden_layer_sizes : tuple of int, default=(200, 200)
        Deterministic layers between x and the first latent layer (the decoder mirrors
        them).
    hidden_layer_sizes_z2 : tuple of int, default=(100, 100)
        Deterministic layers between z1 and z2 (only for ``n_layers=2``).
    warmup_epochs : int, default=0
        Epochs over which β rises linearly from 0 to 1 (per iteration, counted across
        resumed fits); 0 trains the bound itself from the start. Validation and
        ``score`` always use β = 1.
    activation : {"tanh", "relu", "elu", "softplus", "sigmoid", "gated"}, default="tanh"
        "gated" uses the gated dense layers of the VampPrior paper.
    likelihood : {"bernoulli", "continuous_bernoulli", "gaussian"}, default="bernoulli"
        Bernoulli needs X in [0, 1] (on grey levels its log-density is the papers'
        unnormalised cross-entropy); the continuous Bernoulli is its normalised version,
        a density on [0, 1]; Gaussian learns one variance per feature.
    max_iter : int, default=100
        Training epochs.
    batch_size : int, default=100
        Clipped to the training-set size.
    learning_rate : float, default=1e-3
        Adam's step size.
    n_importance_samples : int, default=5000
        Importance samples per point in ``score_samples`` (the papers' protocol).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when the validation loss has
        not improved by ``tol`` for ``n_iter_no_change`` epochs, and restore the best
        weights.
    validation_fraction : float, default=0.1
        Fraction of the rows of X held out (a random split fixed by ``random_state``)
        for early stopping; only used with ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` in the validation loss after
        which training stops (the patience).
    tol : float, default=1e-4
        The least improvement of the validation loss, in nats per sample, that counts
        as progress for ``n_iter_no_change``. The best weights are restored however
        small their gain.
    device : str, default="auto"
        "auto" (CUDA when available), "cpu", "cuda" or "cuda:N".
    random_state : int, RandomState instance or None, default=None
        Seeds a local torch generator (initialisation, batches, noise); global RNGs are
        never touched.
    verbose : int, default=0
        Print one line per epoch when positive.
    warm_start : bool, default=False
        The next ``fit`` resumes training where this one stopped (weights, Adam's
        state, the random stream, the early-stopping counters) and runs ``max_iter``
        more epochs, instead of starting afresh; see :meth:`fit`.
    dynamic_binarization : bool, default=False
        Train on fresh binary draws x ~ Bernoulli(X) of the grey levels X every time a
        batch is used ("dynamic MNIST"); needs the Bernoulli likelihood. Scoring uses X
        as given (binarize test data once yourself).
    mixed_precision : bool, default=False
        Train the networks in bfloat16 autocast: matrix products and hidden activations
        in bfloat16, weights, optimiser state, log-densities and losses in float32.
        Pays where the hardware has fast bfloat16 products (CPUs with AMX or
        AVX512-BF16, GPUs from Ampere on): this IWAE trains 1.5x faster on a 2-core CPU
        with AMX (``benchmarks/speed.py``), less where elementwise work dominates; it is
        slower on hardware without it. ``transform``, ``score`` and every other method
        after ``fit`` always run in float32.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained networks.
    device_ : torch.device
    n_iter_ : int
        Epochs run (cumulative under ``warm_start``).
    history_ : dict of list
        Per epoch: ``loss`` (the negative k-sample bound per sample, nats; during a
        warm-up the negative β-weighted one that is trained), ``elbo`` (the mean of the
        k log-weights, the single-sample ELBO per sample, nats; ≤ the bound), ``beta``
        (the mean β, only with ``warmup_epochs``), ``time`` (seconds of training,
        cumulative over resumed fits),
        ``validation_loss`` (the negative bound on the held-out rows) with early stopping.
    best_validation_loss_ : float
        The lowest validation loss, whose weights ``module_`` holds; only with early
        stopping.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string feature names.

    See Also
    --------
    VampPriorVAE, VHPAutoencoder

    References
    ----------
    Y. Burda, R. Grosse, R. Salakhutdinov. Importance weighted autoencoders. ICLR 2016.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvhp import IWAE
    >>> X = load_digits().data / 16.0
    >>> model = IWAE(n_components=2, hidden_layer_sizes=(64,), max_iter=2,
    ...              n_importance_samples=10, random_state=0).fit(X)
    >>> model.transform(X[:3]).shape
    (3, 2)
    >>> model.score(X[:10]) < 0
    True
    """

    def __init__(
        self,
        *,
        n_components: int = 50,
        k: int = 5,
        n_layers: int = 1,
        n_components_z1: int = 100,
        hidden_layer_sizes: tuple[int, ...] = (200, 200),
        hidden_layer_sizes_z2: tuple[int, ...] = (100, 100),
        warmup_epochs: int = 0,
        activation: str = "tanh",
        likelihood: str = "bernoulli",
        max_iter: int = 100,
        batch_size: int = 100,
        learning_rate: float = 1e-3,
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
    ):
        super().__init__(**common_parameters(locals()))
        self.k = k
        self.n_layers = n_layers
        self.n_components_z1 = n_components_z1
        self.hidden_layer_sizes_z2 = hidden_layer_sizes_z2
        self.warmup_epochs = warmup_epochs

    def __setstate__(self, state: dict) -> None:
        state.setdefault("warmup_epochs", 0)  # pickled before warm-up existed
        super().__setstate__(state)

    def _check_extra_params(self) -> None:
        check_int(self.k, "k", 1)
        check_int(self.warmup_epochs, "warmup_epochs", 0)
        check_int(self.n_layers, "n_layers", 1, 2)
        check_int(self.n_components_z1, "n_components_z1", 1)
        check_layer_sizes(self.hidden_layer_sizes_z2, "hidden_layer_sizes_z2")

    def _make_module(self, n_features: int) -> nn.Module:
        hidden = check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        if self.n_layers == 1:
            return SingleLayerVAE(
                n_features,
                self.n_components,
                hidden,
                self.activation,
                self.likelihood,
                StandardNormalPrior(self.n_components),
            )
        return TwoLayerVAE(
            n_features,
            self.n_components_z1,
            self.n_components,
            hidden,
            check_layer_sizes(self.hidden_layer_sizes_z2, "hidden_layer_sizes_z2"),
            self.activation,
            self.likelihood,
        )

    def _evaluation_width(self) -> int:
        return max(super()._evaluation_width(), self.n_components_z1, *self.hidden_layer_sizes_z2)

    def _objective(self, module, x, generator, beta: float = 1.0):
        # β = 1 (validation, and training without warm-up): the k-sample bound itself.
        out = module.forward_terms(x, self.k, generator)
        log_w = out["log_w"]
        if beta != 1.0:
            log_w = out["log_px"] + beta * (out["log_pz"] - out["log_qz"])
        bound = log_mean_exp(log_w, dim=0).mean()
        return -bound, {"elbo": out["log_w"].mean()}

    def _on_fit_start(self, module, X_train, generator, continuing):
        # The warm-up counts iterations across resumed fits: n_iter_ whole epochs so far.
        steps = -(-X_train.shape[0] // min(self.batch_size, X_train.shape[0]))
        done = self.n_iter_ * steps if continuing else 0
        self._warmup_steps = [done, self.warmup_epochs * steps]

    def _training_objective(self, module, x, generator):
        if self.warmup_epochs == 0:
            return self._objective(module, x, generator)
        step, total = self._warmup_steps
        self._warmup_steps[0] += 1
        beta = linear_warmup_beta(step, total)
        loss, terms = self._objective(module, x, generator, beta)
        return loss, {**terms, "beta": torch.tensor(beta)}

    def _train(self, X: Any, *, continuing: bool, n_epochs: int) -> IWAE:
        try:
            return super()._train(X, continuing=continuing, n_epochs=n_epochs)
        finally:
            self.__dict__.pop("_warmup_steps", None)
