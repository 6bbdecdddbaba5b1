"""Training: the epoch loop, evaluation and early stopping (loop), one batch's step with its
preallocated temporaries (step), the input rows gathered a few batches at a time (batch_rows), and
the loss and accuracy summed from saved logits (batch_metrics).  No printing, no files."""
from .loop import (HISTORY_COLUMNS, EpochRecord, TrainResult, TrainState, epoch_lr, evaluate, fit, make_optimizer,
                   run_epoch, shuffle_rng, summary)

__all__ = ["fit", "evaluate", "make_optimizer", "shuffle_rng", "epoch_lr", "run_epoch", "summary",
           "EpochRecord", "TrainState", "TrainResult", "HISTORY_COLUMNS"]
