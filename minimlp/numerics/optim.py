"""Optimizers: update a network's flat parameter vector in place from its gradients.

An optimizer keeps the network, never references to its arrays: it reads
``net.params`` / ``net.grads`` at every step, so weights loaded or restored in
place are picked up.  Its own state (velocities, moments) is flat vectors of
the model's dtype, saved and restored exactly by ``state_dict`` / ``load_state_dict``.
"""
import math

import numpy as np

from ..errors import MinimlpError
from .rates import END_OF_EPOCH


FLUSH_EVERY = 8  # steps between flushes of the subnormal numbers in Adam's moments and SGD's velocity


def flush_subnormals(values, scratch):
    """Set the subnormal entries of ``values`` (nonzero, below the dtype's smallest normal) to 0.

    A moment whose gradient stays 0 (an input that is 0 in every row of a run of batches, as
    most piecewise-linear bins are) decays geometrically into the subnormal range, where the
    CPU takes a slow microcode path on every operation: 430 such entries of 24,000 doubled the
    cost of Adam's step. What they would add to a weight is below 10⁻³⁰, lost in its rounding,
    so zero is the same value to the model; CPUs in flush-to-zero mode (PyTorch's
    ``set_flush_denormal``) do this on every operation. ``scratch`` is a float buffer of the same shape.
    """
    magnitude = np.abs(values, out=scratch)
    np.copyto(values, 0, where=magnitude < np.finfo(values.dtype).tiny)


class Optimizer:
    """The base of the optimizers in ``OPTIMIZERS``: each builds itself from an OptimizerConfig's
    attributes (``from_options``), so adding one is a class and a registry entry."""

    state_names = ()  # the arrays of this optimizer's state

    @classmethod
    def from_options(cls, net, opt):
        return cls(net, lr=opt.lr, weight_decay=opt.weight_decay)

    def __init__(self, net, lr, weight_decay):
        _check(lr > 0, f"lr must be > 0, got {lr}")
        self.net, self.lr = net, float(lr)
        self.set_weight_decay(weight_decay)
        self._update = np.empty_like(net.params)

    def set_weight_decay(self, weight_decay):
        """The L2 coefficient added to the weights' gradient from the next step on."""
        _check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")
        self.weight_decay = float(weight_decay)
        self._decayed = np.empty_like(self.net.params) if weight_decay else None

    def gradient(self):
        """The gradient to step with: ``net.grads`` plus weight_decay·W on weights, never biases.

        Weight decay is added in a copy so ``net.grads`` keeps the loss gradient.
        """
        if not self.weight_decay:
            return self.net.grads
        grad = self._decayed
        np.copyto(grad, self.net.grads)
        for weights in self.net.weight_slices:
            grad[weights] += np.multiply(self.net.params[weights], self.weight_decay, out=self._update[weights])
        return grad

    def step(self):
        """Update the parameters from ``net.grads``; False (weights unchanged) if the update is not finite."""
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is an answer here, not a warning
            return self.raw_step()

    def raw_step(self):
        """``step`` without its np.errstate guard, for loops that already run inside one."""
        raise NotImplementedError

    def apply(self, update):
        """params -= update, unless the update holds a NaN or an infinity: then False, nothing changes.

        One BLAS dot product checks the whole vector (a non-finite entry, or one
        so large its square overflows, makes the sum non-finite).
        """
        if not math.isfinite(np.dot(update, update)):
            return False
        self.net.params -= update
        return True

    def _count_and_flush(self, values):
        """One more step; every FLUSH_EVERY steps (by the saved count, so a resumed run flushes as an
        uninterrupted one) ``values``' subnormal entries become 0 (``flush_subnormals``)."""
        self.t += 1
        if int(self.t) % FLUSH_EVERY == 0:
            flush_subnormals(values, self._update)

    def state_dict(self):
        state = {name: getattr(self, name).copy() for name in self.state_names}
        state["lr"] = np.array(self.lr)
        return state

    def load_state_dict(self, state):
        if "t" in self.state_names and "t" not in state:  # SGD's checkpoints from before its step count
            state = {**state, "t": np.zeros((), np.int64)}
        for name in self.state_names:
            saved, current = np.asarray(state[name]), getattr(self, name)
            if saved.shape != current.shape or saved.dtype != current.dtype:
                raise MinimlpError(f"optimizer state {name!r} has shape {saved.shape} {saved.dtype}, "
                                   f"expected {current.shape} {current.dtype}")
            np.copyto(current, saved)
        lr = np.asarray(state["lr"])
        if lr.shape != () or lr.dtype.kind != "f" or not (math.isfinite(lr) and lr > 0):
            raise MinimlpError(f"optimizer lr must be a finite number > 0, got {lr!r}")
        self.lr = float(lr)
        if "t" in self.state_names and self.t < 0:
            raise MinimlpError(f"optimizer state 't' (the step count) must be >= 0, got {int(self.t)}")


class SGD(Optimizer):
    """Stochastic gradient descent with PyTorch's momentum and Nesterov update.

    g ← ∇ + λ·W (weights only);  v ← μ·v + g;  step = g + μ·v (Nesterov) or v;  p ← p - lr·step.
    With μ = 0 this is plain p ← p - lr·g.  ``step()`` returns False, changing
    no weight, when the update is not finite (the loop calls that divergence;
    the velocity is then spoilt, and training stops).
    """

    state_names = ("velocity", "t")

    def __init__(self, net, lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(net, lr, weight_decay)
        _check(0 <= momentum < 1, f"momentum must be in [0, 1), got {momentum}")
        _check(not nesterov or momentum > 0, "nesterov needs momentum > 0")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.velocity = np.zeros_like(net.params)
        self.t = np.zeros((), np.int64)  # step count: when to flush the velocity's subnormal numbers

    @classmethod
    def from_options(cls, net, opt):
        """With scikit-learn's schedules (invscaling, adaptive) the velocity holds lr-scaled
        steps, as scikit-learn's does (``ScaledSGD``), so a changed lr acts as there."""
        kind = ScaledSGD if opt.schedule in END_OF_EPOCH else SGD
        return kind(net, lr=opt.lr, momentum=opt.momentum, nesterov=opt.nesterov, weight_decay=opt.weight_decay)

    def raw_step(self):
        grad = step = self.gradient()
        if self.momentum:
            self.velocity *= self.momentum
            self.velocity += grad
            self._count_and_flush(self.velocity)
            step = self.velocity
            if self.nesterov:
                step = np.multiply(self.velocity, self.momentum, out=self._update)
                step += grad
        return self.apply(np.multiply(step, self.lr, out=self._update))


class ScaledSGD(SGD):
    """scikit-learn's SGD, whose velocity holds lr-scaled steps: v ← μ·v - lr·g;  p ← p + μ·v - lr·g
    (Nesterov) or p + v.  For a constant lr it is SGD's algorithm (v = -lr·v'); the two differ once
    the lr changes (scikit-learn's invscaling and adaptive schedules).  μ may be 1, as scikit-learn allows.
    """

    def __init__(self, net, lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0):
        Optimizer.__init__(self, net, lr, weight_decay)
        _check(0 <= momentum <= 1, f"momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov) and momentum > 0
        self.velocity = np.zeros_like(net.params)
        self.t = np.zeros((), np.int64)

    def raw_step(self):
        grad = self.gradient()
        update = self._update
        if not self.momentum:
            return self.apply(np.multiply(grad, self.lr, out=update))
        velocity = np.multiply(self.velocity, self.momentum)
        velocity -= self.lr * grad  # v ← μ·v - lr·g
        if self.nesterov:
            np.multiply(velocity, self.momentum, out=update)
            update -= self.lr * grad
        else:
            np.copyto(update, velocity)
        np.negative(update, out=update)  # apply subtracts
        if not self.apply(update):
            return False
        np.copyto(self.velocity, velocity)
        self._count_and_flush(self.velocity)
        return True


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) as in PyTorch, with L2 weight decay on weights only."""

    state_names = ("m", "v", "t")

    def __init__(self, net, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(net, lr, weight_decay)
        beta1, beta2 = betas
        _check(0 <= beta1 < 1 and 0 <= beta2 < 1, f"betas must be in [0, 1), got {betas}")
        _check(eps > 0, f"eps must be > 0, got {eps}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m, self.v = np.zeros_like(net.params), np.zeros_like(net.params)
        self.t = np.zeros((), np.int64)  # step count, an array so it saves with the rest

    @classmethod
    def from_options(cls, net, opt):
        return cls(net, lr=opt.lr, betas=(opt.beta_1, opt.beta_2), eps=opt.epsilon, weight_decay=opt.weight_decay)

    def _moments(self):
        """One step of the first and second moment averages; the new step count.

        m ← β1·m + (1-β1)·g and v ← β2·v + ((1-β2)·g)·g, each product written into
        ``_update`` (free until the step is computed): a temporary the size of the
        model per product would cost a page-faulting allocation at every batch.
        Every FLUSH_EVERY steps (by the saved count, so a resumed run flushes as an
        uninterrupted one) the moments' subnormal entries are set to 0: see ``flush_subnormals``."""
        grad, scratch = self.gradient(), self._update
        self.m *= self.beta1
        self.m += np.multiply(grad, 1 - self.beta1, out=scratch)
        self.v *= self.beta2
        scratch = np.multiply(grad, 1 - self.beta2, out=scratch)
        scratch *= grad
        self.v += scratch
        self._count_and_flush(self.m)
        t = int(self.t)
        if t % (FLUSH_EVERY * 8) == 0:  # v decays a hundred times more slowly
            flush_subnormals(self.v, scratch)
        return t

    def raw_step(self):
        return self.apply(self._adam_update())

    def _adam_update(self):
        """Adam's step lr·m̂/(sqrt(v̂) + ε) in ``_update``, the moments advanced one step."""
        t = self._moments()
        update = np.divide(self.v, 1 - self.beta2**t, out=self._update)
        np.sqrt(update, out=update)
        update += self.eps
        np.divide(self.m, update, out=update)
        update *= self.lr / (1 - self.beta1**t)
        return update


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019) as PyTorch's ``AdamW`` writes it:
    p ← p - lr·λ·p, then Adam's step from the loss gradient alone (λ is not added to it).
    Here λ decays the weights only, never the biases (PyTorch decays whatever parameters it is given)."""

    def __init__(self, net, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(net, lr, betas, eps, 0.0)
        _check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")
        self.decay = float(weight_decay)
        self._scratch = np.empty_like(net.params) if self.decay else None  # lr·λ·W, written per step

    def raw_step(self):
        update = self._adam_update()
        if self.decay:
            decay, scratch = self.lr * self.decay, self._scratch
            for weights in self.net.weight_slices:
                part = np.multiply(self.net.params[weights], decay, out=scratch[weights])
                update[weights] += part
        return self.apply(update)


class SklearnAdam(Adam):
    """Adam as scikit-learn's ``AdamOptimizer`` writes it: epsilon added to sqrt(v) before the bias
    correction, lr_t = lr·sqrt(1 - β2^t)/(1 - β1^t);  p ← p - lr_t · m / (sqrt(v) + ε)."""

    def raw_step(self):
        t = self._moments()
        update = np.sqrt(self.v, out=self._update)
        update += self.eps
        np.divide(self.m, update, out=update)
        update *= self.lr * math.sqrt(1 - self.beta2**t) / (1 - self.beta1**t)
        return self.apply(update)


class FullBatch(Optimizer):
    """The optimizer object of a full-batch solver (lbfgs, run by ``train.lbfgs``): it takes no steps;
    it holds the solver's options (``tol``, ``max_fun``) and the lr a checkpoint saves, so a run's
    files are those of any other run."""

    def __init__(self, net, lr=0.001, weight_decay=0.0, tol=1e-4, max_fun=15000):
        super().__init__(net, lr, weight_decay)
        self.tol, self.max_fun = tol, max_fun

    @classmethod
    def from_options(cls, net, opt):
        return cls(net, lr=opt.lr, weight_decay=opt.weight_decay, tol=opt.tol, max_fun=opt.max_fun)

    def raw_step(self):
        raise MinimlpError("lbfgs runs through train.lbfgs, not step by step")


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "lbfgs": FullBatch}


def make_optimizer(net, opt):
    """The optimizer an OptimizerConfig (or any object with its attributes) names, from ``OPTIMIZERS``."""
    if opt.name not in OPTIMIZERS:
        raise MinimlpError(f"unknown optimizer {opt.name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[opt.name].from_options(net, opt)


def _check(ok, message):
    if not ok:
        raise MinimlpError(message)
