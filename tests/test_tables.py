"""Real tables: pandas reading (CSV, TSV, Parquet), categorical features, missing values, the
preprocessing stored with the model, and predict/evaluate on raw files."""
import numpy as np
import pandas as pd
import pytest
from helpers import run
from hypothesis import given, settings
from hypothesis import strategies as st

from minimlp.config import load_config
from minimlp.data import load_csv, load_dataset, prepare, split_indices
from minimlp.data.columns import MISSING_WORDS
from minimlp.errors import ConfigError, DataError
from minimlp.runs.predictor import Predictor


def messy_frame(n=120, seed=0):
    """A table with a numeric, a text and a numeric-code column, a text target and some missing cells."""
    rng = np.random.default_rng(seed)
    color = rng.choice(["red", "green", "blue"], n)
    size = rng.integers(1, 4, n)
    weight = rng.normal(100, 10, n).round(2)
    label = np.where(color == "red", "cherry", np.where(weight > 100, "plum", "grape"))
    return pd.DataFrame({"weight": weight, "color": color, "size": size, "fruit": label})


def write_csv(path, frame, holes=()):
    """``frame`` as CSV text, with the cells ``holes`` ((row, column, text)) replaced."""
    cells = frame.astype(str).to_numpy().copy()
    for row, column, text in holes:
        cells[row, list(frame.columns).index(column)] = text
    path.write_text(",".join(frame.columns) + "\n" + "".join(",".join(r) + "\n" for r in cells))
    return path


def config(path, *extra):
    # z-scores and no indicator inputs: these tests hold the inputs to StandardScaler and SimpleImputer
    return load_config(None, ["data.dataset=csv", f"data.path={path}", "model.hidden=[8]", "train.epochs=3",
                              "data.scaling=standard", "data.missing_indicators=false", *extra])


def test_a_column_of_numbers_and_text_is_refused_at_its_first_text_cell(tmp_path):
    frame = messy_frame()
    path = write_csv(tmp_path / "d.csv", frame, [(5, "weight", "9O.5"), (9, "weight", "heavy")])
    with pytest.raises(DataError, match=r"column 'weight', line 7: '9O.5' is not a number; the column mixes"):
        load_csv(path)


def test_text_columns_are_categorical_and_a_listed_column_of_codes_too(tmp_path):
    path = write_csv(tmp_path / "d.csv", messy_frame())
    auto = load_csv(path)
    assert [auto.frame.kind(n) for n in auto.feature_names] == ["numeric", "categorical", "numeric"]
    listed = load_csv(path, categorical=["size"])
    assert listed.frame.kind("size") == "categorical"
    assert sorted(set(listed.frame.columns["size"])) == ["1", "2", "3"]
    with pytest.raises(DataError, match="data.categorical names 'colour'.*did you mean 'color'"):
        load_csv(path, categorical=["colour"])


def test_one_hot_inputs_equal_scikit_learns_encoder_and_scaler_on_the_training_rows(tmp_path):
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = messy_frame()
    cfg = config(write_csv(tmp_path / "d.csv", frame), "model.dtype=float64", "data.piecewise_bins=0")
    dataset = load_dataset(cfg)
    splits = prepare(dataset, cfg.data, cfg.seed, "float64")
    train, _, test = split_indices(dataset, cfg.data.test_size, cfg.data.val_size, cfg.seed)
    reference = ColumnTransformer([("w", StandardScaler(), ["weight"]), ("c", OneHotEncoder(handle_unknown="ignore"), ["color"]),
                                   ("s", StandardScaler(), ["size"])], sparse_threshold=0)
    reference.fit(frame.iloc[train])
    np.testing.assert_allclose(splits.X_train, reference.transform(frame.iloc[train]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(splits.X_test, reference.transform(frame.iloc[test]), rtol=1e-12, atol=1e-12)
    assert splits.preprocessing.input_names == ["weight", "color=blue", "color=green", "color=red", "size"]


@pytest.mark.parametrize("word", MISSING_WORDS)
def test_missing_words_in_any_case_are_missing_and_refused_by_default(tmp_path, word):
    path = write_csv(tmp_path / "d.csv", messy_frame(), [(3, "weight", word.upper()), (4, "color", word.title())])
    with pytest.raises(DataError, match=f"column 'weight', line 5: '{word.upper()}'.*data.missing: impute"):
        load_csv(path)
    dataset = load_csv(path, missing="impute")
    assert np.isnan(dataset.frame.columns["weight"][3]) and dataset.frame.columns["color"][4] is None


def test_an_empty_cell_keeps_todays_message(tmp_path):
    path = write_csv(tmp_path / "d.csv", messy_frame(), [(7, "color", "")])
    with pytest.raises(DataError, match="empty cell in column 'color', line 9"):
        load_csv(path)


def test_imputed_values_are_pandas_median_and_mode_of_the_training_rows(tmp_path):
    frame = messy_frame(200)
    holes = [(r, "weight", "") for r in range(0, 200, 7)] + [(r, "color", "NA") for r in range(3, 200, 11)]
    cfg = config(write_csv(tmp_path / "d.csv", frame, holes), "data.missing=impute", "model.dtype=float64")
    dataset = load_dataset(cfg)
    splits = prepare(dataset, cfg.data, cfg.seed, "float64")
    train = split_indices(dataset, cfg.data.test_size, cfg.data.val_size, cfg.seed)[0]
    seen = pd.read_csv(tmp_path / "d.csv").iloc[train]  # pandas' own reading of the same rows
    pre = splits.preprocessing
    assert pre.fill_numeric[0] == seen["weight"].median()
    from sklearn.impute import SimpleImputer
    assert pre.fill_numeric[0] == SimpleImputer(strategy="median").fit(seen[["weight"]]).statistics_[0]
    assert pre.fill_category[1] == seen["color"].mode()[0]
    filled = np.where(np.isnan(dataset.frame.columns["weight"][train]), seen["weight"].median(),
                      dataset.frame.columns["weight"][train])
    np.testing.assert_allclose(splits.X_train[:, 0], (filled - filled.mean()) / filled.std(), rtol=1e-12)


@pytest.mark.parametrize("cells", [["b", "a", "b", "a", "c"], ["zz", "Z", "zz", "Z", "a", "a", None, None, None]])
def test_the_imputed_category_is_scikit_learns_most_frequent_with_its_ties(cells):
    from sklearn.impute import SimpleImputer

    from minimlp.data.columns import Frame
    from minimlp.data.preprocess import Preprocessing

    column = np.array(cells, dtype=object)
    pre = Preprocessing.fit(Frame("t", {"c": column}), np.arange(len(cells)), impute=True, standardize=False)
    expected = SimpleImputer(strategy="most_frequent", missing_values=None).fit(column[:, None]).statistics_[0]
    assert pre.fill_category[0] == expected and pre.categories[0].tolist() == sorted(set(cells) - {None})


def test_a_missing_target_is_an_error_even_when_imputing(tmp_path):
    path = write_csv(tmp_path / "d.csv", messy_frame(), [(2, "fruit", "NA")])
    with pytest.raises(DataError, match="missing label 'NA' in target column 'fruit', line 4"):
        load_csv(path, missing="impute")


def test_a_short_line_is_named_when_imputing(tmp_path):
    frame = messy_frame()[["fruit", "weight", "color"]]
    text = write_csv(tmp_path / "d.csv", frame).read_text().splitlines()
    text[5] = text[5].rsplit(",", 1)[0]
    (tmp_path / "d.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match="line 6 has 2 cells, the header has 3"):
        load_csv(tmp_path / "d.csv", target="fruit", missing="impute")


def test_tsv_by_extension_and_a_delimiter_override(tmp_path):
    frame = messy_frame(60)
    csv_data = load_csv(write_csv(tmp_path / "d.csv", frame))
    (tmp_path / "d.tsv").write_text(frame.to_csv(sep="\t", index=False))
    (tmp_path / "d.txt").write_text(frame.to_csv(sep=";", index=False))
    for other in (load_csv(tmp_path / "d.tsv"), load_csv(tmp_path / "d.txt", delimiter=";")):
        assert other.feature_names == csv_data.feature_names and list(other.classes) == list(csv_data.classes)
        np.testing.assert_array_equal(other.frame.columns["weight"], csv_data.frame.columns["weight"])
        np.testing.assert_array_equal(other.y, csv_data.y)


def test_labels_that_are_the_same_number_are_one_class(tmp_path):
    (tmp_path / "d.csv").write_text("a,y\n1,1\n2,1.0\n3,+1\n4,2\n5,2.00\n6,1e0\n")
    dataset = load_csv(tmp_path / "d.csv")
    assert dataset.classes.tolist() == [1, 2] and dataset.y.tolist() == [0, 0, 0, 1, 1, 0]
    (tmp_path / "e.csv").write_text("a,y\n1,0.5\n2,1\n3,1.0\n")
    assert load_csv(tmp_path / "e.csv").classes.tolist() == [0.5, 1.0]


def test_a_regression_like_target_is_refused_briefly(tmp_path):
    from minimlp.data.labels import MAX_CLASSES

    rng = np.random.default_rng(0)
    values = rng.normal(size=20_000)
    (tmp_path / "d.csv").write_text("a,y\n" + "".join(f"{i},{v!r}\n" for i, v in enumerate(values)))
    with pytest.raises(DataError, match=f"20,000 distinct values, more than the {MAX_CLASSES:,} classes") as info:
        load_csv(tmp_path / "d.csv")
    assert len(str(info.value)) < 400
    (tmp_path / "e.csv").write_text("a,y\n" + "".join(f"{i},{i % (MAX_CLASSES + 1)}\n" for i in range(2 * MAX_CLASSES + 2)))
    with pytest.raises(DataError, match=f"{MAX_CLASSES + 1:,} distinct values"):
        load_csv(tmp_path / "e.csv")


def test_parquet_and_its_csv_twin_give_identical_weights(cwd):
    frame = messy_frame(150)
    write_csv(cwd / "d.csv", frame, [(4, "weight", ""), (8, "color", "")])
    typed = pd.read_csv(cwd / "d.csv")
    typed.to_parquet(cwd / "d.parquet")
    base = "data:\n  dataset: csv\n  missing: impute\nmodel:\n  hidden: [8]\ntrain:\n  epochs: 3\n"
    for name in ("d.csv", "d.parquet"):
        (cwd / f"{name}.yaml").write_text(base.replace("  dataset: csv\n", f"  dataset: csv\n  path: {name}\n"))
        assert run("train", f"{name}.yaml", "--out", f"run-{name}", "-q").exit_code == 0
    a, b = (Predictor.load(cwd / f"run-{n}/model.npz").net.params for n in ("d.csv", "d.parquet"))
    np.testing.assert_array_equal(a, b)
    assert a.any()


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    (tmp_path / "d.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)
    with pytest.raises(DataError, match=r"needs pyarrow: pip install 'minimlp\[parquet\]'"):
        load_csv(tmp_path / "d.parquet")


def test_model_npz_is_byte_identical_between_identical_runs_and_after_a_round_trip(cwd):
    write_csv(cwd / "d.csv", messy_frame(), [(4, "weight", "")])
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: d.csv\n  missing: impute\n  categorical: [size]\n"
                                "model:\n  hidden: [8]\ntrain:\n  epochs: 3\n")
    for out in ("a", "b"):
        assert run("train", "c.yaml", "--out", out, "-q").exit_code == 0
    first = (cwd / "a/model.npz").read_bytes()
    assert first == (cwd / "b/model.npz").read_bytes()
    Predictor.load(cwd / "a/model.npz").save(cwd / "again.npz")
    assert (cwd / "again.npz").read_bytes() == first
    with np.load(cwd / "a/model.npz", allow_pickle=False) as arrays:
        assert arrays["extra.kinds"].tolist() == ["numeric", "categorical", "categorical"]
        assert arrays["extra.categories"].tolist() == ["blue", "green", "red", "1", "2", "3"]


@pytest.fixture
def trained(cwd):
    write_csv(cwd / "d.csv", messy_frame(150), [(4, "weight", "")])
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: d.csv\n  missing: impute\n  scaling: standard\n"
                                "  missing_indicators: false\n  piecewise_bins: 0\nmodel:\n  hidden: [8]\noptimizer:\n  name: sgd\n  lr: 0.05\n"
                                "train:\n  epochs: 5\n")
    assert run("train", "c.yaml", "--out", "run", "-q").exit_code == 0
    return cwd / "run"


def test_predict_takes_columns_in_any_order_and_names_extra_ones_once(cwd, trained):
    frame = messy_frame(30, seed=1)
    frame.drop(columns="fruit").to_csv(cwd / "plain.csv", index=False)
    shuffled = frame[["size", "fruit", "color", "weight"]].assign(note="x")
    shuffled.to_csv(cwd / "shuffled.csv", index=False)
    plain = run("predict", trained, "plain.csv", "-o", "p1.csv")
    other = run("predict", trained, "shuffled.csv", "-o", "p2.csv")
    assert plain.exit_code == 0 and other.exit_code == 0, other.output
    assert (cwd / "p1.csv").read_text() == (cwd / "p2.csv").read_text()
    assert other.output.count("ignoring column(s) the model does not use: 'fruit', 'note'") == 1
    assert "ignoring" not in plain.output


def test_an_unseen_category_encodes_as_zeros_and_is_counted(cwd, trained):
    predictor = Predictor.load(trained / "model.npz")
    (cwd / "new.csv").write_text("weight,color,size\n100,purple,2\n100,red,2\n95,mauve,1\n")
    result = run("predict", trained, "new.csv", "-o", "p.csv")
    assert result.exit_code == 0 and "2 of 3 rows had a category the model never saw" in result.output
    pre = predictor.preprocessing
    by_hand = np.array([[(100 - pre.scaler.mean[0]) / pre.scaler.scale[0], 0, 0, 0,
                         (2 - pre.scaler.mean[4]) / pre.scaler.scale[4]]], dtype=predictor.net.dtype)
    expected = predictor.net.predict_proba(by_hand)[0]
    written = pd.read_csv(cwd / "p.csv")
    np.testing.assert_allclose(written.iloc[0, 1:].to_numpy(float), expected, rtol=1e-6)


def test_predict_imputes_as_trained_and_refuses_text_in_a_numeric_column(cwd, trained):
    (cwd / "new.csv").write_text("weight,color,size\n,red,NA\n")
    assert run("predict", trained, "new.csv", "-o", "p.csv").exit_code == 0
    (cwd / "bad.csv").write_text("weight,color,size\n100,red,2\nheavy,red,2\n")
    result = run("predict", trained, "bad.csv", "-o", "p2.csv")  # a new file: -o p.csv exists now
    assert result.exit_code == 2 and "column 'weight', line 3: 'heavy' is not a number" in result.output


def test_evaluate_matches_labels_by_value_after_the_data_lost_a_class(cwd, trained):
    from sklearn.metrics import accuracy_score

    text = (cwd / "d.csv").read_text().splitlines()
    (cwd / "d.csv").write_text("\n".join([text[0]] + [line for line in text[1:] if not line.endswith("cherry")]) + "\n")
    result = run("evaluate", trained)
    assert result.exit_code == 0, result.output
    cfg = load_config(trained / "config.yaml")
    dataset = load_dataset(cfg)
    test = split_indices(dataset, cfg.data.test_size, cfg.data.val_size, cfg.seed)[2]
    predictor = Predictor.load(trained / "model.npz")
    truth = dataset.classes[dataset.y[test]]
    expected = accuracy_score(truth, predictor.predict(predictor.frame({n: dataset.frame.columns[n][test]
                                                                      for n in dataset.feature_names})))
    assert expected > 0.5 and f"test accuracy  {expected:.4f}" in result.output


def test_evaluate_names_a_class_the_model_never_saw(cwd, trained):
    text = (cwd / "d.csv").read_text()
    (cwd / "d.csv").write_text(text + "".join(f"{100 + i},red,2,kiwi\n" for i in range(30)))
    result = run("evaluate", trained)
    assert result.exit_code == 2 and "class 'kiwi' is not one the model was trained on" in result.output


@pytest.mark.parametrize("damage,culprit", [
    (lambda a: a.update({"extra.scale": np.where(np.arange(len(a["extra.scale"])) == 0, np.nan, a["extra.scale"])}), "scale"),
    (lambda a: a.update({"extra.classes": a["extra.classes"].reshape(1, -1)}), "class labels"),
    (lambda a: a.update({"extra.category_counts": a["extra.category_counts"] + 1}), "categor"),
    (lambda a: a.update({"extra.kinds": np.array(["numeric", "text", "numeric"])}), "kinds"),
    (lambda a: a.update({"extra.fill_numeric": np.array([np.inf, 0.0, 0.0])}), "fill_numeric"),
    (lambda a: a.update({"extra.missing": np.array("sometimes")}), "missing"),
])
def test_damaged_preprocessing_arrays_are_refused_naming_the_file(cwd, trained, damage, culprit):
    path = trained / "model.npz"
    with np.load(path, allow_pickle=False) as data:
        arrays = dict(data)
    damage(arrays)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    (cwd / "new.csv").write_text("weight,color,size\n100,red,2\n")
    for result in (run("predict", trained, "new.csv", "-o", "p.csv"), run("evaluate", trained)):
        assert result.exit_code == 2 and "model.npz: not a usable minimlp model" in result.output
        assert culprit in result.output and "Traceback" not in result.output


def test_metrics_say_how_many_columns_became_how_many_inputs(trained):
    import json

    metrics = json.loads((trained / "metrics.json").read_text())
    assert (metrics["input_columns"], metrics["network_inputs"]) == (3, 5)
    assert "3 input columns → 5 network inputs" in (trained / "report.html").read_text()


def test_config_keys_are_checked():
    with pytest.raises(ConfigError, match="data.missing must be one of error, impute"):
        load_config(None, ["data.missing=fill"])
    with pytest.raises(ConfigError, match="data.categorical must be auto or a list of column names"):
        load_config(None, ["data.categorical=[1]"])
    with pytest.raises(ConfigError, match="data.delimiter must be one character"):
        load_config(None, ["data.dataset=csv", "data.path=x.csv", "data.delimiter=';;'"])
    with pytest.raises(ConfigError, match="data.params needs name"):
        load_config(None, ["data.dataset=openml"])


def test_a_damaged_parquet_file_is_refused_naming_it(tmp_path):
    (tmp_path / "d.parquet").write_bytes(b"PAR1" + bytes(range(200)) + b"PAR1")
    with pytest.raises(DataError, match="d.parquet: not a readable Parquet file"):
        load_csv(tmp_path / "d.parquet")


def test_predict_reads_tsv_by_extension_and_any_delimiter_given(cwd, trained):
    frame = messy_frame(20, seed=2).drop(columns="fruit")
    frame.to_csv(cwd / "a.csv", index=False)
    frame.to_csv(cwd / "b.tsv", sep="\t", index=False)
    frame.to_csv(cwd / "c.txt", sep=";", index=False)
    outputs = [run("predict", trained, "a.csv", "-o", "a.out"), run("predict", trained, "b.tsv", "-o", "b.out"),
               run("predict", trained, "c.txt", "--delimiter", ";", "-o", "c.out")]
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    assert (cwd / "a.out").read_text() == (cwd / "b.out").read_text() == (cwd / "c.out").read_text()
    assert run("predict", trained, "c.txt", "--delimiter", ";;", "-o", "d.out").exit_code == 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=64), st.just(float("nan"))),
                min_size=1, max_size=40))
def test_the_imputing_median_is_numpys_nanmedian(cells):
    from minimlp.data.preprocess import median

    column = np.array(cells)
    with np.errstate(over="ignore"):
        expected = np.nanmedian(column) if not np.isnan(column).all() else np.nan
    got = median(column, np.isnan(column))
    if np.isinf(expected):  # numpy's mean of the two middle values overflowed: ours lies between them
        values = np.sort(column[~np.isnan(column)])
        middle = values[len(values) // 2 - 1:len(values) // 2 + 1]
        assert np.isfinite(got) and middle[0] <= got <= middle[1]
    else:
        assert (np.isnan(got) and np.isnan(expected)) or got == expected


@pytest.mark.parametrize("n", [599, 600, 601, 5000, 5001])
def test_the_imputing_median_of_long_columns_is_numpys_nanmedian(n):
    from minimlp.data.preprocess import median

    rng = np.random.default_rng(n)
    for scale in (1.0, 1e300, 1e-300):
        column = rng.standard_normal(n) * scale
        column[rng.random(n) < 0.1] = np.nan
        assert median(column, np.isnan(column)) == np.nanmedian(column)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", " a", "b", "b ", "NA", "null", "", "c", "Ä", None, float("nan")]), min_size=1,
                max_size=30))
def test_a_text_columns_free_factorization_is_pandas_own(cells):
    from minimlp.data.columns import normalize

    kind, column, factorized = normalize(np.array(cells, dtype=object), "categorical")
    assert kind == "categorical"
    codes, uniques = pd.factorize(column)
    if factorized is None:  # only when stripping merged two spellings
        assert {" a", "a"} <= set(cells) or {"b", "b "} <= set(cells)
        return
    np.testing.assert_array_equal(factorized[0], codes)
    assert factorized[1].tolist() == list(uniques)


def test_the_preprocessing_takes_rows_by_numpys_rules_and_hand_built_frames_of_any_numeric_dtype():
    from minimlp.data.columns import Frame
    from minimlp.data.features import build_frame
    from minimlp.data.preprocess import Preprocessing

    frame = build_frame({"a": np.array([1.0, 2, 3, 4]), "c": np.array(["p", "q", "p", "r"], dtype=object)}, "t")
    pre = Preprocessing.fit(frame, np.arange(4), impute=False, standardize=False)
    X = pre.transform(frame)[0]
    np.testing.assert_array_equal(pre.transform(frame, np.array([-1, 0]))[0], X[[-1, 0]])
    np.testing.assert_array_equal(pre.transform(frame, np.array([True, False, True, False]))[0], X[[0, 2]])
    with pytest.raises(IndexError):
        pre.transform(frame, np.array([1, 7]))
    assert pre.transform(frame, np.array([], dtype=int))[0].shape == (0, 4)
    for dtype in (np.int64, np.uint8, np.float32):  # the columns a Frame built by hand may hold
        hand = Frame("t", {"a": np.array([1, 2, 3, 4], dtype=dtype), "b": np.array([1.0, 2, 3, 5])})
        scaled = Preprocessing.fit(hand, np.arange(4), impute=False, standardize=True).transform(hand)[0][:, 0]
        np.testing.assert_allclose(scaled, (np.arange(1, 5) - 2.5) / np.std(np.arange(1, 5)), rtol=1e-15)


def test_a_category_column_replaced_in_a_frame_is_encoded_anew_and_an_empty_one_encodes_to_nothing():
    from minimlp.data.features import build_frame
    from minimlp.data.preprocess import Preprocessing

    frame = build_frame({"c": np.array(["x", "y", "z"], dtype=object)}, "t")
    pre = Preprocessing.fit(frame, np.arange(3), impute=False, standardize=False)
    np.testing.assert_array_equal(pre.transform(frame)[0], np.eye(3))
    frame.columns["c"] = np.array(["z", "x", "y"], dtype=object)
    np.testing.assert_array_equal(pre.transform(frame)[0], np.eye(3)[[2, 0, 1]])
    empty = build_frame({"c": np.array([], dtype=object)}, "t")
    X, unseen = pre.transform(empty)
    assert X.shape == (0, 3) and unseen.shape == (0,)


def test_a_column_whose_type_changes_late_in_a_file_is_read_without_a_pandas_warning(tmp_path):
    rows = [f"{i % 5},{i},{'xy'[i % 2]}" for i in range(300_000)] + ["u,1,x"]  # pandas' internal chunks disagree
    (tmp_path / "d.csv").write_text("b,a,y\n" + "\n".join(rows) + "\n")
    dataset = load_csv(tmp_path / "d.csv", categorical=["b"])  # pytest turns any warning into an error
    assert dataset.frame.kind("b") == "categorical" and dataset.frame.columns["b"][-1] == "u"
