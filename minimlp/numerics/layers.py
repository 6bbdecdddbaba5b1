"""Dense and the activations: each layer's forward and backward.

The layer contract: ``forward`` keeps only what ``backward`` needs, overwriting
it on every call; ``backward(grad)`` overwrites the parameter gradients and
returns the gradient for the layer below.  Every operation stays in the dtype of
its input: no Python float or float64 constant is allowed to upcast float32.

Activations between layers travel with a trailing column of ones, (n, width+1):
the Dense layer stores its bias as the last row of one matrix Wb = [W; b], so a
single GEMM computes [x, 1] @ [W; b] = x @ W + b, and a single GEMM computes
[x, 1].T @ grad = [dW; db].  No separate bias add or bias-gradient sum.
"""
import numpy as np

from ..errors import MinimlpError


def with_ones(x, out=None):
    """[x, 1]: x (n, d) with a trailing column of ones, (n, d+1) (written into ``out`` if given)."""
    n, d = x.shape
    out = np.empty((n, d + 1), x.dtype) if out is None else out
    out[:, :d] = x
    out[:, d] = 1
    return out


class Dense:
    """Affine layer x @ W + b, with ``W`` (in, out) and ``b`` (out,) the rows of one matrix Wb (in+1, out).

    ``Wb`` and ``dWb`` are views the owner (usually ``MLP``) hands in, so that all
    parameters live in one flat vector an optimizer can update in one pass.
    Assigning ``layer.W = array`` copies into that storage.
    """

    def __init__(self, Wb, dWb=None):
        if Wb.ndim != 2 or Wb.shape[0] < 2:
            raise MinimlpError(f"Dense needs Wb of shape (in + 1, out), got {Wb.shape}")
        self.Wb, self.dWb = Wb, np.zeros_like(Wb) if dWb is None else dWb
        self._x = None  # the input [x, 1] of the last forward: what dWb needs

    W = property(lambda self: self.Wb[:-1], lambda self, v: _copy_into(self.Wb[:-1], v, "W"))
    b = property(lambda self: self.Wb[-1], lambda self, v: _copy_into(self.Wb[-1], v, "b"))
    dW = property(lambda self: self.dWb[:-1])
    db = property(lambda self: self.dWb[-1])

    @property
    def shape(self):
        return self.Wb.shape[0] - 1, self.Wb.shape[1]

    def forward(self, x1, out=None):
        """x1 = [x, 1] (n, in+1) -> x @ W + b (n, out)."""
        self._x = x1
        return np.matmul(x1, self.Wb, out=out)

    def backward(self, grad, out=None, input_grad=True):
        """Overwrite dWb = [x, 1].T @ grad; return dL/dx = grad @ W.T (n, in), or None."""
        np.matmul(self._x.T, grad, out=self.dWb)
        return np.matmul(grad, self.Wb[:-1].T, out=out) if input_grad else None


def _copy_into(target, value, name):
    value = np.asarray(value)
    if value.shape != target.shape:
        raise MinimlpError(f"{name} must have shape {target.shape}, got {value.shape}")
    np.copyto(target, value, casting="same_kind")


class ReLU:
    """max(z, 0).  Backward masks with z > 0 rather than y > 0 (the same set): z is
    contiguous, while y is usually written into a view beside a ones column, and
    the comparison runs up to twice as fast on contiguous memory."""

    name = "relu"

    def forward(self, z, out=None):
        self._z = z
        return np.maximum(z, 0, out=out)

    def backward(self, grad):
        """dL/dz, computed in place in ``grad``."""
        return np.multiply(grad, self._z > 0, out=grad)


class LeakyReLU:
    """max(z, slope·z) with PyTorch's default slope 0.01."""

    name = "leaky_relu"
    slope = 0.01

    def forward(self, z, out=None):
        self._y = np.maximum(z, z * self.slope, out=out)
        return self._y

    def backward(self, grad):
        # y > 0 exactly where z > 0, so the output is enough to rebuild the slope.
        one, slope = grad.dtype.type(1), grad.dtype.type(self.slope)
        return np.multiply(grad, np.where(self._y > 0, one, slope), out=grad)


class Tanh:
    name = "tanh"

    def forward(self, z, out=None):
        self._y = np.tanh(z, out=out)
        return self._y

    def backward(self, grad):
        grad *= 1 - self._y * self._y
        return grad


class Sigmoid:
    """Logistic function, evaluated so that no exp ever sees a positive argument.

    With e = exp(-|z|) in (0, 1]: sigmoid(z) = 1/(1+e) for z >= 0 and e/(1+e)
    for z < 0; neither overflows, and tiny outputs keep their relative precision.
    """

    name = "sigmoid"

    def forward(self, z, out=None):
        e = np.exp(-np.abs(z))
        self._y = np.divide(np.where(z >= 0, 1, e), 1 + e, out=out)
        return self._y

    def backward(self, grad):
        grad *= self._y * (1 - self._y)
        return grad


class Identity:
    name = "identity"

    def forward(self, z, out=None):
        if out is None:
            return z
        np.copyto(out, z)
        return out

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
