"""Temperature scaling (Guo et al., 2017): one factor on the logits, fitted on the validation split.

softmax(z / T) keeps every prediction (the argmax is unchanged) and only makes the
probabilities less (T > 1) or more (T < 1) confident.  T minimises the validation
split's mean cross-entropy  L(β) = mean_i [logsumexp(β z_i) - β Σ_k t_ik z_ik],  β = 1/T,
which is convex in β (its second derivative is the mean variance of z under softmax(β z)):
a 1-D bounded minimisation over log β finds the one minimum.

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
    """The temperature T minimising the cross-entropy of softmax(z / T) against y's smoothed targets; 1.0 for no rows."""
    from scipy.optimize import minimize_scalar

    z, y = np.asarray(z, np.float64), np.asarray(y)
    if len(y) == 0 or not np.isfinite(z).all():
        return 1.0
    t = smoothed_targets(y, z.shape[1])
    with np.errstate(over="ignore", under="ignore"):
        result = minimize_scalar(lambda log_beta: nll(math.exp(log_beta), z, t), bounds=LOG_BETA_BOUNDS,
                                 method="bounded", options={"xatol": 1e-6})
    return float(math.exp(-result.x))


def calibrate(net, X_val, y_val):
    """Fit T on the validation split and fold it into ``net``'s output layer (in place); return T."""
    temperature = fit_temperature(validation_logits(net, X_val), y_val)
    last = slice(net.weight_slices[-1].start, None)  # the output layer's [W; b] block ends the parameter vector
    net.params[last] /= net.params.dtype.type(temperature)
    return temperature
