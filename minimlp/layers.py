"""Dense and the activations: each layer's forward and backward.

The layer contract: ``forward(x)`` keeps only what ``backward`` needs, overwriting
it on every call; ``backward(grad)`` overwrites the parameter gradients and
returns the gradient for the layer below.  Every operation stays in the dtype of
its input: no Python float or float64 constant is allowed to upcast float32.
"""
import numpy as np

from .errors import MinimlpError


class Dense:
    """Affine layer ``x @ W + b`` with ``W`` of shape (in, out) and ``b`` of shape (out,).

    The arrays are views the owner (usually ``MLP``) hands in, so that all
    parameters live in one flat vector an optimizer can update in one pass.
    Assigning ``layer.W = array`` copies into that storage.
    """

    def __init__(self, W, b, dW=None, db=None):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise MinimlpError(f"Dense needs W (in, out) and b (out,), got {W.shape} and {b.shape}")
        self._W, self._b = W, b
        self._dW = np.zeros_like(W) if dW is None else dW
        self._db = np.zeros_like(b) if db is None else db
        self._x = None  # the input of the last forward: what dW needs

    W = property(lambda self: self._W, lambda self, v: _copy_into(self._W, v, "W"))
    b = property(lambda self: self._b, lambda self, v: _copy_into(self._b, v, "b"))
    dW = property(lambda self: self._dW)
    db = property(lambda self: self._db)

    @property
    def shape(self):
        return self._W.shape

    def forward(self, x):
        self._x = x
        out = x @ self._W  # (n, out)
        out += self._b
        return out

    def backward(self, grad, input_grad=True):
        """Overwrite dW, db from ``grad`` (n, out); return dL/dx (n, in), or None."""
        np.matmul(self._x.T, grad, out=self._dW)
        np.add.reduce(grad, axis=0, out=self._db)
        return grad @ self._W.T if input_grad else None


def _copy_into(target, value, name):
    value = np.asarray(value)
    if value.shape != target.shape:
        raise MinimlpError(f"{name} must have shape {target.shape}, got {value.shape}")
    np.copyto(target, value, casting="same_kind")


class ReLU:
    name = "relu"

    def forward(self, z):
        self._y = np.maximum(z, 0)
        return self._y

    def backward(self, grad):
        return grad * (self._y > 0)


class LeakyReLU:
    """max(z, slope·z) with PyTorch's default slope 0.01."""

    name = "leaky_relu"
    slope = 0.01

    def forward(self, z):
        self._y = np.maximum(z, z * self.slope)
        return self._y

    def backward(self, grad):
        # y > 0 exactly where z > 0, so the output is enough to rebuild the slope.
        return np.where(self._y > 0, grad, grad * self.slope)


class Tanh:
    name = "tanh"

    def forward(self, z):
        self._y = np.tanh(z)
        return self._y

    def backward(self, grad):
        return grad * (1 - self._y * self._y)


class Sigmoid:
    """Logistic function, evaluated so that no exp ever sees a positive argument.

    With e = exp(-|z|) in (0, 1]: sigmoid(z) = 1/(1+e) for z >= 0 and e/(1+e)
    for z < 0; neither overflows, and tiny outputs keep their relative precision.
    """

    name = "sigmoid"

    def forward(self, z):
        e = np.exp(-np.abs(z))
        self._y = np.where(z >= 0, 1, e) / (1 + e)
        return self._y

    def backward(self, grad):
        return grad * self._y * (1 - self._y)


class Identity:
    name = "identity"

    def forward(self, z):
        return z

    def backward(self, grad):
        return grad


ACTIVATIONS = {cls.name: cls for cls in (ReLU, LeakyReLU, Tanh, Sigmoid, Identity)}


def make_activation(name):
    """A new activation layer by name; the error lists the valid names."""
    try:
        return ACTIVATIONS[name]()
    except (KeyError, TypeError):
        raise MinimlpError(
            f"unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)}"
        ) from None
