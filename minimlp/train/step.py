"""One training step on a batch, with every array it writes allocated once.

A step does exactly the arithmetic, in the same order, that the public API
does for ``forward_loaded``, the fused gradient (``SoftmaxCrossEntropy.raw_gradient``
then ``backward``), ``MLP.backward`` and ``optimizer.raw_step``, so the weights
are the same bit for bit (tests/test_train.py compares with a plain loop).
What it saves is per-batch overhead, which on a small network costs as much
as the matrix products: temporaries (the shifted logits, row sums, ReLU masks)
live in buffers made once per batch size, the true class is subtracted with a
gathered one-hot row instead of a two-array fancy index, the layers' views
(``[W; b]``, ``W.T``) are looked up once rather than per call, and a ReLU
works on whole contiguous [y, 1] buffers: its GEMM writes z into the next
layer's input and max(., 0) runs over it in place (elementwise, and a GEMM's
sums do not depend on its operands' row strides, so the same numbers).
"""
import math

import numpy as np

from ..errors import MinimlpError
from ..numerics.layers import ReLU


class TrainStep:
    """Forward, fused softmax-CE gradient, backward and optimizer step for batches of ``workspace.rows`` rows."""

    def __init__(self, net, head, optimizer, workspace):
        rows, classes, dtype = workspace.rows, net.sizes[-1], net.dtype
        self.optimizer, self.workspace = optimizer, workspace
        relu = [isinstance(act, ReLU) for act in net.activations]
        # numpy's maximum has a SIMD loop for two arrays but not for an array and a scalar: max(y, zeros)
        # runs ~3x faster than max(y, 0), with the same results (NaN, -0 and all)
        zeros = np.zeros(max((x1.size for x1 in workspace.inputs[1:]), default=0), dtype)
        # forward, hidden layers: (Wb, z buffer, output y, activation, the next input [y, 1], zeros its shape if a ReLU)
        self.hidden = [(net.dense[i].Wb, workspace.logits[i], workspace.features[i + 1], act, workspace.inputs[i + 1],
                        zeros[:workspace.inputs[i + 1].size].reshape(workspace.inputs[i + 1].shape) if relu[i] else None)
                       for i, act in enumerate(net.activations)]
        self.last = net.dense[-1].Wb
        # backward, top down: (input [x, 1], dWb, W.T, dL/dinput buffer and its (rows, width+1) whole,
        # the activation below, its mask buffer if a ReLU); the first layer's dWb comes last
        self.backward = [(workspace.inputs[i], net.dense[i].dWb, net.dense[i].Wb[:-1].T, workspace.grads[i - 1],
                          workspace.deltas[i - 1], net.activations[i - 1],
                          np.empty(workspace.inputs[i].shape, np.bool_) if relu[i - 1] else None)
                         for i in range(len(net.dense) - 1, 0, -1)]
        self.first = net.dense[0].dWb
        self.row_max = np.empty((rows, 1), dtype)
        self.row_sum = np.empty((rows, 1), dtype)
        self.probs = np.empty((rows, classes), dtype, order="F")  # the layout the logits have
        self.targets = np.empty((rows, classes), dtype, order="F")
        eps = head.label_smoothing
        self.smoothing = eps / classes if eps else None
        # column k: what class k subtracts; gathered as columns into targets.T, which is C-contiguous (as
        # targets is column-major), numpy's take writes in place instead of through a temporary
        self.target_columns = np.eye(classes, dtype=dtype) * dtype.type(1 - eps)
        self.rows = rows

    def __call__(self, x1, labels, out):
        """Train on the input ``x1`` = [x, 1] (labels ``labels``), the logits written into ``out``.

        False, with weights and optimizer untouched, when the loss is not finite
        (see ``SoftmaxCrossEntropy.gradient``) or the optimizer refuses the update.
        """
        x1_first = x1
        for Wb, z, y, act, x1_next, zeros in self.hidden:
            if zeros is not None:  # ReLU: z straight into [y, 1], then max(., 0) over the whole buffer (its ones stay 1)
                np.matmul(x1, Wb, out=y)
                np.maximum(x1_next, zeros, out=x1_next)
            else:
                np.matmul(x1, Wb, out=z)
                act.forward(z, out=y)
            x1 = x1_next
        np.matmul(x1, self.last, out=out)
        grad = self._gradient(out, labels)
        if grad is None:
            return False
        for x1, dWb, W_T, below, below1, act, mask in self.backward:
            np.matmul(x1.T, grad, out=dWb)
            np.matmul(grad, W_T, out=below)
            if mask is None:
                grad = act.backward(below)
            else:  # ReLU: dL/dz = dL/dy where y > 0 (where z > 0), over [y, 1]; the delta's last column stays 0
                np.greater(x1, 0, out=mask)
                np.multiply(below1, mask, out=below1)
                grad = below
        np.matmul(x1_first.T, grad, out=self.first)
        return self.optimizer.raw_step()

    def _gradient(self, z, labels):
        """(softmax(z) - t) / n into ``probs``, or None when the loss would not be finite."""
        probs = self._residual(z, labels)
        if probs is not None:
            np.divide(probs, self.rows, out=probs)
        return probs

    def _residual(self, z, labels):
        """softmax(z) - t into ``probs`` (the fused layer's dC/dz per row), or None when not finite."""
        probs = self.probs
        np.maximum.reduce(z, axis=1, keepdims=True, out=self.row_max)
        np.subtract(z, self.row_max, out=probs)
        if not math.isfinite(np.add.reduce(probs, axis=None)):
            return None
        np.exp(probs, out=probs)
        np.add.reduce(probs, axis=1, keepdims=True, out=self.row_sum)
        np.divide(probs, self.row_sum, out=probs)
        if self.smoothing is not None:
            np.subtract(probs, self.smoothing, out=probs)
        self.target_columns.take(labels, axis=1, out=self.targets.T, mode="clip")  # labels are checked class indices
        np.subtract(probs, self.targets, out=probs)
        return probs


class WeightedTrainStep(TrainStep):
    """``TrainStep`` with sample weights: the fused gradient w_i (softmax(z_i) - t_i) / Σ w over the batch.

    An optimizer with an ``alpha_per_weight`` α (the estimator's) gets weight decay α / Σ w of each
    batch, scikit-learn's (X.T @ (w·δ) + α·W) / Σ w; otherwise its own fixed weight decay.
    """

    def __init__(self, net, head, optimizer, workspace):
        super().__init__(net, head, optimizer, workspace)
        self.scale = np.empty((workspace.rows, 1), net.dtype)
        self.weights = None
        self.alpha = getattr(optimizer, "alpha_per_weight", None)

    def __call__(self, x1, labels, out, weights):
        self.weights = weights
        if self.alpha:
            self.optimizer.weight_decay = self.alpha / float(np.add.reduce(weights))
        return super().__call__(x1, labels, out)

    def _gradient(self, z, labels):
        """w_i (softmax(z_i) - t_i) / Σ w into ``probs``, or None when the loss would not be finite."""
        probs = self._residual(z, labels)
        if probs is None:
            return None
        weights = self.weights
        np.divide(weights[:, None], np.add.reduce(weights), out=self.scale)
        np.multiply(probs, self.scale, out=probs)
        return probs


def check_weights(weights, n, dtype):
    """Sample weights as an (n,) array of ``dtype``: finite, >= 0, not all 0."""
    weights = np.asarray(weights)
    if weights.shape != (n,) or weights.dtype.kind not in "fiub":
        raise MinimlpError(f"sample weights must be {n} numbers, one per training row, got shape {weights.shape} "
                           f"dtype {weights.dtype}")
    weights = weights.astype(dtype)
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0)) or not np.any(weights > 0):
        raise MinimlpError("sample weights must be finite and >= 0, and not all 0")
    return weights
