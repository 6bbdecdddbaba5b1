"""Temperature scaling (Guo et al., 2017): one factor on the logits, fitted on the validation split.

softmax(z / T) keeps every prediction (the argmax is unchanged) and only makes the
probabilities less (T > 1) or more (T < 1) confident.  T minimises the validation
split's mean cross-entropy  L(β) = mean_i [logsumexp(β z_i) - β Σ_k t_ik z_ik],  β = 1/T,
which is convex in β (its second derivative is the mean variance of z under softmax(β z)):
bisection on the sign of its derivative finds the one minimum.

The targets t are the labels smoothed by the Jeffreys estimate of an error rate never seen
in n rows: t = (1 - ε)·onehot + ε/K, ε = 1/(2n + 2).  Without it, a small validation split that the
network classifies without a mistake (iris: 15 rows) has no minimum — L falls as T → 0 —
and the fitted model would be certain of every answer, so one test mistake costs ~30 nats;
with it, a flawless validation split gets T at a confidence near 1 - ε(K-1)/K, and a large one
is fitted as by the plain NLL.  The network then carries T: its output layer's weights and
biases are divided by it, so predict, evaluate and every saved model use it with no new code path.
"""
import math

import numpy as np

from ..model import PREDICT_CHUNK

LOG_BETA_BOUNDS = (math.log(1e-2), math.log(1e2))  # T in [0.01, 100]


def validation_logits(net, X):
    """(n, K) float64 logits of ``net`` on X, in chunks."""
    return np.concatenate([np.asarray(net.forward(X[s:s + PREDICT_CHUNK]), np.float64)
                           for s in range(0, len(X), PREDICT_CHUNK)]) if len(X) else np.zeros((0, net.sizes[-1]))


def smoothed_targets(y, n_classes):
    """(n, K) the labels smoothed over n rows: (1 - ε)·onehot + ε/K, ε = 1/(2n + 2) (Jeffreys)."""
    eps = 0.5 / (len(y) + 1)
    t = np.full((len(y), n_classes), eps / n_classes)
    t[np.arange(len(y)), y] += 1 - eps
    return t


def nll(beta, z, t):
    """Mean cross-entropy of softmax(beta·z) against targets t (n, K) (float64, through log-sum-exp)."""
    s = beta * z
    s = s - s.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(s).sum(axis=1)) - (t * s).sum(axis=1)))


def fit_temperature(z, y):
    """The temperature T minimising the cross-entropy of softmax(z / T) against y's smoothed targets; 1.0 for no rows.

    L is convex in β = 1/T, so its derivative  L'(β) = mean_i (E_softmax(βz_i)[z_i] - Σ_k t_ik z_ik)
    rises with β: bisection on its sign over log β in LOG_BETA_BOUNDS finds the minimum (numpy only:
    no scipy import on a command's path)."""
    z, y = np.asarray(z, np.float64), np.asarray(y)
    if len(y) == 0 or not np.isfinite(z).all():
        return 1.0
    target = (smoothed_targets(y, z.shape[1]) * z).sum(axis=1)  # (n,) Σ_k t_k z_k
    low, high = LOG_BETA_BOUNDS
    if _slope(math.exp(low), z, target) >= 0:
        return math.exp(-low)
    if _slope(math.exp(high), z, target) <= 0:
        return math.exp(-high)
    for _ in range(60):  # the bracket shrinks 2^60-fold: far below float64's resolution of log β
        middle = (low + high) / 2
        if _slope(math.exp(middle), z, target) > 0:
            high = middle
        else:
            low = middle
    return math.exp(-(low + high) / 2)


def _slope(beta, z, target):
    """L'(β): the mean over rows of the softmax(βz)-expected logit minus the targets' expected logit."""
    s = beta * z
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return float(np.mean((p * z).sum(axis=1) - target))


def calibrate(net, X_val, y_val):
    """Fit T on the validation split and fold it into ``net``'s output layer (in place); return T.

    An ensemble (``net.members``) predicts mean_m softmax(z_m / T): T is fitted on that mixture's
    cross-entropy and folded into every member's output layer."""
    members = getattr(net, "members", None)
    if members is None:
        temperature = fit_temperature(validation_logits(net, X_val), y_val)
    else:
        temperature = fit_mixture_temperature([validation_logits(m, X_val) for m in members], y_val)
    for member in members or [net]:
        last = slice(member.weight_slices[-1].start, None)  # the output layer's [W; b] block ends the vector
        member.params[last] /= member.params.dtype.type(temperature)
    return temperature


def mixture_nll(beta, zs, t):
    """Mean cross-entropy of mean_m softmax(beta·z_m) against targets t (float64)."""
    p = np.zeros_like(t)
    for z in zs:
        s = beta * z
        e = np.exp(s - s.max(axis=1, keepdims=True))
        p += e / e.sum(axis=1, keepdims=True)
    p /= len(zs)
    with np.errstate(divide="ignore"):
        return float(np.mean(-(t * np.log(np.maximum(p, np.finfo(np.float64).tiny))).sum(axis=1)))


def fit_mixture_temperature(zs, y):
    """T minimising ``mixture_nll`` over log β in LOG_BETA_BOUNDS (golden-section search: a mixture's loss
    is not convex in β as one network's is, but it has one valley in practice); 1.0 for no rows."""
    zs, y = [np.asarray(z, np.float64) for z in zs], np.asarray(y)
    if len(y) == 0 or not all(np.isfinite(z).all() for z in zs):
        return 1.0
    t = smoothed_targets(y, zs[0].shape[1])
    low, high = LOG_BETA_BOUNDS
    ratio = (math.sqrt(5) - 1) / 2
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    fa, fb = mixture_nll(math.exp(a), zs, t), mixture_nll(math.exp(b), zs, t)
    for _ in range(80):
        if fa <= fb:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = mixture_nll(math.exp(a), zs, t)
        else:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = mixture_nll(math.exp(b), zs, t)
    return math.exp(-(low + high) / 2)
