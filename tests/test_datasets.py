"""The bundled datasets read from scikit-learn's files equal its loaders' arrays; the parameter table
equals its functions' signatures; the test metrics equal scikit-learn's."""
import inspect

import numpy as np
import pytest
import sklearn.datasets
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import precision_recall_fscore_support

from minimlp.config import load_config
from minimlp.data import bundled, datasets, load_dataset
from minimlp.errors import ConfigError, DataError
from minimlp.runs.metrics import confusion_matrix, per_class_scores


@pytest.mark.parametrize("name, params", [("iris", {}), ("wine", {}), ("breast_cancer", {}), ("digits", {}),
                                          ("digits", {"n_class": 3}), ("digits", {"n_class": 1})])
def test_a_bundled_dataset_equals_scikit_learns_loader(name, params):
    ours = bundled.load(name, params)
    theirs = getattr(sklearn.datasets, datasets.BUNDLED[name])(**params)
    assert ours.data.dtype == theirs.data.dtype and np.array_equal(ours.data, theirs.data)
    assert np.array_equal(ours.target, theirs.target)
    assert list(ours.target_names) == list(theirs.target_names)
    assert ours.feature_names == list(theirs.feature_names)


def test_load_dataset_of_a_bundled_name_keeps_scikit_learns_labels_and_columns():
    dataset = load_dataset(load_config(None, ["data.dataset=iris"]))
    theirs = sklearn.datasets.load_iris()
    assert list(dataset.classes) == list(theirs.target_names)
    assert dataset.feature_names == list(theirs.feature_names)
    assert np.array_equal(dataset.X, theirs.data) and np.array_equal(dataset.y, theirs.target)


@pytest.mark.parametrize("n_class", [0, 11, 2.0, "3"])
def test_digits_n_class_out_of_range_is_a_config_error_naming_the_function(n_class):
    config = load_config(None, ["data.dataset=digits", f"data.params={{n_class: {n_class!r}}}"])
    with pytest.raises(ConfigError, match=r"rejected by load_digits: The 'n_class' parameter .* range \[1, 10\]"):
        load_dataset(config)
    with pytest.raises(Exception, match="n_class"):  # scikit-learn refuses the same values
        sklearn.datasets.load_digits(n_class=n_class)


def test_a_damaged_bundled_file_is_refused_naming_it(tmp_path, monkeypatch):
    (tmp_path / "iris.csv").write_text("150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n")
    monkeypatch.setattr(bundled, "data_folder", lambda: tmp_path)
    with pytest.raises(DataError, match=r"iris\.csv: its header declares 150 x 4"):
        bundled.load("iris", {})


@pytest.mark.parametrize("name", [n for n in datasets.DATASET_NAMES if n != "csv"])
def test_the_parameter_table_is_the_installed_scikit_learns_signature(name):
    function = getattr(sklearn.datasets, datasets.function_name(name))
    skip = {"return_X_y", "as_frame", "target_column"}
    signature = [(p.name, p.default) for p in inspect.signature(function).parameters.values() if p.name not in skip]
    assert datasets.parameters(name) == signature


def test_confusion_matrix_and_per_class_scores_equal_scikit_learns_bit_for_bit():
    rng = np.random.default_rng(0)
    for _ in range(300):
        k = int(rng.integers(2, 7))
        y = rng.integers(0, k, int(rng.integers(1, 40)))
        predicted = y.copy() if rng.random() < 0.2 else rng.integers(0, k, len(y))
        matrix = confusion_matrix(y, predicted, k)
        assert np.array_equal(matrix, sk_confusion(y, predicted, labels=np.arange(k)))
        theirs = precision_recall_fscore_support(y, predicted, labels=np.arange(k), zero_division=0)
        for ours, reference in zip(per_class_scores(matrix), theirs):
            assert np.array_equal(ours, reference)
