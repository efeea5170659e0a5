"""skvhp: scikit-learn estimators for variational autoencoders with learned priors."""

from ._iwae import IWAE
from ._polar import PolarCoordinates
from ._vhp import VHPAutoencoder

__all__ = ["IWAE", "PolarCoordinates", "VHPAutoencoder"]
__version__ = "0.1.0"
