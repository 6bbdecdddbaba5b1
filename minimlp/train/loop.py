"""The epoch loop: mini-batch training, evaluation, early stopping and the history.

No printing and no files here: progress goes to a callback, and everything
needed to continue a run exactly lives in a ``TrainState`` the caller may save.
It takes arrays, the network, an optimizer, a schedule and plain options.
"""
import time
from dataclasses import dataclass

import numpy as np

from ..numerics.losses import SoftmaxCrossEntropy
from ..numerics.workspace import Workspace
from .batch_metrics import BatchMetrics
from .batch_rows import BatchRows
from .ensemble_step import EnsembleStep, EnsembleWorkspace
from .records import EpochRecord, TrainResult, TrainState, dropout_rng, evaluate, shuffle_rng
from .step import TrainStep, check_weights
from .threads import blas_threads


@dataclass
class TrainOptions:
    """What the epoch loop needs to know, beyond the data, the network, the optimizer and the schedule."""

    epochs: int
    batch_size: int
    shuffle: bool = True
    label_smoothing: float = 0.0
    seed: int = 0  # of the shuffling and dropout streams
    early_stopping: "object | None" = None  # a stopping.EarlyStopping, or None


def fit_epochs(net, X, y, X_val, y_val, options, optimizer, schedule, state=None, on_epoch=None,
               stop_requested=None, weights=None):
    """Train ``net`` on X, y by mini-batches from ``state`` (default: the start); see ``fit``."""
    head = SoftmaxCrossEntropy(options.label_smoothing)
    state = state or TrainState()
    stop_requested = stop_requested or (lambda: False)
    rng = shuffle_rng(options.seed)
    if state.rng_state is None:
        state.rng_state = rng.bit_generator.state
    rng.bit_generator.state = state.rng_state  # the start of epoch `state.epoch + 1`
    drops = _dropout_stream(net, options.seed, state)
    n = len(X)
    space, step = (EnsembleWorkspace, EnsembleStep) if hasattr(net, "members") else (Workspace, TrainStep)
    full = space(net, min(options.batch_size, n), dropout_rng=drops)
    steps = {full.rows: step(full, head, optimizer)}
    if n % full.rows:  # the last, smaller batch shares the full batch's memory
        steps[n % full.rows] = step(space(net, n % full.rows, dropout_rng=drops, share=full), head, optimizer)
    if weights is not None:
        weights = check_weights(weights, n, net.dtype)
    metrics = BatchMetrics(head, full.rows, n, net.sizes[-1], net.dtype)
    batches = BatchRows(X, full.inputs[0])
    total = n if weights is None else float(np.add.reduce(weights, dtype=np.float64))  # the epoch loss's divisor
    stopping = options.early_stopping
    # non-finite values are caught explicitly, batch by batch; small products run on one BLAS thread
    with np.errstate(all="ignore"), blas_threads(net, full.rows):
        while state.epoch < options.epochs:
            if stopping and stopping.exhausted(state):  # decided before a checkpoint was resumed
                return _result("early_stopped", state, stopping, net, drops)
            if stop_requested():
                return _result("interrupted", state, stopping, net, drops)
            tick = time.perf_counter()
            schedule.epoch_start(optimizer, state)
            outcome = run_epoch(batches, y, options, rng, state, stop_requested, steps, metrics, weights)
            if outcome == "done":
                val_loss, val_acc = evaluate(net, SoftmaxCrossEntropy(), X_val, y_val)
            state.seconds += time.perf_counter() - tick
            if outcome != "done":  # state.rng_state still holds this epoch's start: a resume redraws its order
                return _result(outcome, state, stopping, net, drops)
            state.rng_state = rng.bit_generator.state
            record = _finish_epoch(state, n, val_loss, val_acc, optimizer.lr, total)
            stop = bool(stopping) and stopping.update(record, state, net.params)
            stop = schedule.epoch_end(optimizer, record, state) or stop
            _save_stream(drops, state)
            if on_epoch:
                on_epoch(record, state)
            if stop:
                return _result("early_stopped", state, stopping, net, drops)
    return _result("completed", state, stopping, net, drops)


def run_epoch(batches, y, options, rng, state, stop_requested, steps, metrics, weights=None):
    """Train one epoch from batch ``state.batch``; 'done', 'diverged' or 'interrupted'.

    One permutation per epoch; ``batches`` (BatchRows) gathers the rows a few
    batches at a time (memory stays at a few batches, not a shuffled copy of
    the data).  A step needs only the gradient; ``metrics`` gets the batch's
    logits for the loss and accuracy.  Divergence stops at the batch with the
    last good weights: a non-finite loss before the step (the optimizer's state
    is untouched too), a non-finite update when the optimizer refuses it.
    """
    n, size = len(y), options.batch_size
    order = rng.permutation(n) if options.shuffle else np.arange(n)
    labels = y[order]  # this epoch's labels in batch order
    weights = None if weights is None else weights[order]
    batches.start(order)
    metrics.start(labels, state.batch * size, weights)
    outcome = "done"
    for start in range(state.batch * size, n, size):
        stop = start + size if start + size < n else n
        rows = stop - start
        if weights is None:
            ok = steps[rows](batches.batch(start, stop), labels[start:stop], metrics.slot(rows))
        else:
            ok = steps[rows](batches.batch(start, stop), labels[start:stop], metrics.slot(rows), weights[start:stop])
        if not ok:
            outcome = "diverged"
            break
        state.batch += 1
        metrics.add(rows, state)
        if stop < n and stop_requested():
            outcome = "interrupted"
            break
    metrics.flush(state)
    return outcome


def _dropout_stream(net, seed, state):
    """The generator dropout layers draw from (None without dropout), where ``state`` left it."""
    if not getattr(net, "dropout", 0):
        return None
    drops = dropout_rng(seed)
    if state.dropout_state is not None:
        drops.bit_generator.state = state.dropout_state
    return drops


def _save_stream(drops, state):
    if drops is not None:
        state.dropout_state = drops.bit_generator.state


def _finish_epoch(state, n, val_loss, val_acc, lr, total):
    state.epoch += 1
    state.samples += n
    record = EpochRecord(state.epoch, state.loss_sum / total, state.correct / n, val_loss, val_acc, lr, state.seconds)
    state.history.append(record)
    state.batch, state.loss_sum, state.correct, state.seconds = 0, 0.0, 0, 0.0
    return record


def _result(status, state, stopping, net, drops):
    """End a fit: early stopping's best weights back in place (unless interrupted), and the summary."""
    _save_stream(drops, state)
    if stopping and stopping.restore_best and state.best_params is not None and status != "interrupted":
        state.last_params = net.params.copy()  # a run continued later (--resume --epochs) goes on from these
        np.copyto(net.params, state.best_params)
    return summary(status, state, stopping)


def summary(status, state, stopping):
    """The TrainResult a fit that ended with ``status`` at ``state`` reports (``stopping``: its EarlyStopping or None)."""
    best = state.best_epoch if stopping else None
    messages = {
        "completed": f"trained {state.epoch} epochs",
        "early_stopped": f"stopped early after epoch {state.epoch}: {stopping and stopping.monitor} has not improved "
                         f"for {stopping and stopping.patience} epochs (best: epoch {best})",
        "diverged": f"training diverged in epoch {state.epoch + 1}: the loss or a gradient became NaN or "
                    "infinite; the weights before that step are kept. Try a lower optimizer.lr",
        "interrupted": f"interrupted in epoch {state.epoch + 1} after batch {state.batch}",
    }
    seconds = sum(record.seconds for record in state.history) + state.seconds
    return TrainResult(status, messages[status], state.history, seconds, best)
