"""The public API snippet of docs/python-api.md works as written, and the core stays light."""
import subprocess
import sys

import numpy as np
import pytest

from minimlp import MLP, SGD, MinimlpError, SoftmaxCrossEntropy


def test_readme_snippet():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 4)), rng.integers(0, 3, 12)
    net = MLP([4, 16, 3], activation="relu", seed=0, dtype="float64")
    head = SoftmaxCrossEntropy()
    z = net.forward(X)
    assert z.shape == (12, 3)
    loss = head.forward(z, y)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(12), y])))
    grad = head.backward()
    np.testing.assert_allclose(grad, (p - np.eye(3)[y]) / 12, atol=1e-15)
    net.backward(grad)
    for layer in net.dense:
        assert layer.W.shape[1] == layer.b.shape[0] == layer.dW.shape[1] == layer.db.shape[0]
    before = [layer.W.copy() for layer in net.dense]
    opt = SGD(net, lr=0.1, momentum=0.9, nesterov=False, weight_decay=0.0)
    opt.step()
    for layer, W in zip(net.dense, before):
        np.testing.assert_allclose(layer.W, W - 0.1 * layer.dW)
    assert net.n_params == (4 * 16 + 16) + (16 * 3 + 3)


def test_training_reduces_the_loss():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # XOR-like: needs the hidden layer
    net = MLP([2, 32, 2], seed=0, dtype="float64")
    head, opt = SoftmaxCrossEntropy(), SGD(net, lr=0.5, momentum=0.9)
    first = head.forward(net.forward(X), y)
    for _ in range(300):
        head.forward(net.forward(X), y)
        net.backward(head.backward())
        opt.step()
    assert head.forward(net.forward(X), y) < first / 5
    assert np.mean(net.predict(X) == y) > 0.95


def test_import_minimlp_pulls_neither_click_nor_matplotlib():
    code = "import sys, minimlp; print(' '.join(m for m in ('click', 'matplotlib', 'sklearn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("kwargs,message", [
    ({"sizes": [4]}, "sizes must be"), ({"sizes": [4, 0, 3]}, "sizes must be"),
    ({"sizes": [4, 2.5, 3]}, "sizes must be"), ({"activation": "gelu"}, "relu, leaky_relu"),
    ({"init": "zeros"}, "auto, he"), ({"dtype": "float16"}, "float32, float64"),
])
def test_bad_model_arguments(kwargs, message):
    with pytest.raises(MinimlpError, match=message):
        MLP(**{"sizes": [4, 3], **kwargs})


def test_wrong_input_width_and_bad_targets():
    net, head = MLP([4, 3]), SoftmaxCrossEntropy()
    with pytest.raises(MinimlpError, match=r"shape \(n, 4\)"):
        net.forward(np.zeros((2, 5)))
    z = net.forward(np.zeros((2, 4)))
    for target, message in [([0, 3], "labels must be in"), ([0], "got 1 labels"),
                            ([[0.5, 0.5, 0.5], [1, 0, 0]], "sum to 1"), (np.zeros((2, 2)), "probability rows")]:
        with pytest.raises(MinimlpError, match=message):
            head.forward(z, np.asarray(target))
    with pytest.raises(MinimlpError, match="needs a forward"):
        SoftmaxCrossEntropy().backward()
