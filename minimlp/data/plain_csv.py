"""A small CSV file read with Python's csv module, giving exactly the columns pandas' reader gives.

Importing pandas costs 0.2 s, as long as a 5,000-row table takes to train, so a
file of up to MAX_BYTES is read here when every cell is one this reader knows
pandas reads the same way: numbers in plain decimal notation, minimlp's missing
spellings, and text. Anything else (an ``inf``, a True/False column, an integer
beyond int64, a row with the wrong number of cells, a cell that is only spaces,
bad quoting or encoding) returns None, and reader.py reads the file with pandas,
which also names what is wrong. tests/test_plain_csv.py holds both readers equal.
"""
import csv
import io
import re

import numpy as np

from .columns import missing_tokens

MAX_BYTES = 4 << 20  # above this pandas' C reader is faster than its import costs
MAX_DIGITS = 18  # integers with more digits may not fit int64: pandas' own rules (uint64, object) then apply
_NUMBER = re.compile(r"[ \t]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t]*")
_INTEGER = re.compile(r"[ \t]*[+-]?[0-9]+[ \t]*")
_WIDE = re.compile(r"[ \t]*[+-]?[0-9]{%d,}[ \t]*" % (MAX_DIGITS + 1))
_UNSURE = re.compile(r"[ \t]*[+-]?(?:inf|infinity|true|false)[ \t]*|[ \t\r\n\f\v]+", re.I)  # pandas' own rules


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
    absent = [cell in missing for cell in cells]
    present = set(cell for cell, gone in zip(cells, absent) if not gone)
    if any(_UNSURE.fullmatch(cell) or _WIDE.fullmatch(cell) for cell in present):
        return None
    if not as_text and all(_NUMBER.fullmatch(cell) for cell in present):
        if not any(absent) and all(_INTEGER.fullmatch(cell) for cell in present):
            return np.array([int(cell) for cell in cells], dtype=np.int64)
        return np.array([np.nan if gone else float(cell) for cell, gone in zip(cells, absent)], dtype=np.float64)
    shared = {}  # one str object per distinct value, as pandas' factorized text gives
    return np.array([np.nan if gone else shared.setdefault(cell, cell) for cell, gone in zip(cells, absent)],
                    dtype=object)
