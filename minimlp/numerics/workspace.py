"""A network's layers bound to buffers made once for batches of a given number of rows.

Training, evaluation, prediction, lbfgs, gradcheck and ``MLP.forward``/``backward``
all run a network through a ``Workspace``: the one path.  It calls each
layer's own ``forward``/``backward`` with the buffers that layer writes, and
arranges them so the fast tricks need no second copy of any layer:

- every Dense input travels as [x, 1] (the bias folded into the product), and
  its gradient as [dL/dx, 0] (the zero column never changes);
- an in-place activation (ReLU) after a Dense gets that Dense's output
  written straight into the next input [y, 1] and runs over the whole buffer,
  forward and backward, in one contiguous pass each;
- the logits are column-major: the softmax reduces each row over the
  classes, and numpy reduces along the slow axis of an array much faster
  than along a short contiguous one (3 µs instead of 14 µs for 128×10).

The input layers (``numerics.inputs``: a learnable scale, a periodic
embedding) run before the first Dense, each from the [x, 1] before it into its
own [y, 1] buffer.  Dropout layers run only in a training workspace (one given a generator to
draw their factors from, or fixed factors); elsewhere they are the identity.
"""
import functools

import numpy as np

from .layers import Dense, Dropout


class Workspace:
    """The layers of ``net`` bound to buffers for batches of ``rows`` rows.

    ``dropout_rng``: the generator that draws the dropout factors of each batch
    (training); ``fixed_dropout``: draw them once from it and keep them (a
    gradient check); neither: evaluation, dropout off.  ``share``: a workspace
    for at least as many rows whose memory this one reuses (its first rows), as
    the last, smaller batch of an epoch does.
    """

    def __init__(self, net, rows, dropout_rng=None, fixed_dropout=False, share=None):
        self.rows, self.dtype = rows, net.dtype
        self.buffers, self._shared = [], None if share is None else iter(share.buffers)
        self.dropout_rng, self.fixed_dropout = dropout_rng, fixed_dropout
        training = dropout_rng is not None
        stages = _stages(net.layers, training)
        widths = net.sizes
        self.inputs = [self._new((rows, width + 1), 1) for width in widths[:-1]]  # [x, 1] of each Dense
        self.deltas = [None] + [self._new((rows, width + 1), 0) for width in widths[1:-1]]  # [dL/dx, 0]
        self.logits = self._new((rows, widths[-1]), None, order="F")
        self.features = self.inputs[0][:, :-1]  # where ``load`` puts X
        self.prefix = _prefix(net.layers)  # the input layers (scale, embedding): each writes its own [y, 1]
        self.prefix_out = [self._new((rows, _width(layer, widths[0]) + 1), 1) for layer in self.prefix]
        self.prefix_grad = self._new(self.prefix_out[-1][:, :-1].shape, None) if self.prefix else None
        self._forward, self._backward = [], []
        for j, (dense, chain) in enumerate(stages):
            last = j == len(stages) - 1
            self._forward.append(self._bind_forward(j, dense, chain, last))
            self._backward.append(self._bind_backward(j, dense, chain))
        self._backward.reverse()
        self._forward_hidden, self._forward_last = self._forward[:-1], self._forward[-1]
        self._backward_hidden, self._backward_first = self._backward[:-1], self._backward[-1]

    def _new(self, shape, fill, order="C", dtype=None):
        """A new buffer, or the matching one of the shared workspace cut to this one's rows."""
        if self._shared is not None:
            return next(self._shared)[:shape[0]]
        dtype = self.dtype if dtype is None else dtype
        array = np.empty(shape, dtype, order=order) if fill is None else np.full(shape, fill, dtype, order=order)
        self.buffers.append(array)
        return array

    def load(self, X, rows=None):
        """Copy X (or the rows ``rows`` of X, a gather) into the first layer's input."""
        if rows is None:
            np.copyto(self.features, X)
        else:
            X.take(rows, axis=0, out=self.features, mode="clip")  # rows from a permutation: valid; the method skips np.take's Python wrapper

    def forward(self, x1=None, out=None):
        """The logits of the input [x, 1] ``x1`` (default: the loaded one), written into ``out``
        (default: this workspace's ``logits``)."""
        x = self.inputs[0] if x1 is None else x1
        for layer, y1 in zip(self.prefix, self.prefix_out):
            x = layer.forward(x, out=y1)
        for step in self._forward_hidden:
            x = step(x)
        return self._forward_last(x, self.logits if out is None else out)

    def backward(self, grad, input_grad=False):
        """Back-propagate dL/dlogits through every layer: each Dense overwrites its parameter gradients.
        Returns dL/dx for the first layer's input when ``input_grad``, else None."""
        for step in self._backward_hidden:
            grad = step(grad)
        if not self.prefix:
            return self._backward_first(grad, input_grad)
        grad = self._backward_first(grad, self.prefix_grad)
        for i in range(len(self.prefix) - 1, -1, -1):  # each needs dL/d(its output); the first's only if asked
            grad = self.prefix[i].backward(grad, input_grad=input_grad or i > 0)
        return grad

    def _bind_forward(self, j, dense, chain, last):
        if last:
            return dense.forward  # (x1, out): the logits
        y1 = self.inputs[j + 1]  # the next Dense's input [y, 1]
        if len(chain) == 1 and chain[0].in_place:  # e.g. ReLU: z straight into [y, 1], then over it whole
            zeros, y = self._new(y1.shape, 0), y1[:, :-1]
            dense_forward, act_forward = dense.forward, chain[0].forward  # looked up once: a batch is short

            def forward(x1):
                dense_forward(x1, y)
                return act_forward(y1, y1, zeros)
            return forward
        calls = self._chain_calls(chain, out=y1[:, :-1])
        z = self._new((self.rows, y1.shape[1] - 1), None)

        def forward(x1):
            x = dense.forward(x1, out=z)
            for call in calls:
                x = call(x)
            return y1
        return forward

    def _chain_calls(self, chain, out):
        """Each layer after a Dense as a call on the previous output; the last one writes ``out``."""
        calls = []
        for i, layer in enumerate(chain):
            target = out if i == len(chain) - 1 else None
            if isinstance(layer, Dropout):
                calls.append(self._dropout_call(layer, out.shape, target))
            elif layer.in_place and target is None:  # in place over the previous contiguous output
                zeros = self._new(out.shape, 0)
                calls.append(lambda x, layer=layer, zeros=zeros: layer.forward(x, out=x, zeros=zeros))
            else:
                if target is None:
                    target = self._new(out.shape, None)
                calls.append(lambda x, layer=layer, target=target: layer.forward(x, out=target))
        return calls

    def _dropout_call(self, layer, shape, target):
        factors = self._new(shape, None)
        if target is None:
            target = self._new(shape, None)
        rng = self.dropout_rng
        if self.fixed_dropout:
            layer.draw(rng, shape, self.dtype, out=factors)
            return lambda x: layer.forward(x, factors, out=target)

        def call(x):
            return layer.forward(x, layer.draw(rng, x.shape, self.dtype, out=factors), out=target)
        return call

    def _bind_backward(self, j, dense, chain):
        below = None if j == 0 else self.deltas[j][:, :-1]  # dL/d(this Dense's input), [dL/dx, 0] whole
        if j == 0:
            def dense_backward(grad, input_grad=False):
                """``input_grad``: True/False, or a buffer to write dL/dx into (the input scale needs it)."""
                if input_grad is True or input_grad is False:
                    return dense.backward(grad, input_grad=input_grad)
                return dense.backward(grad, out=input_grad)
        else:
            dense_backward = functools.partial(dense.backward, out=below)  # a C-level call, no Python frame
        if not chain:
            return dense_backward
        if len(chain) == 1 and chain[0].in_place:
            grad1, mask = self.deltas[j + 1], self._new(self.deltas[j + 1].shape, None, dtype=np.bool_)
            act_backward, below_backward = chain[0].backward, dense.backward
            if j > 0:  # the hot case: one call each, no wrapper between them
                def backward(grad):
                    act_backward(grad1, mask)  # over [dL/dy, 0] whole: the zero column stays 0
                    return below_backward(grad, below)
                return backward

            def backward(grad, input_grad=False):
                act_backward(grad1, mask)
                if input_grad is False:  # training: no dL/dx for the data
                    return below_backward(grad, None, False)
                return dense_backward(grad, input_grad)
            return backward
        masks = [self._new((self.rows, dense.shape[1]), None, dtype=np.bool_) if layer.in_place else None
                 for layer in chain]
        undo = [(layer, mask) for layer, mask in zip(reversed(chain), reversed(masks))]

        def undo_chain(grad):
            for layer, mask in undo:
                grad = layer.backward(grad) if mask is None else layer.backward(grad, mask)
            return grad

        if j > 0:
            def backward(grad):
                return dense_backward(undo_chain(grad))
            return backward

        def backward(grad, input_grad=False):
            return dense_backward(undo_chain(grad), input_grad)
        return backward


def _prefix(layers):
    """The layers before the first Dense (numerics.inputs: scale, embedding)."""
    first = next(i for i, layer in enumerate(layers) if isinstance(layer, Dense))
    return layers[:first]


def _width(layer, n_in):
    """The output width of an input layer for ``n_in`` inputs (an embedding widens them)."""
    return layer.width(*layer.shape) if hasattr(layer, "width") else n_in


def _stages(layers, training):
    """[(Dense, [the layers after it up to the next Dense])]; Dropout only in training (input layers run apart)."""
    stages = []
    for layer in layers[len(_prefix(layers)):]:
        if isinstance(layer, Dense):
            stages.append((layer, []))
        elif training or not isinstance(layer, Dropout):
            stages[-1][1].append(layer)
    return stages
