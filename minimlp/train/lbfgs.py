"""Full-batch L-BFGS-B (``scipy.optimize.minimize``) on a network's flat parameters.

The objective is scikit-learn's for its lbfgs solver: the mean cross-entropy
(weighted: Σ w_i C_i / Σ w_i) plus weight_decay/2 · ‖W‖² (weights only, never
biases; scikit-learn's alpha/(2 Σ w)), with the fused gradient of
``SoftmaxCrossEntropy`` back-propagated through ``MLP.backward``.  scipy is
imported inside ``minimize_lbfgs``, so ``import minimlp`` stays light.
"""
import time

import numpy as np

from ..numerics.losses import SoftmaxCrossEntropy, check_target
from ..numerics.workspace import Workspace
from .records import EpochRecord, TrainResult, TrainState, evaluate, shuffle_rng
from .step import check_weights


class LbfgsObjective:
    """The loss and its gradient (float64, for scipy) of ``net`` on X, y at a parameter vector."""

    def __init__(self, net, X, y, weight_decay=0.0, weights=None, label_smoothing=0.0):
        self.net, self.weight_decay = net, float(weight_decay)
        self.workspace = Workspace(net, len(X))
        self.workspace.load(net.check_input(X))
        self.y = check_target(self.workspace.logits, y)
        self.weights = None if weights is None else check_weights(weights, len(X), net.dtype)
        self.head = SoftmaxCrossEntropy(label_smoothing)
        self.calls = 0

    def data_loss(self):
        """(the training loss without the penalty, accuracy) at the network's current parameters."""
        with np.errstate(over="ignore", invalid="ignore"):
            z = self.workspace.forward()
            correct = z.argmax(axis=1) == self.y
            loss = float(self.head.loss(z, self.y, self.weights))
        return loss, float(np.count_nonzero(correct)) / len(z)

    def __call__(self, theta):
        net = self.net
        np.copyto(net.params, theta, casting="same_kind")
        self.calls += 1
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging line search gets inf, not a warning
            z = self.workspace.forward()
            loss = float(self.head.forward_checked(z, self.y, self.weights))
            self.workspace.backward(self.head.backward())
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


def fit_lbfgs(net, X, y, X_val, y_val, options, optimizer, state=None, on_epoch=None, stop_requested=None,
              weights=None):
    """``train.fit`` for a full-batch optimizer (``FullBatch``): one history record per L-BFGS-B iteration
    (options.epochs of them at most), the loss weight_decay-penalised as the optimizer sees it.

    The records reach ``on_epoch`` once the optimization has ended, so no checkpoint holds a
    half-run state: L-BFGS's memory cannot be saved, and an interrupted run returns to its
    initial weights (state at epoch 0), so a resume runs it again, to the same weights bit for bit.
    """
    state = state if state is not None else TrainState()
    if state.rng_state is None:  # unused, but a checkpoint holds one
        state.rng_state = shuffle_rng(options.seed).bit_generator.state
    stop_requested = stop_requested or (lambda: False)
    if state.epoch >= options.epochs:
        return TrainResult("completed", f"trained {state.epoch} iterations", state.history, 0.0, None)
    initial = net.params.copy()
    objective = LbfgsObjective(net, X, y, optimizer.weight_decay, weights, options.label_smoothing)
    ticks, records = [time.perf_counter()], []
    plain = SoftmaxCrossEntropy()

    def callback(intermediate_result):
        np.copyto(net.params, intermediate_result.x, casting="same_kind")
        train_loss, train_acc = objective.data_loss()
        val_loss, val_acc = evaluate(net, plain, X_val, y_val)
        ticks.append(time.perf_counter())
        records.append(EpochRecord(len(records) + 1, train_loss, train_acc, val_loss, val_acc, optimizer.lr,
                                   ticks[-1] - ticks[-2]))
        if stop_requested():
            raise StopIteration

    result = minimize_lbfgs(objective, options.epochs, optimizer.max_fun, optimizer.tol, callback=callback)
    if len(records) < options.epochs and stop_requested():  # interrupted: nothing of it is kept
        np.copyto(net.params, initial)
        return TrainResult("interrupted", "interrupted during L-BFGS-B; a resume runs it again from the start",
                           state.history, 0.0, None)
    diverged = not (np.all(np.isfinite(net.params)) and np.isfinite(result.fun))
    if diverged:
        np.copyto(net.params, initial)
    for record in records:
        state.epoch, state.samples = record.epoch, record.epoch * len(X)
        state.history.append(record)
        if on_epoch:
            on_epoch(record, state)
    status = "diverged" if diverged else "completed"
    message = (f"L-BFGS-B {'converged' if result.status == 0 else 'stopped'} after {len(records)} iterations "
               f"and {objective.calls} loss evaluations: {result.message}")
    return TrainResult(status, message, state.history, sum(r.seconds for r in state.history), None)
