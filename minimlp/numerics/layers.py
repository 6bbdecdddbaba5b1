"""The layers of a network: Dense, the activations and Dropout, each owning its forward and backward.

The layer contract: ``forward`` keeps only what ``backward`` needs, overwriting
it on every call; ``backward(grad)`` overwrites the parameter gradients and
returns the gradient for the layer below.  Every operation stays in the dtype of
its input: no Python float or float64 constant is allowed to upcast float32.

Each method takes the buffers it writes as arguments (``out``, ``zeros``,
``mask``...): called alone it allocates them; ``model.Workspace`` hands the same
methods buffers made once per batch size, so training, evaluation, prediction
and the public API run one code path.

Activations between Dense layers travel with a trailing column of ones, (n, width+1):
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

    name = "dense"

    def __init__(self, Wb, dWb=None):
        if Wb.ndim != 2 or Wb.shape[0] < 2:
            raise MinimlpError(f"Dense needs Wb of shape (in + 1, out), got {Wb.shape}")
        self.Wb, self.dWb = Wb, np.zeros_like(Wb) if dWb is None else dWb
        self.W_T = Wb[:-1].T  # looked up once: backward's dL/dx = grad @ W.T
        self._x = None  # the input [x, 1] of the last forward: what dWb needs

    @staticmethod
    def param_count(n_in, n_out):
        """Entries of [W; b]: the one place a Dense layer's size is computed."""
        return (n_in + 1) * n_out

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
        return np.matmul(grad, self.W_T, out=out) if input_grad else None


def _copy_into(target, value, name):
    value = np.asarray(value)
    if value.shape != target.shape:
        raise MinimlpError(f"{name} must have shape {target.shape}, got {value.shape}")
    np.copyto(target, value, casting="same_kind")


class ReLU:
    """max(z, 0), computed as max(z, zeros): numpy's maximum has a SIMD loop for two arrays but
    not for an array and a scalar (~3x faster, same bits: NaN, -0 and all).

    It may run in place (``in_place``): the workspace lets the Dense below write z
    straight into the next layer's input [y, 1] and calls ``forward`` over that
    whole buffer (max(1, 0) = 1 keeps the ones column); backward masks the whole
    gradient buffer [dL/dy, 0] the same way, in one contiguous pass each.  The
    mask is y > 0, the same set as z > 0, so the output is all backward needs.
    """

    name = "relu"
    in_place = True

    def forward(self, z, out=None, zeros=None):
        zeros = np.zeros_like(z) if zeros is None else zeros
        self._y = np.maximum(z, zeros, out=out)
        return self._y

    def backward(self, grad, mask=None):
        """dL/dz, computed in place in ``grad``."""
        return np.multiply(grad, np.greater(self._y, 0, out=mask), out=grad)


class LeakyReLU:
    """max(z, slope·z) with PyTorch's default slope 0.01."""

    name = "leaky_relu"
    in_place = False
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
    in_place = False

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
    in_place = False

    def forward(self, z, out=None):
        e = np.exp(-np.abs(z))
        self._y = np.divide(np.where(z >= 0, 1, e), 1 + e, out=out)
        return self._y

    def backward(self, grad):
        grad *= self._y * (1 - self._y)
        return grad


class Identity:
    name = "identity"
    in_place = False

    def forward(self, z, out=None):
        if out is None:
            return z
        np.copyto(out, z)
        return out

    def backward(self, grad):
        return grad


class Dropout:
    """Inverted dropout, placed after a hidden activation as Keras and PyTorch place it.

    In training each input is kept with probability 1 - rate and scaled by
    1/(1 - rate), so its expected value is unchanged and evaluation needs no
    rescaling: there the layer is the identity (the workspace leaves it out).
    The kept-and-scaled factors (0 or 1/(1 - rate), PyTorch's ``noise``) are
    drawn by ``draw`` from the generator the training loop owns; backward
    multiplies by the same factors, the derivative of x·m with respect to x.
    """

    name = "dropout"
    in_place = False

    def __init__(self, rate):
        if not (isinstance(rate, (int, float, np.floating)) and 0.0 <= rate < 1.0):
            raise MinimlpError(f"dropout must be a rate in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.factors = None

    def draw(self, rng, shape, dtype, out=None):
        """New factors (0 or 1/(1 - rate)) for an input of ``shape``: kept where a uniform draw >= rate."""
        dtype = np.dtype(dtype)
        out = np.empty(shape, dtype) if out is None else out
        rng.random(shape, dtype=dtype if dtype in (np.float32, np.float64) else np.float64, out=out)
        np.greater_equal(out, self.rate, out=out)  # 1.0 where kept, 0.0 where dropped
        out *= dtype.type(1) / dtype.type(1 - self.rate)  # PyTorch's noise.div_(1 - p), in the input's dtype
        return out

    def forward(self, x, factors, out=None):
        """x · factors: the factors of the batch, from ``draw`` (or fixed, for a gradient check)."""
        self.factors = factors
        return np.multiply(x, factors, out=out)

    def backward(self, grad):
        """dL/dx = dL/dy · factors, in place in ``grad``."""
        return np.multiply(grad, self.factors, out=grad)


ACTIVATIONS = {cls.name: cls for cls in (ReLU, LeakyReLU, Tanh, Sigmoid, Identity)}


def make_activation(name):
    """A new activation layer by name; the error lists the valid names."""
    try:
        return ACTIVATIONS[name]()
    except (KeyError, TypeError):
        raise MinimlpError(
            f"unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)}"
        ) from None
