"""An epoch's input rows in batch order, gathered a chunk of whole batches at a time."""
import numpy as np


class BatchRows:
    """Each batch's input [x, 1], gathered from X in the epoch's order a chunk of batches at a time.

    numpy gathers into the strided [x, 1] layout through a temporary, and on a
    small batch that call costs more than the copy itself; one ``take`` per
    chunk pays it once for several batches.  A chunk is at most ``BYTES`` (at
    least one batch; numpy's temporary is as large again), so memory stays a
    few batches, not a shuffled copy of the data.  A batch is a run of the chunk's rows: the rows a per-batch
    gather would give, in the same order, so the same numbers.
    """

    BYTES = 64 * 1024

    def __init__(self, X, first_input):
        """Batches of up to ``len(first_input)`` rows; ``first_input`` is the workspace's [x, 1] buffer,
        the chunk itself when a chunk holds only one batch."""
        batch_size, width1 = first_input.shape
        batches = max(1, self.BYTES // first_input.nbytes)
        self.X = X
        self.chunk = first_input if batches == 1 else np.ones((min(len(X), batches * batch_size), width1),
                                                              first_input.dtype)  # the ones column is never written
        self.order, self.first, self.end = None, 0, 0

    def start(self, order):
        """Begin an epoch whose rows, in batch order, are X[order]."""
        self.order, self.first, self.end = order, 0, 0

    def batch(self, start, stop):
        """[x, 1] (stop - start, width + 1) for the rows X[order[start:stop]], a view of the chunk."""
        if stop > self.end:  # the next chunk begins with this batch
            self.first, self.end = start, min(start + len(self.chunk), len(self.order))
            rows = self.order[self.first:self.end]
            self.X.take(rows, axis=0, out=self.chunk[:len(rows), :-1], mode="clip")  # a permutation's rows: all valid
        return self.chunk[start - self.first:stop - self.first]
