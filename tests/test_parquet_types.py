"""Parquet: only flat numbers, booleans, UTF-8 text and dictionary-encoded text are read (a short decimal
becomes a number); any other type is refused naming the column and its type; the rows the footer declares
are bounded before any data is read; column names come from the schema, not from pandas' metadata."""
import datetime
import decimal
import json
import subprocess
import sys

import numpy as np
import pytest
from helpers import peak_rss_mib, run

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from minimlp.data import load_csv  # noqa: E402
from minimlp.data.parquet import MAX_CELLS, read_parquet  # noqa: E402
from minimlp.errors import DataError  # noqa: E402

LABELS = ["u", "v"] * 10


def write(path, **columns):
    pq.write_table(pa.table({**columns, "y": LABELS[:len(next(iter(columns.values())))]}), path)
    return path


REFUSED = {
    "a list": pa.array([[1, 2]] * 4),
    "a struct": pa.array([{"x": 1}] * 4),
    "a map": pa.array([[("k", 1)]] * 4, pa.map_(pa.string(), pa.int64())),
    "bytes, not UTF-8 text": pa.array([b"\xff\xfe"] * 4),
    "a timestamp": pa.array([datetime.datetime(2026, 1, 1)] * 4),
    "a duration": pa.array([datetime.timedelta(days=1)] * 4),
    "a date": pa.array([datetime.date(2026, 1, 1)] * 4),
}


@pytest.mark.parametrize("what", REFUSED)
def test_a_column_of_another_type_is_refused_naming_it_and_its_type(tmp_path, what):
    path = write(tmp_path / "t.parquet", when=REFUSED[what])
    with pytest.raises(DataError) as e:
        load_csv(path, target="y")
    message = str(e.value)
    assert "column 'when' is of Parquet type" in message and f"({what})" in message
    assert str(pq.ParquetFile(path).schema_arrow.field("when").type) in message and len(message) < 400


def test_train_refuses_a_timestamp_column_with_exit_2(cwd):
    write(cwd / "t.parquet", when=REFUSED["a timestamp"])
    (cwd / "c.yaml").write_text("data:\n  dataset: csv\n  path: t.parquet\n  target: y\ntrain:\n  epochs: 1\n")
    result = run("train", "c.yaml")
    assert result.exit_code == 2 and "column 'when' is of Parquet type timestamp[us] (a timestamp)" in result.output


def test_numbers_booleans_text_dictionary_text_and_short_decimals_are_read(tmp_path):
    path = write(tmp_path / "t.parquet", n=pa.array([1, None, 3, 4], pa.int32()), f=pa.array([0.5, 1.5, None, 2.0]),
                 b=pa.array([True, False, None, True]), s=pa.array(["x", None, "z", "x"]),
                 d=pa.array(["p", "q", "p", "q"]).dictionary_encode(),
                 dec=pa.array([decimal.Decimal("1.25"), None, decimal.Decimal("-3.50"), decimal.Decimal("0.01")],
                              pa.decimal128(7, 2)))
    columns = read_parquet(path).columns
    assert list(columns) == ["n", "f", "b", "s", "d", "dec", "y"]
    np.testing.assert_array_equal(columns["n"], [1, np.nan, 3, 4])
    np.testing.assert_array_equal(columns["dec"], [1.25, np.nan, -3.5, 0.01])
    assert columns["dec"].dtype == np.float64
    assert list(columns["d"]) == ["p", "q", "p", "q"] and list(columns["s"][[0, 2]]) == ["x", "z"]


def test_a_decimal_too_long_for_a_float_is_refused(tmp_path):
    path = write(tmp_path / "t.parquet", price=pa.array([decimal.Decimal("1.25")] * 4, pa.decimal128(30, 2)))
    with pytest.raises(DataError, match=r"column 'price' is decimal128\(30, 2\), a decimal of more than 15 digits"):
        load_csv(path, target="y")


def test_names_come_from_the_schema_not_from_pandas_metadata(tmp_path):
    """pandas' metadata naming data column b as the index once dropped b and shifted the names onto the wrong columns."""
    table = pa.table({"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 20.0, 30.0, 40.0], "y": LABELS[:4]})
    columns = [{"name": n, "field_name": n, "pandas_type": "float64", "numpy_type": "float64", "metadata": None}
               for n in ("a", "b")] + [{"name": "y", "field_name": "y", "pandas_type": "unicode",
                                        "numpy_type": "object", "metadata": None}]
    meta = {"index_columns": ["b"], "column_indexes": [], "columns": columns, "pandas_version": "2.2.0"}
    pq.write_table(table.replace_schema_metadata({b"pandas": json.dumps(meta).encode()}), tmp_path / "t.parquet")
    dataset = load_csv(tmp_path / "t.parquet", target="y")
    assert dataset.feature_names == ["a", "b"]
    np.testing.assert_array_equal(dataset.frame.columns["b"], [10, 20, 30, 40])
    np.testing.assert_array_equal(dataset.frame.columns["a"], [1, 2, 3, 4])


def test_pandas_own_stored_index_is_not_a_feature(tmp_path):
    import pandas as pd

    pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": LABELS[:4]}, index=[7, 3, 9, 1]).to_parquet(tmp_path / "t.parquet")
    assert "__index_level_0__" in pq.ParquetFile(tmp_path / "t.parquet").schema_arrow.names
    assert load_csv(tmp_path / "t.parquet", target="y").feature_names == ["x"]


WRITE_HUGE = """import sys, pyarrow as pa, pyarrow.parquet as pq
n = int(sys.argv[2])
pq.write_table(pa.table({"x": pa.nulls(n), "y": pa.nulls(n)}), sys.argv[1], row_group_size=2**26)
"""


def test_rows_the_footer_declares_are_bounded_before_any_data_is_read(tmp_path):
    rows = MAX_CELLS // 2 + 1  # two columns: one cell too many; 0.5 MB on disk, 1 GiB once read
    subprocess.run([sys.executable, "-c", WRITE_HUGE, str(tmp_path / "huge.parquet"), str(rows)], check=True)
    assert (tmp_path / "huge.parquet").stat().st_size < 2_000_000
    code = ("from minimlp.data import load_csv\nfrom minimlp.errors import DataError\n"
            "try:\n    load_csv('huge.parquet', target='y')\nexcept DataError as e:\n    print(e)\n")
    status, output, peak = peak_rss_mib(code, tmp_path)
    assert status == 0, output
    assert f"declares {rows:,} rows × 2 columns, more than the {MAX_CELLS:,} cells" in output
    assert peak < 300, peak  # reading the cells would take over 1,000 MiB
