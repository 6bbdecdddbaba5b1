"""The learning-rate range test (Smith 2015; fastai's and Lightning's lr_find): train from the config's
initial weights while the rate grows exponentially batch by batch, and read a good rate off the loss.

The loss of each batch is taken before its step, smoothed by an exponential moving average
(β = 0.98, bias-corrected, as fastai); the sweep stops when the smoothed loss exceeds 4× its minimum,
or a loss or update stops being finite. The suggestion is the rate at the minimum of the smoothed
loss divided by 3 (fastai divides by 10, for its one-cycle schedule; on minimlp's shipped configs
and their constant rates, 3 lands nearer the best rate of a grid: docs/lr-find.md has the table).
No files are written here; the CLI draws ``figure``.
"""
import math
from dataclasses import dataclass

import numpy as np

from ..errors import MinimlpError

BETA = 0.98  # the smoothing of the loss
STOP_FACTOR = 4.0  # stop once the smoothed loss exceeds this multiple of its minimum
SKIP_START = 5  # the first smoothed values (mostly the initial loss) do not count as the minimum
DIVISOR = 3.0  # the suggestion: the rate at the smoothed loss's minimum / DIVISOR


@dataclass
class LrFindResult:
    lrs: list  # the rate of each batch
    losses: list  # its raw loss (before the step)
    smoothed: list  # the smoothed loss
    suggestion: float  # min_lr / DIVISOR
    min_lr: float  # the rate at the minimum of the smoothed loss
    stopped: str  # why the sweep ended: "diverged", "loss above 4x its minimum" or "end of the range"


def lr_find(prepared, start_lr=1e-6, end_lr=10.0, steps=200):
    """The range test on a ``runs.Prepared`` (data split, network with its initial weights): at most
    ``steps`` batches of the config's batch size, the rate going from ``start_lr`` to ``end_lr``."""
    from ..numerics.losses import SoftmaxCrossEntropy
    from ..train import make_optimizer
    from ..train.loop import shuffle_rng

    _check(start_lr, end_lr, steps)
    config, net = prepared.config, prepared.net
    net = getattr(net, "members", [net])[0]  # an ensemble's members train alike: the test runs on the first
    if config.optimizer.name == "lbfgs":
        raise MinimlpError("lr-find needs a mini-batch optimizer (optimizer.name sgd or adam), not lbfgs")
    X, y, w = prepared.splits.X_train, prepared.splits.y_train, prepared.weights
    optimizer = make_optimizer(net, config.optimizer)
    head = SoftmaxCrossEntropy(config.train.label_smoothing)
    batches = _batches(len(X), config.train.batch_size, shuffle_rng(config.seed))
    lrs, losses, smoothed = [], [], []
    average, best, stopped = 0.0, math.inf, "end of the range"
    with np.errstate(all="ignore"):  # a diverging loss is the expected end of the sweep, not a warning
        for i in range(steps):
            lr = start_lr * (end_lr / start_lr) ** (i / max(steps - 1, 1))
            rows = next(batches)
            z = net.forward(X[rows])
            weights = None if w is None else w[rows].astype(net.dtype)
            loss = float(head.forward_checked(z, y[rows], weights))
            if not math.isfinite(loss):
                stopped = "diverged"
                break
            average = BETA * average + (1 - BETA) * loss
            value = average / (1 - BETA ** (i + 1))
            lrs.append(lr), losses.append(loss), smoothed.append(value)
            if i >= SKIP_START:
                best = min(best, value)
            if value > STOP_FACTOR * best:
                stopped = f"loss above {STOP_FACTOR:g}x its minimum"
                break
            net.backward(head.backward())
            optimizer.lr = lr
            if not optimizer.raw_step():
                stopped = "diverged"
                break
    return _result(lrs, losses, smoothed, stopped)


def _result(lrs, losses, smoothed, stopped):
    if len(smoothed) <= SKIP_START + 1:
        raise MinimlpError(f"lr-find: the loss {stopped} within the first {len(smoothed)} batches; "
                           "lower the start of the range (--start)")
    k = SKIP_START + int(np.argmin(smoothed[SKIP_START:]))
    return LrFindResult(lrs, losses, smoothed, lrs[k] / DIVISOR, lrs[k], stopped)


def _batches(n, size, rng):
    """Row indices of successive training batches: a new permutation each time the rows run out."""
    size = min(size, n)
    while True:
        order = rng.permutation(n)
        for start in range(0, n - size + 1, size):
            yield order[start:start + size]


def _check(start_lr, end_lr, steps):
    if not (0 < start_lr < end_lr and math.isfinite(end_lr)):
        raise MinimlpError(f"lr-find needs 0 < start < end, got start {start_lr:g} and end {end_lr:g}")
    if not 10 <= steps <= 1000:
        raise MinimlpError(f"lr-find --steps must be between 10 and 1000, got {steps}")


def figure(result, title):
    """SVG bytes: the raw and smoothed loss against the rate (log axis), the suggestion marked."""
    from ..report import figures

    def draw():
        fig = figures.figure()
        ax = fig.add_subplot()
        ax.plot(result.lrs, result.losses, color="#bbbbbb", linewidth=0.8, label="batch loss")
        ax.plot(result.lrs, result.smoothed, color=figures.TRAIN, label="smoothed")
        ax.axvline(result.suggestion, color=figures.VALIDATION, linestyle="--",
                   label=f"suggested lr {result.suggestion:.3g}")
        ax.set_xscale("log")
        top = min(max(result.smoothed), STOP_FACTOR * min(result.smoothed[SKIP_START:]) * 1.1)
        ax.set_ylim(min(min(result.losses), min(result.smoothed)) * 0.95, top)
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("training loss")
        ax.set_title(title)
        ax.legend(loc="upper left")
        return fig

    return figures.save(figures.styled(draw))
