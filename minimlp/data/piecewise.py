"""Piecewise-linear inputs (data.piecewise_bins; Gorishniy et al. 2022): beside a numeric value, one
input per quantile bin of the training values, 0 below the bin, 1 above it, linear inside, so the
first layer can put a threshold anywhere. No parameters: a fixed transform the preprocessing stores.
"""
import numpy as np

MAX_INPUTS = 4096  # inputs data.piecewise_bins may add (512 numeric columns at 8 bins); wider: none


def bins_for(frame, bins):
    """(the bins to use, a note or None): none when they would add more than MAX_INPUTS inputs,
    so a wide table's inputs (and memory) grow by at most that many columns, not ``bins`` times."""
    numeric = sum(frame.kind(name) == "numeric" for name in frame.names)
    if not bins or numeric * bins <= MAX_INPUTS:
        return bins, None
    return 0, (f"{frame.source}: {numeric:,} numeric columns: no piecewise-linear inputs (data.piecewise_bins: {bins} "
               f"would add {numeric * bins:,}, more than {MAX_INPUTS:,}); the network takes their values")


def edges_of(values, bins):
    """The edges of up to ``bins`` bins holding equal shares of ``values`` (their quantiles, repeats merged);
    none when fewer than two bins remain (a constant or two-valued column: its value says it all)."""
    low, high = values.min(), values.max()
    if np.all((values == low) | (values == high)):
        return np.zeros(0)
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)))
    return edges if len(edges) >= 3 else np.zeros(0)


def encode(values, edges, out):
    """Bin t of each value into column t of ``out``: 0 below edges[t], 1 above edges[t + 1], linear between."""
    with np.errstate(over="ignore", invalid="ignore"):
        np.clip((values[:, None] - edges[:-1]) / np.diff(edges), 0, 1, out=out, casting="unsafe")
