"""minimlp.sklearn.MLPClassifier against scikit-learn's own estimator checks, and in its tools."""
import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from minimlp.sklearn import EXPECTED_FAILED_CHECKS, MLPClassifier

# Short fits end at max_iter with scikit-learn's ConvergenceWarning, as its own MLPClassifier's do
# (tests/test_sklearn_mlp_port.py checks that warning).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks([MLPClassifier(random_state=0)], expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def iris_split():
    X, y = load_iris(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def test_pipeline_and_grid_search():
    X_train, X_test, y_train, y_test = iris_split()
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=60, random_state=0))
    grid = GridSearchCV(pipe, {"mlpclassifier__learning_rate_init": [0.001, 0.05],
                               "mlpclassifier__hidden_layer_sizes": [(4,), (16,)]}, cv=3)
    grid.fit(X_train, y_train)
    assert set(grid.best_params_) == {"mlpclassifier__learning_rate_init", "mlpclassifier__hidden_layer_sizes"}
    assert len(grid.cv_results_["mean_test_score"]) == 4
    assert grid.score(X_test, y_test) >= 0.9


def test_cross_val_score_with_string_labels():
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=80, solver="sgd",
                                                             learning_rate_init=0.01, random_state=1))
    scores = cross_val_score(pipe, X, names, cv=5)
    assert scores.mean() >= 0.85  # scikit-learn's MLPClassifier with these settings: 0.887
    assert set(pipe.fit(X, names).predict(X)) <= set(names)


def test_attributes_curves_and_early_stopping():
    X, y = make_classification(n_samples=600, n_features=10, n_informative=6, n_classes=3, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True, n_iter_no_change=5, max_iter=300,
                        learning_rate_init=0.05, random_state=0).fit(X, y)
    assert clf.n_features_in_ == 10 and list(clf.classes_) == [0, 1, 2]
    assert len(clf.loss_curve_) == clf.n_iter_ == len(clf.validation_scores_) == len(clf.validation_loss_curve_)
    assert clf.n_iter_ < 300  # stopped early
    best = int(np.argmax(clf.validation_scores_))
    assert clf.n_iter_ >= best + 5 and clf.best_validation_score_ == clf.validation_scores_[best]
    assert [W.shape for W in clf.coefs_] == [(10, 32), (32, 3)] and clf.intercepts_[1].shape == (3,)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert clf.score(X, y) > 0.8


def test_tol_and_n_iter_no_change_stop_where_sklearn_stops():
    from sklearn.neural_network import MLPClassifier as Reference

    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    settings = dict(hidden_layer_sizes=(8,), tol=10.0, n_iter_no_change=3, random_state=0)
    reference = Reference(solver="sgd", **settings).fit(X, y)  # no epoch improves the loss by 10
    assert MLPClassifier(**settings).fit(X, y).n_iter_ == reference.n_iter_ == 5


def test_unknown_solver_is_refused():
    X, y = make_classification(n_samples=30, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="The 'solver' parameter of MLPClassifier must be a str among"):
        MLPClassifier(solver="newton").fit(X, y)


def test_dtype_follows_the_input_or_the_parameter():
    X, y = make_classification(n_samples=100, n_features=4, random_state=0)
    assert MLPClassifier(max_iter=2).fit(X.astype(np.float32), y).coefs_[0].dtype == np.float32
    assert MLPClassifier(max_iter=2).fit(X, y).coefs_[0].dtype == np.float64
    assert MLPClassifier(max_iter=2, dtype="float32").fit(X, y).predict_proba(X).dtype == np.float32


def test_pickle_then_partial_fit_continues_exactly():
    X, y = make_classification(n_samples=300, n_features=6, n_classes=2, random_state=0)
    a = MLPClassifier(hidden_layer_sizes=(12,), random_state=0, batch_size=32)
    a.partial_fit(X, y, classes=[0, 1])
    b = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    for clf in (a, b):
        clf.partial_fit(X, y)
        clf.partial_fit(X, y)
    for Wa, Wb in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(Wa, Wb)
    assert b.coefs_[0].base is not None  # still a view into the flat parameter vector
    assert len(a.loss_curve_) == 3 and a.t_ == 900


def test_partial_fit_errors():
    X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier().partial_fit(X, y)
    clf = MLPClassifier().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X, y + 5)
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1])


def test_alpha_is_weight_decay_over_the_batch_size():
    """One full-batch step from the same start, compared with scikit-learn's update written out."""
    X, y = make_classification(n_samples=40, n_features=5, n_classes=3, n_informative=3, random_state=2)
    clf = MLPClassifier(hidden_layer_sizes=(5,), solver="sgd", alpha=0.5, momentum=0, batch_size=40, shuffle=False,
                        learning_rate_init=0.1, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    start = [W.copy() for W in clf.coefs_]
    bias = [b.copy() for b in clf.intercepts_]
    clf.partial_fit(X, y)
    # scikit-learn: grad W = (X.T @ delta + alpha·W) / n; biases get no penalty
    h = np.maximum(X @ start[0] + bias[0], 0)
    z = h @ start[1] + bias[1]
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    delta = p - np.eye(3)[y]
    grad_W1 = (h.T @ delta + 0.5 * start[1]) / 40
    np.testing.assert_allclose(clf.coefs_[1], start[1] - 0.1 * grad_W1, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(clf.intercepts_[1], bias[1] - 0.1 * delta.sum(0) / 40, rtol=1e-10, atol=1e-12)
