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
import math

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
    if opt.schedule == "multicycle":
        return multicycle_lr(opt.lr, epoch, epochs, opt.cycles)
    return scheduled_lr(opt.schedule, opt.lr, epoch, epochs, opt.warmup_epochs, opt.step_size, opt.gamma, opt.min_lr)


def multicycle_lr(lr, epoch, epochs, cycles):
    """RealMLP's ``coslog<cycles>`` (Holzmüller et al., 2024), at the middle of 1-based ``epoch``:
    lr·(1 - cos(2π·log2(1 + (2^cycles - 1)·t)))/2, t = (epoch - 1/2)/epochs: ``cycles`` rises and falls
    of the lr, each twice as long as the one before, the last ending at 0."""
    t = (epoch - 0.5) / epochs
    return lr * 0.5 * (1 - math.cos(2 * math.pi * math.log2(1 + (2**cycles - 1) * t)))


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


class EstimatorSchedule:
    """scikit-learn's MLP epoch end (``_fit_stochastic``, ``_update_no_improvement_count``): samples
    seen ``t``, the no-improvement count on the training loss (or, with early stopping, on the validation
    score, keeping the best weights), and the lr schedule: constant, invscaling or adaptive (SGD's).

    ``score(record)`` is the validation score (default: the record's accuracy).  Its state carries
    over the estimator's calls (``partial_fit``, ``warm_start``), as scikit-learn's attributes do.
    """

    def __init__(self, learning_rate, lr_init, power_t, tol, n_iter_no_change, early_stopping, on_epoch=None):
        self.learning_rate, self.lr_init, self.power_t = learning_rate, lr_init, power_t
        self.tol, self.n_iter_no_change, self.early_stopping = tol, n_iter_no_change, early_stopping
        self.t, self.count, self.rows, self.message = 0, 0, 0, None
        self.best_loss = None if early_stopping else math.inf
        self.best_score = -math.inf if early_stopping else None
        self.best_params, self.scores, self.score, self.on_epoch = None, [], None, on_epoch

    def epoch_start(self, optimizer, state):
        pass

    def epoch_end(self, optimizer, record, state):
        self.t += self.rows
        if self.early_stopping:
            score = self.score(record) if self.score else record.val_acc
            self.scores.append(score)
            self.count = self.count + 1 if score < self.best_score + self.tol else 0
            if score > self.best_score:
                self.best_score, self.best_params = score, optimizer.net.params.copy()
        else:
            self.count = self.count + 1 if record.train_loss > self.best_loss - self.tol else 0
            self.best_loss = min(self.best_loss, record.train_loss)
        if self.learning_rate == "invscaling":
            optimizer.lr = invscaling_lr(self.lr_init, self.t, self.power_t)
        stop = False
        if self.count > self.n_iter_no_change:
            what = "Validation score" if self.early_stopping else "Training loss"
            self.message = (f"{what} did not improve more than tol={self.tol:f} for "
                            f"{self.n_iter_no_change} consecutive epochs.")
            if self.learning_rate != "adaptive" or optimizer.lr <= 1e-6:
                stop = True
            else:
                optimizer.lr /= 5.0
                self.count = 0
        if self.on_epoch:
            self.on_epoch(record, self, stop)
        return stop
