"""Central finite differences against the analytic gradients of a configured network.

Checks (a) the fused softmax-CE gradient against the numeric derivative of the
loss and against the explicit chain rule through the softmax Jacobian, and
(b) every weight and bias of every layer, the input scale's s (model.scale) and the embedding's frequencies C (a random sample of a large array),
through the same workspace training runs; with dropout, in training mode with
one mask drawn once and kept, so the loss is a fixed function to differentiate.
Everything runs in float64; the error of an array is
max|numeric - analytic| / max(max|numeric|, max|analytic|).
"""
from dataclasses import dataclass, field

import numpy as np

from ..data.tables import load_dataset, prepare
from ..numerics.layers import Dense, Dropout
from ..numerics.losses import SoftmaxCrossEntropy, softmax
from ..numerics.embedding import Periodic
from ..numerics.scale import Scale
from ..numerics.workspace import Workspace
from ..model import MLP

KINKED = ("relu", "leaky_relu")  # derivatives jump at 0: keep pre-activations away from it


@dataclass
class Check:
    layer: str
    parameter: str
    checked: int
    total: int
    error: float


@dataclass
class Report:
    title: str
    batch: int
    step: float
    checks: list = field(default_factory=list)
    nudged: int = 0  # rows moved away from a kink

    def worst(self):
        return max(c.error for c in self.checks)


def relative_error(numeric, analytic):
    scale = max(np.abs(numeric).max(), np.abs(analytic).max())
    return 0.0 if scale == 0 else float(np.abs(numeric - analytic).max() / scale)


def gradcheck(config, batch=8, step=1e-6, sample=100, margin=1e-3):
    """A Report for the network ``config`` describes, on ``batch`` training rows."""
    dataset = load_dataset(config)
    splits = prepare(dataset, config.data, config.seed, "float64")
    net = MLP.for_task(config.model, splits.X_train.shape[1], len(dataset.classes), config.seed, dtype="float64")
    sizes = net.sizes
    rng = np.random.default_rng(config.seed)
    X, y = splits.X_train[:batch].copy(), splits.y_train[:batch]
    # training mode with fixed dropout factors (none without dropout): the pass training runs
    workspace = Workspace(net, len(X), dropout_rng=rng if net.dropout else None, fixed_dropout=True)

    def logits():
        workspace.load(X)
        return workspace.forward()

    logits()  # the dropout layers now hold their fixed factors
    nudged = _nudge(net, X, rng, margin) if config.model.activation in KINKED else 0
    head = SoftmaxCrossEntropy(config.train.label_smoothing)
    dropout = f", dropout {net.dropout:g} (one mask, fixed)" if net.dropout else ""
    scale = (f"one member of an ensemble of {config.model.ensemble}, " if config.model.ensemble > 1 else "") + (
        "learnable input scale, " if net.scale else "") + (
        f"periodic embedding k={net.inputs.embedding_size}, " if net.inputs.periodic else "")
    title = (f"{config.name}: network {'-'.join(map(str, sizes))} ({scale}{config.model.activation}{dropout}), "
             "float64")
    report = Report(title, len(X), step, nudged=nudged)
    report.checks += _output_checks(logits().copy(), y, head, step)

    def loss():
        return head.forward(logits(), y)

    loss()
    workspace.backward(head.backward())
    analytic = net.grads.copy()
    blocks = [("scale", "s", (sizes[0],))] if net.scale else []  # in the flat vector's order
    if net.inputs.periodic:
        blocks.append(("periodic", "C", (sizes[0], net.inputs.embedding_size)))
    for i, layer in enumerate(net.dense, start=1):
        n_in, n_out = layer.shape
        blocks += [(f"dense {i}", "W", (n_in, n_out)), (f"dense {i}", "b", (n_out,))]
    offset = 0
    for layer_name, name, shape in blocks:
        size = int(np.prod(shape))
        chosen = np.arange(size) if size <= sample else np.sort(rng.choice(size, sample, replace=False))
        numeric = np.array([_central(loss, net.params, offset + k, step) for k in chosen])
        report.checks.append(Check(layer_name, f"{name} {'x'.join(map(str, shape))}", len(chosen), size,
                                   relative_error(numeric, analytic[offset + chosen])))
        offset += size
    return report


def _central(loss, params, index, step):
    saved = params[index]
    params[index] = saved + step
    up = loss()
    params[index] = saved - step
    down = loss()
    params[index] = saved
    return (up - down) / (2 * step)


def _output_checks(z, labels, head, step):
    """The fused gradient vs the numeric one, and vs -Σ_k t_k/y_k · y_k(1{k=i} - y_i) / n."""
    n, K = z.shape
    z = np.ascontiguousarray(z)
    numeric = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        numeric[index] = _central(lambda: head.forward(z, labels), z, index, step)
    head.forward(z, labels)
    fused = head.backward().copy()
    eps = head.label_smoothing
    t = (1 - eps) * np.eye(K)[labels] + eps / K
    y = softmax(z)
    chain = np.array([-(t[r] / y[r]) @ (y[r][:, None] * (np.eye(K) - y[r][None, :])) for r in range(n)]) / n
    return [Check("output", "dC/dz: fused vs numeric", z.size, z.size, relative_error(numeric, fused)),
            Check("output", "dC/dz: fused vs chain rule", z.size, z.size, relative_error(chain, fused))]


def _nudge(net, X, rng, margin, tries=50):
    """Move rows whose hidden pre-activations sit within ``margin`` of 0 (a kink) by a little noise."""
    moved = set()
    for _ in range(tries):
        bad = _rows_near_kink(net, X, margin)
        if not bad.any():
            break
        moved.update(np.flatnonzero(bad).tolist())
        X[bad] += rng.normal(0, 0.01, X[bad].shape)
    return len(moved)


def _rows_near_kink(net, X, margin):
    """Rows whose input to an activation lies within ``margin`` of 0, layer by layer (the layers' own
    forward, dropout with the factors it holds)."""
    x = X
    near = np.zeros(len(X), bool)
    for layer in net.layers[:-1]:
        if isinstance(layer, Dense):
            x = layer.forward(np.column_stack([x, np.ones(len(X))]))
            near |= (np.abs(x) < margin).any(axis=1)
        elif isinstance(layer, Dropout):
            x = x * layer.factors
        elif isinstance(layer, (Scale, Periodic)):  # input layers: [x, 1] in, [y, 1] out
            x = layer.forward(np.column_stack([x, np.ones(len(X))]))[:, :-1]
        else:
            x = layer.forward(x)
    return near
