"""scikit-learn 1.9's classifier tests of sklearn/neural_network/tests/test_mlp.py, ported to
minimlp.sklearn.MLPClassifier: their cases and assertions, our code.

Where a test reads a private attribute of scikit-learn's, the port reads ours (``_optimizer.learning_rate``
is ``optimizer_.lr``, ``_no_improvement_count`` is ``_schedule.count``, ``_loss_grad_lbfgs`` is
``train.lbfgs.LbfgsObjective``).  Left out, with the reason in docs/python-api.md: test_fit (a worked example
for one logistic output unit), test_multilabel_classification and test_predict_proba_multilabel
(multilabel targets), test_minimum_input_sample_size (a stratified split never leaves a classifier fewer
than two validation rows); regressor tests are ported where their case applies to a classifier.
"""
import pickle
import re
import warnings

import numpy as np
import pytest
from scipy.sparse import csr_array, csr_matrix
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import MinMaxScaler

from minimlp.sklearn import MLPClassifier
from minimlp.train.lbfgs import LbfgsObjective

ACTIVATION_TYPES = ["identity", "logistic", "tanh", "relu"]

X_digits, y_digits = load_digits(n_class=3, return_X_y=True)
X_digits_multi = MinMaxScaler().fit_transform(X_digits[:200])
y_digits_multi = y_digits[:200]
X_digits, y_digits = load_digits(n_class=2, return_X_y=True)
X_digits_binary = MinMaxScaler().fit_transform(X_digits[:200])
y_digits_binary = y_digits[:200]
classification_datasets = [(X_digits_multi, y_digits_multi), (X_digits_binary, y_digits_binary)]
X_iris, y_iris = load_iris(return_X_y=True)


def quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit()


def test_alpha():
    X, y = X_digits_binary[:100], y_digits_binary[:100]
    sums = []
    for alpha in np.arange(2):
        mlp = quiet(lambda: MLPClassifier(hidden_layer_sizes=10, alpha=alpha, random_state=1).fit(X, y))
        sums.append(np.array([np.abs(mlp.coefs_[0]).sum(), np.abs(mlp.coefs_[1]).sum()]))
    assert (sums[0] > sums[1]).all()


@pytest.mark.parametrize("n_labels", [2, 3])
@pytest.mark.parametrize("activation", ACTIVATION_TYPES)
def test_gradient(n_labels, activation):
    random_state = np.random.RandomState(seed=42)
    X = random_state.rand(5, 10)
    y = 1 + np.mod(np.arange(5) + 1, n_labels)
    mlp = MLPClassifier(activation=activation, hidden_layer_sizes=10, solver="lbfgs", alpha=1e-5,
                        learning_rate_init=0.2, max_iter=1, random_state=1)
    quiet(lambda: mlp.fit(X, y))
    objective = LbfgsObjective(mlp.net_, X, np.searchsorted(mlp.classes_, y), mlp.alpha / len(X))
    theta = mlp.net_.params.copy()
    value, grad = objective(theta)
    numgrad = np.zeros(theta.size)
    for i in range(theta.size):
        d = np.zeros(theta.size)
        d[i] = 1e-5
        numgrad[i] = (objective(theta + d)[0] - objective(theta - d)[0]) / 2e-5
    np.testing.assert_almost_equal(numgrad, grad)


@pytest.mark.parametrize("X,y", classification_datasets)
@pytest.mark.parametrize("activation", ACTIVATION_TYPES)
def test_lbfgs_classification(X, y, activation):
    X_train, y_train, X_test = X[:150], y[:150], X[150:]
    mlp = MLPClassifier(solver="lbfgs", hidden_layer_sizes=50, max_iter=150, shuffle=True, random_state=1,
                        activation=activation)
    quiet(lambda: mlp.fit(X_train, y_train))
    y_predict = mlp.predict(X_test)
    assert mlp.score(X_train, y_train) > 0.95
    assert (y_predict.shape[0], y_predict.dtype.kind) == (X_test.shape[0], y_train.dtype.kind)


@pytest.mark.parametrize("X,y", classification_datasets)
@pytest.mark.parametrize("activation", ACTIVATION_TYPES)
def test_lbfgs_classification_maxfun(X, y, activation):
    mlp = MLPClassifier(solver="lbfgs", hidden_layer_sizes=50, max_iter=150, max_fun=10, shuffle=True,
                        random_state=1, activation=activation)
    with pytest.warns(ConvergenceWarning):
        mlp.fit(X, y)
    assert 10 >= mlp.n_iter_


@pytest.mark.parametrize("learning_rate", ["invscaling", "constant"])
def test_learning_rate_warmstart(learning_rate):
    X, y = [[3, 2], [1, 6], [5, 6], [-2, -4]], [1, 1, 1, 0]
    mlp = MLPClassifier(solver="sgd", hidden_layer_sizes=4, learning_rate=learning_rate, max_iter=1, power_t=0.25,
                        warm_start=True)
    quiet(lambda: mlp.fit(X, y))
    prev_eta = mlp.optimizer_.lr
    quiet(lambda: mlp.fit(X, y))
    post_eta = mlp.optimizer_.lr
    if learning_rate == "constant":
        assert prev_eta == post_eta
    else:
        assert mlp.learning_rate_init / pow(8 + 1, mlp.power_t) == post_eta


def test_partial_fit_classes_error():
    clf = MLPClassifier(solver="sgd")
    clf.partial_fit([[3, 2]], [0], classes=[0, 1])
    with pytest.raises(ValueError):
        clf.partial_fit([[3, 2]], [0], classes=[1, 2])


@pytest.mark.parametrize("X,y", classification_datasets)
def test_partial_fit_classification(X, y):
    mlp = MLPClassifier(solver="sgd", max_iter=100, random_state=1, tol=0, alpha=1e-5, learning_rate_init=0.2)
    quiet(lambda: mlp.fit(X, y))
    pred1 = mlp.predict(X)
    mlp = MLPClassifier(solver="sgd", random_state=1, alpha=1e-5, learning_rate_init=0.2)
    for _ in range(100):
        mlp.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_array_equal(pred1, mlp.predict(X))
    assert mlp.score(X, y) > 0.95


def test_partial_fit_unseen_classes():
    clf = MLPClassifier(random_state=0)
    clf.partial_fit([[1], [2], [3]], ["a", "b", "c"], classes=["a", "b", "c", "d"])
    clf.partial_fit([[4]], ["d"])
    assert clf.score([[1], [2], [3], [4]], ["a", "b", "c", "d"]) > 0


def test_partial_fit_errors():
    with pytest.raises(ValueError):
        MLPClassifier(solver="sgd").partial_fit([[3, 2], [1, 6]], [1, 0], classes=[2])
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")


def test_nonfinite_params():
    """Ported from the regressor's: input at float64's limit cannot be trained on, and says so with
    scikit-learn's message, whatever the solver, activation or seed (issue 25: Adam's normalised steps
    and a ReLU layer whose units all start dead used to train to a finite loss of 5e306)."""
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    for solver in ("sgd", "adam"):
        for activation in ("identity", "relu"):
            with pytest.raises(ValueError, match="The input data may contain large values and need to be preprocessed"):
                MLPClassifier(solver=solver, activation=activation, random_state=0).fit(X, np.arange(10) % 2)
    with pytest.raises(ValueError, match="The input data may contain large values and need to be preprocessed"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MLPClassifier(solver="lbfgs", activation="identity", random_state=0).fit(X, np.arange(10) % 2)


def test_predict_proba_binary():
    X, y = X_digits_binary[:50], y_digits_binary[:50]
    clf = quiet(lambda: MLPClassifier(hidden_layer_sizes=5, activation="logistic", random_state=1).fit(X, y))
    y_proba, y_log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert y_proba.shape == (50, 2)
    np.testing.assert_array_equal(y_proba.argmax(axis=1), y_log_proba.argmax(axis=1))
    np.testing.assert_allclose(y_log_proba, np.log(y_proba))
    assert roc_auc_score(y, y_proba[:, 1]) == 1.0


def test_predict_proba_multiclass():
    X, y = X_digits_multi[:10], y_digits_multi[:10]
    clf = quiet(lambda: MLPClassifier(hidden_layer_sizes=5).fit(X, y))
    y_proba, y_log_proba = clf.predict_proba(X), clf.predict_log_proba(X)
    assert y_proba.shape == (10, np.unique(y).size)
    np.testing.assert_array_equal(y_proba.argmax(axis=1), y_log_proba.argmax(axis=1))
    np.testing.assert_allclose(y_log_proba, np.log(y_proba))


def test_shuffle():
    """Ported from the regressor's."""
    X, y = make_classification(n_samples=50, n_features=5, random_state=0)
    params = dict(hidden_layer_sizes=1, max_iter=1, batch_size=1, random_state=0)
    for shuffle in [True, False]:
        a = quiet(lambda: MLPClassifier(shuffle=shuffle, **params).fit(X, y))
        b = quiet(lambda: MLPClassifier(shuffle=shuffle, **params).fit(X, y))
        assert np.array_equal(a.coefs_[0], b.coefs_[0])
    a = quiet(lambda: MLPClassifier(shuffle=True, **params).fit(X, y))
    b = quiet(lambda: MLPClassifier(shuffle=False, **params).fit(X, y))
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])


@pytest.mark.parametrize("csr_container", [csr_matrix, csr_array])
def test_sparse_matrices(csr_container):
    X, y = X_digits_binary[:50], y_digits_binary[:50]
    X_sparse = csr_container(X)
    mlp = MLPClassifier(solver="lbfgs", hidden_layer_sizes=15, random_state=1)
    mlp.fit(X, y)
    pred1 = mlp.predict(X)
    mlp.fit(X_sparse, y)
    pred2 = mlp.predict(X_sparse)
    np.testing.assert_almost_equal(pred1, pred2)
    np.testing.assert_array_equal(mlp.predict(X), mlp.predict(X_sparse))


def test_tolerance():
    clf = MLPClassifier(tol=0.5, max_iter=3000, solver="sgd").fit([[3, 2], [1, 6]], [1, 0])
    assert clf.max_iter > clf.n_iter_


def test_verbose_sgd(capsys):
    X, y = [[3, 2], [1, 6]], [1, 0]
    clf = MLPClassifier(solver="sgd", max_iter=2, verbose=10, hidden_layer_sizes=2)
    quiet(lambda: clf.fit(X, y))
    clf.partial_fit(X, y)
    out, _ = capsys.readouterr()
    assert "Iteration" in out


def test_early_stopping():
    X, y = X_digits_binary[:100], y_digits_binary[:100]
    tol = 0.2
    mlp = MLPClassifier(tol=tol, max_iter=3000, solver="sgd", early_stopping=True).fit(X, y)
    assert mlp.max_iter > mlp.n_iter_
    assert mlp.best_loss_ is None and isinstance(mlp.validation_scores_, list)
    valid_scores, best = mlp.validation_scores_, mlp.best_validation_score_
    assert max(valid_scores) == best
    assert best + tol > valid_scores[-2] and best + tol > valid_scores[-1]
    mlp = MLPClassifier(tol=tol, max_iter=3000, solver="sgd", early_stopping=False).fit(X, y)
    assert mlp.validation_scores_ is None and mlp.best_validation_score_ is None and mlp.best_loss_ is not None


def test_adaptive_learning_rate():
    clf = MLPClassifier(tol=0.5, max_iter=3000, solver="sgd", learning_rate="adaptive").fit([[3, 2], [1, 6]], [1, 0])
    assert clf.max_iter > clf.n_iter_
    assert 1e-6 > clf.optimizer_.lr


@pytest.mark.parametrize("y_i", [np.array([0] * 75 + [1] * 75), np.array([0] * 50 + [1] * 50 + [3] * 50),
                                 np.array([0] * 37 + [1] * 37 + [2] * 38 + [3] * 38),
                                 np.array([0] * 30 + [1] * 30 + [2] * 30 + [3] * 30 + [4] * 30)])
def test_warm_start(y_i):
    X, y = X_iris, y_iris
    params = dict(hidden_layer_sizes=2, solver="lbfgs", warm_start=True, random_state=42, tol=1e-2)
    clf = quiet(lambda: MLPClassifier(**params).fit(X, y))
    quiet(lambda: clf.fit(X, y))
    quiet(lambda: clf.fit(X, np.array([0] * 40 + [1] * 40 + [2] * 70)))
    clf = quiet(lambda: MLPClassifier(**params).fit(X, y))
    message = ("warm_start can only be used where `y` has the same classes as in the previous call to fit."
               f" Previously got [0 1 2], `y` has {np.unique(y_i)}")
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.fit(X, y_i)


def test_warm_start_full_iteration():
    clf = MLPClassifier(hidden_layer_sizes=2, solver="sgd", warm_start=True, max_iter=3)
    quiet(lambda: clf.fit(X_iris, y_iris))
    assert clf.n_iter_ == 3
    quiet(lambda: clf.fit(X_iris, y_iris))
    assert clf.n_iter_ == 3


@pytest.mark.parametrize("n_iter_no_change", [2, 5, 10, 50, 100])
def test_n_iter_no_change(n_iter_no_change):
    X, y = X_digits_binary[:100], y_digits_binary[:100]
    clf = MLPClassifier(tol=0.01, max_iter=3000, solver="sgd", n_iter_no_change=n_iter_no_change).fit(X, y)
    assert clf._schedule.count == n_iter_no_change + 1
    assert 3000 > clf.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_n_iter_no_change_inf():
    X, y = X_digits_binary[:100], y_digits_binary[:100]
    clf = MLPClassifier(tol=1e9, max_iter=3000, solver="sgd", n_iter_no_change=np.inf).fit(X, y)
    assert clf.n_iter_ == 3000
    assert clf._schedule.count == clf.n_iter_ - 1


def test_early_stopping_stratified():
    """scikit-learn's message names its binarized label 'True'; ours the label itself."""
    mlp = MLPClassifier(early_stopping=True)
    with pytest.raises(ValueError, match=r"The least populated class(es)? in y ha(s|ve) only 1 member.*\[1\]"):
        mlp.fit([[1, 2], [2, 3], [3, 4], [4, 5]], [0, 0, 0, 1])


def test_mlp_early_stopping_string_labels():
    X, y = make_classification(n_samples=200, n_features=10, n_classes=3, n_informative=5, random_state=42)
    y = np.array(["class_a", "class_b", "class_c"], dtype=object)[y]
    mlp = quiet(lambda: MLPClassifier(early_stopping=True, max_iter=50, random_state=42).fit(X, y))
    assert mlp.validation_scores_ is not None
    assert len(mlp.validation_scores_) == mlp.n_iter_
    assert np.isfinite(mlp.validation_scores_).all()


def test_mlp_classifier_dtypes_casting():
    params = dict(alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1, max_iter=100, tol=1e-1)
    mlp_64 = MLPClassifier(**params).fit(X_digits[:300], y_digits[:300])
    mlp_32 = MLPClassifier(**params).fit(X_digits[:300].astype(np.float32), y_digits[:300])
    np.testing.assert_array_equal(mlp_64.predict(X_digits[300:]), mlp_32.predict(X_digits[300:].astype(np.float32)))
    np.testing.assert_allclose(mlp_64.predict_proba(X_digits[300:]),
                               mlp_32.predict_proba(X_digits[300:].astype(np.float32)), rtol=1e-02)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_param_dtypes(dtype):
    X = X_digits.astype(dtype)
    mlp = quiet(lambda: MLPClassifier(alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1, max_iter=50,
                                      tol=1e-1).fit(X[:300], y_digits[:300]))
    mlp.predict(X[300:])
    assert all(intercept.dtype == dtype for intercept in mlp.intercepts_)
    assert all(coef.dtype == dtype for coef in mlp.coefs_)


def test_mlp_loading_from_pickle_partial_fit():
    """Ported from the regressor's (scikit-learn #19626): a loaded estimator's partial_fit moves its weights."""
    est = quiet(lambda: MLPClassifier(hidden_layer_sizes=(42,), random_state=42, learning_rate_init=0.01,
                                      max_iter=200).fit([[2], [3]], [0, 1]))
    loaded = pickle.loads(pickle.dumps(est))
    for _ in range(200):
        loaded.partial_fit([[2], [3]], [1, 0])
    np.testing.assert_array_equal(loaded.predict([[2], [3]]), [1, 0])


def test_preserve_feature_names():
    """scikit-learn #24846; two classes here (minimlp needs two, scikit-learn's test has one)."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = pd.DataFrame(data=rng.randn(10, 2), columns=["colname_a", "colname_b"])
    y = pd.Series(data=np.arange(10) % 2, name="colname_y")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(early_stopping=True, validation_fraction=0.2).fit(X, y)


def test_mlp_warm_start_with_early_stopping():
    mlp = MLPClassifier(max_iter=10, random_state=0, warm_start=True, early_stopping=True)
    quiet(lambda: mlp.fit(X_iris, y_iris))
    n_validation_scores = len(mlp.validation_scores_)
    mlp.set_params(max_iter=20)
    quiet(lambda: mlp.fit(X_iris, y_iris))
    assert len(mlp.validation_scores_) > n_validation_scores


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_mlp_warm_start_no_convergence(solver):
    model = MLPClassifier(solver=solver, warm_start=True, early_stopping=False, max_iter=10,
                          n_iter_no_change=np.inf, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_iris, y_iris)
    assert model.n_iter_ == 10
    model.set_params(max_iter=20)
    with pytest.warns(ConvergenceWarning):
        model.fit(X_iris, y_iris)
    assert model.n_iter_ == 20


def test_mlp_partial_fit_after_fit():
    mlp = quiet(lambda: MLPClassifier(early_stopping=True, random_state=0).fit(X_iris, y_iris))
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        mlp.partial_fit(X_iris, y_iris)


def test_mlp_sample_weight_with_early_stopping():
    """Ported from the regressor's: unit sample weights change nothing."""
    X, y = make_classification(n_samples=100, n_features=2, n_informative=2, n_redundant=0, random_state=42)
    params = dict(hidden_layer_sizes=10, solver="adam", early_stopping=True, tol=1e-2, learning_rate_init=0.01,
                  batch_size=10, random_state=42)
    m1 = quiet(lambda: MLPClassifier(**params).fit(X, y, sample_weight=np.ones(100)))
    m2 = quiet(lambda: MLPClassifier(**params).fit(X, y, sample_weight=None))
    np.testing.assert_allclose(m1.predict_proba(X), m2.predict_proba(X))
