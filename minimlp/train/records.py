"""What a fit reports and resumes from: the epoch record, the training state, the result; the
shuffling stream; evaluation.  Shared by the epoch loop and lbfgs, which import it (never each other)."""
from dataclasses import dataclass, field

import numpy as np

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
    """Where a run is: completed epochs, the partial epoch, the random streams, early stopping."""

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
    last_params: "np.ndarray | None" = None  # the last epoch's weights, when early stopping put the best back
    dropout_state: "dict | None" = None  # the dropout stream where the run stopped (None: no dropout, or unstarted)


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


def dropout_rng(seed):
    """The dropout stream, independent of the initialisation and of the shuffling."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))


def evaluate(net, head, X, y):
    """(mean loss, accuracy) of ``net`` on X, y, in chunks (dropout off); (None, None) for no rows.

    Validation and test use the plain cross-entropy; only training adds label smoothing.
    """
    if len(X) == 0:
        return None, None
    loss_sum, correct, start = 0.0, 0, 0
    for z in net.logits(X):
        yb = y[start:start + len(z)]
        start += len(z)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged net's loss may be inf: reported, not warned
            loss_sum += float(np.add.reduce(head.row_losses(z, yb), dtype=np.float64))  # float32 rows of 1e36 overflow a float32 sum
        correct += int(np.count_nonzero(z.argmax(axis=1) == yb))
    return loss_sum / len(X), correct / len(X)
