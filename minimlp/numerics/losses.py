"""Softmax and the fused softmax + cross-entropy output layer."""
import math

import numpy as np

from ..errors import MinimlpError


def log_softmax(z):
    """log softmax of each row of z (n, K) through log-sum-exp: finite for any finite z."""
    shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)
    return shifted - np.log(np.add.reduce(np.exp(shifted), axis=1, keepdims=True))


def softmax(z):
    """softmax of each row of z (n, K); the max is subtracted first so exp never overflows."""
    e = np.exp(z - np.maximum.reduce(z, axis=1, keepdims=True))
    e /= np.add.reduce(e, axis=1, keepdims=True)
    return e


class SoftmaxCrossEntropy:
    r"""Softmax output layer and mean cross-entropy loss, fused into one layer.

    For one sample with logits z, probabilities y = softmax(z) and a target
    distribution t (one-hot, or any probability row), C = -Σ_k t_k log y_k.
    The softmax Jacobian is ∂y_k/∂z_i = y_k (1{k=i} - y_i), so

        ∂C/∂z_i = -Σ_k (t_k / y_k) · y_k (1{k=i} - y_i) = -t_i + y_i Σ_k t_k = y_i - t_i.

    The y_k of the Jacobian cancels the 1/y_k of the log, which is why fusing is
    valid: backward returns (y - t)/n for the batch mean without forming the
    K×K Jacobian, and forward never takes the log of a probability that may
    have underflowed to 0 (it uses log y = z - max - log Σ exp(z - max)).

    Targets are integer labels (n,) or probability rows (n, K) summing to 1.
    ``label_smoothing`` ε mixes the target with the uniform distribution,
    t ← (1-ε)·t + ε/K, as PyTorch's CrossEntropyLoss does.

    Sample weights w (n,) make the loss the weighted mean Σ w_i C_i / Σ w_i, so
    its gradient is w_i (y_i - t_i) / Σ w_i.  That gradient is written once,
    in ``_fused``: the public ``forward`` + ``backward`` pair and the training
    step's ``gradient`` (on buffers made once per batch size) both run it.
    """

    def __init__(self, label_smoothing=0.0):
        if not 0.0 <= label_smoothing < 1.0:
            raise MinimlpError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        self.label_smoothing = float(label_smoothing)
        self._pending = None  # (probabilities, target, weights, buffers) of the last forward, for backward
        self._arange = np.arange(0)

    def buffers(self, rows, classes, dtype):
        """The arrays a gradient of ``rows`` rows writes, for the training step to make once."""
        return HeadBuffers(rows, classes, dtype, self.label_smoothing)

    def forward(self, z, target, weights=None):
        """Mean cross-entropy of logits z (n, K) against ``target``; a scalar of z's dtype.

        ``weights`` (n,) of z's dtype make it the weighted mean.  Every call replaces
        what the previous one left for ``backward``, weights included."""
        target = check_target(z, target)
        return self.forward_checked(z, target, weights)

    def forward_checked(self, z, target, weights=None):
        """``forward`` for a target already checked by ``check_target``."""
        loss = self.loss(z, target, weights)
        buffers = HeadBuffers(len(z), z.shape[1], z.dtype, self.label_smoothing, like=z)
        probs = buffers.probs
        _probabilities(z, buffers, check=False)
        self._pending = (probs, target, weights, buffers)
        return loss

    def loss(self, z, target, weights=None):
        """The (weighted) mean cross-entropy alone: nothing is kept for a backward."""
        if weights is None:
            return np.add.reduce(self.row_losses(z, target)) / len(z)
        return np.dot(self.row_losses(z, target), weights) / np.add.reduce(weights)

    def backward(self):
        """The fused gradient for the last forward (once per forward)."""
        if self._pending is None:
            raise MinimlpError("SoftmaxCrossEntropy.backward needs a forward first (once per forward)")
        probs, target, weights, buffers = self._pending
        self._pending = None
        return self._fused(probs, target, weights, buffers)

    def row_losses(self, z, target, overwrite=False):
        """The cross-entropy of every row (n,), through log-sum-exp: -log y_t = log Σ exp(z - max) - (z_t - max).

        ``target`` must be checked already (``check_target``); ``overwrite=True``
        works in z's memory (z is garbage afterwards) instead of a copy.
        """
        row_max = np.maximum.reduce(z, axis=1, keepdims=True)
        return self.shifted_row_losses(np.subtract(z, row_max, out=z if overwrite else None), target)

    def shifted_row_losses(self, shifted, target):
        """``row_losses`` from ``shifted`` = z - its row max (n, K), which it overwrites."""
        n, K = shifted.shape
        if target.ndim == 1:
            target_logit = shifted[self._row_numbers(n), target]  # (n,): the shifted logit of the true class
        else:
            target_logit = np.add.reduce(shifted * target, axis=1)  # Σ_k t_k z_k, as Σ t = 1
        eps = self.label_smoothing
        if eps:
            target_logit = (1 - eps) * target_logit + eps * (np.add.reduce(shifted, axis=1) / K)
        losses = np.log(np.add.reduce(np.exp(shifted, out=shifted), axis=1))  # each in [0, log K]
        losses -= target_logit
        return losses

    def gradient(self, z, target, weights=None, buffers=None):
        """The fused gradient (softmax(z) - t)·w/Σw (w/Σw = 1/n unweighted), as ``forward_checked``
        then ``backward`` give it (bit for bit), without computing the loss.  None, for a
        diverged network, when the logits are not all finite or so far apart that their
        differences overflow the float type: the loss would not be finite (or the logits
        were already overflowing).  The training loop steps with this and computes its
        batches' losses later, a chunk at a time, from their saved logits (``row_losses``).
        ``target`` must be checked already (``check_target``); ``buffers`` (from
        ``buffers``) hold the result, else new arrays do.
        """
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is an answer here (None), not a warning
            return self.raw_gradient(z, target, weights, buffers)

    def raw_gradient(self, z, target, weights=None, buffers=None):
        """``gradient`` without its np.errstate guard, for loops that already run inside one."""
        if buffers is None:
            buffers = HeadBuffers(len(z), z.shape[1], z.dtype, self.label_smoothing, like=z)
        if not _probabilities(z, buffers, check=True):
            return None
        return self._fused(buffers.probs, target, weights, buffers)

    def _fused(self, probs, target, weights, buffers):
        """softmax(z) → (softmax(z) - t)·w/Σw in place in ``probs``: the fused layer's backward."""
        n, K = probs.shape
        if target.ndim == 1:
            if buffers.smoothing is not None:
                np.subtract(probs, buffers.smoothing, out=probs)
            # column k of target_columns is what class k subtracts; gathered as columns into targets.T
            # (C-contiguous, as targets is column-major), numpy's take writes in place with no temporary
            buffers.target_columns.take(target, axis=1, out=buffers.targets.T, mode="clip")  # checked labels
            np.subtract(probs, buffers.targets, out=probs)
        else:
            eps = self.label_smoothing
            probs -= target if not eps else (1 - eps) * target + eps / K
        if weights is None:
            np.divide(probs, n, out=probs)
        else:  # w_i / Σ w per row
            np.divide(weights[:, None], np.add.reduce(weights), out=buffers.scale)
            np.multiply(probs, buffers.scale, out=probs)
        return probs

    def _row_numbers(self, n):
        """0..n-1 for label lookups, from one cached arange (kept at the largest n seen)."""
        if len(self._arange) < n:
            self._arange = np.arange(n)
        return self._arange[:n]


class HeadBuffers:
    """What one fused gradient of ``rows`` rows writes: the row maxima and sums, the probabilities
    (laid out as the logits: column-major in training, whose per-row reductions over the classes
    then run along the slow axis, much faster for few classes), the gathered targets."""

    def __init__(self, rows, classes, dtype, label_smoothing, like=None):
        dtype = np.dtype(dtype)
        self.row_max = np.empty((rows, 1), dtype)
        self.row_sum = np.empty((rows, 1), dtype)
        self.probs = np.empty((rows, classes), dtype, order="F") if like is None else np.empty_like(like)
        self.targets = np.empty((rows, classes), dtype, order="F")
        self.scale = np.empty((rows, 1), dtype)
        eps = label_smoothing
        self.smoothing = eps / classes if eps else None
        self.target_columns = np.eye(classes, dtype=dtype) * dtype.type(1 - eps)  # column k: what class k subtracts


def _probabilities(z, buffers, check):
    """softmax(z) into ``buffers.probs``; with ``check``, False (and nothing more) when the logits are
    not all finite or lie so far apart that their differences overflow.

    A finite total (of entries all <= 0) means every entry and row sum is finite, so is every row's
    loss, smoothed or not (log Σ exp lies in [0, log K]); otherwise an entry is NaN or infinite, or
    the logits lie so far apart (~1e38 in float32) that the network has diverged anyway."""
    probs = buffers.probs
    np.maximum.reduce(z, axis=1, keepdims=True, out=buffers.row_max)
    np.subtract(z, buffers.row_max, out=probs)
    if check and not math.isfinite(np.add.reduce(probs, axis=None)):
        return False
    np.exp(probs, out=probs)
    np.add.reduce(probs, axis=1, keepdims=True, out=buffers.row_sum)
    np.divide(probs, buffers.row_sum, out=probs)
    return True


def check_target(z, target):
    """Validate ``target`` against logits z (n, K); return it as labels (n,) or rows of z's dtype."""
    z = np.asarray(z)
    if z.ndim != 2 or z.dtype.kind != "f":
        raise MinimlpError(f"logits must be a 2-D float array (n, K), got shape {z.shape} dtype {z.dtype}")
    n, K = z.shape
    if n == 0 or K == 0:
        raise MinimlpError(f"logits must hold at least one row and one class, got shape {z.shape}")
    target = np.asarray(target)
    if target.ndim == 1 and target.dtype.kind in "iub":
        if target.shape[0] != n:
            raise MinimlpError(f"got {target.shape[0]} labels for {n} rows of logits")
        if (target.min() < 0 or target.max() >= K):
            raise MinimlpError(f"labels must be in [0, {K}), got values from {target.min()} to {target.max()}")
        return target.astype(np.intp, copy=False)
    if target.shape != (n, K) or target.dtype.kind not in "fiub":
        raise MinimlpError(
            f"target must be integer labels ({n},) or probability rows ({n}, {K}), "
            f"got shape {target.shape} dtype {target.dtype}"
        )
    target = target.astype(z.dtype, copy=False)
    tol = np.sqrt(np.finfo(z.dtype).eps)
    if not (np.all(target >= 0) and np.allclose(target.sum(axis=1), 1, rtol=0, atol=tol)):
        raise MinimlpError("probability targets must be non-negative rows that sum to 1")
    return target
