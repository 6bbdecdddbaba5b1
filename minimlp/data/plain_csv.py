"""A small CSV file read with Python's csv module, giving exactly the columns pandas' reader gives.

Importing pandas costs 0.2 s, as long as a 5,000-row table takes to train, so a
file of up to MAX_BYTES is read here when every cell is one this reader knows
pandas reads the same way: numbers in plain decimal notation, minimlp's missing
spellings, true/false, and text. Anything else (an ``inf``, an integer
beyond int64, a row with the wrong number of cells, a cell that is only spaces,
bad quoting or encoding) returns None, and reader.py reads the file with pandas,
which also names what is wrong. tests/test_plain_csv.py holds both readers equal.
"""
import csv
import io
import re

import numpy as np

from .columns import missing_tokens

MAX_BYTES = 2 << 20  # measured: at 3 MB of numbers pandas, its import included, is as fast
MAX_DIGITS = 18  # integers with more digits may not fit int64: pandas' own rules (uint64, object) then apply
_NUMBER = r"[ \t]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t]*"
_NUMBERS = re.compile(r"%s(?:\n%s)*" % (_NUMBER, _NUMBER))
# cells pandas reads by rules of its own (infinities, integers that may not fit int64, blank cells);
# matched per line of a column's distinct cells joined by newlines, so a cell holding a newline may
# match too, and only sends the file to pandas
_UNSURE = re.compile(r"^(?:[ \t]*[+-]?(?:inf|infinity|[0-9]{%d,})[ \t]*|[ \t\r\f\v]*)$" % (MAX_DIGITS + 1), re.I | re.M)
_BOOLEAN_LIKE = re.compile(r"^[ \t]*[+-]?(?:true|false)[ \t]*$", re.I | re.M)


def read(f, delimiter):
    """(header cells, data rows) of the open binary file ``f``, or None when pandas must read it.

    Empty lines are skipped as pandas skips them. The header must have two cells or more and every
    row as many: a row of one cell may be a blank line or an empty quoted cell, which pandas tell apart.
    """
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    try:
        rows = [cells for cells in csv.reader(text, delimiter=delimiter, strict=True) if cells]
    except (csv.Error, UnicodeDecodeError, ValueError):
        return None
    finally:
        text.detach()
    if len(rows) < 2 or len(rows[0]) < 2 or any(len(cells) != len(rows[0]) for cells in rows):
        return None
    return rows[0], rows[1:]


def columns(rows, names, target):
    """name -> column as pandas reads it (int64, float64, or object of str with NaN), or None."""
    missing = frozenset(missing_tokens())
    out = {}
    for name, cells in zip(names, zip(*rows)):
        column = _column(cells, missing, as_text=name == target)
        if column is None:
            return None
        out[name] = column
    return out


def _column(cells, missing, as_text):
    """One column's cells as pandas reads them, or None. Each check runs once over the distinct cells."""
    distinct = set(cells)
    absent = distinct & missing
    if distinct == absent:
        return np.full(len(cells), np.nan, dtype=object if as_text else np.float64)
    text = "\n".join(distinct - absent)
    if _UNSURE.search(text):
        return None
    if not as_text and {cell.lower() for cell in distinct - absent} <= {"true", "false"}:
        return _booleans(cells, absent)
    if not as_text and _BOOLEAN_LIKE.search(text) and any(
            _BOOLEAN_LIKE.fullmatch(cell) and cell.lower() not in ("true", "false") for cell in distinct - absent):
        return None  # a spaced or signed true: pandas' rules (true beside numbers or words is text, as written)
    if not as_text and _NUMBERS.fullmatch(text):
        if not absent and not any(mark in text for mark in ".eE"):
            return np.fromiter(map(int, cells), dtype=np.int64, count=len(cells))
        return np.array(["nan" if cell in absent else cell for cell in cells] if absent else cells, dtype=np.float64)
    shared = {cell: cell for cell in distinct - absent}  # one str object per distinct value, as pandas' factorized
    return np.array([shared.get(cell, np.nan) for cell in cells], dtype=object)  # text gives


def _booleans(cells, absent):
    """A column of true/false in any case: with a missing cell, Python's True, False and NaN; without
    one, the words 'True' and 'False' (pandas reads a bool column, which raw.piece makes text)."""
    if absent:
        return np.array([np.nan if cell in absent else cell.lower() == "true" for cell in cells], dtype=object)
    words = {True: "True", False: "False"}
    return np.array([words[cell.lower() == "true"] for cell in cells], dtype=object)
