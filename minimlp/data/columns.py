"""A table's feature columns as minimlp uses them: numeric (float64, NaN = missing) or categorical (text, None = missing).

Every reader (CSV, Parquet, OpenML, scikit-learn arrays) ends here, so the rules
are the same whatever the file: what counts as missing, when a column is a
category, and which cell a message names.
"""
import itertools
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError
from .distinct import factorize, stripped, to_numbers

MISSING_WORDS = ("na", "n/a", "nan", "null", "none")  # any case; an empty cell is missing too
MAX_CELL_CHARS = 10_000  # a text cell longer than this is refused (a table of categories, not documents)
FACTOR_LEVELS = 20  # a column of numbers and repeated text codes with at most this many values is categorical
# C0 and C1 control characters, NUL and DEL included: refused in labels, column names and categories, which
# the model file stores as numpy text, where a trailing NUL vanishes ('x' and 'x\0' would become one)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text, limit=40):
    """A cell for a message: quoted, and cut to ``limit`` characters (a cell can be megabytes)."""
    text = str(text)
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text):,} characters)"


def missing_tokens():
    """Every spelling pandas must read as missing: '' and each word in every mix of cases."""
    spellings = {""}
    for word in MISSING_WORDS:
        spellings.update("".join(letters) for letters in itertools.product(*((c.lower(), c.upper()) for c in word)))
    return sorted(spellings)


def number_text(value):
    """The one text of a number: 1 and 1.0 are both '1', so equal numbers are equal categories or labels."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))  # exact at any width (float would merge 2**53 and 2**53 + 1)
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**63 else repr(value)


@dataclass
class Frame:
    """Feature columns of equal length, in file order, with the means to name a row in a message."""

    source: str
    columns: dict  # name -> float64 array (numeric) or object array of str/None (categorical)
    where: object = field(default=None, repr=False)  # row -> "line 7" (CSV) or "row 6"
    cell: object = field(default=None, repr=False)  # (row, name) -> the cell as written, for messages
    _factorized: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # name -> (column, codes, uniques)

    def __post_init__(self):
        self.where = self.where or (lambda row: f"row {row + 1}")
        self.cell = self.cell or (lambda row, name: _show(self.columns[name][row]))

    @property
    def names(self):
        return list(self.columns)

    @property
    def n_rows(self):
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @property
    def n_columns(self):
        return len(self.columns)

    def without(self, names):
        """The same frame without the columns ``names`` (its arrays shared, not copied)."""
        gone = set(names)
        frame = Frame(self.source, {n: v for n, v in self.columns.items() if n not in gone}, self.where, self.cell)
        frame._factorized.update((n, known) for n, known in self._factorized.items() if n not in gone)
        return frame

    def kind(self, name):
        return "categorical" if self.columns[name].dtype == object else "numeric"

    @property
    def all_numeric(self):
        return all(self.kind(name) == "numeric" for name in self.columns)

    def numeric_matrix(self, rows=None):
        """The columns as one float64 (n, d) matrix (all-numeric frames only), optionally only ``rows``."""
        take = (lambda a: a) if rows is None else (lambda a: a[rows])
        return np.column_stack([take(a) for a in self.columns.values()]) if self.columns else np.empty((0, 0))

    def factorized(self, name):
        """(codes, uniques) of a categorical column, code -1 for a missing cell: computed once per column
        array, then shared by the cell checks, the fitted encoder and every split's transform.

        A column replaced by another array is factorized again; a frame's arrays are not edited in place.
        """
        column = self.columns[name]
        known = self._factorized.get(name)
        if known is None or known[0] is not column:
            codes, uniques = factorize(column)
            known = self._factorized[name] = column, codes, np.asarray(uniques, dtype=object)
        return known[1:]

    def add(self, name, column, factorized=None):
        """Add a column; ``factorized`` is its (codes, uniques) when already known (see ``normalize``)."""
        self.columns[name] = column
        if factorized is not None:
            self._factorized[name] = column, *factorized

    def error(self, row, name, message):
        return DataError(f"{self.source}: column {name!r}, {self.where(row)}: {message}")


def _show(value):
    return number_text(value) if isinstance(value, (float, np.floating)) and np.isfinite(value) else str(value)


def from_matrix(X, names, source):
    """A frame of numeric columns from an (n, d) array."""
    X = np.asarray(X, dtype=np.float64)
    return Frame(source, {str(name): np.ascontiguousarray(X[:, j]) for j, name in enumerate(names)})


def normalize(values, kind=None):
    """(kind, column, factorized) for raw values: float64 with NaN, or object with stripped str and None.

    ``factorized`` is ``pd.factorize(column)`` when it comes free (a text column whose
    distinct cells stay distinct once stripped), else None.

    ``kind`` None infers: numbers give a numeric column, text a categorical one;
    a column of numbers and text comes back as "mixed" with the text cells' mask,
    so the caller can name the first one. "categorical" makes numbers categories ('1').
    """
    values = np.asarray(values)
    if values.dtype.kind in "fiu":
        column = values.astype(np.float64, copy=False)
        return ("categorical", _numbers_as_text(column), None) if kind == "categorical" else ("numeric", column, None)
    if values.dtype.kind == "b":
        values = values.astype(str).astype(object)
    return _normalize_objects(values.astype(object, copy=False), kind)


def _normalize_objects(values, kind):
    """Classify each distinct value once (a column of categories holds few), then spread back by code."""
    codes, uniques = factorize(values)  # code -1: NaN or None
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)) if kind is None else None
    kind, column = _classify(np.asarray(uniques, dtype=object), kind, counts)
    absent = {"mixed": False, "numeric": np.nan, "categorical": None}[kind]
    spread = np.append(column, np.array([absent], dtype=column.dtype))[codes]
    if kind != "categorical":
        return kind, spread, None
    missing = np.array([value is None for value in column], dtype=bool)
    present = column[~missing]
    if len(set(present)) < len(present):  # two spellings became one value (' a' and 'a'): count again
        return kind, spread, None
    renumbered = np.append(np.where(missing, -1, np.cumsum(~missing) - 1), -1)  # first appearances keep their order
    return kind, spread, (renumbered[codes], present)


def _classify(values, kind, counts=None):
    """(kind, column) of distinct raw ``values``; ``counts`` (cells per value) judge a column of numbers and text."""
    missing, text = stripped(values)
    missing = missing | np.array([t == "" or t.lower() in MISSING_WORDS for t in text], dtype=bool)
    numbers = to_numbers(["nan" if gone else t for t, gone in zip(text, missing)])
    is_text = ~missing & np.isnan(numbers)
    if kind == "numeric" or (kind is None and not is_text.any()):
        if is_text.any():
            return "mixed", is_text
        numbers[missing] = np.nan
        return "numeric", numbers
    if kind is None and (~missing & ~is_text).any() and not reads_as_categories(text, numbers, is_text, missing, counts):
        return "mixed", is_text
    column = np.array(text, dtype=object)
    as_number = ~missing & ~is_text
    if as_number.any():
        column[as_number] = _numbers_as_text(numbers[as_number])
    column[missing] = None
    return "categorical", column


def reads_as_categories(text, numbers, is_text, missing, counts):
    """Whether a column of numbers and text is a column of categories, as a user would judge it.

    Yes when most of its cells are text (an ``HH:MM`` column with a stray ``9.12``), or when
    it holds a few distinct codes, each text one written more than once (a factor with
    levels ``01``, ``23``, ``46``, ``7p``). No for numbers with a few one-off text cells
    (a typo such as ``9O.5``): those are refused, named.
    """
    if counts is None:
        return False
    text = np.asarray(text, dtype=object)
    present = int(counts[~missing].sum())
    text_cells = int(counts[is_text].sum())
    if 2 * text_cells > present:
        return True
    per_text = {}
    for value, n in zip(text[is_text], counts[is_text]):
        per_text[value] = per_text.get(value, 0) + int(n)
    levels = len(per_text) + len(np.unique(numbers[~missing & ~is_text]))
    return levels <= FACTOR_LEVELS and 2 * levels <= present and min(per_text.values()) >= 2


def _numbers_as_text(column):
    out = np.full(len(column), None, dtype=object)
    present = ~np.isnan(column)
    uniques, inverse = np.unique(column[present], return_inverse=True)
    out[present] = np.array([number_text(u) for u in uniques], dtype=object)[inverse] if len(uniques) else []
    return out


def first(mask):
    """The index of the first True in ``mask``, or None."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None
