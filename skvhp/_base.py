"""The shared engine of every skvhp estimator: validation, device, the training loop,
transform / inverse_transform / score / score_samples / sample, and pickling."""

from __future__ import annotations

import copy
import math
import platform
import time
import warnings
from abc import abstractmethod
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from torch import nn

from ._evaluation import importance_log_likelihood
from ._likelihoods import LIKELIHOODS, LIKELIHOODS_IN_UNIT_INTERVAL
from ._nn import ACTIVATION_NAMES, networks_autocast
from ._validation import (
    check_choice,
    check_float,
    check_int,
    check_layer_sizes,
    check_random_state_value,
    make_generator,
    resolve_device,
    seed_from,
)

_PREDICT_BATCH = 4096  # rows per forward pass in transform / inverse_transform
_INPUT_ATTRIBUTES = ("n_features_in_", "feature_names_in_")
_COMMON_PARAMETERS = (
    "n_components",
    "hidden_layer_sizes",
    "activation",
    "likelihood",
    "max_iter",
    "batch_size",
    "learning_rate",
    "n_importance_samples",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "device",
    "random_state",
    "verbose",
    "warm_start",
    "dynamic_binarization",
    "mixed_precision",
)


def common_parameters(arguments: dict[str, Any]) -> dict[str, Any]:
    """The engine's parameters out of a subclass ``__init__``'s ``locals()``."""
    return {name: arguments[name] for name in _COMMON_PARAMETERS}


def _as_tensor(X: np.ndarray, device: torch.device) -> torch.Tensor:
    """A float32 copy of X on ``device`` (a copy: X may be read-only, e.g. a memmap)."""
    return torch.from_numpy(np.array(X, dtype=np.float32, order="C")).to(device)


def _adam(parameters, learning_rate: float) -> torch.optim.Optimizer:
    """Adam with the fused kernel where torch has it for the device (about 10 % faster
    training on the CPU); plain Adam on older torch releases."""
    parameters = list(parameters)
    try:
        return torch.optim.Adam(parameters, lr=learning_rate, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(parameters, lr=learning_rate)


def cpu_bf16_units(cpuinfo: str = "/proc/cpuinfo") -> str | None:
    """The CPU's bfloat16 instruction set extension (``amx_bf16``, ``avx512_bf16`` or, on
    Arm, ``bf16``), or None when it has none or the flags cannot be read (not Linux)."""
    try:
        with open(cpuinfo) as fh:
            text = fh.read()
    except OSError:
        return None
    flags = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return next((f for f in ("amx_bf16", "avx512_bf16", "bf16") if f in flags), None)


def _cpu_name(cpuinfo: str = "/proc/cpuinfo") -> str:
    try:
        with open(cpuinfo) as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "this CPU"


def _mixed_precision_dtype(device: torch.device) -> torch.dtype:
    """bfloat16: float32's exponent range, so no loss scaling is needed.

    Refused on CUDA devices without native bfloat16 (before Ampere: torch would emulate
    it, slowly); a warning on CPUs without bfloat16 units, where autocast runs an IWAE
    epoch about 15x slower than float32 (measured on an AMD EPYC without avx512_bf16).
    """
    if device.type == "cuda":
        if not torch.cuda.is_bf16_supported(including_emulation=False):
            name = torch.cuda.get_device_name(device)
            raise ValueError(
                f"mixed_precision=True trains in bfloat16, which {device} ({name}) has no "
                "native support for (it needs compute capability 8.0, Ampere, or newer); "
                "use mixed_precision=False."
            )
    elif cpu_bf16_units() is None:
        warnings.warn(
            f"mixed_precision=True on a CPU without bfloat16 units ({_cpu_name()}: no "
            "amx_bf16, avx512_bf16 or bf16 flag): bfloat16 is emulated there and training "
            "can be an order of magnitude slower than float32. Use mixed_precision=False.",
            UserWarning,
            stacklevel=4,
        )
    return torch.bfloat16


def _loadable_device(device: torch.device) -> torch.device:
    """Where an unpickled model goes: its own device if this host has it; else the
    first GPU when the host has fewer GPUs than the saving one; else the CPU."""
    if device.type != "cuda":
        return device
    if not torch.cuda.is_available():
        return torch.device("cpu")
    if device.index is not None and device.index >= torch.cuda.device_count():
        return torch.device("cuda:0")
    return device


def _on_cpu(value: Any) -> Any:
    """A copy of nested dicts / lists / tuples with every tensor detached on the CPU (a
    generator state, a CPU ``ByteTensor``, stays what it is)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: _on_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_on_cpu(v) for v in value)
    return value


class _BaseVAE(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Common machinery; subclasses choose a module (prior, layers) and an objective.

    Subclasses implement ``_make_module(n_features)`` and ``_objective(module, x,
    generator)``, and may override the ``_on_*`` hooks to drive a schedule.
    """

    def __init__(
        self,
        *,
        n_components: int,
        hidden_layer_sizes: tuple[int, ...],
        activation: str,
        likelihood: str,
        max_iter: int,
        batch_size: int,
        learning_rate: float,
        n_importance_samples: int,
        early_stopping: bool,
        validation_fraction: float,
        n_iter_no_change: int,
        tol: float,
        device: str,
        random_state: Any,
        verbose: int,
        warm_start: bool,
        dynamic_binarization: bool = False,
        mixed_precision: bool = False,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.likelihood = likelihood
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.n_importance_samples = n_importance_samples
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.dynamic_binarization = dynamic_binarization
        self.mixed_precision = mixed_precision

    # ------------------------------------------------------------------ subclass API
    @abstractmethod
    def _make_module(self, n_features: int) -> nn.Module:
        """Build a fresh, untrained module (parameters initialised from torch's CPU RNG,
        which the engine seeds inside ``torch.random.fork_rng``)."""

    @abstractmethod
    def _objective(
        self, module: nn.Module, x: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The loss to minimise on batch ``x`` (mean over rows) and named scalar terms."""

    def _training_objective(
        self, module: nn.Module, x: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The loss a training step minimises; by default the one validation measures."""
        return self._objective(module, x, generator)

    def _check_extra_params(self) -> None:
        """Check the subclass's own parameters (raise ValueError)."""

    def _on_fit_start(
        self,
        module: nn.Module,
        X_train: torch.Tensor,
        generator: torch.Generator,
        continuing: bool,
    ) -> None:
        """Called once before the first epoch of a fit, with the training tensor;
        ``continuing`` is True when the fit resumes a previous one (``warm_start``,
        ``partial_fit``)."""

    def _on_epoch_end(self, epoch_terms: dict[str, float]) -> None:
        """Called after every training epoch with its mean terms (before validation)."""

    def _training_step(
        self,
        module: nn.Module,
        optimizer: torch.optim.Optimizer,
        x: torch.Tensor,
        generator: torch.Generator,
    ) -> dict[str, torch.Tensor]:
        """One gradient step; returns detached scalar terms (including ``loss``)."""
        loss, terms = self._training_objective(module, x, generator)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.detach(), **{k: v.detach() for k, v in terms.items()}}

    def _scoring_log_weights(self):
        """The ``(x, n, generator) -> log weights`` function that ``score_samples``
        averages (subclasses may choose among estimators)."""
        return self.module_.log_weights

    def _evaluation_width(self) -> int:
        """Widest per-sample activation of ``score_samples``, for sizing its chunks."""
        return max((self.n_features_in_, self.n_components, *self.hidden_layer_sizes))

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        check_int(self.n_components, "n_components", 1)
        check_layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        check_choice(self.activation, "activation", ACTIVATION_NAMES)
        check_choice(self.likelihood, "likelihood", tuple(LIKELIHOODS))
        check_int(self.max_iter, "max_iter", 1)
        check_int(self.batch_size, "batch_size", 1)
        check_float(self.learning_rate, "learning_rate", 0.0, low_inclusive=False)
        check_int(self.n_importance_samples, "n_importance_samples", 1)
        check_choice(self.early_stopping, "early_stopping", (True, False))
        check_float(
            self.validation_fraction,
            "validation_fraction",
            0.0,
            1.0,
            low_inclusive=False,
            high_inclusive=False,
        )
        check_int(self.n_iter_no_change, "n_iter_no_change", 1)
        check_float(self.tol, "tol", 0.0)
        check_int(self.verbose, "verbose", 0)
        check_choice(self.warm_start, "warm_start", (True, False))
        check_choice(self.dynamic_binarization, "dynamic_binarization", (True, False))
        check_choice(self.mixed_precision, "mixed_precision", (True, False))
        if self.dynamic_binarization and self.likelihood != "bernoulli":
            raise ValueError("dynamic_binarization=True needs likelihood='bernoulli'.")
        resolve_device(self.device)
        check_random_state_value(self.random_state)
        self._check_extra_params()

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
            raise ValueError(
                f"likelihood={self.likelihood!r} needs X in [0, 1] (got values in "
                f"[{X.min():.4g}, {X.max():.4g}]); rescale X or use likelihood='gaussian'."
            )
        return X

    def _to_tensor(self, X: np.ndarray) -> torch.Tensor:
        return _as_tensor(X, self.device_)

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
        return self._train(X, continuing=continuing, n_epochs=self.max_iter)

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
        return self._train(X, continuing=hasattr(self, "module_"), n_epochs=1)

    def _train(self, X: Any, *, continuing: bool, n_epochs: int) -> _BaseVAE:
        """``n_epochs`` epochs on X; a failure leaves a fitted model as it was."""
        # validate_data(reset=True) records feature names/counts before training ends:
        # put the old ones back if anything fails, so a fitted model is never corrupted.
        saved = {k: self.__dict__[k] for k in _INPUT_ATTRIBUTES if k in self.__dict__}
        try:
            X = self._check_input(X, reset=not continuing)
            self._fit(X, continuing, n_epochs)
        except BaseException:
            for name in _INPUT_ATTRIBUTES:
                self.__dict__.pop(name, None)
            self.__dict__.update(saved)
            raise
        return self

    def _fit(self, X: np.ndarray, continuing: bool, n_epochs: int) -> None:
        device = resolve_device(self.device)
        # What a resumed fit continues from (absent in models pickled before resuming existed).
        resumed = self.__dict__.get("_training_state_") if continuing else None
        seed = self._seed_ if continuing else seed_from(self.random_state)
        generator = make_generator(seed, device)
        if resumed is not None and resumed["generator"][0] == device.type:
            generator.set_state(resumed["generator"][1])
        n_samples, n_features = X.shape

        if continuing:
            module = copy.deepcopy(self.module_).to(device)
            if resumed is not None and resumed["module"] is not None:
                module.load_state_dict(resumed["module"])  # the last weights, not the best
        else:
            module = self._build_module(n_features, seed).to(device)

        # The whole training set goes to the device once and is indexed there.
        X_all = _as_tensor(X, device)
        X_train, X_val = X_all, None
        if self.early_stopping:
            n_val = int(math.ceil(self.validation_fraction * n_samples))
            if n_val < 1 or n_samples - n_val < 1:
                raise ValueError(
                    f"early_stopping needs at least 2 samples to split off a validation "
                    f"set (validation_fraction={self.validation_fraction}, n_samples={n_samples})."
                )
            order = torch.as_tensor(
                np.random.default_rng(seed).permutation(n_samples), device=device
            )
            X_val, X_train = X_all[order[:n_val]], X_all[order[n_val:]]
            if self.dynamic_binarization:  # one fixed draw, the same in a resumed fit
                X_val = torch.bernoulli(X_val, generator=make_generator(seed + 2, device))

        n_train = X_train.shape[0]
        batch_size = min(self.batch_size, n_train)
        optimizer = _adam(module.parameters(), self.learning_rate)
        if resumed is not None:
            # A deep copy: Adam updates its state in place, and a failed fit must leave
            # the stored state as it was. The learning rate is this fit's.
            optimizer.load_state_dict(copy.deepcopy(resumed["optimizer"]))
            for group in optimizer.param_groups:
                group["lr"] = self.learning_rate
        autocast_dtype = _mixed_precision_dtype(device) if self.mixed_precision else None
        history: dict[str, list[float]] = (
            {k: list(v) for k, v in self.history_.items()} if continuing else {}
        )
        n_iter = self.n_iter_ if continuing else 0
        best_val, best_state, stall_ref, stall = math.inf, None, math.inf, 0
        if X_val is not None and resumed is not None and resumed["early_stopping"]:
            best_val, stall_ref, stall = resumed["early_stopping"]
            best_state = copy.deepcopy(self.module_.state_dict())  # module_ is the best
        self._on_fit_start(module, X_train, generator, continuing)
        time_offset = history["time"][-1] if history.get("time") else 0.0
        start_time = time.perf_counter()

        for _ in range(n_epochs):
            module.train()
            perm = torch.randperm(n_train, generator=generator, device=device)
            sums: dict[str, torch.Tensor] = {}
            # Autocast (if asked) covers the training steps only: validation is float32.
            with networks_autocast(module, autocast_dtype):
                for start in range(0, n_train, batch_size):
                    idx = perm[start : start + batch_size]
                    x = X_train[idx]
                    if self.dynamic_binarization:  # fresh binary images every epoch
                        x = torch.bernoulli(x, generator=generator)
                    terms = self._training_step(module, optimizer, x, generator)
                    for key, value in terms.items():
                        sums[key] = sums.get(key, 0.0) + value * idx.numel()
            epoch_terms = {k: float(v) / n_train for k, v in sums.items()}
            self._on_epoch_end(epoch_terms)
            if not math.isfinite(epoch_terms["loss"]):
                raise ValueError(
                    "Training diverged (non-finite loss). Try a smaller learning_rate; "
                    "the previously fitted model, if any, is unchanged."
                )
            n_iter += 1
            epoch_terms["time"] = time_offset + time.perf_counter() - start_time
            if X_val is not None:
                epoch_terms["validation_loss"] = self._validation_loss(module, X_val, seed)
            for key, value in epoch_terms.items():
                history.setdefault(key, []).append(value)
            if self.verbose:
                shown = " ".join(f"{k}={v:.4g}" for k, v in epoch_terms.items())
                print(f"[{type(self).__name__}] epoch {n_iter}: {shown}")
            if X_val is not None:
                val = epoch_terms["validation_loss"]
                if val < best_val:  # restore the true best, however small the gain
                    best_val, best_state = val, copy.deepcopy(module.state_dict())
                if val < stall_ref - self.tol:  # but only gains above tol reset patience
                    stall_ref, stall = val, 0
                else:
                    stall += 1
                    if stall >= self.n_iter_no_change:
                        if self.verbose:
                            print(f"[{type(self).__name__}] early stopping at epoch {n_iter}")
                        break

        last_state = None
        if best_state is not None:
            last_state = copy.deepcopy(module.state_dict())
            module.load_state_dict(best_state)
        module.eval()
        # Only now, with training finished, does the estimator change.
        self.module_ = module
        self.device_ = device
        self.n_iter_ = n_iter
        self.history_ = history
        self._seed_ = seed
        # Everything a resumed fit needs beyond module_ (see ``fit``).
        self._training_state_ = {
            "optimizer": optimizer.state_dict(),
            "generator": (device.type, generator.get_state()),
            "module": last_state,
            "early_stopping": (best_val, stall_ref, stall) if X_val is not None else None,
        }
        if best_state is not None:
            self.best_validation_loss_ = best_val
        else:  # a refit without early stopping must not keep the old fit's value
            self.__dict__.pop("best_validation_loss_", None)

    def _build_module(self, n_features: int, seed: int) -> nn.Module:
        # Initialise from a private fork of torch's CPU RNG: reproducible, no global effect.
        with torch.random.fork_rng(devices=[]):
            torch.random.default_generator.manual_seed(seed)
            return self._make_module(n_features)

    @torch.no_grad()
    def _validation_loss(self, module: nn.Module, X_val: torch.Tensor, seed: int) -> float:
        module.eval()
        generator = make_generator(seed + 1, X_val.device)  # same noise every epoch
        total = 0.0
        for start in range(0, X_val.shape[0], _PREDICT_BATCH):
            xb = X_val[start : start + _PREDICT_BATCH]
            loss, _ = self._objective(module, xb, generator)
            total += float(loss) * xb.shape[0]
        module.train()
        return total / X_val.shape[0]

    # ------------------------------------------------------------------ inference
    def _batched(self, fn, X: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return torch.cat(
                [fn(X[i : i + _PREDICT_BATCH]) for i in range(0, X.shape[0], _PREDICT_BATCH)]
            )

    @staticmethod
    def _to_numpy(result: torch.Tensor, like: np.ndarray) -> np.ndarray:
        dtype = like.dtype if like.dtype in (np.float32, np.float64) else np.float64
        return result.cpu().numpy().astype(dtype, copy=False)

    def transform(self, X: Any) -> np.ndarray:
        """Posterior mean E[z | x] of the top latent layer for each row of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Same float dtype as X (float64 for other inputs).
        """
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        return self._to_numpy(self._batched(self.module_.encode_mean, self._to_tensor(X)), X)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        """Decoder mean E[x | z] for each row of Z.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_components)

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        if sp.issparse(Z):
            raise ValueError("Sparse Z is not supported: pass a dense array of latent codes.")
        Z = check_array(Z, dtype=[np.float64, np.float32])
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"Z has {Z.shape[1]} features, but {type(self).__name__} has "
                f"n_components={self.n_components}."
            )
        return self._to_numpy(self._batched(self.module_.decode_mean, self._to_tensor(Z)), Z)

    def score_samples(self, X: Any) -> np.ndarray:
        """Importance-sampled log-likelihood log p(x) of each row, in nats.

        For ``likelihood="bernoulli"`` on grey-level (non-binary) data this is the
        papers' Bernoulli cross-entropy, which is *not* normalised over [0, 1] and so not
        a log-density (it can exceed a density's bound); use
        ``likelihood="continuous_bernoulli"`` for log p(x) of grey levels in nats.

        Uses ``n_importance_samples`` draws from the encoder per row (the papers' test
        protocol uses 5000). The noise follows scikit-learn's convention for
        ``random_state``: with an int, every call draws the same noise, so repeated calls
        agree exactly; with None, each call draws fresh noise (results differ by the
        estimator's Monte Carlo error); a ``RandomState`` or ``Generator`` instance is
        advanced by each call. The estimate is a stochastic lower bound on log p(x) in
        expectation that tightens as the number of samples grows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        generator = make_generator(seed_from(self.random_state), self.device_)
        result = importance_log_likelihood(
            self._scoring_log_weights(),
            self._to_tensor(X),
            self.n_importance_samples,
            width=self._evaluation_width(),
            generator=generator,
        )
        return result.cpu().numpy()

    def score(self, X: Any, y: Any = None) -> float:
        """Mean importance-sampled log-likelihood per sample (nats); higher is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))

    def sample_latent(self, n_samples: int = 1, *, random_state: Any = None) -> np.ndarray:
        """Draw latent points from the (learned) prior p(z) of the top layer.

        Parameters
        ----------
        n_samples : int, default=1
            Number of points.
        random_state : int, RandomState instance or None, default=None
            Seeds the draw (an int gives the same points on every call).

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        n_samples = check_int(n_samples, "n_samples", 1)
        generator = make_generator(seed_from(random_state), self.device_)
        with torch.inference_mode():
            z = self.module_.sample_latent(n_samples, generator)
        return z.cpu().numpy().astype(np.float64)

    def sample(
        self,
        n_samples: int = 1,
        *,
        random_state: Any = None,
        observation_noise: bool = False,
        return_latent: bool = False,
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Generate data: z ~ p(z), then the decoder mean E[x|z] (or x ~ p(x|z)).

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None
        observation_noise : bool, default=False
            If True, draw x ~ p(x | z) instead of returning the decoder mean.
        return_latent : bool, default=False
            Also return the latent points.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        Z : ndarray of shape (n_samples, n_components), only if ``return_latent``
        """
        check_is_fitted(self)
        n_samples = check_int(n_samples, "n_samples", 1)
        generator = make_generator(seed_from(random_state), self.device_)
        with torch.inference_mode():
            z = self.module_.sample_latent(n_samples, generator)
            if observation_noise:
                x = self.module_.sample_data(z, generator)
            else:
                x = self.module_.decode_mean(z)
        x_np = x.cpu().numpy().astype(np.float64)
        return (x_np, z.cpu().numpy().astype(np.float64)) if return_latent else x_np

    # ------------------------------------------------------------------ sklearn glue
    @property
    def _n_features_out(self) -> int:
        return self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: never alter the live estimator
        if "module_" in state:
            # CPU tensors only, so that a model fitted on a GPU loads anywhere.
            state["module_"] = _on_cpu(self.module_.state_dict())
            state["device_"] = str(self.device_)
        if "_training_state_" in state:
            state["_training_state_"] = _on_cpu(state["_training_state_"])
        return state

    def __setstate__(self, state: dict) -> None:
        module_state = state.pop("module_", None)
        super().__setstate__(state)
        if module_state is not None:
            device = _loadable_device(torch.device(self.device_))
            module = self._build_module(self.n_features_in_, 0)
            module.load_state_dict(module_state)
            self.module_ = module.to(device).eval()
            self.device_ = device
