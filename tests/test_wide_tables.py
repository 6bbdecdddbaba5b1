"""Wide tables and many categories cost in proportion to the file: no per-column list rebuilt per column,
one-hot codes by a binary search per distinct value (not a dense categories × categories table), and a text column with
more than data.max_categories distinct values left out with a note, or refused naming it and the count when
data.categorical names it.
(The 10,000- vs 40,000-column timing is scripts/wide_tables.py, not a timed test.)"""
import numpy as np
import pytest
from helpers import peak_rss_mib, run

from minimlp.config import load_config
from minimlp.data import load_csv, prepare
from minimlp.data.columns import Frame
from minimlp.data.preprocess import Preprocessing
from minimlp.errors import ConfigError, DataError


def cities_csv(path, k):
    with open(path, "w") as f:
        f.write("x,city,y\n")
        for i in range(k):
            f.write(f"{i % 13},c{i:05d},{'ab'[i % 2]}\n")
    return path


def config(path, *sets):
    return load_config(None, ["data.dataset=csv", f"data.path={path}", "data.target=y", *sets])


def test_a_text_column_with_more_values_than_max_categories_is_refused_naming_it_and_the_count(tmp_path):
    path = cities_csv(tmp_path / "t.csv", 1001)
    dataset = load_csv(path, target="y")
    with pytest.raises(DataError, match="column identifies rows"):  # distinct in every row: an ID ...
        prepare(dataset, config(path, "data.identifiers=refuse").data, 0, np.float32)
    listed = "data.categorical=[city]"  # ... unless the config says it is a category
    with pytest.raises(DataError, match=r"column 'city' has 1,001 distinct values, more than data.max_categories \(1,000\)"):
        prepare(dataset, config(path, listed).data, 0, np.float32)
    splits = prepare(dataset, config(path, listed, "data.max_categories=1001").data, 0, np.float32)
    assert splits.X_train.shape[1] == splits.preprocessing.widths[0] + len(splits.preprocessing.categories[1])


def test_train_refuses_too_many_categories_with_exit_2_and_the_key_lifts_it(cwd):
    cities_csv(cwd / "t.csv", 40)
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: t.csv\n  target: y\n  max_categories: 39\n  categorical: [city]\n"
                                "model:\n  hidden: [4]\ntrain:\n  epochs: 1\n")
    result = run("train", "c.yaml", "--out", "r1", "-q")
    assert result.exit_code == 2 and "column 'city' has 40 distinct values" in result.output
    assert run("train", "c.yaml", "--out", "r2", "-q", "--set", "data.max_categories=40").exit_code == 0


def test_a_text_column_over_max_categories_that_the_config_does_not_list_is_left_out_and_said(cwd):
    """Not an identifier (each city repeats), too many values to one-hot: the table trains without it,
    as scikit-learn's pipeline trains it (with it); listed in data.categorical, it is refused as before."""
    rng = np.random.default_rng(0)
    with open(cwd / "t.csv", "w") as f:
        f.write("x,city,y\n" + "".join(f"{rng.normal():.3f},c{rng.integers(60):02d},{'ab'[i % 2]}\n" for i in range(300)))
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: t.csv\n  target: y\n  max_categories: 40\n"
                                "model:\n  hidden: [4]\ntrain:\n  epochs: 1\n")
    result = run("train", "c.yaml", "--out", "r1")
    assert result.exit_code == 0, result.output
    assert "text column with more distinct values than data.max_categories (40) left out of the features: 'city' (60)" \
        in result.output
    assert load_config(cwd / "r1" / "config.yaml", saved=True).data.drop == ["city"]
    assert "1 input columns" in result.output or "1 input column" in result.output
    listed = run("train", "c.yaml", "--out", "r2", "--set", "data.categorical=[city]")
    assert listed.exit_code == 2 and "column 'city' has 60 distinct values" in listed.output


def test_max_categories_must_be_positive():
    with pytest.raises(ConfigError, match=r"data.max_categories must be >= 1, got 0"):
        load_config(None, ["data.max_categories=0"])


def test_category_lookup_maps_values_as_scikit_learns_one_hot_encoder():
    """Unicode, case, prefixes, digits, spaces and values never seen: each value's hot column, or -1."""
    from sklearn.preprocessing import OneHotEncoder

    from minimlp.data.preprocess import _lookup

    train = np.array(["b", "B", "ab", "a", "é", "10", "9", " a", "a ", "zz", "日本"], dtype=object)
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train.reshape(-1, 1))
    categories = np.sort(train.astype(str))
    np.testing.assert_array_equal(categories, encoder.categories_[0].astype(str))
    values = np.array(["a", "zz", "A", "aa", "", "9", "100", "日", "é", "z", " a"], dtype=object)
    dense = encoder.transform(values.reshape(-1, 1))
    expected = np.where(dense.any(axis=1), dense.argmax(axis=1), -1)
    np.testing.assert_array_equal(_lookup(categories, values), expected)
    assert _lookup(categories, np.array([], dtype=object)).shape == (0,)
    np.testing.assert_array_equal(_lookup(np.array([], dtype=str), values), np.full(len(values), -1))


def test_one_hot_of_many_categories_costs_about_the_network_input(tmp_path):
    """6,000 categories: the dense lookup table alone was 6,000 × 4,200 × 8 bytes (200 MB, and a copy)."""
    cities_csv(tmp_path / "cats.csv", 6000)
    load = ("import numpy as np\nfrom minimlp.config import load_config\nfrom minimlp.data import load_csv, prepare\n"
            "cfg = load_config(None, ['data.dataset=csv', 'data.path=cats.csv', 'data.target=y', "
            "'data.max_categories=10000', 'data.categorical=[city]'])\nds = load_csv('cats.csv', target='y')\n"
            "import sklearn.preprocessing, scipy.sparse\n")
    status, output, loaded = peak_rss_mib(load, tmp_path)
    assert status == 0, output
    status, output, prepared = peak_rss_mib(load + "s = prepare(ds, cfg.data, 0, np.float32)\n"
                                            "print(s.X_train.nbytes + s.X_val.nbytes + s.X_test.nbytes)\n", tmp_path)
    assert status == 0, output
    network_input = int(output.split()[-1]) / 2**20  # 96 MiB
    assert prepared - loaded < network_input + 60, (prepared, loaded, network_input)  # was ~ 2.9x the input more


def test_fitting_reads_the_frame_names_a_fixed_number_of_times(monkeypatch):
    """Frame.names builds a new list; read once per column it made fitting quadratic in the columns."""
    calls = []
    original = Frame.names.fget
    monkeypatch.setattr(Frame, "names", property(lambda self: calls.append(1) or original(self)))
    counts = []
    for d in (20, 200):
        frame = Frame("t", {f"c{j}": np.arange(10.0) + j for j in range(d)})
        calls.clear()
        Preprocessing.fit(frame, np.arange(10), impute=False, standardize=True)
        counts.append(len(calls))
    assert counts[0] == counts[1]


def test_a_duplicate_column_name_is_still_named(tmp_path):
    names = [f"c{i}" for i in range(5000)]
    (tmp_path / "t.csv").write_text(",".join(names + ["c4321", "y"]) + "\n" + ",".join(["1"] * 5002) + "\n")
    with pytest.raises(DataError, match="the header names column 'c4321' twice"):
        load_csv(tmp_path / "t.csv", target="y")


def test_predict_names_missing_columns_of_a_wide_model_in_a_bounded_message(tmp_path):
    from minimlp.runs.predictor import Predictor

    d = 3000
    frame = Frame("t", {f"column_{j:04d}": np.arange(8.0) * (j + 1) for j in range(d)})
    pre = Preprocessing.fit(frame, np.arange(8), impute=False, standardize=True)
    from minimlp.model import MLP

    predictor = Predictor(MLP([d, 2], seed=0), np.array(["a", "b"]), pre)
    with pytest.raises(Exception) as e:
        predictor.frame({"other": np.zeros(2)})
    assert "missing feature column(s) 'column_0000', 'column_0001'" in str(e.value)
    assert len(str(e.value)) < 1000
