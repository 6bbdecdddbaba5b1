"""Which columns are features: ``data.drop`` and ``data.features`` checked against the table's columns,
and feature columns that only identify rows (an ID, a name), refused before they become inputs.

A column identifies rows when, in a table of at least MIN_ROWS training rows:
- it is text, distinct in at least DISTINCT of the training rows;
- it holds integers that count along the rows: all its values, sorted, step evenly
  (a permutation of a range, or an arithmetic sequence), or they increase strictly in file order;
- its name says so (``id``, ``ID``, ``*_id``, ``customerId``, ``key``) and at least NAMED_DISTINCT
  of its training values are distinct (a patient ID repeated for a few visits is still an ID).
Numbers that merely happen to be distinct (incomes, prices) are none of these. A column the
config lists in ``data.features`` or ``data.categorical`` is the user's choice and is kept.
A text column that is not refused but has a value for every other training row or more
(MANY_VALUES) is one-hot encoded, and a note says so.
"""
import difflib
import json
import re

import numpy as np

from ..errors import DataError
from ..excerpt import clip

MIN_ROWS = 20  # fewer training rows say too little: a small table's columns are distinct by chance
DISTINCT = 0.95
NAMED_DISTINCT = 0.90
MANY_VALUES = 0.5  # distinct values per training row from which a text column's encoding gets a note
_NAMED = re.compile(r"(?i:^(id|key)$|[_\-\s.](id|key)$)|[a-z0-9](Id|ID)$")


def select_columns(raw, data, source, taken=()):
    """``raw`` (name -> values) without ``data.drop``, or with only ``data.features``, each name checked.

    ``taken`` are the columns that are not features (the target, the weight column), named if listed."""
    drop, features = list(getattr(data, "drop", None) or []), getattr(data, "features", None)
    for key, listed in (("data.drop", drop), ("data.features", features or [])):
        for name in listed:
            if name in raw:
                continue
            if name in taken:
                raise DataError(f"{source}: {key} names {clip(name)!r}, which is the target or weight column, "
                                "not a feature")
            close = difflib.get_close_matches(name, list(raw), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"feature columns: {clip(', '.join(raw), 300)}"
            raise DataError(f"{source}: {key} names {clip(name)!r}, which is not a column of the table ({hint})")
    if features is not None:
        wanted = set(features)
        return {name: values for name, values in raw.items() if name in wanted}
    kept = {name: values for name, values in raw.items() if name not in set(drop)}
    if not kept:
        raise DataError(f"{source}: data.drop leaves no feature column")
    return kept


def check_identifiers(frame, train_rows, data):
    """DataError naming every feature column that identifies rows, and the ``data.drop`` line removing them;
    else the notes on text columns with many values (a list of lines, maybe empty)."""
    if getattr(data, "features", None) is not None:
        return []  # every feature is listed: the user's choice
    kept = set(data.categorical) if data.categorical != "auto" else set()
    rows = np.sort(np.asarray(train_rows))
    found = [(name, why) for name in frame.names if name not in kept
             for why in [identifier_reason(frame, name, rows)] if why]
    if not found:
        return _many_values(frame, rows, kept)
    names = [name for name, _ in found]
    what = "; ".join(f"{clip(name)!r}: {why}" for name, why in found)
    line = "drop: [" + ", ".join(map(_yaml_name, [*(getattr(data, "drop", None) or []), *names])) + "]"
    raise DataError(f"{frame.source}: column{'s' if len(found) > 1 else ''} identif{'y' if len(found) > 1 else 'ies'} "
                    f"rows rather than describe{'s' if len(found) == 1 else ''} them ({what}); a network would "
                    f"only memorise {'them' if len(found) > 1 else 'it'}. Remove {'them' if len(found) > 1 else 'it'} "
                    f"with this line under data: in the config\n  {line}\nor keep "
                    f"{'them' if len(found) > 1 else 'it'} by listing {'them' if len(found) > 1 else 'it'} in "
                    "data.features or data.categorical")


def _many_values(frame, rows, kept):
    """Notes on text columns with a value for every other training row or more: they stay, said in a word."""
    notes = []
    if len(rows) < MIN_ROWS:
        return notes
    for name in frame.names:
        if name in kept or frame.columns[name].dtype != object:
            continue
        codes = frame.factorized(name)[0][rows]
        distinct = len(np.unique(codes[codes >= 0]))
        if distinct >= MANY_VALUES * len(rows):
            notes.append(f"{frame.source}: column {clip(name)!r} has {distinct:,} distinct values in {len(rows):,} "
                         f"training rows, one network input each; if it names rows rather than describes them, "
                         "list it in data.drop")
    return notes


def identifier_reason(frame, name, rows):
    """Why column ``name`` identifies rows (judged on the training ``rows``, sorted), or None."""
    if len(rows) < MIN_ROWS:
        return None
    column = frame.columns[name]
    if column.dtype == object:
        codes = frame.factorized(name)[0][rows]
        distinct = len(np.unique(codes[codes >= 0]))
        if distinct >= DISTINCT * len(rows):
            return f"text distinct in {distinct / len(rows):.0%} of the training rows"
    else:
        column = np.asarray(column, dtype=np.float64)
        counting = _counts_along(column)
        if counting:
            return counting
        values = column[rows]
        distinct = len(np.unique(values[~np.isnan(values)]))
    if _NAMED.search(name) and distinct >= NAMED_DISTINCT * len(rows):
        return f"named like an identifier, distinct in {distinct / len(rows):.0%} of the training rows"
    return None


def _counts_along(column):
    """How a whole numeric column counts along the rows, or None: integers only, no missing cells."""
    if len(column) < MIN_ROWS or not np.all(np.abs(column) < 2**53) or not np.all(column == np.round(column)):
        return None  # beyond 2**53 every float is an integer: a measurement, not a count
    steps = np.diff(np.sort(column))
    if steps[0] > 0 and np.all(steps == steps[0]):
        low, high = column.min(), column.max()
        return f"integers {low:.0f}..{high:.0f}" + (f" in steps of {steps[0]:.0f}" if steps[0] != 1 else "") + \
            ", one per row"
    if np.all(np.diff(column) > 0):
        return "integers increasing along the rows"
    return None


def _yaml_name(name):
    """A column name as a YAML flow-list item: bare when plain, else a JSON string (valid YAML)."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ ().-]*[A-Za-z0-9_)]|[A-Za-z_]", name)
    return name if plain and name.lower() not in ("null", "true", "false", "yes", "no", "on", "off") else \
        json.dumps(name)
