"""Deciding each feature column's kind and refusing the cells minimlp cannot use, naming the first one."""
import difflib

import numpy as np

from ..errors import DataError
from .columns import MAX_CELL_CHARS, Frame, first, normalize, shown

IMPUTE_HINT = "; set data.missing: impute to fill missing cells"


def build_frame(raw, source, where=None, cell=None, categorical="auto", kinds=None, impute=False, hint=IMPUTE_HINT):
    """A Frame from raw columns (name -> values).

    Training: text columns (and those ``categorical`` lists) become categorical,
    the rest numeric, and a column of numbers and text is refused at its first
    text cell. Predicting: ``kinds`` (name -> kind) fixes each column's kind.
    """
    listed = [] if categorical == "auto" else list(categorical)
    for name in listed:
        if name not in raw:
            close = difflib.get_close_matches(name, list(raw), n=1)
            hint_ = f" (did you mean {close[0]!r}?)" if close else f" (feature columns: {', '.join(raw)})"
            raise DataError(f"{source}: data.categorical names {name!r}, which is not a feature column{hint_}")
    frame = Frame(source, {}, where, cell)
    for name, values in raw.items():
        wanted = kinds[name] if kinds else ("categorical" if name in listed else None)
        kind, column, factorized = normalize(values, wanted)
        if kind == "mixed":
            raise _mixed_error(frame, name, column, bool(kinds))
        frame.add(name, column, factorized)
    check_cells(frame, impute, hint)
    return frame


def _mixed_error(frame, name, text_cells, predicting, listed=3):
    """The error for a column of numbers with a few text cells: the first ones named, with the count."""
    rows = np.flatnonzero(text_cells)
    row = int(rows[0])
    if predicting:
        return frame.error(row, name, f"{shown(frame.cell(row, name))} is not a number; "
                                      "the model reads this column as numbers")
    others = [f"{frame.where(int(r))} {shown(frame.cell(int(r), name))}" for r in rows[1:listed]]
    more = f", and {len(rows) - listed:,} more" if len(rows) > listed else ""
    also = f": also {', '.join(others)}{more}" if others else ""
    count = f"{len(rows):,} text cell{'s' if len(rows) > 1 else ''}"
    return frame.error(row, name, f"{shown(frame.cell(row, name))} is not a number; the column mixes numbers and "
                                  f"text ({count}{also}; list it in data.categorical to make every value a category)")


def check_cells(frame, impute, hint=IMPUTE_HINT):
    """Refuse infinite numbers, oversized text cells and (unless imputing) missing cells, naming the first."""
    first_missing = []
    for name, column in frame.columns.items():
        if column.dtype == object:
            codes, uniques = frame.factorized(name)
            lengths = np.array([len(u) for u in uniques], dtype=np.int64)
            row = first(lengths[codes] > MAX_CELL_CHARS) if lengths.max(initial=0) > MAX_CELL_CHARS else None
            if row is not None:
                raise frame.error(row, name, f"a text cell of {lengths[codes[row]]:,} characters; "
                                             f"cells may hold at most {MAX_CELL_CHARS:,}")
            nul = np.array(["\0" in u for u in uniques], dtype=bool)
            if nul.any():  # the model stores categories as numpy text, where a trailing NUL vanishes
                row = first(nul[codes] & (codes >= 0))
                raise frame.error(row, name, f"{shown(frame.cell(row, name))} holds a NUL character; "
                                             "remove it (categories that differ only there would be one)")
            missing = codes < 0
        else:
            missing = np.isnan(column)
            row = first(np.isinf(column))
            if row is not None:
                raise frame.error(row, name, f"{shown(frame.cell(row, name))} is not a finite number")
        row = first(missing)
        if row is not None:
            first_missing.append((row, name))
    if first_missing and not impute:
        row = min(r for r, _ in first_missing)  # the first row; in it, the leftmost column (hits are in file order)
        name = next(n for r, n in first_missing if r == row)
        raise missing_cell_error(frame, row, name, hint)


def missing_cell_error(frame, row, name, hint):
    text = frame.cell(row, name)
    if text.strip() == "":
        return DataError(f"{frame.source}: empty cell in column {name!r}, {frame.where(row)}{hint}")
    what = "is not a finite number" if text.strip().lower() == "nan" else "marks a missing value"
    return frame.error(row, name, f"{shown(text)} {what}{hint}")


def too_many_categories(frame, limit, listed=()):
    """[(name, distinct values)] of the text columns with more than ``limit`` distinct values that the
    config does not list in data.categorical (those it lists are ``check_categories``' to refuse)."""
    counts = [(name, len(frame.factorized(name)[1])) for name, column in frame.columns.items()
              if column.dtype == object and name not in listed]
    return [(name, n) for name, n in counts if n > limit]


def check_categories(frame, limit):
    """DataError naming the first categorical column with more than ``limit`` distinct values, and the count.

    Counted on the whole column before the split, on its factorized codes (one pass per column).
    """
    for name, n in too_many_categories(frame, limit)[:1]:
        raise DataError(f"{frame.source}: column {shown(name)} has {n:,} distinct values, more than "
                        f"data.max_categories ({limit:,}) allows for a categorical column; an ID or free "
                        "text is not a category (drop the column, or raise data.max_categories)")
