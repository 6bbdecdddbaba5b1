"""One training step on a batch, with every array it writes allocated once.

A step does exactly the numpy operations, in the same order and memory
layouts, that the public API does for ``forward_loaded``, the fused gradient
(``SoftmaxCrossEntropy.raw_gradient`` then ``backward``), ``MLP.backward`` and
``optimizer.raw_step``, so the weights are the same bit for bit.  What it saves
is per-batch overhead, which on a small network costs as much as the matrix
products: temporaries (the shifted logits, row sums, ReLU masks) live in
buffers made once per batch size, the true class is subtracted with a gathered
one-hot row instead of a two-array fancy index, and the layers' views
(``[W; b]``, ``W.T``) are looked up once rather than per call.
"""
import math

import numpy as np

from ..numerics.layers import ReLU


class TrainStep:
    """Forward, fused softmax-CE gradient, backward and optimizer step for batches of ``workspace.rows`` rows."""

    def __init__(self, net, head, optimizer, workspace):
        rows, classes, dtype = workspace.rows, net.sizes[-1], net.dtype
        self.optimizer, self.workspace = optimizer, workspace
        self.hidden = [(ws_in, dense.Wb, z, out, act, np.empty(z.shape, np.bool_) if isinstance(act, ReLU) else None)
                       for ws_in, dense, z, out, act in zip(workspace.inputs, net.dense, workspace.logits,
                                                             workspace.features[1:], net.activations)]
        self.last = (workspace.inputs[-1], net.dense[-1].Wb)
        # backward, top down: (input [x, 1], dWb, W.T, dL/dinput buffer, the activation below, its input, its mask)
        self.backward = [(workspace.inputs[i], net.dense[i].dWb, net.dense[i].Wb[:-1].T, workspace.grads[i - 1],
                          self.hidden[i - 1][4], self.hidden[i - 1][2], self.hidden[i - 1][5])
                         for i in range(len(net.dense) - 1, 0, -1)]
        self.first = (workspace.inputs[0], net.dense[0].dWb)
        self.row_max = np.empty((rows, 1), dtype)
        self.row_sum = np.empty((rows, 1), dtype)
        self.probs = np.empty((rows, classes), dtype, order="F")  # the layout the logits have
        self.targets = np.empty((rows, classes), dtype, order="F")
        eps = head.label_smoothing
        self.smoothing = eps / classes if eps else None
        self.target_rows = np.eye(classes, dtype=dtype) * dtype.type(1 - eps)  # row k: what class k subtracts
        self.rows = rows

    def __call__(self, X, rows, labels, out):
        """Train on the rows ``rows`` of X (labels ``labels``), the logits written into ``out``.

        False, with weights and optimizer untouched, when the loss is not finite
        (see ``SoftmaxCrossEntropy.gradient``) or the optimizer refuses the update.
        """
        X.take(rows, axis=0, out=self.workspace.features[0], mode="clip")  # rows of a permutation: all valid
        for x1, Wb, z, y, act, mask in self.hidden:
            np.matmul(x1, Wb, out=z)
            if mask is None:
                act.forward(z, out=y)
            else:
                np.maximum(z, 0, out=y)
        x1, Wb = self.last
        np.matmul(x1, Wb, out=out)
        grad = self._gradient(out, labels)
        if grad is None:
            return False
        for x1, dWb, W_T, below, act, z, mask in self.backward:
            np.matmul(x1.T, grad, out=dWb)
            grad = np.matmul(grad, W_T, out=below)
            if mask is None:
                grad = act.backward(grad)
            else:  # ReLU: dL/dz = dL/dy where z > 0
                np.greater(z, 0, out=mask)
                np.multiply(grad, mask, out=grad)
        x1, dWb = self.first
        np.matmul(x1.T, grad, out=dWb)
        return self.optimizer.raw_step()

    def _gradient(self, z, labels):
        """(softmax(z) - t) / n into ``probs``, or None when the loss would not be finite."""
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
        self.target_rows.take(labels, axis=0, out=self.targets, mode="clip")  # labels are checked class indices
        np.subtract(probs, self.targets, out=probs)
        np.divide(probs, self.rows, out=probs)
        return probs
