"""Training: ``fit`` (fit), the epoch loop and its options (loop), one batch's step (step), the input rows
gathered a few batches at a time (batch_rows), the loss and accuracy summed from saved logits
(batch_metrics), L-BFGS-B (lbfgs), schedules, early stopping (stopping), the records a fit reports
and resumes from (records).  No printing, no files; arrays and plain options in, never a Config."""
from ..numerics.optim import OPTIMIZERS, make_optimizer
from .fit import fit
from .loop import TrainOptions, run_epoch, summary
from .records import HISTORY_COLUMNS, EpochRecord, TrainResult, TrainState, evaluate, shuffle_rng
from .schedules import SCHEDULES, epoch_lr, make_schedule
from .stopping import EarlyStopping, Plateau

__all__ = ["fit", "evaluate", "make_optimizer", "make_schedule", "shuffle_rng", "epoch_lr", "run_epoch", "summary",
           "EpochRecord", "TrainState", "TrainResult", "TrainOptions", "EarlyStopping", "Plateau", "HISTORY_COLUMNS",
           "OPTIMIZERS", "SCHEDULES"]
