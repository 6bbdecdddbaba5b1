"""BLAS threads while training by mini-batches: one, when a batch's products are small.

OpenBLAS splits a product over every core once it is a few hundred thousand
multiply-adds; a batch of 32 rows through a 283-128 layer (1.2 million) then
spends more on handing work to threads than on multiplying, and far more when
another process holds a core: mlc_churn with 16 piecewise-linear bins trained
in 0.76 s on one thread against 3.0 s on two, the same bits. Above ONE_THREAD_MACS
per batch (a 128-row batch through 1024-128 layers) the threads pay for
themselves and are left as they are. threadpoolctl is scikit-learn's own way
to do this (it comes with scikit-learn).
"""
import contextlib

import numpy as np  # noqa: F401  (its BLAS loaded before the controller looks for it)
from threadpoolctl import ThreadpoolController

ONE_THREAD_MACS = 2**24  # multiply-adds of a batch's largest product below which BLAS runs on one thread
# Found once, at import: looking through the loaded libraries allocates ~270 KB, which a run
# would otherwise pay inside its first epoch.
CONTROLLER = ThreadpoolController()


def largest_product(net, rows):
    """Multiply-adds of the largest product a batch of ``rows`` rows makes: rows x the largest Dense's [W; b]."""
    return rows * max(dense.Wb.size for dense in net.dense)


@contextlib.contextmanager
def blas_threads(net, rows):
    """One BLAS thread inside, when a batch of ``rows`` rows makes only small products; else as it is."""
    if largest_product(net, rows) > ONE_THREAD_MACS:
        yield
        return
    with CONTROLLER.limit(limits=1, user_api="blas"):
        yield
