"""The estimator on pandas DataFrames with text and missing cells (issue 24, item 2): the CLI's
preprocessing, held against scikit-learn's own OneHotEncoder and SimpleImputer."""
import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.estimator_checks import parametrize_with_checks

from minimlp.sklearn import EXPECTED_FAILED_CHECKS, MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def frame(n=240, seed=0):
    rng = np.random.default_rng(seed)
    size = rng.normal(10, 3, n).round(3)
    color = rng.choice(["red", "green", "blue"], n).astype(object)
    shape = rng.choice(["round", "long"], n).astype(object)
    label = np.where(color == "red", "cherry", np.where(size > 10, "plum", "grape"))
    size[[3, 50]] = np.nan
    color[[7, 8, 100]] = np.nan
    return pd.DataFrame({"size": size, "color": color, "shape": shape}), label


def reference_matrix(X):
    """The inputs by scikit-learn's own transformers: median / most-frequent imputing, sorted one-hot columns."""
    parts = []
    for name in X.columns:
        column = X[[name]].to_numpy()
        if not pd.api.types.is_numeric_dtype(X[name].dtype):
            filled = SimpleImputer(strategy="most_frequent").fit_transform(column)
            parts.append(OneHotEncoder(sparse_output=False).fit_transform(filled))
        else:
            parts.append(SimpleImputer(strategy="median").fit_transform(column.astype(float)))
    return np.hstack(parts)


def test_a_dataframe_with_text_and_missing_cells_trains_as_on_scikit_learns_encoding():
    X, y = frame()
    params = dict(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    on_table = MLPClassifier(missing="impute", **params).fit(X, y)
    on_matrix = MLPClassifier(**params).fit(reference_matrix(X), y)
    assert on_table.net_.sizes == [1 + 3 + 2, 8, 3]
    for W, W_ref in zip(on_table.coefs_ + on_table.intercepts_, on_matrix.coefs_ + on_matrix.intercepts_):
        np.testing.assert_array_equal(W, W_ref)  # the same inputs, so the same training, bit for bit
    np.testing.assert_array_equal(on_table.predict_proba(X), on_matrix.predict_proba(reference_matrix(X)))
    assert on_table.n_features_in_ == 3 and list(on_table.feature_names_in_) == ["size", "color", "shape"]
    assert on_table.preprocessing_.kinds == ["numeric", "categorical", "categorical"]


def test_columns_are_matched_by_name_and_an_unseen_category_encodes_as_zeros():
    X, y = frame()
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0, missing="impute").fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X[["shape", "size", "color"]]), clf.predict_proba(X))
    new = X.head(3).copy()
    new["color"] = ["purple", "red", "purple"]
    encoded = clf.preprocessing_.transform(_frame(clf, new))[0]
    assert encoded[0, 1:4].tolist() == [0, 0, 0] and encoded[1, 1:4].tolist() == [0, 0, 1]
    assert clf.predict(new).shape == (3,)
    with pytest.raises(ValueError, match=r"X has other columns than in fit: missing \['shape'\]"):
        clf.predict(X[["size", "color"]])


def _frame(clf, X):
    from minimlp.data.features import build_frame

    pre = clf.preprocessing_
    return build_frame({c: X[c].to_numpy() for c in pre.columns}, "X", kinds=dict(zip(pre.columns, pre.kinds)),
                       impute=True)


def test_missing_cells_are_refused_by_default_naming_the_cell():
    X, y = frame()
    with pytest.raises(ValueError, match=r"column 'size', row 4: 'nan' is not a finite number; pass missing='impute'"):
        MLPClassifier(max_iter=5).fit(X, y)


def test_a_listed_column_of_codes_is_categorical_by_name_or_position():
    X, y = frame()
    X = X.assign(code=np.random.default_rng(1).integers(1, 4, len(X)))
    by_name = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0, missing="impute",
                            categorical=["code"]).fit(X, y)
    assert by_name.preprocessing_.kinds[-1] == "categorical" and by_name.net_.sizes[0] == 1 + 3 + 2 + 3
    numbers = np.random.default_rng(2).integers(0, 3, (60, 2)).astype(float)
    by_position = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0, categorical=[1]).fit(
        numbers, np.arange(60) % 2)
    assert by_position.preprocessing_.kinds == ["numeric", "categorical"] and by_position.net_.sizes[0] == 4
    with pytest.raises(ValueError, match="categorical names 'colour', which is not a column of X"):
        MLPClassifier(categorical=["colour"], missing="impute").fit(X, y)


def test_a_numeric_array_is_handled_exactly_as_before():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(80, 4)), rng.integers(0, 2, 80)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    assert not hasattr(clf, "preprocessing_")
    as_frame = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(
        pd.DataFrame(X, columns=list("abcd")), y)
    assert not hasattr(as_frame, "preprocessing_")
    np.testing.assert_array_equal(clf.coefs_[0], as_frame.coefs_[0])
    X[5, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):  # scikit-learn's own message, as before
        MLPClassifier(max_iter=5).fit(X, y)


def test_missing_impute_on_a_numeric_array_is_scikit_learns_median_imputer():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(80, 3)), rng.integers(0, 2, 80)
    X[rng.random(X.shape) < 0.1] = np.nan
    params = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    imputed = MLPClassifier(missing="impute", **params).fit(X, y)
    reference = MLPClassifier(**params).fit(SimpleImputer(strategy="median").fit_transform(X), y)
    np.testing.assert_array_equal(imputed.coefs_[0], reference.coefs_[0])


def test_cross_validation_on_a_dataframe():
    X, y = frame(n=300)
    scores = cross_val_score(MLPClassifier(hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.01,
                                           random_state=0, missing="impute"), X, y, cv=3)
    assert scores.mean() > 0.8  # color decides cherry, size the rest


@parametrize_with_checks([MLPClassifier(random_state=0, missing="impute")],
                         expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_estimator_checks_with_imputing(estimator, check):
    check(estimator)
