"""Learning-rate schedules as the epoch loop applies them: at each epoch's start, or from its end.

``constant``, ``step`` and ``cosine`` (with warm-up) are functions of the epoch
number, set at each epoch's start (``numerics.optim.scheduled_lr``).
``invscaling`` and ``adaptive`` are scikit-learn's, updated at an epoch's end
as its ``SGDOptimizer.iteration_ends`` / ``trigger_stopping`` do: invscaling
sets lr = lr_init / (t + 1)^power_t, t the training samples seen so far;
adaptive divides lr by 5 each time the training loss has not improved on its
best by ``min_delta`` for ``patience`` epochs in a row (scikit-learn's rule
with n_iter_no_change = patience - 1).  The current lr lives in the
optimizer's state, which a checkpoint saves, so a resume continues exactly.
"""
from ..numerics.optim import scheduled_lr

END_OF_EPOCH = ("invscaling", "adaptive")


class ConfigSchedule:
    """The schedule an OptimizerConfig names, for a run of ``train.epochs`` epochs."""

    def __init__(self, opt, train):
        self.opt, self.train = opt, train

    def epoch_start(self, optimizer, state):
        if self.opt.schedule not in END_OF_EPOCH:
            optimizer.lr = epoch_lr(self.opt, state.epoch + 1, self.train.epochs)

    def epoch_end(self, optimizer, record, state):
        """Update the lr after ``record``'s epoch; True would stop training (config schedules never do)."""
        if self.opt.schedule == "invscaling":
            optimizer.lr = invscaling_lr(self.opt.lr, state.samples, self.opt.power_t)
        elif self.opt.schedule == "adaptive":
            if plateau_count(state, record.train_loss, self.train.min_delta) >= self.train.patience:
                optimizer.lr /= 5.0
                state.lr_wait = 0
        return False


def epoch_lr(opt, epoch, epochs):
    return scheduled_lr(opt.schedule, opt.lr, epoch, epochs, opt.warmup_epochs, opt.step_size, opt.gamma, opt.min_lr)


def invscaling_lr(lr_init, samples_seen, power_t):
    """scikit-learn's inverse scaling: lr_init / (t + 1)^power_t after t samples."""
    return float(lr_init) / (samples_seen + 1) ** power_t


def plateau_count(state, loss, tol):
    """scikit-learn's no-improvement count: +1 when ``loss`` > best - tol, else 0; best = the lowest loss."""
    if state.lr_best is not None and loss > state.lr_best - tol:
        state.lr_wait += 1
    else:
        state.lr_wait = 0
    if state.lr_best is None or loss < state.lr_best:
        state.lr_best = loss
    return state.lr_wait
