"""``fit``: train a network on arrays with an optimizer, a schedule and plain options."""
from ..numerics.optim import FullBatch
from .lbfgs import fit_lbfgs
from .loop import fit_epochs
from .schedules import EpochFunction


def fit(net, X, y, X_val, y_val, options, optimizer, schedule=None, state=None, on_epoch=None, stop_requested=None,
        weights=None):
    """Train ``net`` on X, y (validation X_val, y_val, possibly empty) as ``options`` (a TrainOptions) say.

    ``optimizer`` updates the weights: mini-batch epochs for SGD and Adam, scipy's
    L-BFGS-B for a full-batch one (``FullBatch``).  ``schedule`` sets the lr at each
    epoch's start and end (default: constant); its ``epoch_end`` returning True stops
    training early.  ``state`` (default: the start) continues a run; ``on_epoch(record,
    state)`` is called after every epoch; ``stop_requested()`` after every batch: an
    interrupt finishes the batch, then returns with a state that continues exactly
    where it stopped.  ``weights`` (one per training row, or None) weight the training
    loss and its gradient: Σ w_i C_i / Σ w_i per batch, and the epoch's train_loss
    Σ w_i C_i / Σ w_i.
    """
    if isinstance(optimizer, FullBatch):
        return fit_lbfgs(net, X, y, X_val, y_val, options, optimizer, state, on_epoch, stop_requested, weights)
    schedule = schedule or EpochFunction("constant", optimizer.lr, options.epochs)
    return fit_epochs(net, X, y, X_val, y_val, options, optimizer, schedule, state, on_epoch, stop_requested, weights)
