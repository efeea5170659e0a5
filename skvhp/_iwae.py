"""The importance-weighted autoencoder (Burda, Grosse & Salakhutdinov, 2016)."""

from __future__ import annotations

from typing import Any

import torch

from ._base import _BaseVAE, signature_parameters
from ._torch.models import LatentVariableModel, SingleLayerVAE, TwoLayerVAE
from ._torch.objectives import importance_weighted_loss
from ._torch.priors import StandardNormalPrior
from ._torch.schedules import LinearWarmUp
from ._torch.training import FitState, Terms, optimizer_step
from ._validation import check_int, check_layer_sizes


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
        with AMX (``benchmarks/performance/speed.py``), less where elementwise work dominates; it is
        slower on hardware without it. ``transform``, ``score`` and every other method
        after ``fit`` always run in float32.
    shape_check : bool, default=True
        After ``fit``, compare the loops and separate pieces of the codes with those of
        the training data (the reading of :func:`skvhp.topology.compare_shapes`, on up
        to 3000 rows drawn from the fit's seed; one to a few seconds; needs ``ripser``)
        and warn with a :class:`skvhp.TopologyWarning` where the codes have a loop the
        data lack, lack one they have, or split or merge pieces. ``partial_fit`` does
        not check.

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
    schedule_ : LinearWarmUp
        The warm-up's state (iterations so far); only with ``warmup_epochs``.
    iteration_history_ : dict of list
        ``beta`` per training iteration; only with ``warmup_epochs``.
    shape_check_ : dict or None
        The last ``fit``'s shape check: the same reading as
        :func:`skvhp.topology.compare_shapes`'s result, on rows drawn from the fit's
        seed. None when ``shape_check=False``, without ``ripser``, after ``partial_fit``,
        with fewer than 50 distinct rows, or where the codes could not be read (not
        finite: a warning says so).
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
        shape_check: bool = True,
    ):
        super().__init__(**signature_parameters(self, locals()))

    _model_parameters = (
        *_BaseVAE._model_parameters,
        "n_layers",
        "n_components_z1",
        "hidden_layer_sizes_z2",
    )

    def __setstate__(self, state: dict) -> None:
        state.setdefault("warmup_epochs", 0)  # pickled before warm-up existed
        super().__setstate__(state)

    def _check_extra_params(self) -> None:
        check_int(self.k, "k", 1)
        check_int(self.warmup_epochs, "warmup_epochs", 0)
        check_int(self.n_layers, "n_layers", 1, 2)
        check_int(self.n_components_z1, "n_components_z1", 1)
        check_layer_sizes(self.hidden_layer_sizes_z2, "hidden_layer_sizes_z2")

    def _make_module(self, n_features: int, layout: str | None = None) -> LatentVariableModel:
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

    def _make_schedule(self) -> LinearWarmUp | None:
        return LinearWarmUp(self.warmup_epochs) if self.warmup_epochs > 0 else None

    def _objective(
        self, model: LatentVariableModel, x: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, Terms]:
        # Validation, and training without warm-up: the k-sample bound itself.
        return importance_weighted_loss(model.forward_terms(x, self.k, generator))

    def _training_step(self, state: FitState, x: torch.Tensor) -> Terms:
        if state.schedule is None:
            return super()._training_step(state, x)
        beta = state.schedule.step(None)  # the warm-up's β for this iteration
        out = state.model.forward_terms(x, self.k, state.generator)
        # Once β = 1, the bound itself, summed exactly as without a warm-up.
        loss, terms = importance_weighted_loss(out, None if state.schedule.finished else beta)
        optimizer_step(state, loss)
        beta = beta.to(loss.dtype)
        return {"loss": loss.detach(), "elbo": terms["elbo"].detach(), "beta": beta}
