"""Raw feature columns -> the network's inputs: impute, one-hot encode, standardise, check the dtype.

Fitted on the training split: the categories as scikit-learn's OneHotEncoder finds them,
the imputed values as SimpleImputer's median and most-frequent statistics
(computed here on codes and by one selection, several times faster; tests hold
them equal to SimpleImputer's own). What is learnt is kept as plain arrays
(``stored.py``) so the model file carries it and ``predict`` applies the same
steps to a raw file. Columns are gathered into column-major blocks of
BLOCK_ROWS rows: contiguous gathers, small temporaries.
"""
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError
from .columns import shown
from .piecewise import edges_of, encode
from .scaling import RobustScaler, Standardizer, smooth_clip

BLOCK_ROWS = 16_384  # rows transformed at a time: bounds the float64 temporaries (2.6 MB for 20 columns)


@dataclass
class Preprocessing:
    columns: list  # the raw feature columns, in the network's order
    kinds: list  # "numeric" or "categorical", per column
    categories: list  # per column: the sorted categories (str array), empty for numeric ones
    impute: bool  # fill missing cells (else they are refused)
    fill_numeric: np.ndarray  # (d,) the training median per numeric column (0 elsewhere)
    fill_category: np.ndarray  # (d,) the training mode per categorical column ('' elsewhere)
    scaler: "Standardizer | None"  # over the network inputs; one-hot and indicator inputs get mean 0, scale 1
    indicators: list = field(default_factory=list)  # columns (indices) with a 0/1 "was missing" input, after all others
    edges: list = field(default_factory=list)  # per column: its piecewise-linear bins' edges (scaled values), or none

    @property
    def widths(self):
        return [len(c) if k == "categorical" else 1 + self.bins(j)
                for j, (k, c) in enumerate(zip(self.kinds, self.categories))]

    def bins(self, j):
        """How many piecewise-linear inputs column j has beside its value (0: none)."""
        return max(len(self.edges[j]) - 1, 0) if self.edges else 0

    @property
    def n_inputs(self):
        return sum(self.widths) + len(self.indicators)

    @property
    def input_names(self):
        names = []
        for j, (name, k, cats) in enumerate(zip(self.columns, self.kinds, self.categories)):
            if k == "categorical":
                names += [f"{name}={c}" for c in cats]
            else:
                names += [name] + [f"{name} bin {t + 1}" for t in range(self.bins(j))]
        return names + [f"{self.columns[j]} missing" for j in self.indicators]

    @classmethod
    def fit(cls, frame, rows, impute, standardize, scaling="standard", indicators=False, bins=0):
        """Fitted on the training ``rows``; ``scaling`` 'standard' (z-scores) or 'robust' (``RobustScaler``);
        ``indicators``: with ``impute``, a 0/1 input for each column with a missing training cell
        (scikit-learn's ``SimpleImputer(add_indicator=True)``, whose MissingIndicator takes those columns);
        ``bins``: beside each numeric value, its piecewise-linear encoding on that many quantile bins of
        the training values (``piecewise``)."""
        rows = _checked_rows(frame, rows)
        names = frame.names  # a new list on each call: taken once
        d = len(names)
        kinds = [frame.kind(name) for name in names]
        numeric = [j for j, kind in enumerate(kinds) if kind == "numeric"]
        pre = cls(names, kinds, [np.array([], dtype=str)] * d, impute, np.zeros(d), np.full(d, "", dtype=str), None)
        column = np.empty(len(rows))  # one training column at a time, in one small buffer
        mean, scale = np.zeros(len(numeric)), np.ones(len(numeric))
        kind = RobustScaler if scaling == "robust" else Standardizer
        for k, j in enumerate(numeric):
            _float64(frame, names[j]).take(rows, out=column, mode="clip")  # rows are checked
            missing = np.isnan(column)
            _check_some_values(frame, names[j], missing)
            if impute and indicators and missing.any():
                pre.indicators.append(j)
            if impute:  # SimpleImputer(strategy="median")'s statistic, 5x faster (its masked-array median sorts)
                pre.fill_numeric[j] = median(column, missing)
                np.copyto(column, pre.fill_numeric[j], where=missing)
            if standardize:
                fitted = kind.fit(column[:, None], [names[j]], frame.source)
                mean[k], scale[k] = fitted.mean[0], fitted.scale[0]
            if bins:
                if not pre.edges:
                    pre.edges = [np.zeros(0)] * d
                scaled = column
                if standardize:
                    with np.errstate(over="ignore", invalid="ignore"):
                        scaled = (column - mean[k]) / scale[k]
                    if scaling == "robust":
                        smooth_clip(scaled)
                pre.edges[j] = edges_of(scaled, bins)
        categories, fill_category = list(pre.categories), pre.fill_category.astype(object)
        for j, name in enumerate(names):
            if kinds[j] == "categorical":
                categories[j], fill_category[j] = _fit_categorical(frame, name, rows, impute)
        pre.categories, pre.fill_category = categories, np.array(fill_category, dtype=str)
        if impute and indicators:
            text_missing = [j for j, name in enumerate(names) if kinds[j] == "categorical"
                            and (frame.factorized(name)[0].take(rows, mode="clip") < 0).any()]
            pre.indicators = sorted(pre.indicators + text_missing)
        if standardize:  # over the network inputs: one-hot inputs pass as they are
            pre.scaler = kind(np.zeros(pre.n_inputs), np.ones(pre.n_inputs))
            at = np.cumsum([0, *pre.widths])[numeric]
            pre.scaler.mean[at], pre.scaler.scale[at] = mean, scale
        return pre

    def _gather_numeric(self, frame, numeric, rows, out):
        """The numeric columns ``numeric`` at ``rows`` into the columns of ``out``, missing cells filled when imputing."""
        for k, j in enumerate(numeric):
            column = out[:, k]
            _float64(frame, self.columns[j]).take(rows, out=column, mode="clip")  # rows are checked
            if self.impute:
                np.copyto(column, self.fill_numeric[j], where=np.isnan(column))

    def transform(self, frame, rows=None, dtype=np.float64):
        """(X, unseen): X (n, n_inputs) in ``dtype``; unseen (n,) marks rows with a category never seen in training."""
        return self.transform_splits(frame, [np.arange(frame.n_rows) if rows is None else rows], dtype)[0]

    def transform_splits(self, frame, row_sets, dtype=np.float64):
        """``transform`` of several row sets of one frame, each category column looked up once for all of them."""
        dtype = np.dtype(dtype)
        codes = self._category_codes(frame)
        return [self._transform(frame, _checked_rows(frame, rows), dtype, codes) for rows in row_sets]

    def _transform(self, frame, rows, dtype, codes):
        X, unseen = np.empty((len(rows), self.n_inputs), dtype), np.zeros(len(rows), bool)
        widths = self.widths  # once: a wide table's columns would otherwise each count them all
        starts = np.cumsum([0, *widths])[:-1]
        numeric = [j for j, k in enumerate(self.kinds) if k == "numeric"]
        mean, scale = (self.scaler.mean[starts[numeric]], self.scaler.scale[starts[numeric]]) if self.scaler else (0, 1)
        runs = _runs(starts[numeric])  # (X columns, N columns) of numeric inputs side by side: one copy each
        N = np.empty((min(BLOCK_ROWS, len(rows)), len(numeric)), order="F")
        for start in range(0, len(rows), BLOCK_ROWS):
            block, out = rows[start:start + BLOCK_ROWS], X[start:start + BLOCK_ROWS]
            if numeric:
                Z = N[:len(block)]
                self._gather_numeric(frame, numeric, block, Z)
                if self.scaler is not None:
                    with np.errstate(over="ignore", invalid="ignore"):
                        np.subtract(Z, mean, out=Z)
                        np.divide(Z, scale, out=Z)
                        if getattr(self.scaler, "smooth_clip", False):
                            smooth_clip(Z)
                with np.errstate(over="ignore", invalid="ignore"):  # out of the dtype's range: refused below
                    for at, k in runs:
                        out[:, at] = Z[:, k]
            for k, j in enumerate(numeric):
                if widths[j] > 1:  # its value, then its piecewise-linear inputs
                    encode(Z[:, k], self.edges[j], out[:, starts[j] + 1:starts[j] + widths[j]])
            for j, code in codes.items():
                onehot = out[:, starts[j]:starts[j] + widths[j]]
                onehot[...] = 0
                hot = code.take(block, mode="clip")
                known = hot >= 0
                onehot[np.flatnonzero(known), hot[known]] = 1
                unseen[start:start + len(block)] |= ~known
            self._indicate(frame, block, out)
            if numeric and not np.isfinite(out).all():
                self._refuse(frame, block, out, dtype)
        return X, unseen

    def _indicate(self, frame, block, out):
        """The 0/1 missing-cell inputs of ``block``'s rows, in ``out``'s last columns."""
        first = out.shape[1] - len(self.indicators)
        for k, j in enumerate(self.indicators):
            name = self.columns[j]
            if self.kinds[j] == "numeric":
                missing = np.isnan(_float64(frame, name).take(block, mode="clip"))
            else:
                missing = frame.factorized(name)[0].take(block, mode="clip") < 0
            out[:, first + k] = missing

    def _category_codes(self, frame):
        """Per categorical column: (n_rows,) the hot input of each row, -1 for a category never seen in training.

        Each distinct value is looked up once (``_lookup``); rows take their value's code.
        """
        out = {}
        for j, (kind, cats) in enumerate(zip(self.kinds, self.categories)):
            if kind != "categorical":
                continue
            codes, uniques = frame.factorized(self.columns[j])  # code -1: missing
            hot = _lookup(np.asarray(cats, dtype=str), uniques)
            # the last entry, taken by code -1: the fill (the frame refused missing cells already otherwise)
            fill = _lookup(np.asarray(cats, dtype=str), [self.fill_category[j]]) if self.impute else [-1]
            out[j] = np.append(hot, fill).take(codes, mode="wrap")
        return out

    def _refuse(self, frame, block, out, dtype):
        """The first cell that does not fit ``dtype`` after standardisation, named by column and line."""
        r, c = np.argwhere(~np.isfinite(out))[0]
        j = int(np.searchsorted(np.cumsum(self.widths), c, side="right"))
        name, row = self.columns[j], int(block[r])
        value = frame.columns[name][row]
        if self.impute and np.isnan(value):
            value = self.fill_numeric[j]
        with np.errstate(over="ignore", invalid="ignore"):
            z = (value - self.scaler.mean[c]) / self.scaler.scale[c] if self.scaler is not None else value
        after = " after standardisation" if self.scaler is not None else ""
        what = "overflows float64" if not np.isfinite(z) else f"becomes {z:.3g}"
        raise frame.error(row, name, f"{shown(frame.cell(row, name))} {what}{after}, beyond the model's {dtype.name} "
                                     f"range (±{np.finfo(dtype).max:.3g})")


def _lookup(categories, values):
    """(len(values),) each value's position in the sorted ``categories``, -1 where it is not one of them.

    A binary search per distinct value: a column of k distinct values costs O(k log k), with no
    dense k x k table and no scikit-learn import (its OneHotEncoder maps them the same way: the
    tests hold the two equal).
    """
    values = np.asarray(values, dtype=str)
    if len(categories) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.intp)
    at = np.searchsorted(categories, values).astype(np.intp)
    inside = at < len(categories)
    found = np.zeros(len(values), bool)
    found[inside] = categories[at[inside]] == values[inside]
    at[~found] = -1
    return at


def _checked_rows(frame, rows):
    """``rows`` as valid row positions by numpy's own indexing rules (negative from the end, a boolean
    mask, IndexError beyond the frame), so the gathers after it can skip their bounds checks."""
    return np.arange(frame.n_rows)[rows]


def _float64(frame, name):
    """A numeric column as float64 (a Frame built by hand may hold integers or float32; no copy otherwise)."""
    return np.asarray(frame.columns[name], dtype=np.float64)


def median(column, missing):
    """``np.nanmedian(column)``'s value (a zero median may carry the other sign), with one selection instead
    of two (the lower middle value of an even count is the largest of those the selection puts below the
    upper one), and where numpy's mean of the two middle values overflows (both near float64's limit), their
    halves' sum instead."""
    values = column[~missing]
    if len(values) == 0:
        return np.nan
    k = len(values) // 2
    values.partition(k)
    if len(values) % 2:
        return values[k]
    low, high = values[:k].max(), values[k]
    with np.errstate(over="ignore"):
        middle = np.mean(np.array([low, high]))
    return middle if np.isfinite(middle) else low / 2 + high / 2


def _runs(positions):
    """[(slice in X, slice in N)] for each run of consecutive ``positions`` (N's column k goes to X's positions[k])."""
    runs, k = [], 0
    while k < len(positions):
        end = k + 1
        while end < len(positions) and positions[end] == positions[end - 1] + 1:
            end += 1
        runs.append((slice(positions[k], positions[end - 1] + 1), slice(k, end)))
        k = end
    return runs


def _check_some_values(frame, name, missing):
    if missing.all():
        raise DataError(f"{frame.source}: column {name!r} has no values in the training rows")


def _fit_categorical(frame, name, rows, impute):
    """(the sorted categories, the most frequent one or '') of a text column's training rows.

    The categories are the sorted distinct values (scikit-learn's OneHotEncoder's categories_;
    the tests hold them equal). The most frequent value, ties going to the smallest, is
    SimpleImputer(strategy="most_frequent")'s statistic, counted on codes: 10x faster than its
    Counter over every cell.
    """
    codes, uniques = frame.factorized(name)
    codes = codes.take(rows, mode="clip")  # rows are valid
    present = codes >= 0
    _check_some_values(frame, name, ~present)
    counts = np.bincount(codes[present], minlength=len(uniques))
    fill = min(uniques[counts == counts.max()]) if impute else ""
    return np.sort(np.asarray(uniques[counts > 0], dtype=str)), fill


def all_numeric(names, scaler):
    """The preprocessing of a model file from before categorical features: numeric columns, a scaler or none."""
    d = len(names)
    return Preprocessing(list(names), ["numeric"] * d, [np.array([], dtype=str)] * d, False,
                         np.zeros(d), np.full(d, "", dtype=str), scaler)
