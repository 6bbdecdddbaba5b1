"""The epoch loop: mini-batch training, evaluation, early stopping and the history.

No printing and no files here: progress goes to a callback, and everything
needed to continue a run exactly lives in a ``TrainState`` the caller may save.
"""
import time
from dataclasses import dataclass, field

import numpy as np

from .batch_metrics import BatchMetrics
from .batch_rows import BatchRows
from ..errors import MinimlpError
from ..numerics.losses import SoftmaxCrossEntropy
from ..model import PREDICT_CHUNK, Workspace
from .step import TrainStep, WeightedTrainStep, check_weights
from ..numerics.optim import SGD, Adam, AdamW, FullBatch, ScaledSGD
from .schedules import END_OF_EPOCH, ConfigSchedule, epoch_lr  # noqa: F401 (epoch_lr: part of this module's API)

HISTORY_COLUMNS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "seconds")


@dataclass
class EpochRecord:
    epoch: int
    train_loss: float
    train_acc: float
    val_loss: "float | None"
    val_acc: "float | None"
    lr: float
    seconds: float


@dataclass
class TrainState:
    """Where a run is: completed epochs, the partial epoch, the shuffling RNG, early stopping."""

    epoch: int = 0  # completed epochs
    batch: int = 0  # batches done in epoch `epoch + 1` (non-zero only after an interrupt)
    loss_sum: float = 0.0  # that partial epoch's sums so far
    correct: int = 0
    seconds: float = 0.0
    rng_state: dict = None  # the shuffling RNG at the start of epoch `epoch + 1`
    best_value: "float | None" = None  # early stopping: best monitored value, its epoch, epochs since
    best_epoch: int = 0
    wait: int = 0
    best_params: "np.ndarray | None" = None
    history: list = field(default_factory=list)
    samples: int = 0  # training samples seen in the completed epochs (invscaling's t)
    lr_best: "float | None" = None  # adaptive schedule: the lowest training loss, epochs since it improved by min_delta
    lr_wait: int = 0


@dataclass
class TrainResult:
    status: str  # completed, early_stopped, diverged or interrupted
    message: str
    history: list
    seconds: float
    best_epoch: "int | None"


def shuffle_rng(seed):
    """The shuffling stream, independent of the weight initialisation drawn from ``seed`` itself."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))


def make_optimizer(net, opt):
    """The optimizer an OptimizerConfig describes.

    With scikit-learn's schedules (invscaling, adaptive) SGD's velocity holds
    lr-scaled steps, as scikit-learn's does, so a changed lr acts as there.
    """
    if opt.name == "adamw":
        return AdamW(net, lr=opt.lr, betas=(opt.beta_1, opt.beta_2), eps=opt.epsilon, weight_decay=opt.weight_decay)
    if opt.name == "adam":
        return Adam(net, lr=opt.lr, betas=(opt.beta_1, opt.beta_2), eps=opt.epsilon, weight_decay=opt.weight_decay)
    if opt.name == "sgd":
        kind = ScaledSGD if opt.schedule in END_OF_EPOCH else SGD
        return kind(net, lr=opt.lr, momentum=opt.momentum, nesterov=opt.nesterov, weight_decay=opt.weight_decay)
    if opt.name == "lbfgs":
        return FullBatch(net, lr=opt.lr, weight_decay=opt.weight_decay)
    raise MinimlpError(f"unknown optimizer {opt.name!r}; choose one of: sgd, adam, adamw, lbfgs")


def evaluate(net, head, X, y):
    """(mean loss, accuracy) of ``net`` on X, y, in chunks; (None, None) for no rows.

    Validation and test use the plain cross-entropy; only training adds label smoothing.
    """
    if len(X) == 0:
        return None, None
    loss_sum, correct = 0.0, 0
    for start in range(0, len(X), PREDICT_CHUNK):
        z = net.forward(X[start:start + PREDICT_CHUNK])
        yb = y[start:start + PREDICT_CHUNK]
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged net's loss may be inf: reported, not warned
            loss_sum += float(np.add.reduce(head.row_losses(z, yb), dtype=np.float64))  # float32 rows of 1e36 overflow a float32 sum
        correct += int(np.count_nonzero(z.argmax(axis=1) == yb))
    return loss_sum / len(X), correct / len(X)


def fit(net, splits, config, state=None, optimizer=None, on_epoch=None, stop_requested=None, schedule=None,
        weights=None):
    """Train ``net`` on ``splits`` as ``config`` says, from ``state`` (default: the start).

    ``on_epoch(record, state)`` is called after every epoch; ``stop_requested()``
    after every batch: an interrupt finishes the batch, then returns with a
    state that continues exactly where it stopped.  ``schedule`` (default: the
    config's, ``schedules.ConfigSchedule``) sets the lr at each epoch's start
    and end; its ``epoch_end`` returning True stops training early.  ``weights``
    (one per training row, or None) weight the training loss and its gradient:
    Σ w_i C_i / Σ w_i per batch, and the epoch's train_loss Σ w_i C_i / Σ w_i.
    """
    if config.optimizer.name == "lbfgs":
        from .lbfgs import fit_lbfgs  # full batch: its own loop

        return fit_lbfgs(net, splits, config, state, on_epoch, stop_requested, weights)
    train = config.train
    opt = optimizer or make_optimizer(net, config.optimizer)
    schedule = schedule or ConfigSchedule(config.optimizer, train)
    head = SoftmaxCrossEntropy(train.label_smoothing)
    state = state or TrainState()
    stop_requested = stop_requested or (lambda: False)
    rng = shuffle_rng(config.seed)
    if state.rng_state is None:
        state.rng_state = rng.bit_generator.state
    rng.bit_generator.state = state.rng_state  # the start of epoch `state.epoch + 1`
    n = len(splits.X_train)
    full = Workspace(net, min(train.batch_size, n))
    kind = TrainStep if weights is None else WeightedTrainStep
    if weights is not None:
        weights = check_weights(weights, n, net.dtype)
    steps = {full.rows: kind(net, head, opt, full)}
    if n % full.rows:  # the last, smaller batch shares the full batch's memory
        steps[n % full.rows] = kind(net, head, opt, full.head(n % full.rows))
    metrics = BatchMetrics(head, full.rows, n, net.sizes[-1], net.dtype)
    batches = BatchRows(splits.X_train, full.inputs[0])
    total = n if weights is None else float(np.add.reduce(weights, dtype=np.float64))  # the epoch loss's divisor
    with np.errstate(all="ignore"):  # non-finite values are caught explicitly, batch by batch
        while state.epoch < train.epochs:
            if train.early_stopping and state.wait >= train.patience:  # decided before a checkpoint was resumed
                return _result("early_stopped", state, train, net)
            if stop_requested():
                return _result("interrupted", state, train, net)
            tick = time.perf_counter()
            schedule.epoch_start(opt, state)
            outcome = run_epoch(batches, splits.y_train, train, rng, state, stop_requested, steps, metrics, weights)
            if outcome == "done":
                val_loss, val_acc = evaluate(net, SoftmaxCrossEntropy(), splits.X_val, splits.y_val)
            state.seconds += time.perf_counter() - tick
            if outcome != "done":  # state.rng_state still holds this epoch's start: a resume redraws its order
                return _result(outcome, state, train, net)
            state.rng_state = rng.bit_generator.state
            record = _finish_epoch(state, n, val_loss, val_acc, opt.lr, total)
            stop = train.early_stopping and _no_longer_improving(net, record, state, train)
            stop = schedule.epoch_end(opt, record, state) or stop
            if on_epoch:
                on_epoch(record, state)
            if stop:
                return _result("early_stopped", state, train, net)
    return _result("completed", state, train, net)


def run_epoch(batches, y, train, rng, state, stop_requested, steps, metrics, weights=None):
    """Train one epoch from batch ``state.batch``; 'done', 'diverged' or 'interrupted'.

    One permutation per epoch; ``batches`` (BatchRows) gathers the rows a few
    batches at a time (memory stays at a few batches, not a shuffled copy of
    the data).  A step needs only the gradient; ``metrics`` gets the batch's
    logits for the loss and accuracy.  Divergence stops at the batch with the
    last good weights: a non-finite loss before the step (the optimizer's state
    is untouched too), a non-finite update when the optimizer refuses it.
    """
    n, size = len(y), train.batch_size
    order = rng.permutation(n) if train.shuffle else np.arange(n)
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


def _finish_epoch(state, n, val_loss, val_acc, lr, total):
    state.epoch += 1
    state.samples += n
    record = EpochRecord(state.epoch, state.loss_sum / total, state.correct / n, val_loss, val_acc, lr, state.seconds)
    state.history.append(record)
    state.batch, state.loss_sum, state.correct, state.seconds = 0, 0.0, 0, 0.0
    return record


def _no_longer_improving(net, record, state, train):
    """Track the monitored metric; True when it has not improved for ``patience`` epochs."""
    value = {"val_loss": record.val_loss, "val_acc": -record.val_acc if record.val_acc is not None else None,
             "train_loss": record.train_loss}[train.monitor]
    if state.best_value is None or value < state.best_value - train.min_delta:
        state.best_value, state.best_epoch, state.wait = value, record.epoch, 0
        state.best_params = net.params.copy()
        return False
    state.wait += 1
    return state.wait >= train.patience


def _result(status, state, train, net):
    """End a fit: early stopping's best weights back in place (unless interrupted), and the summary."""
    if train.early_stopping and train.restore_best and state.best_params is not None and status != "interrupted":
        np.copyto(net.params, state.best_params)
    return summary(status, state, train)


def summary(status, state, train):
    """The TrainResult a fit that ended with ``status`` at ``state`` reports."""
    best = state.best_epoch if train.early_stopping else None
    messages = {
        "completed": f"trained {state.epoch} epochs",
        "early_stopped": f"stopped early after epoch {state.epoch}: {train.monitor} has not improved "
                         f"for {train.patience} epochs (best: epoch {best})",
        "diverged": f"training diverged in epoch {state.epoch + 1}: the loss or a gradient became NaN or "
                    "infinite; the weights before that step are kept. Try a lower optimizer.lr",
        "interrupted": f"interrupted in epoch {state.epoch + 1} after batch {state.batch}",
    }
    seconds = sum(record.seconds for record in state.history) + state.seconds
    return TrainResult(status, messages[status], state.history, seconds, best)
