"""The target column as classes: equal numbers are one class (1 and 1.0), text stays text, and a
column with more distinct values than a classifier can sensibly have is refused before training.

Integer labels of any width stay exact integers (int64, uint64, else their digits as text; never a
float on the way). A label the model file could not hold as it is, a non-finite number or text with a
control character (NUL included: numpy text drops trailing NULs), is refused naming its row."""
import re

import numpy as np

from ..errors import DataError
from .columns import CONTROL, MISSING_WORDS, number_text, shown
from .distinct import factorize, stripped

MAX_CLASSES = 1000  # more distinct labels than this is a regression target or an ID column, not classes

# Plain ASCII numbers only: Python's int()/float() also take "1_0" and non-ASCII digits, which would merge labels.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)
_UINT64_MAX = int(np.iinfo(np.uint64).max)


def parse_labels(values, what, source, where=None, cell=None):
    """(y, classes): y (n,) indices into the sorted ``classes`` (int64, float64 or str).

    ``cell(row)``, when given, is the row's target cell as written: a missing one that is a word
    (NA, null, nan...) is named as such, not as an empty cell.
    """
    where = where or (lambda row: f"row {row + 1}")
    values = np.asarray(values)
    numeric = values.dtype.kind in "fiub"
    codes, uniques = factorize(values if numeric else values.astype(object, copy=False))  # -1: NaN
    _check_count(len(uniques), uniques, what, source, 10 * MAX_CLASSES)
    if not numeric:  # each distinct cell is stripped and judged once
        _, text = stripped(uniques)
        absent = np.array([t.lower() in ("", *MISSING_WORDS) for t in text], dtype=bool)
        if absent.any():
            codes = np.where(absent[codes], -1, codes)
        uniques = np.array(text, dtype=object)
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        raise DataError(_missing_message(int(missing[0]), what, source, where, cell))
    integer = values.dtype.kind in "iu"  # exact at any width: never through a float
    keys = [int(u) if integer else label_value(u, numeric) for u in uniques]
    _check_keys(keys, codes, what, source, where)
    unique_values = _label_array(keys)
    classes, inverse = np.unique(unique_values, return_inverse=True)
    _check_count(len(classes), classes, what, source, MAX_CLASSES)
    return inverse[codes].astype(np.intp), classes


def _label_array(keys):
    """The distinct labels as one array: int64 (or uint64) for integers, float64 for numbers, else text."""
    if all(isinstance(k, int) for k in keys):
        if all(_INT64_MIN <= k <= _INT64_MAX for k in keys):
            return np.array(keys, dtype=np.int64)
        if all(0 <= k <= _UINT64_MAX for k in keys):
            return np.array(keys, dtype=np.uint64)
    elif all(isinstance(k, (int, float)) for k in keys) and all(abs(k) < 2**53 for k in keys if isinstance(k, int)):
        return np.array(keys, dtype=np.float64)
    return np.array([number_text(k) if isinstance(k, (int, float)) else str(k) for k in keys], dtype=str)


def _check_keys(keys, codes, what, source, where):
    """DataError naming the first row of a label a model file could not hold: not finite, or with a control
    character (a NUL would vanish from the saved labels, merging ``x`` with ``x\\0``)."""
    for index, key in enumerate(keys):
        if isinstance(key, float) and not np.isfinite(key):
            problem = f"the label {key!r} is not a finite number; labels are classes, not measurements"
        elif isinstance(key, str) and CONTROL.search(key):
            problem = (f"the label {shown(key)} holds a control character ({CONTROL.search(key).group()!r}); "
                       "remove it (labels that differ only there would be one class)")
        else:
            continue
        row = int(np.flatnonzero(codes == index)[0])
        raise DataError(f"{source}: {what}, {where(row)}: {problem}")


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


def label_key(label):
    """A label (or class_weight key) as the one text of its value, by the rule labels are read with:
    ``1``, ``1.0`` and the text ``"1"`` are one label; other text is itself, stripped."""
    if isinstance(label, (bool, np.bool_)):
        return str(bool(label))
    if isinstance(label, (int, float, np.integer, np.floating)):
        return number_text(label)
    value = label_value(str(label).strip(), numeric=False)
    return value if isinstance(value, str) else number_text(value)
