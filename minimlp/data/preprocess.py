"""Raw feature columns -> the network's inputs: impute, one-hot encode, standardise, check the dtype.

Fitted on the training split with scikit-learn's SimpleImputer and
OneHotEncoder; what they learn is kept as plain arrays (``stored.py``) so the
model file carries it and ``predict`` applies the same steps to a raw file.
"""
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from .columns import shown
from .scaling import Standardizer

BLOCK_ROWS = 65_536  # rows transformed at a time: bounds the float64 temporaries


@dataclass
class Preprocessing:
    columns: list  # the raw feature columns, in the network's order
    kinds: list  # "numeric" or "categorical", per column
    categories: list  # per column: the sorted categories (str array), empty for numeric ones
    impute: bool  # fill missing cells (else they are refused)
    fill_numeric: np.ndarray  # (d,) the training median per numeric column (0 elsewhere)
    fill_category: np.ndarray  # (d,) the training mode per categorical column ('' elsewhere)
    scaler: "Standardizer | None"  # over the network inputs; one-hot inputs get mean 0, scale 1

    @property
    def widths(self):
        return [len(c) if k == "categorical" else 1 for k, c in zip(self.kinds, self.categories)]

    @property
    def n_inputs(self):
        return sum(self.widths)

    @property
    def input_names(self):
        return [name if k == "numeric" else f"{name}={c}" for name, k, cats in zip(self.columns, self.kinds, self.categories)
                for c in (cats if k == "categorical" else [None])]

    @classmethod
    def fit(cls, frame, rows, impute, standardize):
        d = len(frame.names)
        kinds = [frame.kind(name) for name in frame.names]
        numeric = [j for j, kind in enumerate(kinds) if kind == "numeric"]
        pre = cls(frame.names, kinds, [np.array([], dtype=str)] * d, impute, np.zeros(d), np.full(d, "", dtype=str), None)
        N = np.empty((len(rows), len(numeric)), order="F")  # columns contiguous: fast gathers and statistics
        for k, j in enumerate(numeric):
            column = frame.columns[frame.names[j]].take(rows, out=N[:, k], mode="clip")  # rows are valid
            missing = np.isnan(column)
            _check_some_values(frame, frame.names[j], missing)
            if impute:  # SimpleImputer(strategy="median")'s statistic, 5x faster (its masked-array median sorts)
                pre.fill_numeric[j] = np.nanmedian(column)
                np.copyto(column, pre.fill_numeric[j], where=missing)
        categories, fill_category = list(pre.categories), pre.fill_category.astype(object)
        for j, name in enumerate(frame.names):
            if kinds[j] == "categorical":
                categories[j], fill_category[j] = _fit_categorical(frame, name, rows, impute)
        pre.categories, pre.fill_category = categories, np.array(fill_category, dtype=str)
        if standardize:
            pre.scaler = pre._fit_scaler(N, numeric, frame.source)
        return pre

    def _fit_scaler(self, N, numeric, source):
        """A standardiser over the network inputs from the numeric training columns ``N``; one-hot inputs pass as they are."""
        mean, scale = np.zeros(self.n_inputs), np.ones(self.n_inputs)
        if numeric:
            fitted = Standardizer.fit(N, [self.columns[j] for j in numeric], source)
            at = np.cumsum([0, *self.widths])[numeric]
            mean[at], scale[at] = fitted.mean, fitted.scale
        return Standardizer(mean, scale)

    def _gather_numeric(self, frame, numeric, rows, out):
        """The numeric columns ``numeric`` at ``rows`` into the columns of ``out``, missing cells filled when imputing."""
        for k, j in enumerate(numeric):
            column = out[:, k]
            frame.columns[self.columns[j]].take(rows, out=column, mode="clip")  # rows are valid row indices
            if self.impute:
                np.copyto(column, self.fill_numeric[j], where=np.isnan(column))

    def transform(self, frame, rows=None, dtype=np.float64):
        """(X, unseen): X (n, n_inputs) in ``dtype``; unseen (n,) marks rows with a category never seen in training."""
        return self.transform_splits(frame, [np.arange(frame.n_rows) if rows is None else rows], dtype)[0]

    def transform_splits(self, frame, row_sets, dtype=np.float64):
        """``transform`` of several row sets of one frame, each category column looked up once for all of them."""
        dtype = np.dtype(dtype)
        codes = self._category_codes(frame)
        return [self._transform(frame, np.asarray(rows, dtype=np.intp), dtype, codes) for rows in row_sets]

    def _transform(self, frame, rows, dtype, codes):
        X, unseen = np.empty((len(rows), self.n_inputs), dtype), np.zeros(len(rows), bool)
        starts = np.cumsum([0, *self.widths])[:-1]
        numeric = [j for j, k in enumerate(self.kinds) if k == "numeric"]
        mean, scale = (self.scaler.mean[starts[numeric]], self.scaler.scale[starts[numeric]]) if self.scaler else (0, 1)
        contiguous = numeric == list(range(len(self.columns)))  # all numeric: X is N, cast
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
                with np.errstate(over="ignore", invalid="ignore"):  # out of the dtype's range: refused below
                    if contiguous:
                        out[...] = Z
                    else:
                        for k, j in enumerate(numeric):
                            out[:, starts[j]] = Z[:, k]
            for j, code in codes.items():
                onehot = out[:, starts[j]:starts[j] + self.widths[j]]
                onehot[...] = 0
                hot = code.take(block, mode="clip")
                known = hot >= 0
                onehot[np.flatnonzero(known), hot[known]] = 1
                unseen[start:start + len(block)] |= ~known
            if numeric and not np.isfinite(out).all():
                self._refuse(frame, block, out, dtype)
        return X, unseen

    def _category_codes(self, frame):
        """Per categorical column: (n_rows,) the hot input of each row, -1 for a category never seen in training.

        scikit-learn's encoder maps each distinct value once; rows take their value's code.
        """
        import pandas as pd

        out = {}
        for j, encoder in self._encoders().items():
            values, width = frame.columns[self.columns[j]], self.widths[j]
            codes, uniques = pd.factorize(values)  # code -1: missing
            table = encoder.transform(np.asarray(uniques, dtype=object).reshape(-1, 1))
            if self.impute:
                fill = encoder.transform(np.array([[self.fill_category[j]]], dtype=object))
            else:
                fill = np.zeros((1, width))  # the frame refused missing cells already
            table = np.vstack([table, fill])
            hot = np.where(table.any(axis=1), table.argmax(axis=1), -1)
            out[j] = hot.take(codes, mode="wrap")  # code -1 takes the last entry, the fill
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

    def _encoders(self):
        encoders = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown categories are counted and reported by the caller
            for j, (kind, cats) in enumerate(zip(self.kinds, self.categories)):
                if kind == "categorical":
                    from sklearn.preprocessing import OneHotEncoder

                    known = np.asarray(cats, dtype=object)
                    encoders[j] = OneHotEncoder(categories=[known], handle_unknown="ignore", sparse_output=False,
                                                dtype=np.float64).fit(known.reshape(-1, 1))
        return encoders


def _check_some_values(frame, name, missing):
    if missing.all():
        raise DataError(f"{frame.source}: column {name!r} has no values in the training rows")


def _fit_categorical(frame, name, rows, impute):
    """(the sorted categories, the most frequent one or '') of a text column's training rows, by scikit-learn."""
    import pandas as pd
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    column = frame.columns[name][rows].reshape(-1, 1)
    missing = _missing(column[:, 0])
    _check_some_values(frame, name, missing)
    fill = SimpleImputer(strategy="most_frequent", missing_values=None).fit(column).statistics_[0] if impute else ""
    # categories_ are the sorted distinct values, so fitting on each distinct value once gives the same
    distinct = np.asarray(pd.unique(column[~missing, 0]), dtype=object).reshape(-1, 1)
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(distinct)
    return np.array(encoder.categories_[0], dtype=str), fill


def _missing(values):
    import pandas as pd

    return pd.isna(values) if values.dtype == object else np.isnan(values)


def all_numeric(names, scaler):
    """The preprocessing of a model file from before categorical features: numeric columns, a scaler or none."""
    d = len(names)
    return Preprocessing(list(names), ["numeric"] * d, [np.array([], dtype=str)] * d, False,
                         np.zeros(d), np.full(d, "", dtype=str), scaler)
