"""A table as read from its file, before its columns are judged: what the CSV reader (reader, lines)
and the Parquet reader (parquet) share, below both of them.

The bounds every table file is held to, the ``RawTable`` a reader gives, the ``Loading``
progress it reports, the header's checks and a column's values as numpy arrays.
"""
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError
from .columns import CONTROL

MAX_TABLE_BYTES = 1 << 30  # 1 GiB
MAX_NAME_CHARS = 1_000  # a column name
INDEX = " index"  # the unnamed first column's name while read: header names are stripped, so none can equal it
CHUNK_ROWS = 65_536


@dataclass
class Loading:
    """What a progress callback is told after each chunk, and once more with ``done`` set."""

    path: str
    rows: int
    columns: int
    bytes_read: "int | None"  # None while a one-call read is under way (how far it is is not known)
    total_bytes: int
    seconds: float
    done: bool = False


@dataclass
class RawTable:
    path: str
    columns: dict  # name -> array as read (float/int, or object holding str and NaN)
    where: object  # row -> "line 7" / "row 6"
    cell: object  # (row, name) -> the cell's text as written
    target: "str | None" = None  # the target column's name (None: a file to predict on)
    notes: list = field(default_factory=list)  # one line each on what reading decided (a dropped row index)

    @property
    def names(self):
        return list(self.columns)


def check_header(path, names):
    names, seen = [name if name == INDEX else str(name).strip() for name in names], set()
    for i, name in enumerate(names):
        if not name:
            raise DataError(f"{path}: column {i + 1} of the header has no name")
        if len(name) > MAX_NAME_CHARS:
            raise DataError(f"{path}: column {i + 1} of the header is a name of {len(name):,} characters; "
                            f"names may have at most {MAX_NAME_CHARS:,}")
        control = CONTROL.search(name)
        if control:
            raise DataError(f"{path}: column {i + 1} of the header, {name!r}, holds a control character "
                            f"({control.group()!r}); rename the column (names that differ only there would be one)")
        if name in seen:
            raise DataError(f"{path}: the header names column {name!r} twice")
        seen.add(name)
    return names


class Progress:
    def __init__(self, path, total, callback):
        self.path, self.total, self.callback, self.start, self.rows = str(path), total, callback, time.monotonic(), 0

    def __call__(self, rows, columns, bytes_read, done=False):
        self.rows += rows
        if self.callback:
            seconds = time.monotonic() - self.start
            self.callback(Loading(self.path, self.rows, columns, bytes_read, self.total, seconds, done))


def file_size(f):
    import os

    return os.fstat(f.fileno()).st_size


def column_values(series):
    """A column pandas read, as numbers or as an object array of str with NaN for missing cells.

    Text is factorized (in C for pandas' Arrow strings) and spread back by code,
    so rows share one str object per distinct value instead of one each.
    """
    import pandas as pd

    if isinstance(series.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(series)  # code -1: missing
        return np.append(np.asarray(uniques, dtype=object), np.nan)[codes]
    return piece(series.to_numpy())


def piece(values):
    return values.astype(str).astype(object) if values.dtype.kind == "b" else values  # True/False are text


def concatenate(pieces):
    if not pieces:
        return np.empty(0)
    if all(p.dtype.kind in "fiu" for p in pieces):
        return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
    return np.concatenate([p.astype(object) for p in pieces])
