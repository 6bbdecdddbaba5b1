"""TabularClassifier: the data-only config's recipe as a scikit-learn estimator, on DataFrames with text
and missing cells, next to ``MLPClassifier`` which keeps scikit-learn's defaults."""
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from minimlp.data.preprocess import Preprocessing
from minimlp.errors import MinimlpError
from minimlp.sklearn import MLPClassifier
from minimlp.tabular import TabularClassifier
from minimlp.train.calibrate import fit_temperature


def frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    hours = rng.normal(40, 8, n)
    job = rng.choice(["none", "office", "field"], n).astype(object)
    hours[job == "none"] = np.nan  # informative missingness: no job, no hours
    y = np.where(job == "none", "low", np.where(np.nan_to_num(hours) > 40, "high", "mid"))
    X = pd.DataFrame({"hours": hours, "job": job, "age": rng.integers(18, 70, n).astype(float)})
    X.loc[rng.choice(n, 20, replace=False), "job"] = None
    return X, y


def test_it_learns_a_table_with_text_and_missing_cells_and_predicts_columns_in_any_order():
    X, y = frame()
    model = TabularClassifier(overrides=["train.epochs=60"]).fit(X.iloc[:300], y[:300])
    assert model.preprocessing_.indicators == [0, 1]  # hours and job had missing cells
    assert model.score(X.iloc[300:], y[300:]) > 0.85
    shuffled = X.iloc[300:][["age", "job", "hours"]]
    np.testing.assert_array_equal(model.predict_proba(shuffled), model.predict_proba(X.iloc[300:]))
    with pytest.raises(MinimlpError, match="lacks the column"):
        model.predict(X.iloc[300:].drop(columns="age"))


def test_its_temperature_is_fitted_on_its_validation_split():
    X, y = frame()
    model = TabularClassifier(overrides=["train.epochs=5", "train.calibrate=false"]).fit(X, y)
    calibrated = TabularClassifier(overrides=["train.epochs=5"]).fit(X, y)
    # same split, same weights before calibration: the temperature is the validation NLL's minimum
    rows = np.arange(len(y))
    from sklearn.model_selection import train_test_split

    codes = np.unique(y, return_inverse=True)[1]
    _, val = train_test_split(rows, test_size=0.1, stratify=codes, random_state=0)
    pre = Preprocessing.fit(model._frame(X, None), np.setdiff1d(rows, val), True, True, "robust", True, 8)
    z = model.net_.forward(pre.transform(model._frame(X, None), val, model.net_.dtype)[0]).astype(np.float64)
    assert calibrated.temperature_ == pytest.approx(fit_temperature(z, codes[val]), rel=1e-6)


def test_it_is_a_scikit_learn_estimator_and_mlpclassifier_keeps_scikit_learns_defaults():
    from sklearn.datasets import load_iris
    from sklearn.model_selection import cross_val_score
    from sklearn.neural_network import MLPClassifier as Reference

    X, y = load_iris(return_X_y=True)
    assert clone(TabularClassifier(overrides=("model.hidden=[16]",), random_state=3)).get_params() == \
        {"overrides": ("model.hidden=[16]",), "random_state": 3}
    assert cross_val_score(TabularClassifier(), X, y, cv=3).mean() > 0.9
    ours, theirs = MLPClassifier().get_params(), Reference().get_params()
    assert {k: ours[k] for k in theirs} == theirs
