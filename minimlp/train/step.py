"""One training step on a batch: the network's forward, the fused gradient, backward, the optimizer.

The step runs the network's own layers through a ``Workspace`` made once per
batch size (``numerics.workspace``), and the head's ``gradient`` on buffers made
once too: the same code ``MLP.forward``/``backward`` and ``SoftmaxCrossEntropy``
run, so no second copy to hold equal.  What it saves is per-batch overhead,
which on a small network costs as much as the matrix products.
"""
import numpy as np

from ..errors import MinimlpError


class TrainStep:
    """Forward, fused softmax-CE gradient, backward and optimizer step for batches of ``workspace.rows`` rows.

    With sample weights (``__call__``'s ``weights``) the gradient is w_i (softmax(z_i) - t_i) / Σ w over
    the batch; an optimizer with an ``alpha_per_weight`` α (the estimator's) then gets weight decay
    α / Σ w of each batch, scikit-learn's (X.T @ (w·δ) + α·W) / Σ w; otherwise its own fixed weight decay.
    """

    def __init__(self, workspace, head, optimizer):
        self.workspace, self.head, self.optimizer = workspace, head, optimizer
        self.buffers = head.buffers(workspace.rows, workspace.logits.shape[1], workspace.dtype)
        self.alpha = getattr(optimizer, "alpha_per_weight", None)
        # bound methods looked up once: on a small network a batch costs as much as its Python calls
        self._forward, self._backward = workspace.forward, workspace.backward
        self._gradient, self._step = head.raw_gradient, optimizer.raw_step

    def __call__(self, x1, labels, out, weights=None):
        """Train on the input ``x1`` = [x, 1] (labels ``labels``), the logits written into ``out``.

        False, with weights and optimizer untouched, when the loss is not finite
        (see ``SoftmaxCrossEntropy.gradient``) or the optimizer refuses the update.
        """
        z = self._forward(x1, out)
        if weights is not None and not np.add.reduce(weights) > 0:  # all-zero weights: nothing to learn from
            return True  # the batch is skipped (its logits still count, with weight 0)
        grad = self._gradient(z, labels, weights, self.buffers)
        if grad is None:
            return False
        self._backward(grad)
        if weights is not None and self.alpha:
            self.optimizer.weight_decay = self.alpha / float(np.add.reduce(weights))
        return self._step()


def check_weights(weights, n, dtype=None):
    """Sample weights as an (n,) float64 array: finite, >= 0, not all 0, with a finite sum.

    They stay float64 whatever the network's dtype, so a batch's Σ w (and w / Σ w) cannot
    overflow float32: weights of 3e38 give the weighted mean, as weights of 1 do."""
    weights = np.asarray(weights)
    if weights.shape != (n,) or weights.dtype.kind not in "fiub":
        raise MinimlpError(f"sample weights must be {n} numbers, one per training row, got shape {weights.shape} "
                           f"dtype {weights.dtype}")
    weights = weights.astype(np.float64)
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0)) or not np.any(weights > 0):
        raise MinimlpError("sample weights must be finite and >= 0, and not all 0")
    with np.errstate(over="ignore"):
        if not np.isfinite(np.add.reduce(weights)):
            raise MinimlpError("sample weights must have a sum that float64 can hold (at most ~1.8e308)")
    return weights
