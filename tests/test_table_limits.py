"""What a table file may cost, and the values the numbers cannot carry: bounded lines and cells,
loading in chunks that a Ctrl-C can interrupt, and extreme values refused naming column and line."""

import numpy as np
import pytest
from helpers import peak_rss_mib, run

from minimlp.config import load_config
from minimlp.data import load_csv, load_dataset, prepare, reader, split_indices
from minimlp.data.columns import MAX_CELL_CHARS
from minimlp.errors import DataError
from minimlp.runs import train_run


def rows(n, feature=lambda i: str(i)):
    return "".join(f"{feature(i)},{'xy'[i % 2]}\n" for i in range(n))


@pytest.mark.parametrize("one_call", [True, False])
@pytest.mark.parametrize("where", ["middle", "end"])
def test_a_line_longer_than_the_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch, one_call, where):
    if not one_call:
        monkeypatch.setattr(reader, "PARALLEL_MAX_BYTES", 0)
    long_row = "1" * (reader.MAX_LINE_BYTES - 1) + ",x"  # one byte over, without its newline
    (tmp_path / "d.csv").write_text("a,y\n" + rows(10) + long_row + ("\n" + rows(10) if where == "middle" else ""))
    with pytest.raises(DataError, match=f"a line longer than {reader.MAX_LINE_BYTES:,} bytes"):
        load_csv(tmp_path / "d.csv")
    (tmp_path / "d.csv").write_text("a,y\n" + rows(10) + long_row[1:] + ("\n" + rows(10) if where == "middle" else ""))
    with pytest.raises(DataError) as error:  # at the limit: past the line check, refused for its cell
        load_csv(tmp_path / "d.csv")
    assert "a line longer" not in str(error.value)


def test_a_long_text_cell_is_refused_naming_its_column_and_line_with_a_bounded_message(tmp_path):
    (tmp_path / "d.csv").write_text("a,c,y\n" + "".join(f"{i},{'ab'[i % 2]},{'xy'[i % 2]}\n" for i in range(9))
                                    + "1," + "z" * (MAX_CELL_CHARS + 1) + ",x\n")
    with pytest.raises(DataError, match=f"column 'c', line 11: a text cell of {MAX_CELL_CHARS + 1:,} characters"):
        load_csv(tmp_path / "d.csv")


def test_a_130000_digit_number_costs_little_memory_and_a_short_message(tmp_path):
    """The old reader padded every cell to the longest: this 143 KB file took 2 GB."""
    path = tmp_path / "d.csv"
    path.write_text("a,y\n" + "1" * 130_000 + ",x\n" + rows(2000))
    script = ("from minimlp.data import load_csv\nfrom minimlp.errors import DataError\n"
              f"try:\n    load_csv({str(path)!r})\nexcept DataError as e:\n    print(len(str(e)), \"column 'a', line 2\" in str(e))\n")
    status, out, mib = peak_rss_mib(script, tmp_path)
    assert status == 0, out
    assert int(out.split()[0]) < 300 and out.split()[1] == "True"
    assert mib < 400  # the interpreter, numpy, pandas and scikit-learn included


def test_a_file_read_in_one_call_reports_that_it_reads_then_its_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "TICK_SECONDS", 0.0)  # the ticker reports as often as it can
    monkeypatch.setattr(reader.plain_csv, "MAX_BYTES", -1)  # pandas' one-call read, not the small-file reader
    (tmp_path / "d.csv").write_text("a,b,y\n" + "".join(f"{i},{i % 7},{'xy'[i % 2]}\n" for i in range(50_000)))
    seen = []
    dataset = load_csv(tmp_path / "d.csv", on_progress=seen.append)
    assert len(dataset.y) == 50_000 and dataset.frame.columns["b"][:8].tolist() == [0, 1, 2, 3, 4, 5, 6, 0]
    *ticks, read, done = seen
    assert ticks and all(t.rows == 0 and t.bytes_read is None and not t.done for t in ticks)
    assert read.rows == 50_000 and read.bytes_read == read.total_bytes and not read.done
    assert done.done and done.rows == 50_000 and done.columns == 3

    def fail(loading):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # raised in the reading thread, not lost in the ticker's
        load_csv(tmp_path / "d.csv", on_progress=fail)


def test_loading_reports_progress_chunk_by_chunk_and_a_ctrl_c_ends_it(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "CHUNK_ROWS", 10)
    monkeypatch.setattr(reader, "PARALLEL_MAX_BYTES", 0)  # larger files are read in chunks
    monkeypatch.setattr(reader.plain_csv, "MAX_BYTES", -1)  # by pandas
    (tmp_path / "d.csv").write_text("a,y\n" + rows(95))
    seen = []
    load_csv(tmp_path / "d.csv", on_progress=seen.append)
    assert [s.rows for s in seen] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 95]
    assert seen[-1].done and seen[-1].columns == 2 and seen[-1].bytes_read == seen[-1].total_bytes
    assert all(not s.done for s in seen[:-1])

    def interrupt(loading):
        if loading.rows >= 30:
            raise KeyboardInterrupt

    config = load_config(None, ["data.dataset=csv", f"data.path={tmp_path / 'd.csv'}"])
    with pytest.raises(KeyboardInterrupt):
        train_run(config, tmp_path / "run", on_load=interrupt)
    assert not (tmp_path / "run").exists()


def test_train_prints_one_line_naming_the_file_rows_columns_and_seconds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.csv").write_text("a,b,y\n" + "".join(f"{i},{i % 3},{'xy'[i % 2]}\n" for i in range(40)))
    (tmp_path / "c.yaml").write_text("data:\n  dataset: csv\n  path: d.csv\n  features: [a, b]\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 1\n")
    result = run("train", "c.yaml", "--out", "run")
    assert result.exit_code == 0
    assert result.output.count(f"read {tmp_path / 'd.csv'}: 40 rows × 3 columns in ") == 1
    assert "read " not in run("train", "c.yaml", "--out", "run2", "-q").output


def test_a_feature_whose_variance_overflows_is_standardised_not_zeroed(tmp_path):
    values = np.where(np.arange(60) % 2, 1e200, -1e200) * (1 + np.arange(60) / 100)
    (tmp_path / "d.csv").write_text("a,y\n" + "".join(f"{float(v)!r},{'xy'[i % 3 == 0]}\n" for i, v in enumerate(values)))
    config = load_config(None, ["data.dataset=csv", f"data.path={tmp_path / 'd.csv'}", "model.dtype=float64",
                                "data.scaling=standard"])
    dataset = load_dataset(config)
    splits = prepare(dataset, config.data, config.seed, "float64")
    scaled = dataset.frame.columns["a"] / 1e200  # standardising is scale-free: the same result, computed far from overflow
    train = split_indices(dataset, config.data.test_size, config.data.val_size, config.seed)[0]
    expected = (scaled[train] - scaled[train].mean()) / scaled[train].std()
    np.testing.assert_allclose(splits.X_train[:, 0], expected, rtol=1e-12)
    assert np.isclose(splits.X_train[:, 0].std(), 1.0)


def test_values_beyond_the_model_dtype_are_refused_at_train_naming_column_and_line(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,y\n" + "".join(f"{i},1,{'xy'[i % 2]}\n" for i in range(30)) + "3,1e39,x\n")
    config = load_config(None, ["data.dataset=csv", f"data.path={tmp_path / 'd.csv'}", "data.standardize=false"])
    with pytest.raises(DataError, match=r"column 'b', line 32: '1e39' becomes 1e\+39, beyond the model's float32 range"):
        prepare(load_dataset(config), config.data, config.seed, "float32")
    prepare(load_dataset(config), config.data, config.seed, "float64")  # float64 carries it


@pytest.fixture
def huge_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    values = 1.0e308 + np.arange(40) * 1.5e306  # a mean near float64's limit
    (tmp_path / "d.csv").write_text("a,b,y\n" + "".join(f"{float(v)!r},{i},{'xy'[i % 2]}\n" for i, v in enumerate(values)))
    (tmp_path / "c.yaml").write_text("data:\n  dataset: csv\n  path: d.csv\n  features: [a, b]\n  scaling: standard\n"
                                     "model:\n  hidden: [4]\ntrain:\n  epochs: 2\n")
    result = run("train", "c.yaml", "--out", "run", "-q")
    assert result.exit_code == 0, result.output
    return tmp_path / "run"


@pytest.mark.parametrize("cell,message", [
    ("-1.7e308", "'-1.7e308' overflows float64 after standardisation"),
    ("1e300", None),  # finite in float64 but ~1e-8 after scaling: fine
])
def test_predict_refuses_values_whose_standardisation_overflows(tmp_path, huge_run, cell, message):
    (tmp_path / "new.csv").write_text(f"a,b\n1.05e308,3\n{cell},4\n")
    result = run("predict", huge_run, "new.csv", "-o", "p.csv")
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2 and f"new.csv: column 'a', line 3: {message}" in result.output
    assert not (tmp_path / "p.csv").exists()


def test_predict_refuses_values_beyond_float32_after_scaling(tmp_path, huge_run):
    (tmp_path / "new.csv").write_text("a,b\n1.05e308,3\n1.05e308,1e300\n")
    result = run("predict", huge_run, "new.csv", "-o", "p.csv")
    assert result.exit_code == 2 and "new.csv: column 'b', line 3: '1e300' becomes" in result.output
    assert "beyond the model's float32 range" in result.output


def test_special_files_are_refused_by_predict(tmp_path, huge_run):
    import os

    os.mkfifo(tmp_path / "pipe.csv")
    result = run("predict", huge_run, "pipe.csv", "-o", "p.csv")
    assert result.exit_code == 2 and "not a regular file" in result.output
