"""The run's loss and accuracy per epoch as an SVG figure, built as text (svg.py, ticks.py).

Train and validation lines (the validation line has gaps where an epoch had
no finite value, and is absent without a validation split), dots while there
are fewer than MARKERS_BELOW epochs, the best epoch as a dotted line and an
open circle at its value, a log axis when the loss spans decades
(``figures.wants_log``). The legend is a row above the plot, so it never
covers a line.
"""
import itertools
import math

from . import fmt, svg, ticks
from .figures import TRAIN, VALIDATION, wants_log

WIDTH, HEIGHT = 460, 320
TICK, LABEL, TITLE = 12, 13, 14  # font sizes, px
RIGHT, BOTTOM, LEGEND_ROW = 16, 42, 17
MARKERS_BELOW = 30
MAX_POINTS = 4000  # per line: a longer history keeps each pixel column's lowest and highest value


def curves(history, metric, best_epoch=None):
    """Train and validation ``metric`` ('loss' or 'acc') per epoch, the best epoch marked with its value (SVG bytes)."""
    epochs = [r.epoch for r in history]
    train = [getattr(r, f"train_{metric}") for r in history]
    val = [getattr(r, f"val_{metric}") for r in history]
    series = [("train", TRAIN, train)] + ([("validation", VALIDATION, val)] if any(v is not None for v in val) else [])
    name = "cross-entropy loss" if metric == "loss" else "accuracy"
    log = metric == "loss" and wants_log(train + val)
    name += " (log scale)" if log else ""
    best = _best(history, metric, best_epoch, len(series) > 1, log)
    legend = [(label, colour, "line") for label, colour, _ in series]
    if best is not None:
        legend.append((f"best epoch {best[0]}: {fmt.metric(best[1])}", svg.INK, "circle"))
    return _draw("Loss" if metric == "loss" else "Accuracy", name, epochs, series, best, legend, log)


def _best(history, metric, best_epoch, has_val, log):
    """(epoch, value) to mark, or None when the epoch is not in the history or its value cannot be drawn."""
    at = {r.epoch: r for r in history}.get(best_epoch)
    if at is None:
        return None
    value = getattr(at, f"val_{metric}" if has_val else f"train_{metric}")
    return (best_epoch, value) if _drawable(value, log) else None


def _drawable(value, log):
    return value is not None and math.isfinite(value) and (value > 0 or not log)


def _draw(title, y_name, epochs, series, best, legend, log):
    values = [v for _, _, vs in series for v in vs if _drawable(v, log)]
    if log:
        y_axis = ticks.log(min(values), max(values))
    else:
        y_axis = ticks.linear(min(values), max(values)) if values else ticks.linear(0.0, 1.0)
    first, last = (min(epochs), max(epochs)) if epochs else (0, 1)
    pad = max(0.04 * (last - first), 0.3) if last > first else 1
    x_axis = ticks.integers(first - pad, last + pad, 8)
    rows, legend_svg = _legend(legend, len(epochs) < MARKERS_BELOW)
    widest = max(svg.text_width(label, TICK) for _, label in y_axis[2])
    box = (30 + widest + 8, 30 + rows * LEGEND_ROW + 6, WIDTH - RIGHT, HEIGHT - BOTTOM)  # left, top, right, bottom
    place_x, place_y = _scale(x_axis, box[0], box[2]), _scale(y_axis, box[3], box[1])
    parts = _frame(box, x_axis, y_axis, place_x, place_y)
    for label, colour, vs in series:
        parts += _line(label, colour, [(e, v) for e, v in zip(epochs, vs)], place_x, place_y, log,
                       len(epochs) < MARKERS_BELOW)
    if best is not None:
        x, y = place_x(best[0]), place_y(math.log10(best[1]) if log else best[1])
        parts += [svg.line(x, box[1], x, box[3], svg.MUTED, 1, cls="best", dash="2 3"),
                  f'<circle class="best" cx="{svg.num(x)}" cy="{svg.num(y)}" r="5" fill="none" '
                  f'stroke="{svg.INK}" stroke-width="1.5"/>']
    centre = (box[0] + box[2]) / 2
    parts += [svg.text(WIDTH / 2, 18, title, TITLE, "middle", weight="bold"), legend_svg(centre, 30),
              svg.text(centre, HEIGHT - 7, "epoch", LABEL, "middle"),
              svg.text(16, (box[1] + box[3]) / 2, y_name, LABEL, "middle", rotate=-90)]
    return svg.document(WIDTH, HEIGHT, parts)


def _scale(axis, start, end):
    """value -> pixel for an axis (low, high, ticks, log), given as the value itself or, on a log axis, log10 of it."""
    low, high = axis[0], axis[1]
    return lambda v: start + (v - low) / (high - low) * (end - start)


def _frame(box, x_axis, y_axis, place_x, place_y):
    """Grid lines, the two axis lines, tick marks and their labels."""
    left, top, right, bottom = box
    parts = []
    for value, label in y_axis[2]:
        y = place_y(value)
        parts.append(svg.line(left, y, right, y, svg.GRID))
        parts.append(f'<g class="ytick">{svg.line(left - 4, y, left, y, svg.MUTED)}'
                     f'{svg.text(left - 7, y, label, TICK, "end", baseline="middle")}</g>')
    for value, label in x_axis[2]:
        x = place_x(value)
        parts.append(svg.line(x, top, x, bottom, svg.GRID))
        parts.append(f'<g class="xtick">{svg.line(x, bottom, x, bottom + 4, svg.MUTED)}'
                     f'{svg.text(x, bottom + 18, label, TICK, "middle")}</g>')
    parts.append(f'<path d="M{svg.num(left)},{svg.num(top)} V{svg.num(bottom)} H{svg.num(right)}" fill="none" '
                 f'stroke="{svg.MUTED}"/>')
    return parts


def _line(label, colour, points, place_x, place_y, log, markers):
    """One series: a polyline per run of drawable values (a gap where a value is missing or not finite)."""
    runs, current = [], []
    for epoch, value in points:
        if _drawable(value, log):
            current.append((place_x(epoch), place_y(math.log10(value) if log else value)))
        elif current:
            runs.append(current)
            current = []
    runs += [current] if current else []
    parts = []
    for run in runs:
        run = _thin(run)
        if len(run) > 1:
            coords = " ".join(f"{svg.num(x)},{svg.num(y)}" for x, y in run)
            parts.append(f'<polyline class="{label}" fill="none" stroke="{colour}" stroke-width="1.8" '
                         f'stroke-linejoin="round" points="{coords}"/>')
        if markers or len(run) == 1:  # a lone value shows as a dot even without markers
            parts += [f'<circle class="{label}" cx="{svg.num(x)}" cy="{svg.num(y)}" r="2.6" fill="{colour}"/>'
                      for x, y in run]
    return parts


def _thin(run):
    """At most about MAX_POINTS points: per pixel column, the first, lowest, highest and last (in order)."""
    if len(run) <= MAX_POINTS:
        return run
    kept = []
    for _, column in itertools.groupby(run, key=lambda p: math.floor(p[0])):
        column = list(column)
        low, high = min(column, key=lambda p: p[1]), max(column, key=lambda p: p[1])
        kept += [p for i, p in enumerate(column) if i in (0, len(column) - 1) or p is low or p is high]
    return kept


def _legend(items, markers):
    """(rows, draw(centre_x, top)): the legend's entries in centred rows that fit the figure's width."""
    def width(item):
        return 26 + svg.text_width(item[0], TICK)

    rows, row = [], []
    for item in items:
        if row and sum(map(width, row)) + 16 * len(row) + width(item) > WIDTH - 40:
            rows.append(row)
            row = []
        row.append(item)
    rows.append(row)

    def draw(centre, top):
        parts = []
        for r, row in enumerate(rows):
            x = centre - (sum(map(width, row)) + 16 * (len(row) - 1)) / 2
            y = top + r * LEGEND_ROW + LEGEND_ROW / 2
            for label, colour, kind in row:
                if kind == "line":
                    parts.append(svg.line(x, y, x + 20, y, colour, 1.8))
                    if markers:
                        parts.append(f'<circle cx="{svg.num(x + 10)}" cy="{svg.num(y)}" r="2.6" fill="{colour}"/>')
                else:
                    parts.append(f'<circle cx="{svg.num(x + 10)}" cy="{svg.num(y)}" r="5" fill="none" '
                                 f'stroke="{colour}" stroke-width="1.5"/>')
                parts.append(svg.text(x + 26, y, label, TICK, cls="legend", baseline="middle"))
                x += width((label,)) + 16
        return "".join(parts)

    return len(rows), draw
