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
