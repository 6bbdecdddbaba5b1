"""The training loss and accuracy, computed from saved logits a chunk of batches at a time."""
import math

import numpy as np


class BatchMetrics:
    """The training loss and accuracy of an epoch's batches, from their saved logits, a chunk at a time.

    Computing them per batch costs a dozen small numpy calls, as much as the
    matrix products of a small network; here they run once per chunk of
    whole batches, about ``ROWS`` rows.
    Each batch's loss is still summed on its own and added to the epoch's sum
    in batch order, so the sum is the same however interrupts split the epoch.
    """

    ROWS = 512

    def __init__(self, head, batch_size, n_rows, n_classes, dtype):
        self.head, self.batch_size = head, batch_size
        batches = max(1, min(self.ROWS, n_rows) // batch_size)  # whole batches, no more than the epoch needs
        # column-major, as the workspace's logits (fast per-row reductions over the classes)
        self.logits = np.empty((batch_size * batches, n_classes), dtype, order="F")
        self.batch_starts = np.arange(0, len(self.logits), batch_size)  # where each batch's rows begin
        self.labels, self.first, self.filled, self.weights = None, 0, 0, None

    def start(self, labels, first, weights=None):
        """Begin at row ``first`` of an epoch whose labels (and sample weights, or None), in batch order,
        are ``labels``; weighted, a batch's loss sum is Σ w_i C_i."""
        self.labels, self.first, self.filled, self.weights = labels, first, 0, weights

    def slot(self, rows):
        """Where the next batch (of ``rows`` rows) writes its logits."""
        return self.logits[self.filled:self.filled + rows]

    def add(self, rows, state):
        """The batch in the slot was trained on: count it (flushing a full buffer into ``state``)."""
        self.filled += rows
        if self.filled == len(self.logits):
            self.flush(state)

    def flush(self, state):
        """Add the counted batches' loss sums (in order) and correct predictions to ``state``."""
        if not self.filled:
            return
        z, labels = self.logits[:self.filled], self.labels[self.first:self.first + self.filled]
        row_max = np.maximum.reduce(z, axis=1, keepdims=True)
        state.correct += correct_predictions(z, row_max, labels)
        losses = self.head.shifted_row_losses(np.subtract(z, row_max, out=z), labels)  # the logits are not needed any more
        if self.weights is not None:
            losses = losses * self.weights[self.first:self.first + self.filled]  # float64: Σ w C cannot overflow float32
        loss_sum = state.loss_sum
        for batch_loss in np.add.reduceat(losses, self.batch_starts[:-(-self.filled // self.batch_size)]).tolist():
            loss_sum += batch_loss
        state.loss_sum = loss_sum
        self.first += self.filled
        self.filled = 0


def correct_predictions(z, row_max, labels):
    """How many rows of logits z (n, K) have their label as argmax (ties: the first class, as predict).

    For finite logits, z equals its row's max exactly at the argmax, so when
    every row has one such entry a row is right when its label's entry is it:
    a few whole-array passes instead of np.argmax, whose per-row loop over a
    column-major buffer costs more than the loss.  Ties and non-finite rows
    (which training never counts: the step refuses them) take np.argmax.
    """
    at_max = np.equal(z, row_max)
    if np.count_nonzero(at_max) == len(z) and math.isfinite(np.add.reduce(row_max, axis=None)):
        return int(np.count_nonzero(at_max[np.arange(len(z)), labels]))
    return int(np.count_nonzero(np.argmax(z, axis=1) == labels))
