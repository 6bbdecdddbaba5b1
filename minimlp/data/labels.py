"""The target column as classes: equal numbers are one class (1 and 1.0), text stays text, and a
column with more distinct values than a classifier can sensibly have is refused before training."""
import re

import numpy as np

from ..errors import DataError
from .columns import MISSING_WORDS, number_text, shown

MAX_CLASSES = 1000  # more distinct labels than this is a regression target or an ID column, not classes

# Plain ASCII numbers only: Python's int()/float() also take "1_0" and non-ASCII digits, which would merge labels.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


def parse_labels(values, what, source, where=None, cell=None):
    """(y, classes): y (n,) indices into the sorted ``classes`` (int64, float64 or str).

    ``cell(row)``, when given, is the row's target cell as written: a missing one that is a word
    (NA, null, nan...) is named as such, not as an empty cell.
    """
    import pandas as pd

    where = where or (lambda row: f"row {row + 1}")
    values = np.asarray(values)
    numeric = values.dtype.kind in "fiub"
    codes, uniques = pd.factorize(values if numeric else values.astype(object, copy=False), sort=False)  # -1: NaN
    _check_count(len(uniques), uniques, what, source, 10 * MAX_CLASSES)
    if not numeric:  # each distinct cell is stripped and judged once
        uniques = pd.Series(uniques, dtype=object).astype(str).str.strip()
        absent = uniques.str.lower().isin(("", *MISSING_WORDS)).to_numpy()
        if absent.any():
            codes = np.where(absent[codes], -1, codes)
        uniques = uniques.to_numpy()
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        raise DataError(_missing_message(int(missing[0]), what, source, where, cell))
    keys = [label_value(u, numeric) for u in uniques]
    if all(isinstance(k, (int, float)) and not isinstance(k, bool) for k in keys):
        kinds = {type(k) for k in keys}
        dtype = np.int64 if kinds == {int} else np.float64
        unique_values = np.array(keys, dtype=dtype)
    else:
        unique_values = np.array([number_text(k) if isinstance(k, (int, float)) else str(k) for k in keys], dtype=str)
    classes, inverse = np.unique(unique_values, return_inverse=True)
    _check_count(len(classes), classes, what, source, MAX_CLASSES)
    return inverse[codes].astype(np.intp), classes


def _missing_message(row, what, source, where, cell):
    written = cell(row) if cell else ""
    if not str(written).strip():
        return f"{source}: empty cell in {what}, {where(row)}; every row needs a label"
    return (f"{source}: missing label {shown(str(written).strip())} in {what}, {where(row)}; every row needs a label "
            "(NA, N/A, NaN, null and None, in any case, mark a missing cell)")


def label_value(unique, numeric):
    """A label as int (whole numbers within int64), float, or the text itself."""
    if numeric:
        value = float(unique)
        return int(value) if value.is_integer() and _INT64_MIN <= value <= _INT64_MAX else value
    text = str(unique)
    if _INTEGER.fullmatch(text):
        value = int(text)
        return value if _INT64_MIN <= value <= _INT64_MAX else text
    if _DECIMAL.fullmatch(text):
        value = float(text)
        if np.isfinite(value):
            return int(value) if value.is_integer() and abs(value) < 2**63 else value
    return text


def _check_count(n, examples, what, source, limit):
    if n > limit:
        shown = ", ".join(str(v)[:20] for v in list(examples[:5]))
        raise DataError(f"{source}: {what} has {n:,} distinct values, more than the {MAX_CLASSES:,} classes minimlp "
                        f"trains on (a regression target or an ID column?); the first: {shown}, ...")


def check_class_count(classes, what, source):
    _check_count(len(classes), classes, what, source, MAX_CLASSES)
