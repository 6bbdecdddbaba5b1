"""Softmax and the fused softmax + cross-entropy output layer."""
import numpy as np

from .errors import MinimlpError


def log_softmax(z):
    """log softmax of each row of z (n, K) through log-sum-exp: finite for any finite z."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z):
    """softmax of each row of z (n, K); the max is subtracted first so exp never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
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
    """

    def __init__(self, label_smoothing=0.0):
        if not 0.0 <= label_smoothing < 1.0:
            raise MinimlpError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        self.label_smoothing = float(label_smoothing)
        self._grad = None  # softmax(z) of the last forward; backward turns it into the gradient
        self._target = self._rows = None
        self._arange = np.arange(0)  # row numbers 0..n-1 for label lookups, kept at the largest n seen

    def forward(self, z, target):
        """Mean cross-entropy of logits z (n, K) against ``target``; a scalar of z's dtype."""
        target = check_target(z, target)
        return self.forward_checked(z, target)

    def forward_checked(self, z, target):
        """``forward`` for a target already checked by ``check_target`` (the training loop's path)."""
        n, K = z.shape
        eps = self.label_smoothing
        shifted = z - np.maximum.reduce(z, axis=1, keepdims=True)  # (n, K), max 0 in every row
        if target.ndim == 1:
            if len(self._arange) < n:
                self._arange = np.arange(n)
            rows = self._arange[:n]
            target_logit = shifted[rows, target]  # (n,): the shifted logit of the true class
        else:
            rows, target_logit = None, np.add.reduce(shifted * target, axis=1)  # Σ_k t_k z_k, as Σ t = 1
        if eps:
            target_logit = (1 - eps) * target_logit + eps * (np.add.reduce(shifted, axis=1) / K)
        probs = np.exp(shifted, out=shifted)
        sums = np.add.reduce(probs, axis=1, keepdims=True)  # (n, 1), in [1, K]
        losses = np.log(sums)[:, 0]
        losses -= target_logit  # -log y_target = log Σ exp(z - max) - (z_target - max)
        probs /= sums
        self._grad, self._target, self._rows = probs, target, rows
        return np.add.reduce(losses) / n

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
            grad[self._rows, target] -= 1 - eps
        else:
            grad -= target if not eps else (1 - eps) * target + eps / K
        grad /= n
        self._grad = self._target = self._rows = None
        return grad


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
