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
        import pandas as pd

        d = len(frame.names)
        kinds = [frame.kind(name) for name in frame.names]
        fill_numeric, fill_category, categories = np.zeros(d), np.full(d, "", dtype=object), []
        for j, name in enumerate(frame.names):
            column = frame.columns[name][rows].reshape(-1, 1)
            missing = _missing(column[:, 0])
            if missing.all():
                raise DataError(f"{frame.source}: column {name!r} has no values in the training rows")
            if kinds[j] == "numeric":
                if impute:  # SimpleImputer(strategy="median")'s statistic, 5x faster (its masked-array median sorts)
                    fill_numeric[j] = np.nanmedian(column[:, 0])
                categories.append(np.array([], dtype=str))
                continue
            from sklearn.impute import SimpleImputer
            from sklearn.preprocessing import OneHotEncoder

            if impute:
                fill_category[j] = SimpleImputer(strategy="most_frequent", missing_values=None).fit(column).statistics_[0]
            # categories_ are the sorted distinct values, so fitting on each distinct value once gives the same
            distinct = np.asarray(pd.unique(column[~missing, 0]), dtype=object).reshape(-1, 1)
            encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(distinct)
            categories.append(np.array(encoder.categories_[0], dtype=str))
        pre = cls(frame.names, kinds, categories, impute, fill_numeric, np.array(fill_category, dtype=str), None)
        if standardize:
            pre.scaler = pre._fit_scaler(frame, rows)
        return pre

    def _fit_scaler(self, frame, rows):
        numeric = [j for j, k in enumerate(self.kinds) if k == "numeric"]
        mean, scale = np.zeros(self.n_inputs), np.ones(self.n_inputs)
        if numeric:
            X = np.column_stack([self._numeric(frame, j, rows) for j in numeric])  # (n_train, d_numeric)
            fitted = Standardizer.fit(X, [self.columns[j] for j in numeric], frame.source)
            at = np.cumsum([0, *self.widths])[numeric]
            mean[at], scale[at] = fitted.mean, fitted.scale
        return Standardizer(mean, scale)

    def _numeric(self, frame, j, rows):
        values = frame.columns[self.columns[j]][rows]
        if self.impute:
            missing = np.isnan(values)
            if missing.any():
                values[missing] = self.fill_numeric[j]  # values is a copy: fancy indexing
        return values

    def transform(self, frame, rows=None, dtype=np.float64):
        """(X, unseen): X (n, n_inputs) in ``dtype``; unseen (n,) marks rows with a category never seen in training."""
        rows = np.arange(frame.n_rows) if rows is None else np.asarray(rows)
        dtype = np.dtype(dtype)
        X, unseen = np.empty((len(rows), self.n_inputs), dtype), np.zeros(len(rows), bool)
        encoders = self._encoders()
        for start in range(0, len(rows), BLOCK_ROWS):
            block = rows[start:start + BLOCK_ROWS]
            parts = []
            for j, name in enumerate(self.columns):
                if self.kinds[j] == "numeric":
                    parts.append(self._numeric(frame, j, block)[:, None])
                    continue
                onehot = self._onehot(encoders[j], frame.columns[name][block], j)
                unseen[start:start + len(block)] |= onehot.sum(axis=1) == 0
                parts.append(onehot)
            Z = np.hstack(parts) if parts else np.empty((len(block), 0))
            X[start:start + len(block)] = self._scaled(Z, frame, block, dtype)
        return X, unseen

    def _onehot(self, encoder, values, j):
        """The encoder's output for ``values``, computed once per distinct value (missing: the fill, if imputing)."""
        import pandas as pd

        codes, uniques = pd.factorize(values)  # code -1: missing
        table = encoder.transform(np.asarray(uniques, dtype=object).reshape(-1, 1))
        if self.impute:
            missing_row = encoder.transform(np.array([[self.fill_category[j]]], dtype=object))
        else:
            missing_row = np.zeros((1, table.shape[1]))  # the frame refused missing cells already
        return np.vstack([table, missing_row])[codes]

    def _scaled(self, Z, frame, block, dtype):
        """Z standardised, refusing what overflows float64 or does not fit ``dtype``, naming column and line."""
        with np.errstate(over="ignore", invalid="ignore"):
            if self.scaler is not None:
                Z = (Z - self.scaler.mean) / self.scaler.scale
            fits = np.abs(Z) <= np.finfo(dtype).max
        if not fits.all():
            r, c = np.argwhere(~fits)[0]
            j = int(np.searchsorted(np.cumsum(self.widths), c, side="right"))
            name, row = self.columns[j], int(block[r])
            after = " after standardisation" if self.scaler is not None else ""
            what = "overflows float64" if not np.isfinite(Z[r, c]) else f"becomes {Z[r, c]:.3g}"
            raise frame.error(row, name, f"{shown(frame.cell(row, name))} {what}{after}, beyond the model's {dtype.name} "
                                         f"range (±{np.finfo(dtype).max:.3g})")
        return Z

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


def _missing(values):
    import pandas as pd

    return pd.isna(values) if values.dtype == object else np.isnan(values)


def all_numeric(names, scaler):
    """The preprocessing of a model file from before categorical features: numeric columns, a scaler or none."""
    d = len(names)
    return Preprocessing(list(names), ["numeric"] * d, [np.array([], dtype=str)] * d, False,
                         np.zeros(d), np.full(d, "", dtype=str), scaler)
