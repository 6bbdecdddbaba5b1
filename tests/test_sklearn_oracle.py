"""scikit-learn's MLPClassifier as an independent oracle for full-batch SGD steps."""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from minimlp import MLP, SGD, SoftmaxCrossEntropy

SKLEARN_NAMES = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic", "identity": "identity"}


def sklearn_twin(net, X, y, activation, lr, momentum, nesterov, alpha):
    """An MLPClassifier holding ``net``'s weights, with a fresh optimizer."""
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(net.sizes[1:-1]), activation=SKLEARN_NAMES[activation],
        solver="sgd", learning_rate="constant", learning_rate_init=lr, momentum=momentum,
        nesterovs_momentum=nesterov, alpha=alpha, batch_size=len(X), shuffle=False, max_iter=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    clf.coefs_ = [layer.W.copy() for layer in net.dense]
    clf.intercepts_ = [layer.b.copy() for layer in net.dense]
    del clf._optimizer
    return clf


@pytest.mark.parametrize("activation", sorted(SKLEARN_NAMES))
@pytest.mark.parametrize("momentum,nesterov,alpha", [(0.0, False, 0.0), (0.9, False, 0.0), (0.9, True, 0.0), (0.5, False, 0.3)])
def test_full_batch_sgd_steps_match_sklearn(activation, momentum, nesterov, alpha):
    rng = np.random.default_rng(0)
    n, sizes, lr, steps = 30, [5, 7, 6, 4], 0.2, 5
    X = rng.standard_normal((n, sizes[0]))
    y = np.arange(n) % sizes[-1]
    net = MLP(sizes, activation=activation, init="sklearn", seed=1, dtype="float64")
    clf = sklearn_twin(net, X, y, activation, lr, momentum, nesterov, alpha)
    # scikit-learn's alpha penalises 0.5·alpha·||W||² / n_samples: weight_decay = alpha / n.
    opt = SGD(net, lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=alpha / n)
    head = SoftmaxCrossEntropy()
    start = net.params.copy()
    for _ in range(steps):
        head.forward(net.forward(X), y)
        net.backward(head.backward())
        opt.step()
        clf.partial_fit(X, y)
    for layer, W, b in zip(net.dense, clf.coefs_, clf.intercepts_):
        np.testing.assert_allclose(layer.W, W, rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.b, b, rtol=0, atol=1e-10)
    assert np.abs(net.params - start).max() > 1e-2  # the steps really moved the weights
