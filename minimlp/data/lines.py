"""Where a row of a CSV file is, for messages: its line number and its cells as written.

pandas reads the rows; only when something must be named is the file read
again here, with Python's csv module, skipping the blank lines pandas skips.
"""
import csv
import io

from .. import files
from ..errors import DataError


def rows(path, delimiter):
    """(line number, cells) of the header and each data row, as pandas counts them."""
    from .reader import MAX_TABLE_BYTES

    with files.open_input(path, DataError, "CSV file", MAX_TABLE_BYTES) as f:
        reader = csv.reader(io.TextIOWrapper(f, encoding="utf-8-sig", newline=""), delimiter=delimiter)
        try:
            for cells in reader:
                if cells and (len(cells) > 1 or cells[0].strip()):
                    yield reader.line_num, cells
        except (csv.Error, UnicodeDecodeError) as e:
            raise DataError(f"{path}: not a readable CSV file ({e})") from None


def row(path, delimiter, index):
    """(line number, cells) of data row ``index`` (0-based), or (None, [])."""
    for i, (line, cells) in enumerate(rows(path, delimiter)):
        if i == index + 1:
            return line, cells
    return None, []


def locators(path, delimiter, names):
    """(where, cell): row -> 'line 7', and (row, column name) -> the cell's text."""
    def where(index):
        line = row(path, delimiter, index)[0]
        return f"line {line}" if line is not None else f"row {index + 1}"

    def cell(index, name):
        cells = row(path, delimiter, index)[1]
        j = names.index(name)
        return cells[j].strip() if j < len(cells) else ""

    return where, cell


def first_bad_row(path, delimiter, n_columns):
    """(line number, cell count) of the first row without ``n_columns`` cells, or None."""
    for line, cells in rows(path, delimiter):
        if len(cells) != n_columns:
            return line, len(cells)
    return None
