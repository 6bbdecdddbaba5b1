"""Scale: a learnable per-feature scale before the first Dense layer (RealMLP's scaling layer).

y = x ⊙ s with s (n_inputs,) a parameter, initialised to 1 (so a new network
computes what the same network without it computes).  With L the loss and
g = dL/dy (rows, n_inputs):

    dL/ds = Σ_rows x ⊙ g        dL/dx = s ⊙ g

Like Dense, it works on inputs that travel as [x, 1] (the bias column): the
output is [x ⊙ s, 1], written into a buffer whose ones column is never touched.
"""
import numpy as np

from ..errors import MinimlpError


class Scale:
    """y = x ⊙ s per input feature; ``s`` and ``ds`` are views into the owner's flat parameters and gradients."""

    name = "scale"
    in_place = False

    def __init__(self, s, ds=None):
        if s.ndim != 1:
            raise MinimlpError(f"Scale needs s of shape (n_inputs,), got {s.shape}")
        self.s, self.ds = s, np.zeros_like(s) if ds is None else ds
        self._x = None  # the input x of the last forward: what ds needs
        self._product = None  # x ⊙ g, reused while the batch size stays

    @staticmethod
    def param_count(n_in):
        return n_in

    def forward(self, x1, out=None):
        """x1 = [x, 1] (n, in+1) -> [x ⊙ s, 1] (written into ``out``, whose last column must hold ones)."""
        if out is None:
            out = np.ones_like(x1)
        self._x = x1[:, :-1]
        np.multiply(self._x, self.s, out=out[:, :-1])
        return out

    def backward(self, grad, input_grad=True):
        """Overwrite ds = Σ_rows x ⊙ grad (grad = dL/dy, (n, in)); return dL/dx = s ⊙ grad (a new array), or None."""
        x = self._x
        if self._product is None or self._product.shape != x.shape:
            self._product = np.empty(x.shape, self.s.dtype)
        np.multiply(x, grad, out=self._product)
        np.add.reduce(self._product, axis=0, out=self.ds)
        return grad * self.s if input_grad else None
