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
    its gradient is w_i (y_i - t_i) / Σ w_i (``forward_checked(..., weights)``);
    without them the code path is the unweighted one, untouched.
    """

    def __init__(self, label_smoothing=0.0):
        if not 0.0 <= label_smoothing < 1.0:
            raise MinimlpError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        self.label_smoothing = float(label_smoothing)
        self._grad = None  # softmax(z) of the last forward; backward turns it into the gradient
        self._target = None
        self._row_scale = None  # w / Σ w (n, 1) of a weighted forward
        self._arange = np.arange(0)

    def forward(self, z, target):
        """Mean cross-entropy of logits z (n, K) against ``target``; a scalar of z's dtype."""
        target = check_target(z, target)
        return self.forward_checked(z, target)

    def forward_checked(self, z, target, weights=None):
        """``forward`` for a target already checked by ``check_target``; ``weights`` (n,) of z's dtype, or None."""
        if weights is not None:
            return self._weighted_forward(z, target, weights)
        loss = np.add.reduce(self.row_losses(z, target)) / len(z)
        self._grad, self._target = softmax(z), target
        return loss

    def _weighted_forward(self, z, target, weights):
        total = np.add.reduce(weights)
        loss = np.dot(self.row_losses(z, target), weights) / total
        self._grad, self._target = softmax(z), target
        self._row_scale = (weights / total)[:, None]  # backward: (y - t) · w_i / Σ w
        return loss

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

    def gradient(self, z, target):
        """(softmax(z) - t) / n, as ``forward_checked`` then ``backward`` give it (bit for bit),
        without computing the loss.  None, for a diverged network, when the logits
        are not all finite or so far apart that their differences overflow the
        float type: the loss would not be finite (or the logits were already
        overflowing).  The training loop steps with this and computes its
        batches' losses later, a chunk at a time, from their saved logits
        (``row_losses``).  ``target`` must be checked already (``check_target``).
        """
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is an answer here (None), not a warning
            return self.raw_gradient(z, target)

    def raw_gradient(self, z, target):
        """``gradient`` without its np.errstate guard, for loops that already run inside one."""
        shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)  # (n, K), each <= 0 when finite
        # A finite total (of entries all <= 0) means every entry and row sum is finite, so is every row's
        # loss, smoothed or not (log Σ exp lies in [0, log K]); otherwise an entry is NaN or infinite, or
        # the logits lie so far apart (~1e38 in float32) that the network has diverged anyway.
        if not math.isfinite(np.add.reduce(shifted, axis=None)):
            return None
        probs = np.exp(shifted, out=shifted)
        probs /= np.add.reduce(probs, axis=1, keepdims=True)
        self._grad, self._target = probs, target
        return self.backward()

    def backward(self):
        """(softmax(z) - t) / n for the last forward, written over the cached probabilities."""
        grad, target = self._grad, self._target
        if grad is None:
            raise MinimlpError("SoftmaxCrossEntropy.backward needs a forward first (once per forward)")
        n, K = grad.shape
        eps = self.label_smoothing
        if target.ndim == 1:
            if eps:
                grad -= eps / K
            grad[self._row_numbers(n), target] -= 1 - eps
        else:
            grad -= target if not eps else (1 - eps) * target + eps / K
        if self._row_scale is None:
            grad /= n
        else:
            grad *= self._row_scale
        self._grad = self._target = self._row_scale = None
        return grad

    def _row_numbers(self, n):
        """0..n-1 for label lookups, from one cached arange (kept at the largest n seen)."""
        if len(self._arange) < n:
            self._arange = np.arange(n)
        return self._arange[:n]


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
