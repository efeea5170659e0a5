"""skvhp: scikit-learn estimators for variational autoencoders with learned priors."""

from ._iwae import IWAE

__all__ = ["IWAE"]
__version__ = "0.1.0"
