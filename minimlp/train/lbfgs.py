"""Full-batch L-BFGS-B (``scipy.optimize.minimize``) on a network's flat parameters.

The objective is scikit-learn's for its lbfgs solver: the mean cross-entropy
(weighted: Σ w_i C_i / Σ w_i) plus weight_decay/2 · ‖W‖² (weights only, never
biases; scikit-learn's alpha/(2 Σ w)), with the fused gradient of
``SoftmaxCrossEntropy`` back-propagated through ``MLP.backward``.  scipy is
imported inside ``minimize_lbfgs``, so ``import minimlp`` stays light.
"""
import numpy as np

from ..model import Workspace
from ..numerics.losses import SoftmaxCrossEntropy, check_target


class LbfgsObjective:
    """The loss and its gradient (float64, for scipy) of ``net`` on X, y at a parameter vector."""

    def __init__(self, net, X, y, weight_decay=0.0, weights=None):
        self.net, self.weight_decay = net, float(weight_decay)
        self.workspace = Workspace(net, len(X))
        self.workspace.load(net.check_input(X))
        self.y = check_target(self.workspace.logits[-1], y)
        self.weights = None if weights is None else np.asarray(weights, net.dtype)
        self.head = SoftmaxCrossEntropy()
        self.calls = 0

    def __call__(self, theta):
        net = self.net
        np.copyto(net.params, theta, casting="same_kind")
        self.calls += 1
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging line search gets inf, not a warning
            z = net.forward_loaded(self.workspace)
            loss = float(self.head.forward_checked(z, self.y, self.weights))
            net.backward(self.head.backward(), workspace=self.workspace)
            grad = net.grads.astype(np.float64)
            if self.weight_decay:
                for weights in net.weight_slices:
                    W = net.params[weights].astype(np.float64)
                    loss += 0.5 * self.weight_decay * float(np.dot(W, W))
                    grad[weights] += self.weight_decay * W
        return loss, grad


def minimize_lbfgs(objective, max_iter, max_fun, tol, callback=None):
    """scipy's L-BFGS-B from the network's current parameters, as scikit-learn calls it
    (maxiter=max_iter, maxfun=max_fun, gtol=tol); leaves the result's parameters in the network."""
    import scipy.optimize

    net = objective.net
    result = scipy.optimize.minimize(objective, net.params.astype(np.float64), method="L-BFGS-B", jac=True,
                                     callback=callback, options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol})
    np.copyto(net.params, result.x, casting="same_kind")
    return result
