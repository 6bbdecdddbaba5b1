"""Which columns are features: ``data.drop`` and ``data.features`` checked against the table's columns,
and feature columns that only identify rows (an ID, a name), left out (``data.identifiers: drop``, the
default, with a note) or refused (``refuse``) before they become inputs.

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


def find_identifiers(frame, train_rows, data):
    """([(name, why)] of the feature columns that identify rows, [notes on text columns with many values]).

    Costs a pass or two over each column (no sort unless a column's range fits a count)."""
    if getattr(data, "features", None) is not None:
        return [], []  # every feature is listed: the user's choice
    kept = listed_categorical(data)
    rows = np.asarray(train_rows)
    if len(rows) < MIN_ROWS:
        return [], []
    found, notes = [], []
    for name in frame.names:
        if name in kept:
            continue
        why, distinct = identifier_reason(frame, name, rows)
        if why:
            found.append((name, why))
        elif frame.columns[name].dtype == object and distinct >= MANY_VALUES * len(rows):
            notes.append(f"{frame.source}: column {clip(name)!r} has {distinct:,} distinct values in {len(rows):,} "
                         "training rows, one network input each; if it names rows rather than describes them, "
                         "list it in data.drop")
    return found, notes


def listed_categorical(data):
    """The columns data.categorical names: the user's choice (none when it is 'auto')."""
    return set(data.categorical) if data.categorical != "auto" else set()


def _identifying(frame, found):
    """("<source>: column(s) identif... rows ... (<name: why>; ...)", "it" or "them"): what the note and error say."""
    what = "; ".join(f"{clip(name)!r}: {why}" for name, why in found)
    many = len(found) > 1
    lead = (f"{frame.source}: column{'s identify' if many else ' identifies'} rows rather than "
            f"describe{'' if many else 's'} them ({what})")
    return lead, "them" if many else "it"


def identifiers_note(frame, found):
    """The line saying which identifier columns were left out (``data.identifiers: drop``), and how to keep one."""
    lead, it = _identifying(frame, found)
    return (f"{lead}; left out of the features (data.drop in the run's config.yaml), as a network would only "
            f"memorise {it}; to use {it}, list {it} in data.features or data.categorical")


def identifiers_error(frame, found, data):
    """``data.identifiers: refuse``: the DataError naming the columns and the ``data.drop`` line removing them."""
    lead, it = _identifying(frame, found)
    line = "drop: [" + ", ".join(map(_yaml_name, [*(getattr(data, "drop", None) or []), *(n for n, _ in found)])) + "]"
    return DataError(f"{lead}; a network would only memorise {it}. Remove {it} with this line under data: in the "
                     f"config\n  {line}\nor keep {it} by listing {it} in data.features or data.categorical")


def identifier_reason(frame, name, rows):
    """(why column ``name`` identifies rows, or None; its distinct values in the training ``rows``, or None)."""
    column = frame.columns[name]
    distinct = None
    if column.dtype == object:
        codes = frame.factorized(name)[0][rows]
        distinct = int(np.count_nonzero(np.bincount(codes[codes >= 0])))
        if distinct >= DISTINCT * len(rows):
            return f"text distinct in {distinct / len(rows):.0%} of the training rows", distinct
    else:
        column = np.asarray(column, dtype=np.float64)
        counting = _counts_along(column)
        if counting:
            return counting, None
    if not _NAMED.search(name):
        return None, distinct
    if distinct is None:
        values = column[rows]
        distinct = len(np.unique(values[~np.isnan(values)]))
    if distinct >= NAMED_DISTINCT * len(rows):
        return f"named like an identifier, distinct in {distinct / len(rows):.0%} of the training rows", distinct
    return None, distinct


def _counts_along(column):
    """How a whole numeric column counts along the rows, or None: integers only, no missing cells."""
    n = len(column)
    if n < MIN_ROWS:
        return None
    head = column[:MIN_ROWS]
    if not np.all(head == np.round(head)):  # decimals (or a missing cell) in the first rows: not a count
        return None
    increasing = bool(np.all(head[1:] > head[:-1]))
    low, high = column.min(), column.max()  # NaN if any cell is missing
    if not (np.isfinite(low) and np.isfinite(high)) or max(-low, high) >= 2**53:
        return None  # beyond 2**53 every float is an integer: a measurement, not a count
    span = high - low
    evenly = span > 0 and span % (n - 1) == 0  # n distinct values stepping evenly span (n - 1) steps exactly
    if not (evenly or increasing) or not np.all(column == np.round(column)):
        return None
    if evenly:
        step = np.diff(np.sort(column))
        if np.all(step == step[0]):
            return f"integers {low:.0f}..{high:.0f}" + (f" in steps of {step[0]:.0f}" if step[0] != 1 else "") + \
                ", one per row"
    if increasing and np.all(column[1:] > column[:-1]):
        return "integers increasing along the rows"
    return None


def _yaml_name(name):
    """A column name as a YAML flow-list item: bare when plain, else a JSON string (valid YAML)."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ ().-]*[A-Za-z0-9_)]|[A-Za-z_]", name)
    return name if plain and name.lower() not in ("null", "true", "false", "yes", "no", "on", "off") else \
        json.dumps(name)
