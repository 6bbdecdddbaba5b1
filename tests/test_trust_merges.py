"""Issue 25, item 2: nothing merges silently (YAML keys, labels, column names, resumed data)."""
import numpy as np
import pytest

from helpers import run


def test_a_yaml_key_given_twice_is_an_error_naming_both_lines(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: twice\noptimizer:\n  lr: 0.1\n  momentum: 0.9\n  lr: 0.5\n")
    result = run("config", "show", path)
    assert result.exit_code == 2
    assert "lr is given twice" in result.output and "line 3 and line 5" in result.output
    assert str(path) in result.output and "Traceback" not in result.output


def test_keys_equal_as_values_are_one_key_given_twice():
    from minimlp.config.yaml_reader import parse_yaml
    import yaml

    with pytest.raises(yaml.YAMLError, match=r"1 \(again as 1\.0\) is given twice .* line 2 and line 3"):
        parse_yaml("w:\n  1: 2\n  1.0: 3\n")


def test_merge_keys_may_still_be_overridden():
    from minimlp.config.yaml_reader import parse_yaml

    assert parse_yaml("base: &b {lr: 1, m: 2}\nopt: {<<: *b, lr: 3}\n")["opt"] == {"lr": 3, "m": 2}


# ---- labels and column names -------------------------------------------------------------------------------

def parquet_run(tmp_path, columns, name="p"):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), tmp_path / f"{name}.parquet")
    (tmp_path / f"{name}.yaml").write_text(f"name: {name}\ndata:\n  dataset: csv\n  path: {name}.parquet\n"
                                           "  target: y\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n")
    return run("train", tmp_path / f"{name}.yaml", "--out", tmp_path / "run", "-q")


def features(n):
    rng = np.random.default_rng(0)
    return {"a": rng.normal(size=n), "b": rng.normal(size=n)}


@pytest.mark.parametrize("labels", [np.array([2**53, 2**53 + 1] * 30, dtype=np.int64),
                                    np.array([2**64 - 1, 2**64 - 2] * 30, dtype=np.uint64),
                                    np.array([-2**63, 2**63 - 1] * 30, dtype=np.int64)])
def test_wide_integer_labels_stay_distinct_exact_classes_end_to_end(tmp_path, labels):
    result = parquet_run(tmp_path, {**features(60), "y": labels})
    assert result.exit_code == 0, result.output
    from minimlp.runs.predictor import Predictor

    classes = Predictor.load(tmp_path / "run" / "model.npz").classes
    assert sorted(int(c) for c in classes) == sorted({int(v) for v in labels})
    assert classes.dtype.kind in "iu"
    evaluated = run("evaluate", tmp_path / "run")
    assert evaluated.exit_code == 0, evaluated.output
    assert all(str(int(v)) in evaluated.output for v in set(labels.tolist()))


def test_a_non_finite_label_is_refused_at_training_naming_its_row(tmp_path):
    result = parquet_run(tmp_path, {**features(60), "y": np.array([1.0, 2.0, np.inf] * 20)})
    assert result.exit_code == 2
    assert "target column 'y', row 3: the label inf is not a finite number" in result.output
    assert not (tmp_path / "run").exists()


def test_a_nul_in_a_label_is_refused_not_merged(tmp_path):
    result = parquet_run(tmp_path, {**features(60), "y": ["x", "x\x00"] * 30})
    assert result.exit_code == 2
    assert "row 2: the label 'x\\x00' holds a control character ('\\x00')" in result.output


def test_a_control_character_in_a_csv_label_is_refused_naming_its_line(tmp_path):
    bad = "b\x07ad"
    (tmp_path / "t.csv").write_text("a,y\n" + "".join(f"{i},{'ok' if i % 2 else bad}\n" for i in range(40)))
    (tmp_path / "c.yaml").write_text("data:\n  dataset: csv\n  path: t.csv\ntrain:\n  epochs: 1\n")
    result = run("train", tmp_path / "c.yaml", "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert "line 2" in result.output and "control character ('\\x07')" in result.output


def test_a_nul_in_a_column_name_is_refused_naming_the_column(tmp_path):
    result = parquet_run(tmp_path, {"a": np.arange(60.0), "b\x00": np.arange(60.0), "y": ["x", "z"] * 30})
    assert result.exit_code == 2
    assert "column 2 of the header, 'b\\x00', holds a control character" in result.output


def test_a_nul_in_a_category_is_refused_naming_its_row_not_a_traceback(tmp_path):
    result = parquet_run(tmp_path, {"a": np.arange(60.0), "c": ["x", "x\x00", "y"] * 20, "y": ["p", "q"] * 30})
    assert result.exit_code == 2, result.output
    assert "column 'c', row 2: 'x\\x00' holds a NUL character" in result.output
