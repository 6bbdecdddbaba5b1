"""The one "stopped improving" rule, and early stopping built on it."""


class Plateau:
    """Epochs without improvement of a value to minimise, and when that is enough.

    Two forms of the same rule, as the two families of tools write it:
    - ``keras`` (Keras' and Lightning's EarlyStopping): an epoch improves when
      value < best - tol, and only then does ``best`` move;
    - ``sklearn`` (scikit-learn's ``_update_no_improvement_count``): an epoch
      counts as no improvement when value > best - tol, and ``best`` follows
      every new minimum.
    ``patience`` epochs without improvement exhaust it.  The state (best, wait)
    is passed in and returned, so a checkpoint holds it as plain numbers.
    """

    def __init__(self, tol=0.0, patience=10, rule="keras"):
        self.tol, self.patience, self.rule = tol, patience, rule

    def update(self, best, wait, value):
        """(best, wait, new_best) after an epoch whose value is ``value``; ``best`` None before the first."""
        if self.rule == "sklearn":
            stalled = best is not None and value > best - self.tol
            new_best = best is None or value < best
        else:
            new_best = best is None or value < best - self.tol
            stalled = not new_best
        return (value if new_best else best), (wait + 1 if stalled else 0), new_best

    def exhausted(self, wait):
        return wait >= self.patience


class EarlyStopping:
    """Stop when ``monitor`` (val_loss, val_acc or train_loss) has not improved by ``min_delta``
    for ``patience`` epochs; keep the best epoch's weights to restore at the end (``restore_best``)."""

    SIGNS = {"val_loss": 1, "val_acc": -1, "train_loss": 1}  # every monitored value is minimised

    def __init__(self, monitor="val_loss", patience=10, min_delta=0.0, restore_best=True):
        self.monitor, self.restore_best = monitor, restore_best
        self.plateau = Plateau(min_delta, patience, "keras")

    @property
    def patience(self):
        return self.plateau.patience

    def value(self, record):
        value = getattr(record, self.monitor)
        return None if value is None else self.SIGNS[self.monitor] * value

    def update(self, record, state, params):
        """Track the monitored value of ``record``; True when it has not improved for ``patience`` epochs."""
        value = self.value(record)
        state.best_value, state.wait, new_best = self.plateau.update(state.best_value, state.wait, value)
        if new_best:
            state.best_epoch, state.best_params = record.epoch, params.copy()
        return self.plateau.exhausted(state.wait)

    def exhausted(self, state):
        """Whether a resumed state had already run out of patience."""
        return self.plateau.exhausted(state.wait)
