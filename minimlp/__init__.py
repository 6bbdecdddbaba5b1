"""minimlp: a small, exact, fast MLP trainer written with numpy alone.

The numerical core (layers, the fused softmax + cross-entropy output layer,
optimizers, the MLP) imports numpy only; the CLI (Click) and the report
(matplotlib) are imported only when used.
"""
from .errors import ConfigError, DataError, MinimlpError, ModelFileError
from .numerics.layers import ACTIVATIONS, Dense
from .numerics.losses import SoftmaxCrossEntropy, log_softmax, softmax
from .model import MLP
from .numerics.optim import SGD, Adam

__version__ = "0.1.0"

__all__ = [
    "MLP", "SoftmaxCrossEntropy", "SGD", "Adam", "Dense", "ACTIVATIONS",
    "softmax", "log_softmax",
    "MinimlpError", "ConfigError", "DataError", "ModelFileError",
]
