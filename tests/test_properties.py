"""Properties of softmax and the fused loss over random logits (hypothesis)."""
import numpy as np
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minimlp import SoftmaxCrossEntropy, softmax

shapes = st.tuples(st.integers(1, 8), st.integers(2, 6))
finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@st.composite
def logits_and_labels(draw):
    n, K = draw(shapes)
    z = draw(arrays(np.float64, (n, K), elements=finite))
    labels = draw(arrays(np.int64, n, elements=st.integers(0, K - 1)))
    return z, labels


@settings(max_examples=examples(200), deadline=None)
@given(logits_and_labels())
def test_softmax_rows_sum_to_one_and_loss_is_non_negative(case):
    z, labels = case
    p = softmax(z)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=0, atol=1e-12)
    head = SoftmaxCrossEntropy()
    loss = head.forward(z, labels)
    assert np.isfinite(loss) and loss >= 0


@settings(max_examples=examples(200), deadline=None)
@given(logits_and_labels(), st.floats(0, 0.5))
def test_gradient_rows_sum_to_zero(case, smoothing):
    z, labels = case
    head = SoftmaxCrossEntropy(label_smoothing=smoothing)
    head.forward(z, labels)
    grad = head.backward()
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)


@settings(max_examples=examples(100), deadline=None)
@given(st.integers(2, 10), st.integers(1, 6), st.floats(0.0, 30.0))
def test_loss_of_a_confident_right_answer_goes_to_zero(K, n, margin):
    labels = np.arange(n) % K
    z = margin * np.eye(K)[labels]
    loss = SoftmaxCrossEntropy().forward(z, labels)
    # closed form: log(1 + (K-1)·e^-margin), -> 0 as the margin grows
    np.testing.assert_allclose(loss, np.log1p((K - 1) * np.exp(-margin)), rtol=1e-9, atol=1e-15)
    assert SoftmaxCrossEntropy().forward(1e4 * np.eye(K)[labels], labels) == 0.0
