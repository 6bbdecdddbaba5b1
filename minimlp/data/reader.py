"""Reading a table file (CSV, TSV or Parquet) into raw columns, within stated bounds.

A CSV file of up to plain_csv.MAX_BYTES whose cells plain_csv knows is read
there, without importing pandas. Otherwise pandas reads it: a file of up to
PARALLEL_MAX_BYTES in one ``pandas.read_csv`` call on its path, which parses
a large file on several threads; a larger one in chunks, which keep every C
call short (Ctrl-C acts between them) and report progress. Either way a Ctrl-C
acts within about a second. The rare error path re-reads the file with
Python's csv module to name the line and the cell as written.
"""
import contextlib
import difflib
import warnings
from pathlib import Path

import numpy as np

from .. import files
from ..errors import DataError
from . import lines, plain_csv
from .lines import MAX_LINE_BYTES  # noqa: F401  (re-exported: a reader's stated limit)
from .columns import missing_tokens
from .distinct import is_missing
from .raw import (CHUNK_ROWS, INDEX, MAX_TABLE_BYTES, Progress, RawTable, check_header, column_values, concatenate,
                  file_size)
from .raw import Loading  # noqa: F401  (re-exported: what ``on_progress`` is told)

PARALLEL_MAX_BYTES = 128 << 20  # read in one call (~0.3 s on two cores), so a Ctrl-C still acts within a second
TICK_SECONDS = 0.1  # how often a one-call read reports that it is still reading
PARQUET = (".parquet", ".pq")


def default_delimiter(path):
    return "\t" if Path(path).suffix.lower() in (".tsv", ".tab") else ","


def read_table(path, delimiter=None, target=None, with_target=True, on_progress=None):
    """The columns of a CSV/TSV (``delimiter`` by extension unless given) or Parquet file.

    The target column (``target``, default the last) is read as text: its labels are parsed later.
    ``on_progress`` is told a ``Loading`` as the file is read; during a one-call read, from a
    background thread, with ``bytes_read`` None.
    """
    if Path(path).suffix.lower() in PARQUET:
        from .parquet import read_parquet

        table = read_parquet(path, on_progress)
        table.target = target_name(path, table.names, target) if with_target else None
        return table
    return _read_csv(path, delimiter or default_delimiter(path), target, with_target, on_progress)


def target_name(path, names, target):
    if target is None:
        return names[-1]
    if target not in names:
        close = difflib.get_close_matches(target, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (columns: {', '.join(names)[:300]})"
        raise DataError(f"{path}: no column named {target!r} for data.target{hint}")
    return target


def _read_csv(path, delimiter, target, with_target, on_progress):
    with files.open_input(path, DataError, "CSV file", MAX_TABLE_BYTES) as f:
        total = file_size(f)
        progress = Progress(path, total, on_progress)
        plain = plain_csv.read(f, delimiter) if total <= plain_csv.MAX_BYTES and lines.check_lengths(f, path) else None
        f.seek(0)
        written = plain[0] if plain else _header(f, path, delimiter)
        written = [n.lstrip("\ufeff") if i == 0 else n for i, n in enumerate(written)]
        indexed = len(written) > 1 and not written[0].strip()  # pandas' and R's index column has no name
        names = check_header(path, [INDEX if indexed else written[0], *written[1:]])
        target = target_name(path, names, target) if with_target else None
        columns = plain_csv.columns(plain[1], names, target) if plain else None
        if columns is not None:
            progress(len(plain[1]), len(names), total)
        else:
            f.seek(0)
            columns = _read_with_pandas(f, path, delimiter, names, target, total, progress)
    progress(0, len(names), total, done=True)
    table = RawTable(str(path), columns, *lines.locators(path, delimiter, names), target)
    _check_rows(table, delimiter)
    if indexed:
        _drop_index(table)
    return table


def _header(f, path, delimiter):
    """The header row's cells as pandas reads them."""
    import pandas as pd

    try:
        header = pd.read_csv(lines.BoundedLines(f, path), sep=delimiter, header=None, nrows=1, dtype=str,
                             na_filter=False, encoding="utf-8", engine="c")
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; it needs a header row and data rows") from None
    except ValueError as e:
        raise _parse_error(path, delimiter, e) from None
    return list(header.iloc[0])


def _read_with_pandas(f, path, delimiter, names, target, total, progress):
    whole = _path_of(f) if total <= PARALLEL_MAX_BYTES else None
    if whole and lines.check_lengths(f, path):
        return _read_whole(whole, path, delimiter, names, target, progress)
    pieces = _csv_pieces(lines.BoundedLines(f, path), delimiter, names, target, progress)
    return {name: concatenate(pieces.pop(name)) for name in names}


def _drop_index(table):
    """Drop an unnamed first column that holds 0..n-1 or 1..n (a written row index), noting it; else refuse it."""
    values = np.asarray(table.columns[INDEX])
    n = len(values)
    start = None
    if values.dtype.kind in "iu" or (values.dtype.kind == "f" and np.all(np.isfinite(values))
                                     and np.all(values == np.round(values))):
        ordered = np.sort(values)
        start = next((s for s in (0, 1) if ordered[0] == s and ordered[-1] == s + n - 1
                      and np.array_equal(ordered, np.arange(s, s + n))), None)
    if start is None:
        raise DataError(f"{table.path}: column 1 of the header has no name; an unnamed first column is taken as a "
                        "row index only when it holds 0..n-1 or 1..n (name the column, or write the file without "
                        "its index: pandas' to_csv(index=False), R's write.csv(row.names = FALSE))")
    del table.columns[INDEX]
    table.notes.append(f"{table.path}: the unnamed first column holds the row numbers {start}..{start + n - 1} "
                       "(a written index), so it is not used")


def _csv_pieces(source, delimiter, names, target, progress):
    """name -> the column's chunks, read CHUNK_ROWS rows per C call."""
    import pandas as pd

    pieces = {name: [] for name in names}
    with _parsing(source.path, delimiter, names):
        chunks = pd.read_csv(source, **_options(delimiter, names, target), chunksize=CHUNK_ROWS)
        for chunk in chunks:
            for name in names:
                pieces[name].append(column_values(chunk[name]))
            progress(len(chunk), len(names), source.position)
    return pieces


def _options(delimiter, names, target):
    """What every ``read_csv`` here is told: our header, the target as text, minimlp's missing-cell spellings."""
    return dict(sep=delimiter, header=0, names=names, index_col=False, dtype={target: str} if target else None,
                keep_default_na=False, na_values=missing_tokens(), encoding="utf-8", engine="c")


@contextlib.contextmanager
def _parsing(path, delimiter, names):
    """pandas' parse errors, and a row with more cells than the header (a warning to pandas), as DataErrors."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)  # a column of numbers and text: judged later, by name
        try:
            yield
        except (ValueError, pd.errors.ParserWarning) as e:
            raise _parse_error(path, delimiter, e, len(names)) from None


def _path_of(f):
    """A path to the file already open as ``f`` (so pandas reads the very file that was checked), or None."""
    import os

    path = f"/proc/self/fd/{f.fileno()}"
    return path if os.path.exists(path) else None


def _read_whole(whole, path, delimiter, names, target, progress):
    """name -> column, from one ``read_csv`` call on the file's path, reporting that it reads every TICK_SECONDS."""
    import threading

    import pandas as pd

    done, raised = threading.Event(), []

    def tick():
        try:
            while not done.wait(TICK_SECONDS):
                progress(0, len(names), None)
        except BaseException as e:  # the callback's own error, raised in the caller's thread below
            raised.append(e)

    ticker = threading.Thread(target=tick, name="minimlp-loading", daemon=True)
    ticker.start()
    try:
        with _parsing(path, delimiter, names):
            frame = pd.read_csv(whole, **_options(delimiter, names, target))
    finally:
        done.set()
        ticker.join()
    if raised:
        raise raised[0]
    progress(len(frame), len(names), progress.total)
    return {name: column_values(frame[name]) for name in names}


def _check_rows(table, delimiter):
    """No data rows, or a line with too few cells (pandas pads those with missing values)."""
    if not table.columns or len(next(iter(table.columns.values()))) == 0:
        raise DataError(f"{table.path}: has a header but no data rows")
    last = table.columns[table.names[-1]]
    if _any_missing(last):  # a short line always leaves the last cell missing
        bad = lines.first_bad_row(table.path, delimiter, len(table.names))
        if bad:
            raise DataError(f"{table.path}: line {bad[0]} has {bad[1]} cells, the header has {len(table.names)}")


def _any_missing(values):
    """Whether a column as read holds a missing cell (NaN, or None in a column of objects)."""
    if values.dtype.kind == "f":
        return bool(np.isnan(values).any())
    return values.dtype == object and any(map(is_missing, values))


def _parse_error(path, delimiter, error, n_columns=None):
    if isinstance(error, UnicodeDecodeError):
        return DataError(f"{path}: not a UTF-8 text file")
    if isinstance(error, DataError):
        return error
    if n_columns:
        try:
            bad = lines.first_bad_row(path, delimiter, n_columns)
        except DataError as scan_error:
            return scan_error
        if bad:
            return DataError(f"{path}: line {bad[0]} has {bad[1]} cells, the header has {n_columns}")
    return DataError(f"{path}: not a readable CSV file ({str(error).strip()[:200]})")
