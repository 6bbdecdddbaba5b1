"""A column's distinct values, and the numbers its text spells, with pandas or without it.

``minimlp train`` on a small CSV file never imports pandas (0.2 s, plain_csv.py):
there a column is factorized and its text parsed here, in Python. Whenever pandas
is loaded already (a notebook, a DataFrame given to the estimator, a large file)
or a column is long, pandas does it, faster. tests/test_plain_csv.py holds the two equal.
"""
import itertools
import re
import sys

import numpy as np

PANDAS_FROM = 100_000  # rows from which pandas' hash tables repay its import
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INFINITY = re.compile(r"([+-]?)(?:inf|infinity)", re.I)


def use_pandas(n):
    return n > PANDAS_FROM or "pandas" in sys.modules


def factorize(values):
    """(codes, uniques) as ``pandas.factorize`` gives them: uniques in order of first appearance,
    code -1 for a missing value (None or NaN)."""
    values = np.asarray(values)
    if use_pandas(len(values)):
        import pandas as pd

        codes, uniques = pd.factorize(values)
        return codes, np.asarray(uniques)
    if values.dtype.kind == "f":
        present = ~np.isnan(values)
        uniques, first, inverse = np.unique(values[present], return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        codes = np.full(len(values), -1, dtype=np.intp)
        codes[present] = np.argsort(order)[inverse]
        return codes, uniques[order]
    if values.dtype.kind in "iub":
        uniques, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        return np.argsort(order)[inverse].astype(np.intp), uniques[order]
    cells = values.tolist()
    uniques = [value for value in dict.fromkeys(cells) if not is_missing(value)]  # first appearances, in C
    index = {value: code for code, value in enumerate(uniques)}  # a missing value is in no key: code -1
    codes = np.fromiter(map(index.get, cells, itertools.repeat(-1)), dtype=np.intp, count=len(cells))
    return codes, np.fromiter(uniques, dtype=object, count=len(uniques))  # each value as itself, a tuple too


def is_missing(value):
    return value is None or (isinstance(value, float) and value != value)


def stripped(values):
    """(missing, text): which of ``values`` are None/NaN, and each one's str(), stripped ('' where missing)."""
    values = list(values)
    if use_pandas(len(values)):
        import pandas as pd

        series = pd.Series(values, dtype=object)
        missing = series.isna().to_numpy()
        return missing, series.where(~missing, "").astype(str).str.strip().tolist()
    missing = np.array([is_missing(value) for value in values], dtype=bool)
    return missing, ["" if gone else str(value).strip() for value, gone in zip(values, missing)]


def to_numbers(texts):
    """The float each text spells, as ``pandas.to_numeric(errors="coerce")`` reads it; NaN where none."""
    if use_pandas(len(texts)):
        import pandas as pd

        return np.array(pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce"), dtype=np.float64)
    return np.array([_number(text) for text in texts], dtype=np.float64)


def _number(text):
    if _NUMBER.fullmatch(text):
        return float(text)
    infinity = _INFINITY.fullmatch(text)
    if infinity:
        return -np.inf if infinity.group(1) == "-" else np.inf
    return np.nan
