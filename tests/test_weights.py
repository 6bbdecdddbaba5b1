"""Sample and class weights in the loss and the fused gradient: Σ w_i (p_i - t_i) / Σ w_i.

References: the loss and gradient written out in numpy, finite differences, row repetition for
integer weights, scikit-learn's own weighted lbfgs fit, and PyTorch's CrossEntropyLoss(weight=...)
when torch is importable (it is not a dependency).
"""
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data

from minimlp import MLP, SGD, SoftmaxCrossEntropy
from minimlp.runs.setup import fit_config
from minimlp.sklearn import MLPClassifier
from minimlp.train import TrainOptions, fit


def closed_form(z, labels, w):
    """Weighted mean cross-entropy and its gradient w.r.t. the logits, from their definitions."""
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    t = np.eye(z.shape[1])[labels]
    loss = -(w * np.log(p[np.arange(len(z)), labels])).sum() / w.sum()
    return loss, w[:, None] * (p - t) / w.sum()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_weighted_loss_and_gradient_equal_the_closed_form(dtype):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((40, 5)).astype(dtype) * 3
    labels, w = rng.integers(0, 5, 40), rng.uniform(0, 4, 40).astype(dtype)
    head = SoftmaxCrossEntropy()
    loss = head.forward_checked(z, labels, w)
    grad = head.backward()
    expected_loss, expected_grad = closed_form(z.astype(np.float64), labels, w.astype(np.float64))
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert loss.dtype == dtype and grad.dtype == dtype
    assert float(loss) == pytest.approx(expected_loss, rel=tol)
    np.testing.assert_allclose(grad, expected_grad, rtol=tol * 10, atol=tol)


def test_unit_weights_are_the_unweighted_mean():
    rng = np.random.default_rng(1)
    z, labels = rng.standard_normal((30, 4)), rng.integers(0, 4, 30)
    head = SoftmaxCrossEntropy()
    plain = head.forward_checked(z, labels), head.backward().copy()
    weighted = head.forward_checked(z, labels, np.full(30, 2.5)), head.backward()
    assert weighted[0] == pytest.approx(plain[0], rel=1e-15)
    np.testing.assert_allclose(weighted[1], plain[1], rtol=1e-14)


def test_class_weights_equal_torch_cross_entropy_with_weight():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    z, labels, class_w = rng.standard_normal((25, 3)), rng.integers(0, 3, 25), np.array([0.5, 2.0, 1.3])
    head = SoftmaxCrossEntropy()
    loss = head.forward_checked(z, labels, class_w[labels])
    grad = head.backward()
    zt = torch.tensor(z, requires_grad=True)
    expected = torch.nn.CrossEntropyLoss(weight=torch.tensor(class_w))(zt, torch.tensor(labels))
    expected.backward()
    assert float(loss) == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(grad, zt.grad.numpy(), rtol=1e-10, atol=1e-14)


def train(X, y, weights, epochs=4, batch_size=None, seed=0):
    """minimlp's loop, full batch without shuffling, SGD with momentum and weight decay."""
    net = MLP([X.shape[1], 6, 3], "tanh", seed=seed, dtype="float64")
    options = TrainOptions(epochs=epochs, batch_size=batch_size or len(X), shuffle=False, seed=seed)
    result = fit(net, X, y, np.empty((0, X.shape[1])), np.empty(0, np.intp), options,
                 SGD(net, lr=0.3, momentum=0.9, weight_decay=0.01), weights=weights)
    return net.params, result.history


def test_integer_weights_train_as_repeated_rows():
    """weights [2, 1, 3, ...] equal the data with row 0 twice, row 2 three times (full batch: the same mean)."""
    X, y = make_classification(n_samples=30, n_features=5, n_informative=3, n_classes=3, random_state=0)
    w = np.random.default_rng(3).integers(1, 4, 30)
    params, history = train(X, y, w)
    repeated, repeated_history = train(np.repeat(X, w, axis=0), np.repeat(y, w), None)
    np.testing.assert_allclose(params, repeated, rtol=1e-12, atol=1e-13)
    assert [r.train_loss for r in history] == pytest.approx([r.train_loss for r in repeated_history], rel=1e-12)
    unweighted, _ = train(X, y, None)
    assert np.abs(params - unweighted).max() > 1e-3  # the weights changed the result


def test_weighted_minibatches_step_with_each_batchs_weighted_mean():
    """Two batches of 10: each step uses Σ_batch w (p - t) / Σ_batch w, against the closed form."""
    X, y = make_classification(n_samples=20, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=1)
    w = np.linspace(0.1, 3.0, 20)
    net = MLP([4, 3], "relu", seed=0, dtype="float64")  # no hidden layer: the gradient is X.T @ delta
    Wb = net.dense[0].Wb.copy()
    for rows in (slice(0, 10), slice(10, 20)):
        x1 = np.hstack([X[rows], np.ones((10, 1))])
        _, delta = closed_form(x1 @ Wb, y[rows], w[rows])
        Wb -= 0.5 * x1.T @ delta
    fit(net, X, y, np.empty((0, 4)), np.empty(0, np.intp), TrainOptions(epochs=1, batch_size=10, shuffle=False),
        SGD(net, lr=0.5), weights=w)
    np.testing.assert_allclose(net.dense[0].Wb, Wb, rtol=1e-12, atol=1e-14)


def test_bad_weights_are_refused():
    X, y = make_classification(n_samples=20, n_features=4, random_state=0)
    for weights, text in [(np.ones(5), "one per training row"), (-np.ones(20), ">= 0"), (np.zeros(20), "not all 0"),
                          (np.full(20, np.nan), "finite")]:
        with pytest.raises(ValueError, match=text):
            train(X, y, weights)


def test_lbfgs_passes_scikit_learns_sample_weight_equivalence_check():
    """scikit-learn runs this check on its MLPClassifier with solver='lbfgs': weights = removed or repeated rows."""
    check_sample_weight_equivalence_on_dense_data("MLPClassifier", MLPClassifier(solver="lbfgs", random_state=0))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_class_weight_balanced_equals_sample_weights_n_over_k_count():
    X, y = make_classification(n_samples=90, n_features=5, weights=[0.8, 0.2], random_state=0)
    counts = np.bincount(y)
    manual = len(y) / (2 * counts[y])
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=30, random_state=0)
    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    by_hand = MLPClassifier(**params).fit(X, y, sample_weight=manual)
    as_dict = MLPClassifier(class_weight={0: manual[y == 0][0], 1: manual[y == 1][0]}, **params).fit(X, y)
    plain = MLPClassifier(**params).fit(X, y)
    for clf in (by_hand, as_dict):
        np.testing.assert_array_equal(clf.coefs_[0], balanced.coefs_[0])
    assert np.abs(plain.coefs_[0] - balanced.coefs_[0]).max() > 1e-3
    # the minority class gains recall
    recall = [np.mean(clf.predict(X)[y == 1] == 1) for clf in (plain, balanced)]
    assert recall[1] >= recall[0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sgd_sample_weight_in_fit_and_partial_fit():
    """Without alpha, doubling every weight changes nothing (the mean is normalised); zero weights drop
    rows' influence, the L2 penalty's alpha / Σ w included (scikit-learn's)."""
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    params = dict(hidden_layer_sizes=(4,), solver="sgd", max_iter=3, random_state=0, batch_size=60, shuffle=False)
    one = MLPClassifier(alpha=0, **params).fit(X, y, sample_weight=np.ones(60))
    two = MLPClassifier(alpha=0, **params).fit(X, y, sample_weight=np.full(60, 2.0))
    np.testing.assert_allclose(one.coefs_[0], two.coefs_[0], rtol=1e-13)
    a = MLPClassifier(**params).partial_fit(X, y, sample_weight=np.r_[np.ones(30), np.zeros(30)], classes=[0, 1])
    b = MLPClassifier(**{**params, "batch_size": 30}).partial_fit(X[:30], y[:30], classes=[0, 1])
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-12)


def weighted_table(tmp_path, weights_text=None):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 3))
    y = np.where(X[:, 0] > 0.8, "rare", "common")
    w = rng.integers(1, 4, 120)
    lines = ["a,b,w,c,label"] + [f"{a},{b},{wi},{c},{label}" for (a, b, c), wi, label in zip(X, w, y)]
    if weights_text is not None:
        lines[5] = lines[5].split(",")[0] + f",0.5,{weights_text},1.0,common"
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "t.yaml").write_text("name: t\ndata:\n  dataset: csv\n  path: t.csv\n  weight_column: w\n"
                                     "  scaling: standard\nmodel:\n  hidden: [5]\n  dtype: float64\n"
                                     "train:\n  epochs: 3\n  early_stopping: false\n  calibrate: false\n")
    return X, y, w


def test_config_weight_column_and_class_weight_reach_the_loss(tmp_path):
    from minimlp.config import load_config
    from minimlp.runs import prepare

    X, y, w = weighted_table(tmp_path)
    config = load_config(tmp_path / "t.yaml")
    prepared = prepare(config)
    assert prepared.dataset.feature_names == ["a", "b", "c"]  # the weight column is not a feature
    np.testing.assert_array_equal(prepared.dataset.weights, w)  # the column, row by row
    assert prepared.weights is prepared.splits.w_train and len(prepared.weights) == len(prepared.splits.y_train)
    # the training rows' weights are those rows' cells: the training rows are the ones outside val and test
    a = prepared.dataset.frame.numeric_matrix()[:, 0]
    train_a = prepared.splits.X_train[:, 0] * prepared.splits.scaler.scale[0] + prepared.splits.scaler.mean[0]
    rows = [int(np.argmin(np.abs(a - value))) for value in train_a]
    np.testing.assert_array_equal(prepared.weights, w[rows])
    balanced = prepare(load_config(tmp_path / "t.yaml", ["train.class_weight=balanced"]))
    y_train = balanced.splits.y_train
    expected = balanced.splits.w_train * (len(y_train) / (2 * np.bincount(y_train)))[y_train]
    np.testing.assert_allclose(balanced.weights, expected, rtol=1e-15)
    mapping = prepare(load_config(tmp_path / "t.yaml", ["train.class_weight={rare: 4}"]))
    rare = list(mapping.dataset.classes).index("rare")
    np.testing.assert_array_equal(mapping.weights, mapping.splits.w_train * np.where(y_train == rare, 4.0, 1.0))


def test_config_weighted_run_equals_fit_with_those_weights(tmp_path):
    from minimlp.config import load_config
    from minimlp.runs import prepare, train_run
    from minimlp.model import MLP as Net

    weighted_table(tmp_path)
    config = load_config(tmp_path / "t.yaml", ["train.class_weight=balanced"])
    result = train_run(config, tmp_path / "run")
    prepared = prepare(config)
    fit_config(prepared.net, prepared.splits, config, weights=prepared.weights)
    saved = np.load(tmp_path / "run" / "model.npz")
    np.testing.assert_array_equal(saved["params"], prepared.net.params)
    unweighted = prepare(config)
    fit_config(unweighted.net, unweighted.splits, config)
    assert result.status == "completed" and np.abs(unweighted.net.params - prepared.net.params).max() > 1e-4
    assert Net  # the same network class


@pytest.mark.parametrize("cell,message", [("-1", "needs a finite number >= 0 in every row; line 6 holds"),
                                          ("x", "must hold numbers"), ("", "needs a finite number >= 0")])
def test_bad_weight_cells_are_refused_naming_the_column_and_row(tmp_path, cell, message):
    from minimlp.config import load_config
    from minimlp.errors import DataError
    from minimlp.runs import prepare

    weighted_table(tmp_path, cell)
    with pytest.raises(DataError, match=message):
        prepare(load_config(tmp_path / "t.yaml"))


@pytest.mark.parametrize("override,message", [
    (["data.weight_column=nope"], "no column named 'nope' for data.weight_column"),
    (["train.class_weight={rar: 2}"], 'names the class "rar"'),
    (["train.class_weight=even"], "train.class_weight must be balanced, or a mapping"),
    (["train.class_weight={rare: -1}"], "train.class_weight must be balanced, or a mapping"),
])
def test_bad_weight_config_is_refused(tmp_path, override, message):
    from minimlp.config import load_config
    from minimlp.errors import MinimlpError
    from minimlp.runs import prepare

    weighted_table(tmp_path)
    with pytest.raises(MinimlpError, match=message):
        prepare(load_config(tmp_path / "t.yaml", override))


def test_weight_column_applies_only_to_csv():
    from minimlp.config import load_config
    from minimlp.errors import ConfigError

    with pytest.raises(ConfigError, match="data.weight_column applies only when data.dataset is csv"):
        load_config(None, ["data.weight_column=w"])


def test_a_weighted_forward_leaves_nothing_behind_for_the_next_plain_one():
    """A weighted forward with no backward, then a plain forward + backward: the plain gradient, unscaled
    (before the one-core change it came back scaled by the old weights: 0.218 off on this example)."""
    rng = np.random.default_rng(0)
    z, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    head = SoftmaxCrossEntropy()
    head.forward_checked(z, labels, np.array([0.1, 3.0, 1.0, 0.5]))
    head.forward(z, labels)
    fresh = SoftmaxCrossEntropy()
    fresh.forward(z, labels)
    expected = fresh.backward()
    np.testing.assert_array_equal(head.backward(), expected)
    np.testing.assert_allclose(expected, closed_form(z, labels, np.ones(4))[1], rtol=1e-12, atol=1e-15)


def test_float32_weights_near_float32s_maximum_give_the_weighted_mean():
    """Every row weighted 3e38: Σ w overflows float32 (inf loss, nothing learned, before); the weighted mean of
    equal weights is the plain mean, so training equals the unweighted run up to rounding."""
    X, y = make_classification(n_samples=40, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=2)

    def run(weights):
        net = MLP([4, 6, 3], "tanh", seed=0, dtype="float32")
        result = fit(net, X.astype(np.float32), y, np.empty((0, 4), np.float32), np.empty(0, np.intp),
                     TrainOptions(epochs=5, batch_size=8, shuffle=False), SGD(net, lr=0.2), weights=weights)
        return net.params, result

    heavy, result = run(np.full(40, 3e38))
    plain, _ = run(None)
    assert result.status == "completed" and all(np.isfinite(r.train_loss) for r in result.history)
    np.testing.assert_allclose(heavy, plain, rtol=1e-5, atol=1e-6)


def test_a_batch_whose_weights_sum_to_zero_is_skipped_not_divergence():
    X, y = make_classification(n_samples=40, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=2)
    w = np.ones(40)
    w[8:16] = 0  # the second batch of 8 weighs nothing
    net = MLP([4, 6, 3], "tanh", seed=0, dtype="float64")
    result = fit(net, X, y, np.empty((0, 4)), np.empty(0, np.intp), TrainOptions(epochs=3, batch_size=8, shuffle=False),
                 SGD(net, lr=0.2), weights=w)
    assert result.status == "completed"
    keep = w > 0  # the same as training on the other batches only, in the same order
    other = MLP([4, 6, 3], "tanh", seed=0, dtype="float64")
    fit(other, X[keep], y[keep], np.empty((0, 4)), np.empty(0, np.intp),
        TrainOptions(epochs=3, batch_size=8, shuffle=False), SGD(other, lr=0.2))
    np.testing.assert_allclose(net.params, other.params, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="a sum that float64 can hold"):
        fit(net, X, y, np.empty((0, 4)), np.empty(0, np.intp), TrainOptions(epochs=1, batch_size=8),
            SGD(net, lr=0.2), weights=np.full(40, 1e308))
