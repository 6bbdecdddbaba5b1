"""Extreme inputs: finite results, closed-form values, and no numpy warnings (warnings are errors)."""
import numpy as np
import pytest

from minimlp import MLP, SoftmaxCrossEntropy, log_softmax, softmax
from minimlp.numerics.layers import ACTIVATIONS

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_huge_logits_give_the_closed_form_loss(dtype):
    z = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype)
    head = SoftmaxCrossEntropy()
    # row 0 right (loss 0), row 1 wrong by 2e4, row 2 all equal (loss log 3)
    loss = head.forward(z, np.array([0, 1, 2]))
    assert loss.dtype == dtype
    assert loss == pytest.approx((0 + 2e4 + np.log(3)) / 3, rel=1e-6)
    grad = head.backward()
    expected = np.array([[0, 0, 0], [1, -1, 0], [1 / 3, 1 / 3, -2 / 3]]) / 3
    np.testing.assert_allclose(grad, expected, atol=1e-7)
    assert np.all(np.isfinite(log_softmax(z))) and np.all(np.isfinite(softmax(z)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_equal_logits(dtype):
    K, n = 5, 4
    head = SoftmaxCrossEntropy()
    loss = head.forward(np.full((n, K), 7.0, dtype), np.arange(n))
    assert loss == pytest.approx(np.log(K), rel=1e-6)
    np.testing.assert_allclose(head.backward(), (1 / K - np.eye(K)[np.arange(n)]) / n, atol=1e-7)


def test_batch_of_one():
    z = np.array([[2.0, -1.0, 0.5]])
    head = SoftmaxCrossEntropy()
    y = np.exp(z[0]) / np.exp(z[0]).sum()
    assert head.forward(z, np.array([2])) == pytest.approx(-np.log(y[2]), rel=1e-14)
    np.testing.assert_allclose(head.backward(), [y - [0, 0, 1]], atol=1e-15)


def test_class_absent_from_batch():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((6, 4))
    labels = np.array([0, 1, 0, 1, 1, 0])  # classes 2 and 3 never appear
    head = SoftmaxCrossEntropy()
    loss = head.forward(z, labels)
    grad = head.backward()
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(6), labels])), rel=1e-13)
    np.testing.assert_allclose(grad[:, 2:], p[:, 2:] / 6, atol=1e-15)  # only pushed down


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_activations_on_extreme_inputs(activation, dtype):
    layer = ACTIVATIONS[activation]()
    z = np.array([[-1e30, -1e4, -100.0, -1e-30, 0.0, 1e-30, 100.0, 1e4, 1e30]], dtype=dtype)
    y = layer.forward(z.copy())
    g = layer.backward(np.ones_like(z))
    assert y.dtype == dtype and g.dtype == dtype
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(g))


def test_sigmoid_keeps_relative_precision_for_large_negative_inputs():
    layer = ACTIVATIONS["sigmoid"]()
    z = np.array([[-40.0, -700.0, 40.0, 0.0]])
    y = layer.forward(z)
    assert y[0, 0] == pytest.approx(np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-14)
    assert y[0, 1] == pytest.approx(np.exp(-700.0), rel=1e-12)
    assert y[0, 2] == 1.0 and y[0, 3] == 0.5


@pytest.mark.parametrize("dtype", DTYPES)
def test_network_on_huge_inputs_stays_finite(dtype):
    net = MLP([3, 8, 3], activation="sigmoid", seed=0, dtype=dtype)
    X = np.array([[1e6, -1e6, 3e5], [0, 0, 0]], dtype=dtype)
    proba = net.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_row_losses_and_gradient_match_the_closed_forms(dtype, smoothing):
    """row_losses (the training loop's loss) and gradient (its step) against formulas written out in float64."""
    rng = np.random.default_rng(3)
    z = (rng.standard_normal((6, 4)) * 3).astype(dtype)
    z[0] = [1e4, -1e4, 0.0, 5.0]  # extreme row: closed form still finite
    labels = np.array([1, 0, 3, 2, 2, 1])
    K = z.shape[1]
    t = (1 - smoothing) * np.eye(K)[labels] + smoothing / K
    z64 = z.astype(np.float64)
    log_y = z64 - z64.max(axis=1, keepdims=True)
    log_y -= np.log(np.exp(log_y).sum(axis=1, keepdims=True))
    head = SoftmaxCrossEntropy(smoothing)
    losses = head.row_losses(z, labels)
    assert losses.dtype == dtype and losses.shape == (6,)
    np.testing.assert_allclose(losses, -(t * log_y).sum(axis=1), rtol=1e-5 if dtype == "float32" else 1e-12)
    grad = head.gradient(z, labels)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, (np.exp(log_y) - t) / 6, atol=1e-7 if dtype == "float32" else 1e-16)
    # and the public forward + backward pair gives the same gradient, bit for bit
    other = SoftmaxCrossEntropy(smoothing)
    other.forward(z, labels)
    np.testing.assert_array_equal(other.backward(), grad)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, "far apart"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_is_none_when_the_loss_is_not_finite(bad, dtype):
    z = np.zeros((3, 4), dtype)
    if bad == "far apart":  # each logit finite, their difference not
        big = np.finfo(dtype).max / 2 * 1.5
        z[1, 0], z[1, 2] = big, -big
    else:
        z[1, 2] = bad
    labels = np.array([0, 2, 3])
    assert SoftmaxCrossEntropy().gradient(z, labels) is None
    z[1] = 0.0
    assert SoftmaxCrossEntropy().gradient(z, labels) is not None
