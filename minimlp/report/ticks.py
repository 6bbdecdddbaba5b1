"""Axis ticks people read at a glance: steps of 1, 2 or 5 times a power of ten, labels as short as they can be.

An axis is (low, high, [(value, label)], log): its limits are the outermost
ticks, so the ticks always cover the data. A log axis works in exponents (a
tick's position is its log10), so values near float64's limits still place.
"""
import math

STEPS = (1, 2, 5, 10)


def nice_step(span, count):
    """The smallest of 1, 2, 5 × 10^k that cuts ``span`` into at most about ``count`` pieces."""
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in STEPS if m * power >= raw * (1 - 1e-9))


def linear(low, high, count=6):
    """A linear axis covering [low, high] with about ``count`` intervals."""
    if not high > low:  # one value (or one epoch): a small range around it
        pad = abs(low) * 0.05 or 0.5
        low, high = low - pad, high + pad
    step = nice_step(high - low, count)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    if not math.isfinite(last * step):  # the top tick would pass float64's largest number
        last -= 1
    values = [k * step for k in range(first, last + 1)]
    labels = _labels(values, step)
    return min(values[0], low), max(values[-1], high), list(zip(values, labels)), False  # ticks within 1e-9 step


def integers(low, high, count=6):
    """Integer ticks (epochs) inside [low, high]: the axis keeps its limits, the step is at least 1."""
    step = max(1, round(nice_step(max(high - low, 1), count)))
    first = math.ceil(low / step - 1e-9) * step
    values = list(range(first, math.floor(high) + 1, step))
    return low, high, [(v, str(v)) for v in values], False


def log(low, high, count=6):
    """A log axis covering [low, high] (both > 0), in exponents: ticks at 1, 2 and 5 × 10^k when the
    range spans a couple of decades at most, else at powers of ten (every n-th when there are many)."""
    lo, hi = math.log10(low), math.log10(high)
    if hi - lo <= math.log10(300):
        marks = [(k, m) for k in range(math.floor(lo) - 1, math.ceil(hi) + 1) for m in (1, 2, 5)]
        exps = [k + math.log10(m) for k, m in marks]
        start = max(i for i, e in enumerate(exps) if e <= lo + 1e-9)  # the last mark at or below the data
        end = min(i for i, e in enumerate(exps) if e >= hi - 1e-9)  # the first at or above it
        ticks = [(exps[i], _plain(marks[i][1], marks[i][0])) for i in range(start, max(end, start + 1) + 1)]
    else:
        every = max(1, math.ceil((math.ceil(hi) - math.floor(lo)) / count))
        first, last = math.floor(lo / every) * every, math.ceil(hi / every) * every
        ticks = [(k, _plain(1, k)) for k in range(first, last + 1, every)]
    return ticks[0][0], ticks[-1][0], ticks, True


def _plain(mantissa, exponent):
    """m × 10^k as a plain number: 0.01, 20, 5e-05, 1e+06; 1e-320 stays readable below float64's range."""
    value = float(f"{mantissa}e{exponent}")
    return f"{value:g}" if value and math.isfinite(value) else f"{mantissa}e{exponent:+03d}"


def _labels(values, step):
    """Fixed decimals enough for ``step`` (0.05 -> 2) while numbers are moderate, else the fewest
    significant digits that tell the ticks apart (5e+29, 1e+30, 1.5e+30)."""
    power = math.floor(math.log10(step) + 1e-9)
    biggest = max(abs(v) for v in values)
    if power >= -4 and biggest < 1e5:
        return [f"{v:.{max(0, -power)}f}" for v in values]
    digits = max(1, math.floor(math.log10(biggest)) - power + 1) if biggest else 1
    return [f"{v:.{digits}g}" for v in values]
