"""report.html while a run trains: the curves so far and the run's state, redrawn without matplotlib.

A plain page (the shared stylesheet, two inline SVG line charts, no script) that a browser
reloads every REFRESH_SECONDS through ``<meta http-equiv="refresh">``, which works from
``file://``; the final page (run_page.py) has no such tag, so the reloading stops there.
Building it costs a few milliseconds for any history: each curve is thinned to at most
MAX_POINTS points.
"""
import math
import time

from . import fmt
from .figures import LOG_SPAN, TRAIN, VALIDATION
from .page import banner, cards, document, esc

REFRESH_SECONDS = 2
MAX_POINTS = 400  # per curve; a 2,000-epoch run keeps every 5th epoch (and the last)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 560, 300, 58, 14, 14, 36


def live_html(title, run_dir, records, epochs, state="running", seconds=None):
    """The page for ``records`` (EpochRecords so far) of a run of ``epochs`` epochs in ``state``."""
    done = records[-1].epoch if records else 0
    elapsed = sum(r.seconds for r in records) if seconds is None else seconds
    if state == "running":
        note = (f"<strong>Running</strong>: epoch {done} of {epochs} ({100 * done / max(epochs, 1):.0f}%), "
                f"{esc(fmt.seconds(elapsed))} of training so far; this page reloads every {REFRESH_SECONDS} s "
                "and becomes the full report when the run ends.")
        kind = "ok"
    else:
        note = f"<strong>{esc(state.capitalize())}</strong> after epoch {done} of {epochs}."
        kind = "warn"
    last = records[-1] if records else None
    pairs = [("epoch", f"{done} / {epochs}"),
             ("train loss", fmt.metric(last.train_loss) if last else "—"),
             ("val loss", fmt.metric(last.val_loss) if last and last.val_loss is not None else "—"),
             ("val accuracy", fmt.metric(last.val_acc) if last and last.val_acc is not None else "—"),
             ("training time", fmt.seconds(elapsed))]
    stamp = time.strftime("%H:%M:%S")
    body = [f'<header><h1>{esc(title)}</h1><p class="meta">live · updated {stamp} · run folder {esc(run_dir)}</p>'
            "</header>", banner(kind, note), cards(pairs), "<h2>Training</h2>"]
    if records:
        body.append('<div class="columns">'
                    + chart("loss", records, ("train_loss", "val_loss")) + chart("accuracy", records, ("train_acc", "val_acc"))
                    + "</div>")
    else:
        body.append("<p>No epoch has finished yet.</p>")
    refresh = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if state == "running" else ""
    page = document(title, "\n".join(body))
    return page.replace("<head>", f'<head>{refresh}<meta name="minimlp-live-epoch" content="{done}">', 1)


def chart(name, records, fields):
    """An inline SVG line chart of ``fields`` of ``records`` against the epoch, with its min/max labels."""
    step = max(1, math.ceil(len(records) / MAX_POINTS))
    shown = records[::step] if records[-1] in records[::step] else [*records[::step], records[-1]]
    series = []
    for field, colour in zip(fields, (TRAIN, VALIDATION)):
        points = [(r.epoch, getattr(r, field)) for r in shown]
        points = [(x, y) for x, y in points if y is not None and math.isfinite(y)]
        if points:
            series.append((field.split("_")[0].replace("val", "validation"), colour, points))
    values = [y for _, _, points in series for _, y in points]
    if not values:
        return f"<figure><p>No finite {esc(name)} yet.</p></figure>"
    low, high = min(values), max(values)
    log = low > 0 and high / low > LOG_SPAN
    f = (lambda v: math.log10(v)) if log else (lambda v: v)
    y0, y1 = f(low), f(high)
    if y1 - y0 < 1e-12:
        y0, y1 = y0 - 0.5, y1 + 0.5
    x0, x1 = shown[0].epoch, max(shown[-1].epoch, shown[0].epoch + 1)

    def xy(x, y):
        px = LEFT + (x - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT)
        py = TOP + (1 - (f(y) - y0) / (y1 - y0)) * (HEIGHT - TOP - BOTTOM)
        return f"{px:.1f},{py:.1f}"

    lines = "".join(f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{" ".join(xy(x, y) for x, y in points)}"/>'
                    for _, colour, points in series)
    legend = "".join(f'<text x="{LEFT + 8 + 110 * i}" y="{TOP + 12}" fill="{colour}" font-size="12">{esc(label)}</text>'
                     for i, (label, colour, _) in enumerate(series))
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    axes = (f'<path d="M{LEFT},{TOP} V{bottom} H{right}" fill="none" stroke="#59636e"/>'
            f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{fmt.metric(high)}</text>'
            f'<text x="{LEFT - 6}" y="{bottom}" text-anchor="end" font-size="11">{fmt.metric(low)}</text>'
            f'<text x="{LEFT}" y="{bottom + 16}" font-size="11">{x0}</text>'
            f'<text x="{right}" y="{bottom + 16}" text-anchor="end" font-size="11">{x1}</text>'
            f'<text x="{(LEFT + right) / 2}" y="{HEIGHT - 4}" text-anchor="middle" font-size="12">epoch</text>')
    title = f"{name}{' (log scale)' if log else ''}"
    return (f'<figure><h3>{esc(title)}</h3><svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{esc(title)}" '
            f'font-family="system-ui, sans-serif">{axes}{lines}{legend}</svg></figure>')
