"""Learning-rate schedules as the epoch loop applies them: at each epoch's start, or from its end.

``constant``, ``step`` and ``cosine`` (with warm-up) are functions of the epoch
number, set at each epoch's start (``numerics.rates.scheduled_lr``).
``invscaling`` and ``adaptive`` are scikit-learn's, updated at an epoch's end
as its ``SGDOptimizer.iteration_ends`` / ``trigger_stopping`` do: invscaling
sets lr = lr_init / (t + 1)^power_t, t the training samples seen so far;
adaptive divides lr by 5 each time the training loss has not improved on its
best by ``min_delta`` for ``patience`` epochs in a row (scikit-learn's rule
with n_iter_no_change = patience - 1).  The current lr lives in the
optimizer's state, which a checkpoint saves, so a resume continues exactly.

Each schedule is a class in ``SCHEDULES``, built by ``make_schedule`` from any
object with an OptimizerConfig's attributes.
"""
import math

from ..numerics.rates import END_OF_EPOCH, scheduled_lr  # noqa: F401 (END_OF_EPOCH: part of this module's API)
from .stopping import Plateau


class EpochFunction:
    """constant, step or cosine after ``warmup_epochs`` of linear warm-up: the lr of each epoch, set at its start."""

    def __init__(self, name, lr, epochs, warmup_epochs=0, step_size=10, gamma=0.1, min_lr=0.0):
        self.name, self.lr, self.epochs = name, lr, epochs
        self.warmup_epochs, self.step_size, self.gamma, self.min_lr = warmup_epochs, step_size, gamma, min_lr

    @classmethod
    def from_options(cls, opt, epochs, patience, min_delta):
        return cls(opt.schedule, opt.lr, epochs, opt.warmup_epochs, opt.step_size, opt.gamma, opt.min_lr)

    def lr_at(self, epoch):
        """The lr of 1-based ``epoch``."""
        return scheduled_lr(self.name, self.lr, epoch, self.epochs, self.warmup_epochs, self.step_size, self.gamma,
                            self.min_lr)

    def epoch_start(self, optimizer, state):
        optimizer.lr = self.lr_at(state.epoch + 1)

    def epoch_end(self, optimizer, record, state):
        """Update the lr after ``record``'s epoch; True would stop training (these never do)."""
        return False


class MultiCycle(EpochFunction):
    """RealMLP's coslog schedule (``multicycle_lr``) over ``epochs``, ``cycles`` rises and falls, set at each epoch's start."""

    def __init__(self, lr, epochs, cycles):
        self.lr, self.epochs, self.cycles = lr, epochs, cycles

    @classmethod
    def from_options(cls, opt, epochs, patience, min_delta):
        return cls(opt.lr, epochs, opt.cycles)

    def lr_at(self, epoch):
        return multicycle_lr(self.lr, epoch, self.epochs, self.cycles)


class InvScaling(EpochFunction):
    """scikit-learn's inverse scaling, from each epoch's end: lr_init / (t + 1)^power_t after t samples."""

    def __init__(self, lr, power_t):
        self.lr, self.power_t = lr, power_t

    @classmethod
    def from_options(cls, opt, epochs, patience, min_delta):
        return cls(opt.lr, opt.power_t)

    def epoch_start(self, optimizer, state):
        pass

    def epoch_end(self, optimizer, record, state):
        optimizer.lr = invscaling_lr(self.lr, state.samples, self.power_t)
        return False


class Adaptive(InvScaling):
    """scikit-learn's adaptive schedule: lr / 5 when the training loss has stalled for ``patience`` epochs."""

    def __init__(self, patience, min_delta):
        self.plateau = Plateau(min_delta, patience, "sklearn")

    @classmethod
    def from_options(cls, opt, epochs, patience, min_delta):
        return cls(patience, min_delta)

    def epoch_end(self, optimizer, record, state):
        state.lr_best, state.lr_wait, _ = self.plateau.update(state.lr_best, state.lr_wait, record.train_loss)
        if self.plateau.exhausted(state.lr_wait):
            optimizer.lr /= 5.0
            state.lr_wait = 0
        return False


SCHEDULES = {"constant": EpochFunction, "step": EpochFunction, "cosine": EpochFunction, "multicycle": MultiCycle,
             "invscaling": InvScaling, "adaptive": Adaptive}


def make_schedule(opt, epochs, patience=10, min_delta=0.0):
    """The schedule ``opt.schedule`` names, for a run of ``epochs`` epochs (adaptive: its patience and min_delta)."""
    return SCHEDULES[opt.schedule].from_options(opt, epochs, patience, min_delta)


def epoch_lr(opt, epoch, epochs):
    """The lr a schedule set by epoch (constant, step, cosine, multicycle) gives 1-based ``epoch`` of ``epochs``."""
    return make_schedule(opt, epochs).lr_at(epoch)


def multicycle_lr(lr, epoch, epochs, cycles):
    """RealMLP's ``coslog<cycles>`` (Holzmüller et al., 2024), at the middle of 1-based ``epoch``:
    lr·(1 - cos(2π·log2(1 + (2^cycles - 1)·t)))/2, t = (epoch - 1/2)/epochs: ``cycles`` rises and falls
    of the lr, each twice as long as the one before, the last ending at 0."""
    t = (epoch - 0.5) / epochs
    return lr * 0.5 * (1 - math.cos(2 * math.pi * math.log2(1 + (2**cycles - 1) * t)))


def invscaling_lr(lr_init, samples_seen, power_t):
    """scikit-learn's inverse scaling: lr_init / (t + 1)^power_t after t samples."""
    return float(lr_init) / (samples_seen + 1) ** power_t


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
        self._best = math.inf  # the best validation score, negated (early stopping), or the lowest training loss
        self.best_params, self.scores, self.score, self.on_epoch = None, [], None, on_epoch

    @property
    def best_loss(self):
        return None if self.early_stopping else self._best

    @best_loss.setter
    def best_loss(self, value):
        self._best = value

    @property
    def best_score(self):
        return -self._best if self.early_stopping else None

    def epoch_start(self, optimizer, state):
        pass

    def epoch_end(self, optimizer, record, state):
        self.t += self.rows
        plateau = Plateau(self.tol, self.n_iter_no_change + 1, "sklearn")  # read at every epoch, as scikit-learn does
        if self.early_stopping:
            score = self.score(record) if self.score else record.val_acc
            self.scores.append(score)
            self._best, self.count, new_best = plateau.update(self._best, self.count, -score)
            if new_best:
                self.best_params = optimizer.net.params.copy()
        else:
            self._best, self.count, _ = plateau.update(self._best, self.count, record.train_loss)
        if self.learning_rate == "invscaling":
            optimizer.lr = invscaling_lr(self.lr_init, self.t, self.power_t)
        stop = False
        if plateau.exhausted(self.count):
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
