"""skvhp: scikit-learn estimators for variational autoencoders with learned priors."""

from ._active_units import active_units
from ._graph import LatentGraphInterpolator, smoothness_factor
from ._iwae import IWAE
from ._model_files import load, save
from ._polar import PolarCoordinates
from ._shape_check import TopologyWarning
from ._topological_term import TopologicalTerm
from ._vamp import VampPriorVAE
from ._vhp import VHPAutoencoder

__all__ = [
    "IWAE",
    "active_units",
    "LatentGraphInterpolator",
    "PolarCoordinates",
    "TopologicalTerm",
    "TopologyWarning",
    "VampPriorVAE",
    "VHPAutoencoder",
    "load",
    "save",
    "smoothness_factor",
]
__version__ = "0.1.0"
