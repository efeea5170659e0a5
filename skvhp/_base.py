"""The scikit-learn side shared by every skvhp estimator: parameters and their checks,
input validation, ``fit`` / ``partial_fit`` around the torch training loop, and
pickling; what a fitted model does with its networks (transform, score, sample, …) is in
:mod:`skvhp._fitted_model`.

The training itself lives in :mod:`skvhp._torch.training`; this class sets a fit up,
hands the loop its hooks, and keeps what the fit produced only once it has succeeded.
"""

from __future__ import annotations

import copy
import time
import warnings
from abc import abstractmethod
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin
from sklearn.utils.validation import validate_data

from ._fit_warnings import warn_about_schedule, warn_about_shape
from ._fitted_model import FittedModelMethods
from ._resume import check_resume, fitted_view, record_fitted_parameters
from ._torch.device import (
    as_tensor,
    data_device,
    loadable_device,
    mixed_precision_dtype,
    on_cpu,
    resolve_device,
)
from ._torch.likelihoods import LIKELIHOODS_IN_UNIT_INTERVAL
from ._torch.models import LatentVariableModel
from ._torch.schedules import Schedule
from ._torch.training import (
    EarlyStopping,
    FitState,
    Hooks,
    LoopSettings,
    Terms,
    new_fit_state,
    optimizer_step,
    run_epochs,
    split_validation,
    start_schedule,
    validation_rows,
)
from ._validation import check_engine_parameters, seed_from

_INPUT_ATTRIBUTES = ("n_features_in_", "feature_names_in_")


def _warn_if_latent_exceeds_features(estimator: Any, n_features: int) -> None:
    if estimator.n_components > n_features:
        warnings.warn(
            f"n_components={estimator.n_components} exceeds the data's n_features="
            f"{n_features}: a latent code larger than the data, whose extra coordinates "
            "carry nothing the data need (VHP's PCA start sets them to 0). Choose "
            "n_components <= n_features unless you mean it.",
            UserWarning,
            stacklevel=4,
        )


def signature_parameters(estimator: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """Every parameter of ``estimator``'s ``__init__`` signature out of its
    ``locals()``: the engine's and the estimator's own."""
    return {name: arguments[name] for name in type(estimator)._get_param_names()}


class _BaseVAE(ClassNamePrefixFeaturesOutMixin, FittedModelMethods, BaseEstimator):
    """Common machinery; subclasses choose a model (prior, layers), an objective and
    optionally a β-schedule.

    Subclasses implement ``_make_module(n_features, layout)`` and ``_objective(model, x,
    generator)``, and may override ``_make_schedule``, ``_training_step``,
    ``_on_fit_start``, ``_on_epoch_end`` and ``_commit`` (see docs/architecture.md).
    They list the parameters that define their networks in ``_model_parameters`` and
    those only a fresh fit uses in ``_start_parameters`` (see ``skvhp._resume``).
    """

    _model_parameters: tuple[str, ...] = (
        "n_components",
        "hidden_layer_sizes",
        "activation",
        "likelihood",
    )
    _start_parameters: tuple[str, ...] = ("random_state",)

    def __init__(self, **parameters: Any):
        # Each estimator lists every parameter in its own signature, where scikit-learn
        # reads them, and hands them all on with ``signature_parameters``; each is stored
        # as given.
        for name, value in parameters.items():
            setattr(self, name, value)

    # ------------------------------------------------------------------ subclass API
    @abstractmethod
    def _make_module(self, n_features: int, layout: str | None = None) -> LatentVariableModel:
        """Build a fresh, untrained model (parameters initialised from torch's CPU RNG,
        which the engine seeds inside ``torch.random.fork_rng``). ``layout``: the start
        this fit chose ("random" where it has none), for networks chosen from the data;
        None when the networks of a fitted model are rebuilt (unpickling)."""

    @abstractmethod
    def _objective(
        self, model: LatentVariableModel, x: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, Terms]:
        """The validation loss on batch ``x`` (mean over rows) and named scalar terms."""

    def _check_extra_params(self) -> None:
        """Check the subclass's own parameters (raise ValueError)."""

    def _make_schedule(self) -> Schedule | None:
        """A fresh β-schedule, or None to train the objective itself."""
        return None

    def _training_step(self, state: FitState, x: torch.Tensor) -> Terms:
        """One gradient step on batch ``x``; returns detached scalar terms (with ``loss``)."""
        loss, terms = self._objective(state.model, x, state.generator)
        optimizer_step(state, loss)
        return {"loss": loss.detach(), **{k: v.detach() for k, v in terms.items()}}

    def _start(
        self, X: np.ndarray, rows: np.ndarray | None, seed: int
    ) -> tuple[str, np.ndarray] | None:
        """A fresh fit's start, computed on the host: (its name, coordinates of the
        training rows, ``X[rows]`` where early stopping held rows out, else X), or None
        (no start, the default)."""
        return None

    def _on_fit_start(self, state: FitState, X_train: torch.Tensor, continuing: bool) -> None:
        """Called once before the first epoch of a fit, with the training tensor;
        ``continuing`` is True when the fit resumes a previous one (``warm_start``,
        ``partial_fit``)."""

    def _on_epoch_end(self, state: FitState, epoch_terms: dict[str, float]) -> None:
        """Called after every training epoch with its mean terms (before validation)."""
        if state.schedule is not None:
            state.schedule.flush_trace()  # one device read per traced quantity and epoch
            state.schedule.end_epoch(epoch_terms.get("C"))
        for callback in state.callbacks:  # after the schedule: the phase is known
            callback.on_epoch_end(state, epoch_terms)

    def _commit(self, state: FitState) -> None:
        """Keep what a successful fit produced (the only place a fit changes ``self``)."""
        self.module_ = state.model
        self.device_ = state.device
        self.n_iter_ = state.n_iter
        self.history_ = state.history
        self._seed_ = state.seed
        self._fitted_parameters_ = record_fitted_parameters(self)
        # Everything a resumed fit needs beyond module_ (see ``fit``).
        self._training_state_ = state.resumable()
        stopping = state.early_stopping
        if stopping is not None and stopping.best_state is not None:
            self.best_validation_loss_ = stopping.best
        else:  # a refit without early stopping must not keep the old fit's value
            self.__dict__.pop("best_validation_loss_", None)
        if state.schedule is not None:
            state.schedule.finish()
            self.schedule_ = state.schedule
            trace = state.schedule.trace
            self.iteration_history_ = {k: list(v) for k, v in trace.items() if v}
        else:  # a warm start that dropped the schedule (IWAE's warmup_epochs set to 0)
            self.__dict__.pop("schedule_", None)
            self.__dict__.pop("iteration_history_", None)

    def _scoring_options(self) -> dict[str, Any]:
        """Options for the model's ``log_weights`` in ``score_samples``."""
        return {}

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        check_engine_parameters(self)

    def _check_input(self, X: Any, *, reset: bool) -> np.ndarray:
        """Validate X (``fit`` restores the recorded feature names if this raises)."""
        if sp.issparse(X):
            raise ValueError(
                "Sparse input is not supported: VAEs train on dense tensors. "
                "Convert with X.toarray() if it fits in memory."
            )
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32])
        unit = self.likelihood in LIKELIHOODS_IN_UNIT_INTERVAL
        if unit and (X.min() < 0.0 or X.max() > 1.0):
            # "Negative values in data" is the phrase scikit-learn's checks look for
            # with the positive_only tag.
            negative = "Negative values in data: " if X.min() < 0.0 else ""
            raise ValueError(
                f"{negative}likelihood={self.likelihood!r} needs X in [0, 1] (got values in "
                f"[{X.min():.4g}, {X.max():.4g}]); rescale X or use likelihood='gaussian'."
            )
        return X

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any = None) -> _BaseVAE:
        """Fit the model to X.

        With ``warm_start=True`` and a fitted model, ``fit`` resumes training where the
        previous fit stopped: from its last weights, with the optimiser's state (Adam's
        moments and step), the β-schedule's state, the random stream and the early
        stopping counters; it then runs ``max_iter`` more epochs. ``fit(max_iter=4)``
        and two warm-started ``fit(max_iter=2)`` give the same model, also with a
        pickle round trip in between (the training state is pickled with the model,
        on the CPU). The random stream continues only on the same kind of device; on
        another kind (CPU to GPU) it restarts from ``random_state``.

        A resumed fit applies changed training parameters (``max_iter``, ``batch_size``,
        ``learning_rate``, the schedule's κ, ν, τ, α or β, the warm-up's length, ``k``,
        …) and refuses, with a ``ValueError`` naming them, changes of the parameters that
        fix the fitted networks or only start a fit (``n_components``, layer sizes,
        ``likelihood``, ``posterior``, ``init``, ``random_state``, ``schedule``, …; the
        user guide lists them per estimator).

        Warns with a ``ConvergenceWarning`` where the β-schedule did not do its job: REWO
        never left its initial phase (κ too tight) or skipped it (κ so loose that the
        constraint never bound), GECO drove β to its floor, or a warm-up ended before
        β reached 1. Each warning names the parameter to change. With
        ``shape_check=True`` (the default) it then compares the loops and separate pieces
        of the codes with the data's and warns with a :class:`skvhp.TopologyWarning`
        where they differ (``shape_check_`` keeps the comparison).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (in [0, 1] for the Bernoulli likelihoods).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        continuing = self.warm_start and hasattr(self, "module_")
        X = self._fit(X, continuing=continuing, n_epochs=self.max_iter)
        warn_about_schedule(self, continuing)
        warn_about_shape(self, X)
        return self

    def partial_fit(self, X: Any, y: Any = None) -> _BaseVAE:
        """One epoch of training on X, resuming the previous training if there is one.

        The first call initialises the model from X; later calls continue it whatever
        ``warm_start`` says, as scikit-learn's incremental estimators do, so a model can
        be trained on data too large for memory by calling ``partial_fit`` on one chunk
        after another (each call is one pass over its chunk, in shuffled batches of
        ``batch_size``). ``max_iter`` is ignored. Early stopping needs one fixed
        validation set and is refused here.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training data.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
        """
        self._check_params()
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: every chunk would hold "
                "out its own validation set. Set early_stopping=False and validate with "
                "score() on held-out data between calls."
            )
        self._fit(X, continuing=hasattr(self, "module_"), n_epochs=1)
        self.shape_check_ = None
        return self

    def _fit(self, X: Any, *, continuing: bool, n_epochs: int) -> np.ndarray:
        """``n_epochs`` epochs on X (returned validated); a failure leaves a fitted model
        as it was."""
        # validate_data(reset=True) records feature names/counts before training ends:
        # put the old ones back if anything fails. Everything else a fit changes lives in
        # its FitState until ``_commit``.
        if continuing:
            check_resume(self)
        saved = {k: self.__dict__[k] for k in _INPUT_ATTRIBUTES if k in self.__dict__}
        try:
            X = self._check_input(X, reset=not continuing)
            if not continuing:
                _warn_if_latent_exceeds_features(self, X.shape[1])
            started = time.perf_counter()
            state, X_train, X_val = self._start_fit(X, continuing)
            if self.verbose and not continuing:
                print(f"[{type(self).__name__}] set-up: {time.perf_counter() - started:.3g} s")
            settings = LoopSettings(
                n_epochs=n_epochs,
                batch_size=self.batch_size,
                dynamic_binarization=self.dynamic_binarization,
                autocast_dtype=mixed_precision_dtype(state.device)
                if self.mixed_precision
                else None,
                verbose=self.verbose,
                name=type(self).__name__,
                started=started,  # the history's time includes the set-up (the start)
            )
            hooks = Hooks(self._training_step, self._objective, self._on_epoch_end)
            run_epochs(state, X_train, X_val, settings, hooks)
        except BaseException:
            for name in _INPUT_ATTRIBUTES:
                self.__dict__.pop(name, None)
            self.__dict__.update(saved)
            raise
        self._commit(state)
        return X

    def _start_fit(
        self, X: np.ndarray, continuing: bool
    ) -> tuple[FitState, torch.Tensor, torch.Tensor | None]:
        """A new fit's state (continuing the previous fit's when ``continuing``), and the
        training and validation tensors on the device."""
        device = resolve_device(self.device)
        seed = self._seed_ if continuing else seed_from(self.random_state)
        # The split is drawn once; a start is computed on the host, on the training rows,
        # before the data move and before the networks (which may depend on it).
        split = None
        if self.early_stopping:
            split = validation_rows(len(X), self.validation_fraction, seed)
        start = None if continuing else self._start(X, None if split is None else split[0], seed)
        if continuing:
            model = copy.deepcopy(self.module_).to(device)
        else:
            layout = "random" if start is None else start[0]
            model = self._build_module(X.shape[1], seed, layout).to(device)
        # The whole training set goes to the device once and is indexed there.
        # On a GPU with too little free memory the data stay on the host (data_device).
        X_train, X_val = as_tensor(X, data_device(4 * X.size, device)), None
        if self.early_stopping:
            X_train, X_val = split_validation(X_train, split, seed, self.dynamic_binarization)
        stopping = EarlyStopping(self.n_iter_no_change, self.tol) if self.early_stopping else None
        state = new_fit_state(
            model,
            seed=seed,
            device=device,
            learning_rate=self.learning_rate,
            # Absent in models pickled before resuming existed.
            resumed=self.__dict__.get("_training_state_") if continuing else None,
            history=self.history_ if continuing else None,
            n_iter=self.n_iter_ if continuing else 0,
            early_stopping=stopping,
            best_weights=self.module_.state_dict() if continuing else None,
        )
        state.schedule = self._start_schedule(X_train.shape[0], device, continuing)
        # What a schedule's mask may hold still (REWO's initial phase); hooks add more.
        state.frozen = list(model.prior.parameters()) if model.prior is not None else []
        if start is not None:
            state.layout = start[0]
            state.start_targets = as_tensor(start[1], X_train.device)
        self._on_fit_start(state, X_train, continuing)
        return state, X_train, X_val

    def _start_schedule(
        self, n_train: int, device: torch.device, continuing: bool
    ) -> Schedule | None:
        previous = self.__dict__.get("schedule_") if continuing else None
        n_batches = -(-n_train // min(self.batch_size, n_train))
        return start_schedule(
            self._make_schedule(),
            previous,
            n_batches,
            device,
            n_iter=self.n_iter_ if continuing else 0,
        )

    def _build_module(
        self, n_features: int, seed: int, layout: str | None = None
    ) -> LatentVariableModel:
        # Initialise from a private fork of torch's CPU RNG: reproducible, no global effect.
        with torch.random.fork_rng(devices=[]):
            torch.random.default_generator.manual_seed(seed)
            return self._make_module(n_features, layout)

    # ------------------------------------------------------------------ sklearn glue
    @property
    def _n_features_out(self) -> int:
        return self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        # The Bernoulli likelihoods take X in [0, 1]; scikit-learn's tags can say no more
        # than "no negative values" (tests/test_common.py lists the checks that feed more).
        tags.input_tags.positive_only = self.likelihood in LIKELIHOODS_IN_UNIT_INTERVAL
        return tags

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: never alter the live estimator
        if "module_" in state:
            # CPU tensors only, so that a model fitted on a GPU loads anywhere.
            state["module_"] = on_cpu(self.module_.state_dict())
            state["device_"] = str(self.device_)
        if "_training_state_" in state:
            state["_training_state_"] = on_cpu(state["_training_state_"])
        return state

    def __setstate__(self, state: dict) -> None:
        module_state = state.pop("module_", None)
        super().__setstate__(state)
        if module_state is not None:
            device = loadable_device(torch.device(self.device_))
            # The networks the weights belong to, even if set_params changed them since.
            module = fitted_view(self)._build_module(self.n_features_in_, 0)
            module.load_state_dict(module_state)
            self.module_ = module.to(device).eval()
            self.device_ = device
