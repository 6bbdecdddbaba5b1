"""Periodic numeric embeddings (Gorishniy et al. 2022; RealMLP's PBLD keeps the raw value beside them).

Each input x_j becomes [x_j, sin(2π c_j1 x_j), ..., sin(2π c_jk x_j), cos(2π c_j1 x_j), ..., cos(2π c_jk x_j)]:
1 + 2k values, with learnable frequencies C (n_inputs, k) initialised N(0, σ²).  The raw value is kept
(DenseNet-style, as RealMLP's embedding does) so a one-hot input or a linear trend passes through
untouched and a network with the embedding can do what one without it does.  The first Dense layer
mixes the features, so no per-feature linear layer follows (Gorishniy's "P" variant).

With A = 2π x ⊙ C (rows, n_inputs, k), S = sin A, K = cos A and G = dL/dy split as [G0, Gs, Gc]:

    dL/dA = Gs ⊙ K - Gc ⊙ S
    dL/dC = 2π Σ_rows x ⊙ dL/dA                       (n_inputs, k)
    dL/dx = G0 + 2π Σ_k C ⊙ dL/dA                     (rows, n_inputs)
"""
import numpy as np

from ..errors import MinimlpError
from ..names import EMBEDDINGS  # noqa: F401 (numerics.inputs checks model.embedding with it)


class Periodic:
    """[x, sin(2π C x), cos(2π C x)] per input; ``C``/``dC`` are views (n_inputs, k) into the owner's flat vectors."""

    name = "periodic"
    in_place = False

    def __init__(self, C, dC=None):
        if C.ndim != 2 or C.shape[1] < 1:
            raise MinimlpError(f"Periodic needs frequencies of shape (n_inputs, k), got {C.shape}")
        self.C, self.dC = C, np.zeros_like(C) if dC is None else dC
        self._x = self._y = None

    @staticmethod
    def param_count(n_in, k):
        return n_in * k

    @staticmethod
    def width(n_in, k):
        """The output width: 1 + 2k values per input."""
        return n_in * (1 + 2 * k)

    @property
    def shape(self):
        return self.C.shape

    def forward(self, x1, out=None):
        """x1 = [x, 1] (n, in+1) -> [y, 1] (n, in·(1+2k)+1), written into ``out`` (its last column must hold ones)."""
        d, k = self.C.shape
        n = len(x1)
        if out is None:
            out = np.ones((n, self.width(d, k) + 1), x1.dtype)
        x = x1[:, :-1]
        y = out[:, :-1].view()
        y.shape = (n, d, 1 + 2 * k)  # a view or an error, never a silent copy
        two_pi = x.dtype.type(2 * np.pi)
        angle = y[:, :, 1:k + 1]
        np.multiply(x[:, :, None], self.C[None], out=angle)
        angle *= two_pi
        np.cos(angle, out=y[:, :, k + 1:])
        np.sin(angle, out=angle)
        y[:, :, 0] = x
        self._x, self._y = x, y
        return out

    def backward(self, grad, input_grad=True):
        """grad = dL/dy (n, in·(1+2k)): overwrite dC; return dL/dx (n, in) or None."""
        d, k = self.C.shape
        g = grad.reshape(len(grad), d, 1 + 2 * k)
        y = self._y
        dA = g[:, :, 1:k + 1] * y[:, :, k + 1:]
        dA -= g[:, :, k + 1:] * y[:, :, 1:k + 1]  # Gs ⊙ cos A - Gc ⊙ sin A
        two_pi = dA.dtype.type(2 * np.pi)
        np.multiply(np.einsum("nd,ndk->dk", self._x, dA), two_pi, out=self.dC)
        if not input_grad:
            return None
        return g[:, :, 0] + two_pi * np.einsum("ndk,dk->nd", dA, self.C)

