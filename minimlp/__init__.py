"""minimlp: a small, exact, fast MLP trainer written with numpy alone.

The numerical core (layers, the fused softmax + cross-entropy output layer,
optimizers, the MLP) imports numpy only; the CLI (Click) and the report
(matplotlib) are imported only when used.  The public names below are
imported on first use (PEP 562), so the ``minimlp`` command can install its
signal handlers before numpy loads.
"""
from .errors import ConfigError, DataError, MinimlpError, ModelFileError

__version__ = "0.1.0"

__all__ = [
    "MLP", "SoftmaxCrossEntropy", "SGD", "Adam", "Dense", "ACTIVATIONS",
    "softmax", "log_softmax",
    "MinimlpError", "ConfigError", "DataError", "ModelFileError",
]

_LAZY = {
    "ACTIVATIONS": "numerics.layers", "Dense": "numerics.layers",
    "SoftmaxCrossEntropy": "numerics.losses", "log_softmax": "numerics.losses", "softmax": "numerics.losses",
    "MLP": "model", "SGD": "numerics.optim", "Adam": "numerics.optim",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
