"""Issue 25, items 3 and 5 for the estimator: it pickles and joblib-dumps in every configuration
scikit-learn's does, and names classes by their labels."""
import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SklearnMLP

from minimlp.sklearn import MLPClassifier


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_fitted_estimator_pickles_and_joblib_dumps_wherever_scikit_learns_does(solver, early_stopping, weighted):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(80, 3)), np.array(["a", "b"] * 40)
    weights = rng.uniform(0.5, 2, size=80) if weighted else None
    for cls in (SklearnMLP, MLPClassifier):
        model = cls(hidden_layer_sizes=(4,), solver=solver, early_stopping=early_stopping, max_iter=5, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y, sample_weight=weights)
        again = pickle.loads(pickle.dumps(model))
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)
        np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_pickled_early_stopping_estimator_can_warm_start_again():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(80, 3)), np.array([0, 1] * 40)
    model = MLPClassifier(hidden_layer_sizes=(4,), early_stopping=True, warm_start=True, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, sample_weight=np.ones(80))
        again = pickle.loads(pickle.dumps(model))
        again.fit(X, y, sample_weight=np.ones(80))
    assert len(again.validation_scores_) > len(model.validation_scores_)


def test_the_stratified_split_names_the_class_by_its_label():
    with pytest.raises(ValueError, match=r"Classes with too few members are: \['rare'\]"):
        MLPClassifier(early_stopping=True).fit([[1, 2], [2, 3], [3, 4], [4, 5]], ["common"] * 3 + ["rare"])


def iris_scaled_to(largest):
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return X / X.max() * largest, y


def test_a_fit_on_values_near_float64s_maximum_raises_value_error_as_scikit_learns_does():
    X, y = iris_scaled_to(1e307)
    for seed in range(8):
        for cls in (SklearnMLP, MLPClassifier):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # scikit-learn's own overflow warnings on the way
                with pytest.raises(ValueError, match="large values"):
                    cls(random_state=seed, max_iter=30).fit(X, y)


def test_large_values_whose_sums_fit_still_train_as_scikit_learns_do():
    X, y = iris_scaled_to(1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert MLPClassifier(random_state=0, max_iter=5).fit(X, y).predict(X).shape == (150,)  # no other warning
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's own overflow in its squared norms
        assert SklearnMLP(random_state=0, max_iter=5).fit(X, y).predict(X).shape == (150,)
