"""The derivation behind the fused output layer, checked numerically.

Finite differences of softmax give its Jacobian; pushing the cross-entropy
gradient through that explicit Jacobian must give the fused y - t.
"""
import numpy as np
import pytest

from minimlp import SoftmaxCrossEntropy, softmax

from helpers import central_difference, rel_error


def softmax_row(z):  # the textbook formula, independent of minimlp's log-sum-exp code
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize("seed", range(5))
def test_softmax_jacobian_matches_closed_form(seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(5) * 2
    y = softmax_row(z)
    numeric = np.empty((5, 5))  # numeric[k, i] = dy_k / dz_i
    for i in range(5):
        zp, zm = z.copy(), z.copy()
        zp[i] += 1e-6
        zm[i] -= 1e-6
        numeric[:, i] = (softmax_row(zp) - softmax_row(zm)) / 2e-6
    closed_form = y[:, None] * (np.eye(5) - y[None, :])  # y_k (1{k=i} - y_i)
    assert rel_error(numeric, closed_form) < 1e-8


@pytest.mark.parametrize("soft", [False, True])
def test_chain_rule_through_jacobian_equals_fused_backward(soft):
    rng = np.random.default_rng(1)
    n, K = 6, 4
    z = rng.standard_normal((n, K)) * 3
    if soft:
        t = rng.random((n, K))
        t /= t.sum(axis=1, keepdims=True)
        target = t
    else:
        target = rng.integers(0, K, n)
        t = np.eye(K)[target]
    y = np.array([softmax_row(row) for row in z])
    chain = np.empty((n, K))
    for r in range(n):
        jac = y[r][:, None] * (np.eye(K) - y[r][None, :])
        chain[r] = -(t[r] / y[r]) @ jac  # -sum_k t_k / y_k * dy_k/dz_i
    head = SoftmaxCrossEntropy()
    head.forward(z, target)
    fused = head.backward()
    np.testing.assert_allclose(chain, y - t, atol=1e-14)
    np.testing.assert_allclose(fused, (y - t) / n, atol=1e-15)
    np.testing.assert_allclose(softmax(z), y, atol=1e-15)


def test_fused_backward_matches_finite_differences_of_the_loss():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((5, 3))
    labels = rng.integers(0, 3, 5)
    head = SoftmaxCrossEntropy()
    numeric = central_difference(lambda: head.forward(z, labels), z)
    head.forward(z, labels)
    assert rel_error(numeric, head.backward()) < 1e-8


@pytest.mark.parametrize("eps", [0.1, 0.3])
def test_label_smoothing_matches_explicit_smoothed_target(eps):
    rng = np.random.default_rng(3)
    n, K = 7, 5
    z = rng.standard_normal((n, K))
    labels = rng.integers(0, K, n)
    smoothed = (1 - eps) * np.eye(K)[labels] + eps / K
    expected_loss = -np.mean(np.sum(smoothed * np.log(softmax_row_batch(z)), axis=1))
    head = SoftmaxCrossEntropy(label_smoothing=eps)
    assert head.forward(z, labels) == pytest.approx(expected_loss, rel=1e-13)
    np.testing.assert_allclose(head.backward(), (softmax_row_batch(z) - smoothed) / n, atol=1e-15)
    numeric = central_difference(lambda: head.forward(z, labels), z)
    head.forward(z, labels)
    assert rel_error(numeric, head.backward()) < 1e-8


def softmax_row_batch(z):
    return np.array([softmax_row(row) for row in z])
