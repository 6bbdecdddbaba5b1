"""Finite-difference check of every parameter of small float64 networks."""
import numpy as np
import pytest

from minimlp import ACTIVATIONS, MLP, SoftmaxCrossEntropy

from helpers import central_difference, rel_error


def make_problem(activation, soft, seed=0, sizes=(4, 6, 5, 3), n=8):
    rng = np.random.default_rng(seed)
    net = MLP(list(sizes), activation=activation, seed=seed, dtype="float64")
    for layer in net.dense:  # non-zero biases: no ReLU input sits exactly on the kink at 0
        layer.b = rng.uniform(-0.5, 0.5, layer.b.shape)
    X = rng.standard_normal((n, sizes[0]))
    if soft:
        target = rng.random((n, sizes[-1]))
        target /= target.sum(axis=1, keepdims=True)
    else:
        target = rng.integers(0, sizes[-1], n)
    return net, X, target


@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_every_parameter_matches_central_differences(activation, soft, smoothing):
    net, X, target = make_problem(activation, soft)
    head = SoftmaxCrossEntropy(label_smoothing=smoothing)

    def loss():
        return head.forward(net.forward(X), target)

    loss()
    net.backward(head.backward())
    analytic = [(layer.dW.copy(), layer.db.copy()) for layer in net.dense]
    for layer, (dW, db) in zip(net.dense, analytic):
        assert rel_error(central_difference(loss, layer.W), dW) < 1e-6
        assert rel_error(central_difference(loss, layer.b), db) < 1e-6


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_input_gradient_matches_central_differences(activation):
    net, X, labels = make_problem(activation, soft=False, seed=3)
    head = SoftmaxCrossEntropy()

    def loss():
        return head.forward(net.forward(X), labels)

    numeric = central_difference(loss, X)
    loss()
    assert rel_error(numeric, net.backward(head.backward(), input_grad=True)) < 1e-6


def test_backward_overwrites_gradients_instead_of_accumulating():
    net, X, labels = make_problem("tanh", soft=False)
    head = SoftmaxCrossEntropy()
    for _ in range(2):
        head.forward(net.forward(X), labels)
        net.backward(head.backward())
        first = net.grads.copy()
    head.forward(net.forward(X), labels)
    net.backward(head.backward())
    np.testing.assert_array_equal(net.grads, first)
    assert np.abs(first).max() > 0
