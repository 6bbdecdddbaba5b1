"""Numbers as people read them, on the console and in the pages: one place, so both agree.

Fixed decimals while they say something (a loss of 0.1510), scientific notation
once they would not (2.03e+30, 1e-05), and a word for what is not a number.
"""
import math


def metric(value, digits=4):
    """A loss or an accuracy: 0.1510, 2.03e+30, 3.2e-07, 'nan', 'inf'; '' for None."""
    if value is None:
        return ""
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else "inf" if value > 0 else "-inf"
    if value == 0 or 10 ** -(digits - 1) <= abs(value) < 1e5:
        return f"{value:.{digits}f}"
    return f"{value:.3g}"


def value(item):
    """A config value as written: 1e-05 stays 1e-05, 0.05 stays 0.05, lists as [16, 16]."""
    if item is None:
        return "null"
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, float):
        return repr(item) if math.isfinite(item) else metric(item)
    if isinstance(item, (list, tuple)):
        return "[" + ", ".join(value(v) for v in item) + "]"
    return str(item)


def seconds(value):
    """A duration: 0.53 s, 12.3 s, 2 min 05 s."""
    if value is None:
        return ""
    value = float(value)
    if value < 10:
        return f"{value:.2f} s"
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"


def count(value):
    """A count with thousands separators: 9,610."""
    return f"{int(value):,}"


def nbytes(value):
    """A size: 37.5 KiB."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
