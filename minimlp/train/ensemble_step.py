"""Training an ensemble (``minimlp.ensemble``): every member's step on the same batch, one optimizer step.

The training loop uses these instead of ``Workspace`` and ``TrainStep`` for a
network with ``members``; no code here knows the Ensemble class itself.
"""
import numpy as np

from ..numerics.averaging import log_mean_softmax
from ..numerics.workspace import Workspace
from .step import TrainStep


class EnsembleWorkspace:
    """One ``Workspace`` per member for batches of ``rows`` rows; the members share the batch's input."""

    def __init__(self, net, rows, dropout_rng=None, fixed_dropout=False, share=None):
        self.spaces = [Workspace(member, rows, dropout_rng, fixed_dropout, None if share is None else shared)
                       for member, shared in zip(net.members, [None] * net.k if share is None else share.spaces)]
        first = self.spaces[0]
        self.rows, self.dtype, self.inputs, self.features = rows, first.dtype, first.inputs, first.features
        self.logits = np.empty_like(first.logits, order="F")

    def load(self, X, rows=None):
        self.spaces[0].load(X, rows)

    def forward(self, x1=None, out=None):
        """log of the mean of the members' probabilities (see ``log_mean_softmax``)."""
        x1 = self.inputs[0] if x1 is None else x1
        zs = [space.forward(x1) for space in self.spaces]
        out = self.logits if out is None else out
        np.copyto(out, log_mean_softmax(zs))
        return out


class EnsembleStep:
    """``TrainStep`` for every member on the same batch, then one optimizer step over all their parameters."""

    def __init__(self, workspace, head, optimizer):
        self.workspace, self.head, self.optimizer = workspace, head, optimizer
        self.steps = [TrainStep(space, head, optimizer) for space in workspace.spaces]
        self.alpha = getattr(optimizer, "alpha_per_weight", None)

    def __call__(self, x1, labels, out, weights=None):
        zs = []
        for step in self.steps:  # each member's own forward, fused gradient and backward, as alone
            z = step.workspace.forward(x1)
            zs.append(z)
            if weights is not None and not np.add.reduce(weights) > 0:
                continue
            grad = self.head.raw_gradient(z, labels, weights, step.buffers)
            if grad is None:
                return False
            step.workspace.backward(grad)
        np.copyto(out, log_mean_softmax(zs))
        if weights is not None and not np.add.reduce(weights) > 0:
            return True
        if weights is not None and self.alpha:
            self.optimizer.weight_decay = self.alpha / float(np.add.reduce(weights))
        return self.optimizer.raw_step()
