"""The pandas-free reading of a small table (plain_csv, distinct) against pandas itself, the reference.

Each table is read twice through ``read_table``: as it is (small, so by the csv
module when its cells allow) and with plain_csv switched off (pandas' C reader).
The columns must be equal: dtype, missing cells, values."""
import contextlib
import csv
import io

import numpy as np
import pandas as pd
import pytest
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from minimlp.data import distinct, plain_csv
from minimlp.data.reader import read_table

CELLS = ["0", "7", "-3", "+5", "0001", " 12", "4 ", "\t8", "2.5", "-0.25", ".5", "5.", "1e3", "2E-3", "+.5e1", "1e400",
         "123456789012345678", "9223372036854775807", "9223372036854775808", "12345678901234567890123",
         "", "NA", "na", "N/A", "nan", "NaN", "null", "None", " NA", "NA ",
         "a", "b", "x y", "red", "Red", " red", "é", "日本", "a,b", 'say "hi"', "line\nbreak", "1_0", "١٢", "0x1A",
         "1,5", "inf", "-Infinity", "infinit", "True", "false", "TRUE", "tRue", " True", "+false", " ", "  ", "-", ".", "1e", "1.5f", "'q'"]


ODD = ("inf", "-Infinity", " True", "+false", "9223372036854775807", "9223372036854775808",
       "12345678901234567890123")  # pandas' to read


def cells(allow_odd=True):
    return st.sampled_from(CELLS if allow_odd else [c for c in CELLS if c.strip() and c not in ODD])


@st.composite
def tables(draw, allow_odd=True):
    n_columns = draw(st.integers(1 if allow_odd else 2, 4))  # one column: pandas' to read (see plain_csv.read)
    column_pools = [draw(st.lists(cells(allow_odd), min_size=1, max_size=4)) for _ in range(n_columns)]
    n_rows = draw(st.integers(1, 12))
    rows = [[draw(st.sampled_from(pool)) for pool in column_pools] for _ in range(n_rows)]
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_NONNUMERIC, csv.QUOTE_ALL]))
    text = io.StringIO()
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    writer = csv.writer(text, delimiter=delimiter, quoting=quoting,
                        lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow([f"c{j}" for j in range(n_columns)])
    writer.writerows(rows)
    return text.getvalue(), delimiter


def read_both_ways(case, tmp_path_factory):
    """``both_readers`` on a generated (text, delimiter) written to a fresh file."""
    text, delimiter = case
    path = tmp_path_factory.mktemp("t") / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as monkeypatch:
        return both_readers(path, monkeypatch, delimiter)


def both_readers(path, monkeypatch, delimiter=","):
    """(the table as read, pandas' reading, whether plain_csv read it); each table, or its error's text."""
    read = []
    original = plain_csv.columns

    def spy(*args):
        columns = original(*args)
        read.append(columns is not None)
        return columns

    monkeypatch.setattr(plain_csv, "columns", spy)
    table = attempt(path, delimiter)
    monkeypatch.setattr(plain_csv, "MAX_BYTES", -1)
    reference = attempt(path, delimiter)
    monkeypatch.undo()
    return table, reference, bool(read and read[0])


def attempt(path, delimiter):
    try:
        return read_table(path, delimiter=delimiter, target="c0")
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def assert_same_columns(table, reference):
    assert not isinstance(table, str), table
    assert table.names == reference.names
    for name in table.names:
        ours, theirs = table.columns[name], reference.columns[name]
        assert ours.dtype == theirs.dtype, name
        assert list(pd.isna(ours)) == list(pd.isna(theirs)), name
        present = ~pd.isna(theirs)
        assert ours[present].tolist() == theirs[present].tolist(), name
        assert all(type(a) is type(b) for a, b in zip(ours[present], theirs[present])), name


@settings(max_examples=examples(300), deadline=None)
@given(case=tables())
def test_a_small_file_reads_as_pandas_reads_it(case, tmp_path_factory):
    table, reference, _ = read_both_ways(case, tmp_path_factory)
    if isinstance(reference, str):  # a file pandas refuses is refused with the same message
        assert table == reference
    else:
        assert_same_columns(table, reference)


@settings(max_examples=examples(100), deadline=None)
@given(case=tables(allow_odd=False))
def test_plain_numbers_missing_spellings_and_text_are_read_without_pandas(case, tmp_path_factory):
    """The control on the test above: an ordinary table is read by plain_csv, not handed to pandas."""
    table, reference, plain = read_both_ways(case, tmp_path_factory)
    assert plain
    assert_same_columns(table, reference)


@pytest.mark.parametrize("body, why", [
    ("x,y\n1,a\n2\n", "a short row"), ("x,y\n1,a\n2,b,c\n", "a long row"), ('x,y\n1,"a\n', "an open quote"),
    ("x,y\ninf,a\n2,b\n", "inf"), ("x,y\n True,a\nFalse,b\n", "a spaced True"), ("x,y\n1, \n2,b\n", "a blank cell"),
    ("x,y\n99999999999999999999,a\n2,b\n", "an integer past int64"), ("x,y\n1,a\n", "one data row is enough"),
    ('x,y\n1,a\n""\n', "a row of one empty quoted cell"), ("y\na\nb\n", "one column"),
])
def test_what_pandas_must_judge_is_left_to_it(tmp_path, body, why):
    path = tmp_path / "t.csv"
    path.write_text(body)
    with open(path, "rb") as f:
        parsed = plain_csv.read(f, ",")
    if why == "one data row is enough":
        assert parsed == (["x", "y"], [["1", "a"]]) and plain_csv.columns(parsed[1], ["x", "y"], "y") is not None
    else:
        assert parsed is None or plain_csv.columns(parsed[1], ["x", "y"], "y") is None, why


OBJECTS = st.one_of(st.sampled_from(["a", "b", " a", "a ", "", "NA", "1", "1.0", None, float("nan")]), st.text(max_size=3))


@settings(max_examples=examples(300), deadline=None)
@given(values=st.lists(OBJECTS, max_size=30))
def test_factorize_and_stripped_text_equal_pandas(values):
    array = np.array(values, dtype=object)
    with pure():
        codes, uniques = distinct.factorize(array)
        missing, text = distinct.stripped(values)
    expected_codes, expected_uniques = pd.factorize(array)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected_uniques)
    series = pd.Series(values, dtype=object)
    assert missing.tolist() == series.isna().tolist()
    assert text == series.where(~series.isna(), "").astype(str).str.strip().tolist()


@settings(max_examples=examples(200), deadline=None)
@given(values=st.lists(st.sampled_from([0.0, -0.0, 1.5, -2.0, np.nan, np.inf, 3.0, 1e300]), max_size=30),
       as_int=st.booleans())
def test_factorize_of_numbers_equals_pandas(values, as_int):
    array = np.array(values, dtype=np.float64)
    if as_int:
        array = np.nan_to_num(np.clip(array, -9, 9), posinf=7, neginf=-7).astype(np.int64)
    with pure():
        codes, uniques = distinct.factorize(array)
    expected_codes, expected_uniques = pd.factorize(array)
    assert codes.tolist() == expected_codes.tolist()
    np.testing.assert_array_equal(uniques, expected_uniques)


TEXTS = ["1", "-1", "+1", "1.5", ".5", "5.", "1e5", "1E-5", "+.5e1", "1e400", "-1e400", "1e-400", "0001", "inf", "-inf",
         "+inf", "Infinity", "-INFINITY", "iNf", "infinit", "nan", "NaN", "", "1_0", "١٢", "0x10", "1.5.2", "e5", "--1",
         "1e", "1e+", ".", "+", "-", "abc", "12345678901234567890123", "1 2", "True"]


@settings(max_examples=examples(300), deadline=None)
@given(texts=st.lists(st.sampled_from(TEXTS), min_size=1, max_size=10))
def test_numbers_in_text_equal_pandas_to_numeric(texts):
    expected = np.array(pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce"), dtype=np.float64)
    with pure():
        np.testing.assert_array_equal(distinct.to_numbers(texts), expected)


@contextlib.contextmanager
def pure():
    """distinct's own code, though pandas is loaded in this process (the reference)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(distinct, "use_pandas", lambda n: False)
        yield
