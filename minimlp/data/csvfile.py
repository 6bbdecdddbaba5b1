"""Reading a CSV file of numeric features and one target column, with errors that name the cell.

Line numbers are the file's own (the header is line 1), so a user can jump to them.
"""
import csv
import difflib
import io
import math
import re

import numpy as np

from ..errors import DataError
from ..files import read_text

MAX_CSV_BYTES = 1 << 30  # 1 GiB


def read_table(path):
    """(header, rows, line numbers) of a CSV file; DataError for a file that is not a usable table."""
    reader = csv.reader(io.StringIO(read_text(path, DataError, "CSV file", MAX_CSV_BYTES), newline=""))
    try:
        lines = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as e:
        raise DataError(f"{path}: not a readable CSV file ({e})") from None
    if not lines:
        raise DataError(f"{path}: the file is empty; it needs a header row and data rows")
    header = [name.strip() for name in lines[0][1]]
    if len(lines) == 1:
        raise DataError(f"{path}: has a header but no data rows")
    for i, name in enumerate(header):
        if not name:
            raise DataError(f"{path}: column {i + 1} of the header has no name")
        if name in header[:i]:
            raise DataError(f"{path}: the header names column {name!r} twice")
    for line, row in lines[1:]:
        if len(row) != len(header):
            raise DataError(f"{path}: line {line} has {len(row)} cells, the header has {len(header)}")
    return header, [row for _, row in lines[1:]], [line for line, _ in lines[1:]]


def target_index(path, header, target):
    if target is None:
        return len(header) - 1
    if target not in header:
        close = difflib.get_close_matches(target, header, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (columns: {', '.join(header)})"
        raise DataError(f"{path}: no column named {target!r} for data.target{hint}")
    return header.index(target)


def numeric_columns(path, header, rows, lines, columns):
    """The named columns as a float64 array (n, len(columns)); the error names column and line."""
    cells = np.array([[row[j].strip() for j in columns] for row in rows], dtype=str).reshape(len(rows), len(columns))
    try:
        values = cells.astype(np.float64)
        if np.all(np.isfinite(values)):
            return values
    except ValueError:
        pass
    values = np.empty(cells.shape)  # slow path: Python's float(), naming the first bad cell
    for i, row in enumerate(cells):
        for k, (j, cell) in enumerate(zip(columns, row.tolist())):
            where = f"column {header[j]!r}, line {lines[i]}"
            if cell == "":
                raise DataError(f"{path}: empty cell in {where}")
            try:
                value = float(cell)
            except ValueError:
                raise DataError(f"{path}: {where}: {cell!r} is not a number; feature columns must be numeric") from None
            if not math.isfinite(value):
                raise DataError(f"{path}: {where}: {cell!r} is not a finite number")
            values[i, k] = value
    return values


# Plain ASCII integers only: Python's int() also takes "1_0" and non-ASCII digits, which would merge labels.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


def labels(path, header, rows, lines, column):
    """The target column as labels: integers when every cell is one that fits int64, else strings."""
    cells = [row[column].strip() for row in rows]
    for cell, line in zip(cells, lines):
        if cell == "":
            raise DataError(f"{path}: empty cell in target column {header[column]!r}, line {line}")
    if all(_INTEGER.fullmatch(c) for c in cells):
        values = [int(c) for c in cells]
        if all(_INT64_MIN <= v <= _INT64_MAX for v in values):
            return np.array(values, dtype=np.int64)
    return np.array(cells, dtype=str)
