"""What a fitted skvhp estimator does with its networks: ``transform`` (the posterior
mean), ``inverse_transform`` (the decoder mean), ``score_samples`` and ``score`` (the
importance-sampled log-likelihood), ``sample_latent`` and ``sample``.

A mixin of :class:`skvhp._base._BaseVAE`, which fits the networks (``module_``) and
validates input (``_check_input``); it reads ``module_``, ``device_`` and the estimator's
``_scoring_options``.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from ._torch.device import as_tensor, data_device, make_generator
from ._torch.evaluation import batched, importance_log_likelihood
from ._validation import check_int, seed_from


def _is_binary(X: np.ndarray, chunk: int = 65536) -> bool:
    """Whether every value of X is 0 or 1 (in chunks of rows: no full-size temporary)."""
    return all(
        np.all((block == 0) | (block == 1))
        for block in (X[i : i + chunk] for i in range(0, len(X), chunk))
    )


def _warn_if_not_a_density(estimator: Any, X: np.ndarray) -> None:
    """Scoring grey levels with the Bernoulli likelihood gives no log-density: say so."""
    if estimator.likelihood == "bernoulli" and not _is_binary(X):
        warnings.warn(
            f"{type(estimator).__name__}.score_samples with likelihood='bernoulli' on "
            "non-binary X gives the Bernoulli cross-entropy of the grey levels, which is "
            "not normalised over [0, 1] and so not log p(x); fit with "
            "likelihood='continuous_bernoulli' for a log-density in nats.",
            UserWarning,
            stacklevel=3,
        )


def _placed(X: np.ndarray, device: torch.device) -> torch.Tensor:
    """X as a tensor where a model on ``device`` reads it: on the device, or on the host
    when it would not fit there (batches then move one by one)."""
    return as_tensor(X, data_device(4 * X.size, device))


class FittedModelMethods(TransformerMixin):
    """The methods of a fitted estimator that use its networks (see the module). A
    ``TransformerMixin``, so that scikit-learn wraps the ``transform`` defined here for
    ``set_output``."""

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
        return self._codes(self._check_input(X, reset=False))

    def _codes(self, X: np.ndarray) -> np.ndarray:
        """``transform`` of an X already validated (as ``fit`` holds it)."""
        encode = self.module_.encode_mean
        return self._to_numpy(batched(encode, _placed(X, self.device_), self.device_), X)

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
        decode = self.module_.decode_mean
        return self._to_numpy(batched(decode, _placed(Z, self.device_), self.device_), Z)

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
        _warn_if_not_a_density(self, X)
        generator = make_generator(seed_from(self.random_state), self.device_)
        options = self._scoring_options()
        result = importance_log_likelihood(
            functools.partial(self.module_.log_weights, **options),
            _placed(X, self.device_),
            self.n_importance_samples,
            width=self.module_.evaluation_width(**options),
            generator=generator,
            device=self.device_,
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
