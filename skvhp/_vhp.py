"""The VAE with a learned hierarchical prior, trained as a constrained problem
(Klushyn et al., "Learning Hierarchical Priors in VAEs", NeurIPS 2019)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from . import _deprecated
from ._base import signature_parameters
from ._beta_bound import _BetaBoundVAE
from ._fitted_model import _placed
from ._start import check_init, is_named, is_torus_start, start_coordinates
from ._topological_term import TopologicalTerm
from ._torch.callbacks import EncoderRelease, TopologicalTermCallback
from ._torch.models import SingleLayerVAE
from ._torch.pretrain import CIRCULAR_INIT_STEPS, PCA_INIT_STEPS, pretrain_encoder
from ._torch.prior_fit import fit_prior_only
from ._torch.priors import HierarchicalPrior
from ._torch.schedules import GECO, REWO, ConstantBeta, LinearWarmUp, Schedule
from ._torch.training import FitState
from ._validation import check_choice, check_float, check_int, check_layer_sizes

SCHEDULES = ("rewo", "geco", "warmup", "constant")
BETA_INIT = 1e-3  # REWO's and GECO's starting β where beta_init is None (the paper's)
# zeta_modes="auto" on separate pieces: more modes than pieces, so that each piece's loop
# is covered by several and torn where p(ζ) is thin (screened on the shape harness's
# tuning two-rings, 2026-12-07).
AUTO_ZETA_MODES = 12


class VHPAutoencoder(_BetaBoundVAE):
    """VAE with a variational hierarchical prior (VHP), trained with REWO.

    The prior is a continuous mixture p_Θ(z) = ∫ p_Θ(z|ζ) p(ζ) dζ with p(ζ) = N(0, I)
    and a diagonal Gaussian p_Θ(z|ζ); a proposal q_Φ(ζ|z) bounds its log-density with
    ``k`` importance samples. Each iteration minimises, per data point,

        loss = -log p(x|z) + β · [log q(z|x) - log p̂_Θ(z)],   z ~ q(z|x),

    where ``log p̂_Θ(z)`` is the K-sample importance-weighted estimate, so the bracket is
    an upper bound on KL(q(z|x) || p_Θ(z)) in expectation (Eq. 8) and at β = 1 the loss
    is the negative of a lower bound on log p(x). β is set by ``schedule``:

    - ``"rewo"`` (Algorithm 1): β starts at ``beta_init`` (10⁻³) and only the encoder and
      decoder train (initial phase) until the running reconstruction error Ĉ_t falls
      below κ²; from then on everything trains and β_t = β_{t-1} exp[ν f_β(β_{t-1},
      Ĉ_t - κ²; τ) (Ĉ_t - κ²)], which keeps β in (0, 1] and ends at 1 once the
      constraint holds.
    - ``"geco"``: β_t = β_{t-1} exp[-ν (Ĉ_t - κ²)] (GECO's λ = 1/β update); β may exceed 1.
    - ``"warmup"``: β rises linearly from 0 to 1 over ``warmup_epochs``.
    - ``"constant"``: β = ``beta_init`` throughout (default 1: the plain bound).

    **The constraint.** C is the mean squared reconstruction error per feature,
    C = mean_j (x_j - E[x_j|z])², with z ~ q(z|x); Ĉ_t is its running average
    Ĉ_t = (1 - α) C_batch + α Ĉ_{t-1}. So κ is a root-mean-square error in the units of
    X: ``kappa=0.1`` on data in [0, 1] asks for reconstructions within about 0.1 per
    pixel. We chose the squared error over the paper's -log p(x|z) because it has the
    same meaning for every likelihood and, unlike the cross-entropy of grey-level
    targets, can reach 0. When a model meets κ² easily at β = 1, the constraint never
    binds: REWO is then a short pre-training of encoder and decoder followed by β → 1.
    A κ² below what the model can reach keeps REWO in its initial phase for good; a
    ``ConvergenceWarning`` says so at the end of ``fit``.

    **Defaults.** The encoder starts from the data's principal coordinates and q(z|x) is
    isotropic (``init="pca"``, ``posterior="auto"``): our additions, which keep the
    pendulum's latent ring and cost no likelihood on binarized MNIST (they gain 0.58
    nats). ``VHPAutoencoder(init="random")`` is Algorithm 1 as the paper writes it.

    Parameters
    ----------
    n_components : int, default=32
        Size of z, the latent code that ``transform`` returns.
    n_components_zeta : int or None, default=None
        Size of ζ, the prior's own latent; None means ``n_components``.
    zeta_modes : int or "auto", default=1
        Modes of p(ζ). 1 is the paper's p(ζ) = N(0, I). "auto": 12 where the start is
        laid out piece by piece (``layout_`` "by-piece": ``init="by-piece"``, or
        ``init="auto"`` reading separate pieces, rightly or not), else 1;
        ``zeta_modes_`` says which. With M > 1, p(ζ) is a mixture of
        M unit Gaussians with fixed, well-separated means (6 apart) and learned weights,
        so that the prior can put its mass on M separate pieces with little between them
        (data in disconnected parts, e.g. two different pendulums): one network maps a
        single Gaussian ζ continuously and so bridges any gap. The means lie on a circle
        in ζ's first two coordinates, so that more modes than pieces (12 for two rings)
        let each loop be covered by several modes and torn where p(ζ) is thin: the prior
        then keeps each ring's hole. On data in one piece keep 1: the modes' circle
        pulls an open arc's ends together into a false loop. Our addition, not in the
        paper (docs/topology.md).
    k : int, default=16
        Importance samples over ζ in the prior's bound (training and ``score_samples``).
    schedule : {"rewo", "geco", "warmup", "constant"}, default="rewo"
        How β, the weight of the KL term, moves during training (see above): REWO and
        GECO steer it by the constraint C ≤ κ²; "warmup" raises it linearly to 1 over
        ``warmup_epochs``; "constant" keeps it at ``beta_init``.
    kappa : float or "auto", default=0.1
        Tolerance κ on the per-feature RMS reconstruction error (REWO, GECO), in the
        units of X. Read it off your data with the recipe: fit briefly with
        ``schedule="constant"``, read ``sqrt(history_["C"][-1])`` and take κ
        a little above it (×1.05) for a likelihood fit, below it for a constrained one
        (``docs/models.md``, "Choosing kappa"). The default 0.1 suits grey-level images
        as simple as the pendulum's (error ≈ 0.02 at β = 1: slack, REWO ends at β = 1);
        binary images need more: the recipe gives 0.26 on binarized MNIST, 0.34 on
        binarized Fashion-MNIST. "auto" (not with GECO): κ = 0.1 unless the initial
        phase levels off above it (the epoch's mean error, once below half the first
        epoch's, falls by less than 5 %); then κ is raised to 5 % above the RMS error
        reached there, which ends the phase once Ĉ catches up
        (``schedule_.chosen_kappa``). With a start (``init`` other than
        "random") the encoder is frozen then, so κ is what the decoder reaches on the
        start's codes: the shape is kept, and the encoder trains under that κ in the
        main phase. It trains the prior where 0.1 is out of reach and changes nothing
        where the error gets below 0.1 first. With ``partial_fit`` each chunk counts as
        an epoch.
    nu : float or "auto", default="auto"
        Step size ν of the β updates. The exponent is ν · (Ĉ - κ²), so ν must match the
        size of Ĉ - κ²: "auto" means ν = 0.02 / κ², which moves β by about 2 % per
        iteration when Ĉ is off by κ².
    tau : float, default=3.0
        Slope τ of REWO's tanh (larger: β approaches 1 faster once the constraint holds).
    alpha : float, default=0.99
        Smoothing α of the running average Ĉ_t (REWO, GECO).
    beta_init : float or None, default=None
        The β a schedule starts from: REWO and GECO move it from there (None: 10⁻³, the
        paper's; a resumed fit continues their β and refuses a change), "constant" keeps
        it throughout (None: 1.0; a resumed fit applies a change). Replaces ``beta``
        (deprecated in 0.2).
    warmup_epochs : int, default=20
        Length of the linear warm-up (``schedule="warmup"``).
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Encoder layers (the decoder mirrors them).
    prior_hidden_layer_sizes : tuple of int, default=(256, 256)
        Layers of p_Θ(z|ζ) and of q_Φ(ζ|z).
    activation : {"tanh", "relu", "elu", "softplus", "sigmoid", "gated"}, default="tanh"
        "gated" uses the gated dense layers of the VampPrior paper.
    likelihood : {"bernoulli", "continuous_bernoulli", "gaussian"}, default="bernoulli"
        Observation model p(x|z): Bernoulli pixels (data in [0, 1]; on grey levels its
        log-density is the papers' unnormalised cross-entropy), the continuous
        Bernoulli (its normalised version, a density on [0, 1]) or a Gaussian with a
        learned variance per feature.
    posterior : {"auto", "diagonal", "isotropic"}, default="auto"
        Covariance of q(z|x): a diagonal Gaussian, or N(μ, σ² I) with one variance for all
        latent dimensions. An isotropic posterior makes the KL term invariant under
        rotations of z, so it does not favour curves that run along the axes; on the
        pendulum this keeps the ring round (``docs/pendulum.md``). "auto": isotropic
        with a starting layout (``init`` other than "random"), whose shape it keeps;
        diagonal with ``init="random"``, as Algorithm 1 is written.
    init : {"pca", "random", "isomap", "spectral", "by-piece", "circular", "auto"}, \
ndarray of shape (n_samples, n_components) or callable, default="pca"
        The start: the layout the encoder is pre-trained to output (``skvhp._start``,
        computed on the host before the data go to the device). An array gives the
        coordinates of each row of the X passed to ``fit`` (with early stopping, those of
        the training rows are used); a callable ``init(X, n_components, seed)`` returns
        those of the training rows X (``layout_`` is then "array" or "callable"). Both are
        starts like the named ones: the encoder is held through REWO's initial phase, and
        the posterior is isotropic under "auto". An array fits only the X it was made for
        (not the folds of a cross-validation, nor ``partial_fit``'s chunks: use a callable
        there), and a callable cannot go into a model file (``skvhp.save``; pickle it).
        ``init="random"`` (with the default
        ``posterior``) trains Algorithm 1 of the paper as it is written; the default "pca"
        (with the isotropic posterior it implies) is our addition: it keeps the pendulum's
        ring, which Algorithm 1 folds, and on binarized MNIST (Table 2's model, 50 epochs, 3
        seeds) its test log-likelihood is 0.58 nats higher (``docs/results/defaults.json``).
        "pca" pre-trains the encoder for 500 Adam steps (lr 1e-3, batches of 100, its own
        optimiser) so that its mean regresses the whitened leading principal coordinates of
        the training data and its posterior std is 0.03 (on those unit-variance
        coordinates), as ``TSNE(init="pca")`` starts from PCA. "isomap" and "spectral"
        regress instead the whitened coordinates of ``sklearn.manifold.Isomap`` or
        ``SpectralEmbedding`` (10 neighbours) computed on 2000 random training points and
        extended to the others by their 5 nearest subsample points (a coordinate with under
        a tenth of the widest one's spread, noise about a line, is divided by that tenth, so
        it stays flat): layouts that keep geodesic distances or neighbourhoods, so that
        shapes PCA distorts (an open arc, which PCA nearly closes; separate pieces) start
        right. Where the 10-neighbour graph falls into separate pieces, "isomap" lays out
        each piece on its own and places them side by side, under one common scale
        (scikit-learn's Isomap would join them and overlap them). "by-piece" does the same
        with each piece's own PCA or Isomap, whichever keeps the piece's shape (below), each
        piece at one size. "circular" reads the data's loops off the persistent cohomology
        of the 10-neighbour graph's geodesic distances (600 farthest-point landmarks of the
        2000) and lays the data out on a circle (``n_components`` = 2: the most persistent
        loop) or on a torus of radii 2 and 1 (≥ 3: the two most persistent; further
        coordinates 0), by circular coordinates (de Silva et al., 2011), averaged along the
        neighbour graph of up to 15,000 rows (which cuts their jitter by 40 %) and spread
        evenly over the data; the encoder is pre-trained for 5000 steps on it, not 500. It
        is the start that keeps a double pendulum's torus, which PCA flattens and Isomap
        folds (it lays out a torus where the shape check's reading of the data does not
        rule out a second loop, the second bar at least 0.05 of the geodesic diameter,
        and that loop's circular coordinate goes round; else a circle). "auto" takes
        "by-piece" where the data fall into pieces further apart than the 10-neighbour
        graph's longest edge (the graph alone can cut a thinly sampled ring); otherwise, of
        the circular start (where the data have a loop), PCA and Isomap, the one that
        changes nothing about the data's loops and pieces, read as the check after the fit
        reads them (``shape_check``; docs/shape.md): the data along their neighbour graph,
        each start in its own Euclidean metric, so that PCA's C-shaped layout of an open arc
        counts as a loop the data lack. Where the data have no loop, ties go to the most
        open start; where every start changes something, the spectral one is tried too; on
        fewer than 50 distinct rows it takes PCA. "by-piece", "circular" and "auto" need
        ``ripser`` (``pip install skvhp[topology]``); ``layout_`` says which start was used.
        With ``schedule="rewo"`` the encoder then stays frozen during the initial phase, so
        that only the decoder learns while β ≪ 1 (the phase in which rings fold, see
        ``docs/pendulum.md``); it trains with everything else from the switch on, or from
        the first epoch whose mean reconstruction error C fell by less than 1 % (the decoder
        has done what it can with the starting codes, which may be too coarse to meet κ², as
        on motion capture). ``encoder_released_at_`` records the iteration. Our addition,
        not in the paper. The pre-training is skipped when ``warm_start`` continues a fit.
        (``encoder_release``, which could hold the encoder until β reached 1, was retired in
        0.2.)
    topology : TopologicalTerm or None, default=None
        The topological term of Moor et al. (2020) added to the training loss
        (:class:`TopologicalTerm`: its ``weight``, its ``reference``, the start or the
        data, and its ``scale``; ``topology__weight`` in a grid search). It keeps codes
        apart whose start (or data) are apart: with ``init="auto"`` and the start as
        reference, an open arc stays open (docs/shape.md); with ``init="isomap"`` and
        ``TopologicalTerm(reference="data", scale="fitted")`` it comes level with
        Topological Autoencoders on their Spheres and MNIST benchmarks
        (docs/topology.md). None (the default) trains the paper's objective; validation
        and ``score`` never include the term. Our addition, not in the paper. Replaces
        ``topology_weight``, ``topology_reference`` and ``topology_scale`` (deprecated
        in 0.2).
    score_estimator : {"joint", "nested"}, default="joint"
        How ``score_samples`` estimates log p(x) with ``n_importance_samples`` = S draws.
        "joint": importance sampling over (z, ζ) with the proposal q(z|x) q_Φ(ζ|z), one ζ
        per z; "nested": each of the S draws of z carries the ``k``-sample estimate of
        log p_Θ(z), as in training (k times the prior's cost). Both are unbiased
        estimates of p(x), so their logs are stochastic lower bounds on log p(x).
        "joint" is the default because it is the better estimate per second: on
        binarized MNIST (the Table 2 model, k = 16) it is 7.8x faster per sample and,
        given the nested one's time (39,000 samples against 5000), it gives the same
        mean with less than half the spread over seeds (``docs/models.md``, Scoring).
    max_iter, batch_size, learning_rate, n_importance_samples, early_stopping,
    validation_fraction, n_iter_no_change, tol, device, random_state, verbose, warm_start,
    dynamic_binarization, mixed_precision, shape_check
        As for :class:`IWAE`. The validation loss for early stopping is the β = 1 bound.
    topology_weight, topology_reference, topology_scale, beta, encoder_release
        Deprecated in 0.2, removed in 0.3: ``topology=TopologicalTerm(weight, reference,
        scale)``, ``beta_init`` and nothing (the encoder is released at REWO's switch).
        A value given here acts in ``fit`` with a ``FutureWarning``.

    Attributes
    ----------
    module_ : torch.nn.Module
    layout_ : str or None
        The start the encoder was pre-trained on: ``init``, the one ``init="auto"``
        chose ("pca", "isomap", "by-piece" or "circular"), "array" or "callable"; None
        with ``init="random"``.
    topology_weight_ : float or None
        The weight of the topological term the fit used (``topology.weight``, or what
        "auto" chose: 100 on a torus start, else 1); None without a term or with
        weight 0.
    encoder_released_at_ : int or None
        With an ``init`` other than "random" and REWO: the iteration from which the
        encoder trained (the switch to the main phase, or the plateau of C); None if it
        stayed frozen.
    schedule_ : object
        The schedule's final state (β, Ĉ, phase); ``warm_start`` continues from it.
        For REWO and GECO, ``kappa_used`` and ``nu_used`` are the κ and ν of the
        updates, and ``chosen_kappa`` the κ that ``kappa="auto"`` raised (None if not).
    iteration_history_ : dict of list
        Per iteration: ``beta``, ``C_hat`` (the running average for REWO and GECO, the
        batch value otherwise) and, for REWO, ``initial_phase`` (1.0 or 0.0).
    history_ : dict of list
        Per epoch means: ``loss`` (β-weighted), ``nll`` (-log p(x|z)), ``kl`` (the bound
        on the KL term), ``bound`` (``nll + kl``, the β = 1 loss), ``C``, ``beta``, ``time``.
    zeta_modes_ : int
        The modes of p(ζ) the fit used (``zeta_modes``, or what "auto" chose).
    prior_fit_steps_ : int
        Steps :meth:`fit_prior` trained the prior alone since the last fit (0 after
        ``fit``).
    n_iter_, device_, n_features_in_, feature_names_in_, shape_check_
        As for :class:`IWAE`.

    See Also
    --------
    IWAE, VampPriorVAE

    References
    ----------
    A. Klushyn, N. Chen, R. Kurle, B. Cseke, P. van der Smagt. Learning hierarchical
    priors in VAEs. NeurIPS 2019.
    D. J. Rezende, F. Viola. Taming VAEs. arXiv:1810.00597, 2018.

    Examples
    --------
    >>> from skvhp import VHPAutoencoder
    >>> from skvhp.datasets import make_pendulum
    >>> X, angles = make_pendulum(300, random_state=0)
    >>> model = VHPAutoencoder(n_components=2, hidden_layer_sizes=(64,),
    ...                        prior_hidden_layer_sizes=(32,), max_iter=10,
    ...                        kappa=0.45, alpha=0.5, learning_rate=1e-2,  # a 10-epoch budget
    ...                        n_importance_samples=10, random_state=0).fit(X)
    >>> model.schedule_.main_phase_start is not None  # REWO left its initial phase
    True
    >>> model.transform(X[:2]).shape
    (2, 2)
    >>> 0.0 < model.iteration_history_["beta"][-1] <= 1.0
    True
    """

    def __init__(
        self,
        *,
        n_components: int = 32,
        n_components_zeta: int | None = None,
        zeta_modes: int | str = 1,
        k: int = 16,
        schedule: str = "rewo",
        kappa: float | str = 0.1,
        nu: float | str = "auto",
        tau: float = 3.0,
        alpha: float = 0.99,
        beta_init: float | None = None,
        warmup_epochs: int = 20,
        hidden_layer_sizes: tuple[int, ...] = (256, 256),
        prior_hidden_layer_sizes: tuple[int, ...] = (256, 256),
        activation: str = "tanh",
        likelihood: str = "bernoulli",
        posterior: str = "auto",
        init: str = "pca",
        score_estimator: str = "joint",
        topology: TopologicalTerm | None = None,
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
        # Deprecated in 0.2, removed in 0.3 (skvhp._deprecated).
        topology_weight: Any = "deprecated",
        topology_reference: Any = "deprecated",
        topology_scale: Any = "deprecated",
        beta: Any = "deprecated",
        encoder_release: Any = "deprecated",
    ):
        super().__init__(**signature_parameters(self, locals()))

    # The prior's networks, the posterior and the start (which sets the posterior under
    # "auto") define the model; a resumed fit continues the schedule it started.
    _model_parameters = (
        *_BetaBoundVAE._model_parameters,
        "n_components_zeta",
        "zeta_modes",
        "prior_hidden_layer_sizes",
        "posterior",
        "init",
    )

    @property
    def _start_parameters(self) -> tuple[str, ...]:
        # beta_init starts REWO's and GECO's β, which a resumed fit continues; a constant
        # β is applied by the next fit like the schedule's other settings.
        steered = self.schedule in ("rewo", "geco")
        return (*_BetaBoundVAE._start_parameters, "schedule", *(("beta_init",) * steered))

    def _effective(self, name: str) -> Any:
        """``topology`` or ``beta_init`` as the fit uses it (a deprecated parameter
        given in its place counts)."""
        return _deprecated.effective(vars(self))[name]

    def _beta_init(self) -> float:
        beta_init = self._effective("beta_init")
        if beta_init is not None:
            return beta_init
        return 1.0 if self.schedule == "constant" else BETA_INIT

    # ------------------------------------------------------------------ parameters
    def _check_extra_params(self) -> None:
        if self.n_components_zeta is not None:
            check_int(self.n_components_zeta, "n_components_zeta", 1)
        if not (isinstance(self.zeta_modes, str) and self.zeta_modes == "auto"):
            if isinstance(self.zeta_modes, str):
                raise ValueError(
                    f"zeta_modes must be an int >= 1 or 'auto', got {self.zeta_modes!r}"
                )
            check_int(self.zeta_modes, "zeta_modes", 1)
        check_int(self.k, "k", 1)
        check_choice(self.schedule, "schedule", SCHEDULES)
        if isinstance(self.kappa, str):
            if self.kappa != "auto":
                raise ValueError(f"kappa must be a positive number or 'auto', got {self.kappa!r}")
            if self.schedule == "geco":
                raise ValueError(
                    "kappa='auto' is chosen in REWO's initial phase, which GECO does not "
                    "have: give kappa a number with schedule='geco'"
                )
        else:
            check_float(self.kappa, "kappa", 0.0, low_inclusive=False)
        if not (isinstance(self.nu, str) and self.nu == "auto"):
            check_float(self.nu, "nu", 0.0, low_inclusive=False)
        check_float(self.tau, "tau", 0.0, low_inclusive=False)
        check_float(self.alpha, "alpha", 0.0, 1.0, high_inclusive=False)
        old = _deprecated.given(vars(self))
        if old:
            _deprecated.warn(type(self).__name__, old)
            _deprecated.check(old, self.init)
        beta_init, topology = self._effective("beta_init"), self._effective("topology")
        if beta_init is not None:
            if self.schedule == "constant":
                check_float(beta_init, "beta_init", 0.0)
            else:
                check_float(beta_init, "beta_init", 0.0, 1.0, low_inclusive=False)
        check_int(self.warmup_epochs, "warmup_epochs", 0)
        check_layer_sizes(self.prior_hidden_layer_sizes, "prior_hidden_layer_sizes")
        check_choice(self.posterior, "posterior", ("auto", "diagonal", "isotropic"))
        check_init(self.init, self.n_components)
        if topology is not None:
            if not isinstance(topology, TopologicalTerm):
                raise ValueError(
                    f"topology must be None or a skvhp.TopologicalTerm, got {topology!r}."
                )
            topology.check(self.init)
        check_choice(self.score_estimator, "score_estimator", ("joint", "nested"))

    def _isotropic_posterior(self) -> bool:
        if self.posterior == "auto":
            return not is_named(self.init, "random")
        return self.posterior == "isotropic"

    def _make_schedule(self) -> Schedule:
        nu = None if isinstance(self.nu, str) else float(self.nu)  # None: the schedule's auto
        if self.schedule == "rewo":
            kappa = None if isinstance(self.kappa, str) else self.kappa  # None: "auto"
            return REWO(kappa, nu, self.tau, self.alpha, self._beta_init())
        if self.schedule == "geco":
            return GECO(self.kappa, nu, self.alpha, self._beta_init())
        if self.schedule == "warmup":
            return LinearWarmUp(self.warmup_epochs)
        return ConstantBeta(self._beta_init())

    # ------------------------------------------------------------------ model
    def _zeta_modes(self, layout: str | None) -> int:
        """The modes of p(ζ) for a fit whose start is ``layout`` (None: the fitted ones)."""
        if not isinstance(self.zeta_modes, str):
            return self.zeta_modes
        if layout is None:  # rebuilding a fitted model's networks
            return self.zeta_modes_
        return AUTO_ZETA_MODES if layout == "by-piece" else 1

    def _make_module(self, n_features: int, layout: str | None = None) -> SingleLayerVAE:
        n_zeta = self.n_components_zeta or self.n_components
        prior = HierarchicalPrior(
            self.n_components,
            n_zeta,
            check_layer_sizes(self.prior_hidden_layer_sizes, "prior_hidden_layer_sizes"),
            self.activation,
            self.k,
            n_modes=self._zeta_modes(layout),
        )
        return SingleLayerVAE(
            n_features,
            self.n_components,
            check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes"),
            self.activation,
            self.likelihood,
            prior,
            isotropic_posterior=self._isotropic_posterior(),
        )

    def _on_fit_start(self, state: FitState, X_train: torch.Tensor, continuing: bool) -> None:
        model = state.model
        model.prior.k = self.k  # a resumed fit applies a changed k
        if continuing:
            state.layout = getattr(self, "layout_", None)
            state.torus_start = getattr(self, "_torus_start_", False)
        elif state.start_targets is not None:
            state.torus_start = is_torus_start(state.layout, state.start_targets)
            steps = CIRCULAR_INIT_STEPS if state.layout == "circular" else PCA_INIT_STEPS
            pretrain_encoder(model.encoder, X_train, state.start_targets, state.generator, steps)
            state.start_targets = None  # not kept through the fit
        term = self._effective("topology")
        if term is not None and term.active:
            reference = None
            if term.reference == "start":
                reference = getattr(self, "reference_encoder_", None) if continuing else None
                if reference is None and continuing:
                    raise ValueError(
                        "topology__reference='start' cannot continue this model: it has no "
                        "frozen start (reference_encoder_; model files do not store it). "
                        "Refit without warm_start."
                    )
                if reference is None:  # the encoder as init left it, frozen
                    reference = copy.deepcopy(model.encoder).requires_grad_(False)
                reference = reference.to(X_train.device)  # an unpickled or moved model
            weight = term.weight_for(state.torus_start)
            state.callbacks.append(TopologicalTermCallback(weight, term.scale, reference))
        released = getattr(self, "encoder_released_at_", None) if continuing else None
        release = EncoderRelease(released)
        state.callbacks.append(release)
        held = not is_named(self.init, "random") and isinstance(state.schedule, REWO)
        if held and released is None:
            # REWO's initial phase then trains the decoder alone.
            previous_C = self.history_["C"][-1] if continuing else None
            release.hold(state, model.encoder, previous_C)

    def _start(
        self, X: np.ndarray, rows: np.ndarray | None, seed: int
    ) -> tuple[str, np.ndarray] | None:
        if is_named(self.init, "random"):
            return None
        X = X if rows is None else X[rows]  # the training rows: copied only here
        if self.verbose:  # a manifold start can take seconds before the first epoch
            name = self.init if isinstance(self.init, str) else type(self.init).__name__
            print(f"[{type(self).__name__}] start: init={name!r} on {len(X)} rows")
        return start_coordinates(X, self.init, self.n_components, seed, rows)

    def _commit(self, state: FitState) -> None:
        super()._commit(state)
        release = next(c for c in state.callbacks if isinstance(c, EncoderRelease))
        self.encoder_released_at_ = release.released_at
        self.layout_ = state.layout
        self._torus_start_ = state.torus_start  # TopologicalTerm(weight="auto") on warm starts
        self.zeta_modes_ = state.model.prior.n_modes
        term = next((c for c in state.callbacks if isinstance(c, TopologicalTermCallback)), None)
        self.topology_weight_ = None if term is None else term.weight
        if term is not None and term.reference is not None:
            self.reference_encoder_ = term.reference
        elif hasattr(self, "reference_encoder_"):  # a refit without it: no stale start
            del self.reference_encoder_
        self.prior_fit_steps_ = 0  # the prior trained with the rest: none alone yet

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        if "reference_encoder_" in state:  # on the CPU, as module_: a GPU fit loads anywhere
            state["reference_encoder_"] = copy.deepcopy(self.reference_encoder_).cpu()
        return state

    def fit_prior(self, X: Any, n_steps: int = 3000, *, batch_size: int = 256) -> VHPAutoencoder:
        """Train only the learned prior on the fitted encoder's posterior over X.

        The encoder and decoder stay as they are; the prior's networks take ``n_steps``
        Adam steps (at ``learning_rate``) to maximise the importance-weighted bound on
        log p_Θ(z) (K = ``k``, as set now) over fresh draws z ~ q(z|x) of ``batch_size``
        random rows of X. That is the prior's side of the KL term, so
        this is one block of coordinate ascent on the bound ``fit`` maximises: the prior
        moves towards the aggregate posterior, and nothing else changes. REWO
        trains the prior only in its main phase, so after a short fit it lags the codes:
        on the shape harness's two rings the prior fills the rings' loops in until it is
        trained alone (docs/shape.md). Our addition, not in Klushyn et al.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data as ``fit`` takes them (usually the training rows).
        n_steps : int, default=3000
            Prior-only steps, each the prior's part of a training step on ``batch_size``
            rows.
        batch_size : int, default=256
            Rows drawn per step.

        Returns
        -------
        self : VHPAutoencoder
            ``prior_fit_steps_`` counts the prior-only steps since the last ``fit`` or
            ``partial_fit``. If training the prior fails, the model is left as it was.
        """
        check_is_fitted(self)
        self._check_params()
        check_int(n_steps, "n_steps", 1)
        check_int(batch_size, "batch_size", 1)
        X = self._check_input(X, reset=False)
        done = getattr(self, "prior_fit_steps_", 0)
        # Apart from the fit's own streams, and a new stream for each further call.
        seed = getattr(self, "_seed_", 0) + 3 + done
        fit_prior_only(
            self.module_,
            _placed(X, self.device_),
            n_steps,
            batch_size,
            self.learning_rate,
            seed,
            self.k,
            self.dynamic_binarization,
        )
        resumed = self.__dict__.get("_training_state_") or {}
        if resumed.get("module") is not None:
            # The last weights a warm start continues from (early stopping restored the
            # best): they take the new prior too, so the next fit does not undo this one.
            # Adam's moments for the prior stay those of the fit.
            for name, value in self.module_.prior.state_dict().items():
                resumed["module"][f"prior.{name}"] = value.detach().clone()
        self.prior_fit_steps_ = done + n_steps
        return self

    def __setstate__(self, state: dict) -> None:
        _deprecated.translate_state(state)  # pickled by 0.1
        state.setdefault("zeta_modes", 1)
        super().__setstate__(state)

    def _scoring_options(self) -> dict[str, Any]:
        # The joint estimator: one ζ per z, its single-sample weight (see score_estimator).
        # "nested": k draws of ζ per z, the estimator's k (a model and its pickle agree
        # even after set_params(k=...) without a refit).
        return {"prior_samples": self.k if self.score_estimator == "nested" else 1}
