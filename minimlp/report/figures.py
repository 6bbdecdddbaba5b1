"""The figures matplotlib draws, as SVG text (its Agg canvas, no pyplot state): the compare page's overlays,
``minimlp plot``, the lr-find curve and the decision boundary. The run's curves and confusion matrix are
built as SVG text without matplotlib (curves.py, matrix.py), which shares the colours and the log rule here.

SVG rather than PNG: crisp at any zoom or screen density, and smaller. For
the default digits run the loss curve is 25 KB as SVG against 46 KB as a 2×
PNG (21 KB at 1×, blurry), and the page inlines SVG as text where a PNG costs
another third in base64. Glyphs are paths (``svg.fonttype: path``) so a figure
looks the same everywhere; ids are salted, so the same figure gives the same bytes.

Every text is plain: class labels, column names, run folders and names can hold
``$``, ``\\``, ``_``, ``^`` or ``{}``, so math text is off (``text.parse_math``,
taken by each Text when made under ``styled``) and so is TeX.
"""
import io
import math
import re

import numpy as np

from . import fonts, mpl

STYLE = {
    "svg.fonttype": "path", "svg.hashsalt": "minimlp", "font.size": 10.5,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 11, "axes.titleweight": "bold",
    "legend.frameon": False, "text.parse_math": False, "text.usetex": False,
}
TRAIN, VALIDATION = "#1f77b4", "#ff7f0e"


def style():
    """STYLE, with the installed fallback fonts (labels in any script the machine has fonts for)."""
    return {**STYLE, "font.family": fonts.families()}


LOG_SPAN = 10.0  # a loss whose largest/smallest value exceeds this gets a log axis


def figure(width=5.6, height=3.8, layout="constrained"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout=layout)
    FigureCanvasAgg(fig)
    return fig


# A curve figure's margins in inches, set from the text they hold (``fit_margins``), not by matplotlib's
# constrained layout: that costs a second layout pass, half the time of drawing a curve figure.
CURVE_MARGINS = {"right": 0.12, "top": 0.34, "bottom": 0.50}
LEFT_BASE, CHAR_WIDTH = 0.42, 0.085  # the y label, tick marks and pads; one tick label character at 10.5 pt


def fit_margins(fig, ax):
    """Margins for one axes with a title, x and y labels and a legend inside: the left one fits the
    longest y tick label, as formatted for the axis's current ticks."""
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]] or list(ax.get_yticks())
    labels = ax.yaxis.get_major_formatter().format_ticks(ticks)
    longest = max((len(label) for label in labels), default=3)
    width, height = fig.get_size_inches()
    left = LEFT_BASE + CHAR_WIDTH * max(longest, 3)
    fig.subplots_adjust(left=left / width, right=1 - CURVE_MARGINS["right"] / width,
                        bottom=CURVE_MARGINS["bottom"] / height, top=1 - CURVE_MARGINS["top"] / height)


def styled(draw):
    """Run ``draw`` (which builds a figure) under the house style; return the figure."""
    mpl.load()
    import matplotlib

    with matplotlib.rc_context(style()), fonts.quiet_glyphs():  # artists take the style when made; ``save``
        return draw()  # draws under it too


def save(fig, format="svg"):
    """The figure's bytes in ``format`` (svg, png at 2×, pdf), deterministic for the same figure."""
    import matplotlib

    buffer = io.BytesIO()
    metadata = {"Date": None} if format in ("svg", "pdf") else {}
    if format == "pdf":
        metadata["CreationDate"] = metadata.pop("Date")
    with matplotlib.rc_context(style()), fonts.quiet_glyphs(fig):
        fig.savefig(buffer, format=format, dpi=200 if format == "png" else 100, metadata=metadata)
    data = buffer.getvalue()
    return _round_paths(data) if format == "svg" else data


def _round_paths(svg):
    """A smaller SVG of the same picture: coordinates to 0.1 pt (a tenth of a pixel at 100%), no
    metadata, comments, indentation or ids on groups (nothing refers to them): about 40% fewer bytes."""
    one_decimal = re.compile(rb"(\d\.\d)\d+")

    def rounded(match):
        return one_decimal.sub(rb"\1", match.group(0))

    svg = re.sub(rb"<metadata>.*?</metadata>|<!--.*?-->", b"", svg, flags=re.S)
    svg = re.sub(rb' (?:d|x|y)="[^"]*"|translate\([^)]*\)', rounded, svg)
    svg = re.sub(rb'<g id="[^"]*"', b"<g", svg)
    return re.sub(rb"\s*\n\s*", b" ", svg).replace(b"> <", b"><")


def inline_svg(svg_bytes, prefix):
    """SVG bytes as an element to put in a page: no XML prolog, ids prefixed (unique in the page),
    scaling to its column but never above 125% of its drawn size (text would grow too large)."""
    text = svg_bytes.decode("utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r'\bid="', f'id="{prefix}-', text)
    text = re.sub(r'href="#', f'href="#{prefix}-', text)
    text = re.sub(r"url\(#", f"url(#{prefix}-", text)
    found = re.search(r'<svg [^>]*?width="([\d.]+)(pt|px)?"', text)
    width = float(found.group(1)) * (4 / 3 if found.group(2) == "pt" else 1)  # CSS px at 100%
    return re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"',
                  rf'<svg \1role="img" style="max-width: {width * 1.25:.0f}px"', text, count=1)


def _integer_epochs(ax, epochs):
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(epochs) == 1:
        ax.set_xlim(epochs[0] - 1, epochs[0] + 1)


def log_axis(ax, values):
    """A log y axis labelled in plain numbers (0.1, 0.01, 1e-05), not 10^-1 or 6×10^-1; within a couple
    of decades the 2s and 5s are labelled too, so the axis never shows a single number."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    finite = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    if max(finite) / min(finite) < 300:
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if f"{v:.0e}"[0] in "25" else ""))
    else:
        ax.yaxis.set_minor_formatter(NullFormatter())


def wants_log(values):
    """A log axis when the finite positive values span more than a decade (and nothing is ≤ 0)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return bool(finite) and min(finite) > 0 and max(finite) / min(finite) > LOG_SPAN


def run_colors(n):
    """One colour per run, as hex: the page's table shows the same swatches as the curves."""
    mpl.load()
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [to_hex(cmap(i % cmap.N)) for i in range(n)]


def overlay(curves, metric, colors=None, legend=True):
    """Train (solid) and validation (dashed) ``metric`` of several runs: {label: {"epoch", "train_<m>", "val_<m>"}}."""
    mpl.load()
    from matplotlib.lines import Line2D

    colors = colors or run_colors(len(curves))

    def draw():
        fig = figure(5.6, 3.8, layout=None)
        ax = fig.add_subplot()
        values = []
        for color, (label, curve) in zip(colors, curves.items()):
            ax.plot(curve["epoch"], curve[f"train_{metric}"], color=color, linewidth=1.4, label=label)
            val = curve.get(f"val_{metric}") or []
            if any(v is not None for v in val):
                ax.plot(curve["epoch"], [np.nan if v is None else v for v in val], color=color, linestyle="--", linewidth=1.4)
            values += [v for v in curve[f"train_{metric}"] + list(val) if v is not None]
        name = "cross-entropy loss" if metric == "loss" else "accuracy"
        if metric == "loss" and wants_log(values):
            log_axis(ax, values)
            name += " (log scale)"
        epochs = sorted({e for curve in curves.values() for e in curve["epoch"]})
        _integer_epochs(ax, epochs or [1])
        ax.set(xlabel="epoch", ylabel=name, title="Loss" if metric == "loss" else "Accuracy")
        ax.grid(alpha=0.3)
        styles = [Line2D([], [], color="#57606a", label="train"),
                  Line2D([], [], color="#57606a", linestyle="--", label="validation")]
        handles = (ax.get_legend_handles_labels()[0] if legend and len(curves) <= 10 else []) + styles
        ax.legend(handles=handles, loc="best", fontsize=8)
        fit_margins(fig, ax)
        return fig

    return styled(draw)
