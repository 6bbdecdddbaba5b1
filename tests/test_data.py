"""Datasets, CSV reading, the stratified split and standardisation."""
import numpy as np
import pytest
from sklearn.datasets import load_iris, make_moons

from minimlp.config import load_config
from minimlp.data import Standardizer, load_csv, load_dataset, prepare, split_indices
from minimlp.errors import ConfigError, DataError


def test_bundled_dataset_keeps_its_class_names():
    ds = load_dataset(load_config(None, ["data.dataset=iris"]))
    X, y = load_iris(return_X_y=True)
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    assert list(ds.classes) == ["setosa", "versicolor", "virginica"]
    assert ds.feature_names[0] == "sepal length (cm)"


def test_generator_params_pass_through_and_random_state_comes_from_the_seed():
    config = load_config(None, ["data.dataset=moons", "data.params={n_samples: 60, noise: 0.3}", "seed=7"])
    ds = load_dataset(config)
    X, y = make_moons(n_samples=60, noise=0.3, random_state=7)
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    given = load_config(None, ["data.dataset=moons", "data.params={n_samples: 60, noise: 0.3, random_state: 1}", "seed=7"])
    np.testing.assert_array_equal(load_dataset(given).X, make_moons(n_samples=60, noise=0.3, random_state=1)[0])


def test_a_value_the_generator_rejects_names_data_params():
    config = load_config(None, ["data.dataset=moons", "data.params.n_samples=-5"])
    with pytest.raises(ConfigError, match="data.params"):
        load_dataset(config)


def test_stratified_split_sizes_and_class_balance():
    ds = load_dataset(load_config(None, ["data.dataset=digits"]))
    train, val, test = split_indices(ds, 0.2, 0.1, seed=0)
    n = len(ds.y)
    assert len(set(train) | set(val) | set(test)) == n == len(train) + len(val) + len(test)
    assert abs(len(test) - 0.2 * n) <= 1 and abs(len(val) - 0.1 * n) <= 1
    overall = np.bincount(ds.y) / n
    for rows in (train, val, test):
        np.testing.assert_allclose(np.bincount(ds.y[rows], minlength=10) / len(rows), overall, atol=0.02)
    same = split_indices(ds, 0.2, 0.1, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), same))
    assert len(split_indices(ds, 0.2, 0.0, seed=0)[1]) == 0


def test_standardisation_is_fit_on_the_training_rows_only_and_data_arrives_in_the_model_dtype():
    config = load_config(None, ["data.dataset=wine", "model.dtype=float32", "data.scaling=standard",
                                "data.piecewise_bins=0"])
    ds = load_dataset(config)
    splits = prepare(ds, config.data, config.seed, "float32")
    train, _, _ = split_indices(ds, config.data.test_size, config.data.val_size, config.seed)
    raw = ds.X[train]
    np.testing.assert_allclose(splits.X_train, (raw - raw.mean(0)) / raw.std(0), rtol=1e-5, atol=1e-5)
    assert all(a.dtype == np.float32 for a in (splits.X_train, splits.X_val, splits.X_test))
    assert np.abs(splits.X_test.mean(axis=0)).max() > 1e-3  # test rows were not used for the fit


def test_constant_feature_gets_scale_one():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    scaler = Standardizer.fit(X)
    np.testing.assert_array_equal(scaler.transform(X, np.float64)[:, 1], 0.0)


def write(tmp_path, text):
    path = tmp_path / "d.csv"
    path.write_text(text)
    return path


def test_csv_with_text_labels_and_target_by_name(tmp_path):
    path = write(tmp_path, "a,label,b\n1,cat,2\n3,dog,4\n\n5,cat,6\n")
    ds = load_csv(path, "label")
    np.testing.assert_array_equal(ds.X, [[1, 2], [3, 4], [5, 6]])
    assert list(ds.classes) == ["cat", "dog"] and list(ds.y) == [0, 1, 0]
    assert ds.feature_names == ["a", "b"]
    assert load_csv(write(tmp_path, "a,b,y\n1,2,3\n4,5,7\n")).classes.tolist() == [3, 7]  # default: last column


@pytest.mark.parametrize("cells,classes", [
    (["2", "-1", "+2"], [-1, 2]),                       # signed integers are integer labels
    (["9223372036854775808", "1"], ["1", "9223372036854775808"]),  # beyond int64: kept as text, not an overflow
    (["1_0", "10"], ["10", "1_0"]),                      # Python's int("1_0") == 10 must not merge two labels
    (["\u0663", "3"], ["3", "\u0663"]),                  # an Arabic-Indic digit is text, not the number 3
])
def test_csv_integer_labels_are_plain_ascii_int64(tmp_path, cells, classes):
    path = write(tmp_path, "a,y\n" + "".join(f"{i},{c}\n" for i, c in enumerate(cells)))
    assert load_csv(path).classes.tolist() == classes


@pytest.mark.parametrize("text,target,message", [
    ("", None, "the file is empty"),
    ("a,b,y\n", None, "has a header but no data rows"),
    ("a,b,y\n1,2,x\n1,,y\n", None, "empty cell in column 'b', line 3"),
    ("a,b,y\n1,2,x\nnan,2,y\n", None, "column 'a', line 3: 'nan' is not a finite number"),
    ("a,b,y\n1,2,x\n1,inf,y\n", None, "column 'b', line 3: 'inf' is not a finite number"),
    ("a,b,y\n1,2,x\n1,two,y\n", None, "column 'b', line 3: 'two' is not a number"),
    ("a,b,y\n1,2,x\n1,2,\n", None, "empty cell in target column 'y', line 3"),
    ("a,b,y\n1,2,x\n1,2\n", None, "line 3 has 2 cells, the header has 3"),
    ("a,b,y\n1,2,x\n3,4,x\n", None, "holds one class only"),
    ("a,b,y\n1,2,x\n3,4,z\n", "label", "no column named 'label'"),
    ("a,b,species\n1,2,x\n3,4,z\n", "specie", "did you mean 'species'"),
    ("a,a,y\n1,2,x\n", None, "names column 'a' twice"),
    ("y\nx\nz\n", None, "needs at least one feature column"),
])
def test_bad_csv_names_the_culprit(tmp_path, text, target, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(")) as info:
        load_csv(write(tmp_path, text), target)
    assert "d.csv" in str(info.value)


def test_missing_and_binary_csv(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_csv(tmp_path / "none.csv")
    (tmp_path / "b.csv").write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(DataError, match="not a UTF-8 text file"):
        load_csv(tmp_path / "b.csv")


def test_too_few_rows_for_a_stratified_split(tmp_path):
    ds = load_csv(write(tmp_path, "a,y\n1,x\n2,x\n3,z\n4,z\n"))
    with pytest.raises(DataError, match="too few for a stratified split"):
        split_indices(ds, 0.2, 0.1, seed=0)


def test_a_class_too_rare_to_stratify_trains_all_in_the_training_split_and_is_said(tmp_path):
    """scikit-learn's pipeline trains such a table; the split keeps the rare class for training only."""
    from minimlp.data.split import stratified_split

    rng = np.random.default_rng(0)
    lines = [f"{rng.normal():.4f},{'pq'[i % 2]}" for i in range(200)] + ["9.0,rare", "8.5,odd", "8.7,odd"]
    ds = load_csv(write(tmp_path, "a,y\n" + "\n".join(lines) + "\n"))
    train, val, test = split_indices(ds, 0.2, 0.1, seed=3)
    rare = np.flatnonzero(np.isin(ds.classes[ds.y], ["rare", "odd"]))
    assert set(rare) <= set(train) and not set(rare) & (set(val) | set(test))
    assert sorted(np.concatenate([train, val, test])) == list(range(203))  # every row once
    common = np.setdiff1d(np.arange(203), rare)  # the other rows split as they would be alone
    rest, expected_test = stratified_split(ds.y[common], 0.2, 3)
    np.testing.assert_array_equal(test, common[expected_test])
    assert any("2 classes with fewer than 3 rows ('odd' (2), 'rare' (1)): all in the training split" in note
               for note in ds.notes)


def test_a_splittable_table_splits_as_before(tmp_path):
    from minimlp.data.split import stratified_split

    ds = load_csv(write(tmp_path, "a,y\n" + "".join(f"{i},{'pqr'[i % 3]}\n" for i in range(90))))
    train, val, test = split_indices(ds, 0.2, 0.1, seed=1)
    rest, expected_test = stratified_split(ds.y, 0.2, 1)
    np.testing.assert_array_equal(test, expected_test)
    assert not ds.notes


def test_a_generator_asked_for_no_rows():
    with pytest.raises(DataError, match="the dataset has no rows"):
        load_dataset(load_config(None, ["data.dataset=circles", "data.params.n_samples=0"]))
