"""The confusion matrix as an SVG figure, built as text (svg.py).

Colour by share of the true class (row-normalised) so errors show whatever the
class sizes: blue on the diagonal, red off it, white for no count. The shades
interpolate ColorBrewer's 9-step Blues and Reds (the stops of matplotlib's
colormaps of those names), so drawing needs no matplotlib. The matrix is drawn
for up to MATRIX_MAX classes in a bounded size (issue 9: 500 classes once made
a figure that exhausted memory); above that the report lists the
worst-recalled classes instead.
"""
import math

import numpy as np

from . import svg

MATRIX_COUNTS_MAX = 20  # classes up to which every cell shows its count
MATRIX_MAX = 40  # classes above which no matrix is drawn (the report lists the worst classes instead)
BLUES = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
REDS = ("#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d")
DARK = 0.55  # share above which a cell's count is written in white
TITLE, LABEL = 15, 14  # font sizes, px


def short(label, width=12):
    """A label cut to ``width`` characters (tick labels and legends stay short)."""
    return label if len(label) <= width else label[:width - 1] + "…"


def shade(stops, t):
    """The colour ``t`` (0..1) of the way along ``stops`` (hex colours), interpolated linearly in RGB."""
    t = min(max(float(t), 0.0), 1.0) * (len(stops) - 1)
    i = min(int(t), len(stops) - 2)
    a, b = (tuple(int(stop[k:k + 2], 16) for k in (1, 3, 5)) for stop in stops[i:i + 2])
    return "#" + "".join(f"{round(x + (t - i) * (y - x)):02x}" for x, y in zip(a, b))


def shares(matrix):
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)


def cell_colors(matrix):
    """A hex colour per cell, by share of the true class: blue on the diagonal, red for errors, and even
    one error gets a visible tint (a count of 0 stays white)."""
    matrix = np.asarray(matrix)
    tint = np.where(matrix > 0, 0.2 + 0.8 * shares(matrix), 0.0)
    return [["#ffffff" if matrix[i, j] == 0 else shade(BLUES, tint[i, j]) if i == j else shade(REDS, 0.85 * tint[i, j])
             for j in range(len(matrix))] for i in range(len(matrix))]


def confusion(matrix, classes):
    """Counts in the cells, colour by share of the true class (row-normalised) so errors show (SVG bytes)."""
    matrix = np.asarray(matrix)
    k = len(classes)
    labels = [short(str(c)) for c in classes]
    side = min(150 + 30 * k, 480)  # the cells' square, px: bounded (no matrix is drawn above MATRIX_MAX classes)
    cell = side / max(k, 1)
    size = min(LABEL, max(7.0, cell * 0.8))  # the class labels' font
    widths = [svg.text_width(label, size) for label in labels]
    widest = max(widths, default=0)
    rotate = any(a / 2 + b / 2 > cell - 8 for a, b in zip(widths, widths[1:]))  # else neighbours come within 8 px
    left = 24 + widest + 8
    bottom = (widest + size / 2) * math.sqrt(0.5) + 10 if rotate else size + 10
    top, right = 30, 12 + size if rotate else max(12.0, (widths or [0])[-1] / 2 - cell / 2 + 4)  # the last label's overhang
    if rotate:  # the first column's slanted label reaches left of the cells
        left = max(left, widest * math.sqrt(0.5) - cell / 2 + 8)
    title = "Confusion matrix (test split)"
    spare = max(0.0, svg.text_width(title, TITLE * 1.08) + 16 - (left + side + right))  # bold: a little wider
    left += spare / 2  # a small matrix sits in the middle, under its whole title
    width, height = left + side + right + spare / 2, top + side + bottom + 22
    parts = _cells(matrix, cell_colors(matrix), left, top, cell, k <= MATRIX_COUNTS_MAX)
    for i, label in enumerate(labels):
        middle = top + (i + 0.5) * cell
        parts.append(svg.text(left - 8, middle, label, size, "end", cls="row", baseline="middle"))
        centre = left + (i + 0.5) * cell
        if rotate:
            parts.append(svg.text(centre, top + side + 8, label, size, "end", cls="column", rotate=-45,
                                  baseline="middle"))
        else:
            parts.append(svg.text(centre, top + side + 6 + size, label, size, "middle", cls="column"))
    parts += [svg.text(width / 2, 18, title, TITLE, "middle", weight="bold"),
              svg.text(left + side / 2, height - 7, "predicted", LABEL, "middle"),
              svg.text(16, top + side / 2, "true", LABEL, "middle", rotate=-90)]
    return svg.document(width, height, parts)


def _cells(matrix, colors, left, top, cell, counts):
    """A rectangle per cell (white ones too, with a hairline frame) and, if ``counts``, its count."""
    k = len(matrix)
    share = shares(matrix)
    size = min(14.0, cell * 0.42, cell * 0.9 / (0.6 * max(len(str(int(matrix.max(initial=0)))), 1)))
    parts = [f'<rect x="{svg.num(left)}" y="{svg.num(top)}" width="{svg.num(cell * k)}" height="{svg.num(cell * k)}" '
             f'fill="#ffffff" stroke="{svg.GRID}"/>']
    for i in range(k):
        for j in range(k):
            x, y = left + j * cell, top + i * cell
            parts.append(f'<rect class="cell" x="{svg.num(x)}" y="{svg.num(y)}" width="{svg.num(cell)}" '
                         f'height="{svg.num(cell)}" fill="{colors[i][j]}"/>')
            if counts and (matrix[i, j] or i == j):
                ink = "#ffffff" if share[i, j] > DARK else svg.INK
                parts.append(svg.text(x + cell / 2, y + cell / 2, str(int(matrix[i, j])), size, "middle",
                                      cls="count", fill=ink, baseline="middle"))
    return parts
