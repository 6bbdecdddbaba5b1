"""Which columns become inputs: data.drop / data.features, a written row index, columns that identify
rows, and columns of numbers and text judged as a user would (issues 24 and 22)."""
import numpy as np
import pandas as pd
import pytest
from helpers import run

from minimlp.config import load_config
from minimlp.data import load_dataset, prepare
from minimlp.errors import ConfigError, DataError


def table(n=200, seed=0):
    """Two informative numeric columns, a text one, a text target."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], n)
    label = np.where(a + b > 0, "yes", "no")
    return pd.DataFrame({"a": a.round(4), "b": b.round(4), "color": color, "label": label})


def config(path, *extra):
    return load_config(None, ["data.dataset=csv", f"data.path={path}", "model.hidden=[8]", "train.epochs=2", *extra])


def loaded(path, *extra):
    cfg = config(path, *extra)
    dataset = load_dataset(cfg)
    prepare(dataset, cfg.data, cfg.seed, "float64")
    return dataset


# --- data.drop and data.features -------------------------------------------------------------------------

def test_drop_removes_columns_and_features_keeps_only_those_in_file_order(tmp_path):
    path = tmp_path / "t.csv"
    table().to_csv(path, index=False)
    assert loaded(path).feature_names == ["a", "b", "color"]
    assert loaded(path, "data.drop=[color]").feature_names == ["a", "b"]
    assert loaded(path, "data.features=[color, a]").feature_names == ["a", "color"]


@pytest.mark.parametrize("key,value,message", [
    ("data.drop", "[colour]", "data.drop names 'colour', which is not a column of the table (did you mean 'color'?)"),
    ("data.features", "[a, bb]", "data.features names 'bb', which is not a column of the table (did you mean 'b'?)"),
    ("data.drop", "[label]", "data.drop names 'label', which is the target or weight column"),
    ("data.drop", "[a, b, color]", "data.drop leaves no feature column"),
])
def test_a_listed_name_is_checked_against_the_header(tmp_path, key, value, message):
    path = tmp_path / "t.csv"
    table().to_csv(path, index=False)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        loaded(path, f"{key}={value}")


def test_drop_and_features_exclude_each_other_and_are_lists_of_names():
    with pytest.raises(ConfigError, match="data.features and data.drop exclude each other"):
        load_config(None, ["data.drop=[a]", "data.features=[b]"])
    with pytest.raises(ConfigError, match=r"--set data.drop=3: data.drop must be a list of column names, got 3"):
        load_config(None, ["data.drop=3"])
    with pytest.raises(ConfigError, match="data.features must list at least one column"):
        load_config(None, ["data.features=[]"])


def test_the_keys_work_with_set_and_show_in_config_show(cwd):
    result = run("config", "show", "--set", "data.drop=[ID, Name]")
    assert result.exit_code == 0 and "  drop: [ID, Name]\n" in result.output and "  features: null\n" in result.output
    result = run("config", "show", "--set", "data.features=[a]")
    assert result.exit_code == 0 and "  features: [a]\n" in result.output and "  drop: []\n" in result.output


def test_drop_applies_to_scikit_learn_datasets_too():
    cfg = load_config(None, ["data.dataset=iris", "data.drop=[sepal width (cm)]"])
    assert load_dataset(cfg).feature_names == ["sepal length (cm)", "petal length (cm)", "petal width (cm)"]


# --- a written row index ---------------------------------------------------------------------------------

@pytest.mark.parametrize("header,start", [("", 0), ('""', 1)])
def test_an_unnamed_first_column_of_row_numbers_is_dropped_and_said(cwd, header, start):
    frame = table()
    lines = [f"{header},a,b,color,label"] + [f"{start + i},{r.a},{r.b},{r.color},{r.label}"
                                              for i, r in enumerate(frame.itertuples())]
    (cwd / "t.csv").write_text("\n".join(lines) + "\n")
    (cwd / "c.yaml").write_text("data: {dataset: csv, path: t.csv}\nmodel: {hidden: [4]}\ntrain: {epochs: 1}\n")
    result = run("train", "c.yaml", "--out", "run")
    assert result.exit_code == 0, result.output
    note = [line for line in result.output.splitlines() if "unnamed first column" in line]
    assert len(note) == 1 and f"row numbers {start}..{start + len(frame) - 1}" in note[0]
    assert "3 input columns" in result.output


def test_pandas_to_csv_with_its_index_after_a_shuffle_trains(tmp_path):
    frame = table().sample(frac=1.0, random_state=0)  # the index is a permutation of 0..n-1
    frame.to_csv(tmp_path / "t.csv")
    assert loaded(tmp_path / "t.csv").feature_names == ["a", "b", "color"]


def test_an_unnamed_first_column_of_anything_else_is_still_refused(tmp_path):
    frame = table()
    frame.index = frame.index * 3  # not 0..n-1
    frame.to_csv(tmp_path / "t.csv")
    with pytest.raises(DataError, match="column 1 of the header has no name; an unnamed first column is taken as a "
                                        "row index only when it holds 0..n-1 or 1..n"):
        loaded(tmp_path / "t.csv")


# --- columns that identify rows --------------------------------------------------------------------------

def with_column(tmp_path, name, values, frame=None):
    frame = table() if frame is None else frame
    frame.insert(0, name, values)
    frame.to_csv(tmp_path / "t.csv", index=False)
    return tmp_path / "t.csv"


def ids(n, rng):
    return {
        "Name": np.array([f"car {i} {rng.integers(1e6)}" for i in range(n)]),  # distinct text
        "row": rng.permutation(n) + 1,  # a permutation of 1..n
        "serial": np.arange(n) * 10 + 1000,  # an arithmetic sequence
        "ticket": np.cumsum(rng.integers(1, 50, n)),  # integers increasing along the rows, with gaps
        "customer_id": rng.choice(10**9, n, replace=False),  # named like one, distinct
        "PassengerId": rng.choice(10**9, n, replace=False),
    }


@pytest.mark.parametrize("name", list(ids(5, np.random.default_rng(0))))
def test_a_column_that_identifies_rows_is_left_out_said_and_written_into_the_runs_config(cwd, name):
    """data.identifiers: drop (the default): the run trains without it, says so, and its config.yaml lists it
    in data.drop, so predict ignores the column and a resume leaves it out too."""
    values = ids(200, np.random.default_rng(1))[name]
    with_column(cwd, name, values)
    (cwd / "c.yaml").write_text("data: {dataset: csv, path: t.csv, drop: [color]}\ntrain: {epochs: 1}\n")
    result = run("train", "c.yaml", "--out", "run")
    assert result.exit_code == 0, result.output
    assert f"column identifies rows rather than describes them ({name!r}:" in result.output
    assert "left out of the features" in result.output
    assert load_config(cwd / "run" / "config.yaml", saved=True).data.drop == ["color", name]
    assert "2 input columns" in result.output  # a and b
    assert run("predict", "run", "t.csv", "-o", "p.csv").exit_code == 0
    assert len(pd.read_csv(cwd / "p.csv")) == 200


@pytest.mark.parametrize("name", list(ids(5, np.random.default_rng(0))))
def test_asked_to_refuse_a_column_that_identifies_rows_it_stops_with_the_line_that_drops_it(cwd, name):
    values = ids(200, np.random.default_rng(1))[name]
    with_column(cwd, name, values)
    (cwd / "c.yaml").write_text("data: {dataset: csv, path: t.csv, drop: [color], identifiers: refuse}\n"
                                "train: {epochs: 1}\n")
    result = run("train", "c.yaml", "--out", "run")
    assert result.exit_code == 2, result.output
    assert f"column identifies rows rather than describes them ({name!r}:" in result.output
    assert f"  drop: [color, {name}]\n" in result.output  # the existing list, extended
    assert "Traceback" not in result.output and not (cwd / "run").exists()
    # the line it gives works; and listing the column as a feature keeps it
    result = run("train", "c.yaml", "--out", "run2", "--set", f"data.drop=[color, {name}]", "-q")
    assert result.exit_code == 0, result.output
    kept = f"data.features=[a, b, {name}]" if name != "Name" else "data.categorical=[Name]"
    result = run("train", "c.yaml", "--out", "run3", "--set", "data.drop=[]", "--set", kept)
    assert result.exit_code == 0, result.output
    assert "identifies rows" not in result.output


def test_a_table_of_only_identifiers_is_refused_not_emptied(tmp_path):
    frame = pd.DataFrame({"key": np.arange(100), "Name": [f"n{i}" for i in range(100)], "label": ["p", "q"] * 50})
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataError, match=r"columns identify rows .*\n  drop: \[key, Name\]\n"):
        loaded(tmp_path / "t.csv")


def test_an_id_repeated_for_a_few_rows_is_still_an_id(tmp_path):
    """MASS's biopsy: 699 rows, 645 patient IDs; 94% distinct in its training rows."""
    rng = np.random.default_rng(8)
    patients = rng.choice(10**7, 190, replace=False)
    ID = np.concatenate([patients, patients[:10]])  # ten patients seen twice
    dataset = loaded(with_column(tmp_path, "ID", rng.permutation(ID)))
    assert dataset.dropped == ["ID"] and "ID" not in dataset.feature_names
    assert any("'ID': named like an identifier, distinct in 9" in note for note in dataset.notes)


def test_a_text_column_with_many_values_is_kept_and_said(cwd):
    rng = np.random.default_rng(9)
    names = np.array([f"car {i}" for i in rng.integers(0, 150, 200)])  # ~75% distinct: many, not an identifier
    with_column(cwd, "name", names)
    (cwd / "c.yaml").write_text("data: {dataset: csv, path: t.csv}\nmodel: {hidden: [4]}\ntrain: {epochs: 1}\n")
    result = run("train", "c.yaml", "--out", "run")
    assert result.exit_code == 0, result.output
    assert "column 'name' has " in result.output and "one network input each; if it names rows rather than " \
        "describes them, list it in data.drop" in result.output
    assert "column 'color'" not in result.output  # three values: nothing to say


def test_several_identifiers_are_named_in_one_message(tmp_path):
    rng = np.random.default_rng(2)
    frame = table()
    frame.insert(0, "key", rng.permutation(len(frame)))
    path = with_column(tmp_path, "Name", [f"n{i}" for i in range(len(frame))], frame)
    with pytest.raises(DataError, match=r"columns identify rows .*'Name': text distinct in 100% of the training rows; "
                                        r"'key': integers 0..199, one per row.*\n  drop: \[Name, key\]\n"):
        loaded(path, "data.identifiers=refuse")
    dataset = loaded(path)
    assert dataset.dropped == ["Name", "key"] and dataset.feature_names == ["a", "b", "color"]


@pytest.mark.parametrize("name,make", [
    ("income", lambda rng, n: rng.choice(np.arange(20_000, 200_000), n, replace=False)),  # distinct integers
    ("price", lambda rng, n: rng.lognormal(3, 1, n).round(4)),  # distinct decimals
    ("zip_code", lambda rng, n: rng.choice([10115, 20095, 80331], n)),  # few values
    ("user_id", lambda rng, n: rng.integers(0, 20, n)),  # named like one, but repeating
])
def test_measurements_that_happen_to_be_distinct_are_never_refused(tmp_path, name, make):
    rng = np.random.default_rng(3)
    values = make(rng, 200)
    path = with_column(tmp_path, name, values)
    if name in ("income", "price"):
        assert len(np.unique(values)) == len(values)  # distinct indeed
    assert name in loaded(path).feature_names


def test_a_small_table_is_not_judged(tmp_path):
    frame = table(n=25)  # 17 training rows: distinct names there say nothing
    path = with_column(tmp_path, "Name", [f"n{i}" for i in range(25)], frame)
    assert "Name" in loaded(path).feature_names


def test_a_resumed_run_is_not_judged_for_identifier_columns(tmp_path):
    """Its config.yaml lists what its first run dropped; a run from before the check kept its columns."""
    from minimlp.runs import folder

    path = with_column(tmp_path, "Name", [f"n{i}" for i in range(200)])
    cfg = config(path, "data.identifiers=refuse")
    with pytest.raises(DataError, match="identifies rows"):
        folder.prepare(cfg)
    assert "Name" in folder.prepare(cfg, resumed=True).dataset.feature_names
    prepared = folder.prepare(config(path))
    assert prepared.config.data.drop == ["Name"] and "Name" not in prepared.dataset.feature_names


def test_identifiers_takes_drop_or_refuse_and_an_old_run_folder_reads_as_refuse(tmp_path):
    with pytest.raises(ConfigError, match=r"data.identifiers"):
        load_config(None, ["data.identifiers=keep"])
    (tmp_path / "config.yaml").write_text("data: {dataset: iris}\n")
    assert load_config(tmp_path / "config.yaml", saved=True).data.identifiers == "refuse"
    assert load_config(tmp_path / "config.yaml").data.identifiers == "drop"


# --- columns of numbers and text --------------------------------------------------------------------------

def test_a_factor_of_codes_with_a_text_level_is_categorical(tmp_path):
    rng = np.random.default_rng(4)
    path = with_column(tmp_path, "code", rng.choice(["01", "23", "46", "7p"], 200))
    dataset = loaded(path)
    assert dataset.frame.kind("code") == "categorical"
    assert sorted(set(dataset.frame.columns["code"])) == ["1", "23", "46", "7p"]


def test_a_time_column_with_one_stray_number_is_categorical(tmp_path):
    rng = np.random.default_rng(5)
    times = np.array([f"{h:02d}:{m:02d}" for h, m in zip(rng.integers(0, 24, 200), rng.choice([0, 15, 30, 45], 200))])
    times[17] = "9.12"
    dataset = loaded(with_column(tmp_path, "departure", times))
    assert dataset.frame.kind("departure") == "categorical" and "9.12" in set(dataset.frame.columns["departure"])


def test_a_numeric_column_with_a_few_typos_is_refused_naming_them(tmp_path):
    rng = np.random.default_rng(6)
    weight = rng.normal(90, 10, 200).round(1).astype(str).astype(object)
    weight[[5, 40, 41, 90]] = ["9O.5", "heavy", "8,5", "l2"]
    path = with_column(tmp_path, "weight", weight)
    with pytest.raises(DataError) as info:
        loaded(path)
    message = str(info.value)
    assert message.startswith(f"{path}: column 'weight', line 7: '9O.5' is not a number; the column mixes numbers "
                              "and text (4 text cells: also line 42 'heavy', line 43 '8,5', and 1 more; list it in data.categorical")
    assert "data.categorical" in message


def test_a_few_level_numeric_column_with_a_one_off_typo_is_refused(tmp_path):
    rng = np.random.default_rng(7)
    stars = rng.integers(1, 6, 200).astype(str).astype(object)
    stars[33] = "4O"  # once: a typo, not a level
    with pytest.raises(DataError, match=r"column 'stars', line 35: '4O' is not a number"):
        loaded(with_column(tmp_path, "stars", stars))
