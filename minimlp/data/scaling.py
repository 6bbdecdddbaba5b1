"""Standardisation that cannot overflow silently: statistics of columns near float64's limit are
computed on the column divided by a power of two (exact), and what still cannot be carried is refused."""
import numpy as np

from ..errors import DataError


class Standardizer:
    """x ↦ (x - mean) / scale with the training split's statistics; constant features get scale 1."""

    def __init__(self, mean, scale):
        self.mean, self.scale = np.asarray(mean, np.float64), np.asarray(scale, np.float64)

    @classmethod
    def fit(cls, X, names=None, source="data"):
        with np.errstate(over="ignore", invalid="ignore"):
            mean, scale = X.mean(axis=0), X.std(axis=0)
            bad = ~(np.isfinite(mean) & np.isfinite(scale))
            if bad.any():  # |x| near 1e308: the sums overflow; 2**e scaling is exact
                _, exponent = np.frexp(np.abs(X[:, bad]).max(axis=0))
                s = np.ldexp(1.0, exponent - 1)
                part = X[:, bad] / s
                mean[bad], scale[bad] = part.mean(axis=0) * s, part.std(axis=0) * s
        for j in np.flatnonzero(~(np.isfinite(mean) & np.isfinite(scale))):
            name = names[j] if names is not None else f"feature {j}"
            raise DataError(f"{source}: column {name!r}: its values spread beyond float64's range "
                            f"(standard deviation overflows); rescale the column")
        scale[scale < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
        return cls(mean, scale)

    def transform(self, X, dtype):
        return ((X - self.mean) / self.scale).astype(dtype)


class RobustScaler(Standardizer):
    """RealMLP's numeric inputs (Holzmüller et al., 2024; pytabkit's ``median_center``, ``robust_scale``,
    ``smooth_clip``): z = (x - median) / IQR, then z / sqrt(1 + (z/3)²), which is z near 0 and tends to ±3.

    The IQR is numpy's linear-interpolated 75th minus 25th percentile (scikit-learn's RobustScaler's); where
    it is 0 (a column mostly one value), half the range, as pytabkit does; a constant column gets scale 1
    (scikit-learn's choice; pytabkit zeroes it).  ``mean`` holds the median so the stored arrays keep their names.
    """

    smooth_clip = True

    @classmethod
    def fit(cls, X, names=None, source="data"):
        median, scale = np.empty(X.shape[1]), np.empty(X.shape[1])
        for j in range(X.shape[1]):
            median[j], scale[j] = _robust_statistics(X[:, j])
        constant = scale < 1e-12 * np.maximum(1.0, np.abs(median))
        scale[constant] = 1.0
        return cls(median, scale)


def _robust_statistics(column):
    """(median, IQR or half the range) of a column, computed on column / 2^e when near float64's limit (exact)."""
    with np.errstate(over="ignore", invalid="ignore"):
        low, median, high = np.quantile(column, [0.25, 0.5, 0.75])
        spread = high - low if high > low else (column.max() - column.min()) / 2
        if np.isfinite(median) and np.isfinite(spread):
            return median, spread
    _, exponent = np.frexp(np.abs(column).max())
    s = np.ldexp(1.0, int(exponent) - 1)
    median, spread = _robust_statistics(column / s)
    return median * s, spread * s


def smooth_clip(Z):
    """Z / sqrt(1 + (Z/3)²) in place: np.hypot keeps it from overflowing, and ±inf (a value beyond
    float64 after centring) goes to its limit ±3."""
    infinite = np.isinf(Z)
    signs = np.sign(Z[infinite])
    with np.errstate(invalid="ignore"):  # inf / inf, replaced just below
        np.divide(Z, np.hypot(1.0, Z / 3.0), out=Z)
    Z[infinite] = 3.0 * signs
    return Z
