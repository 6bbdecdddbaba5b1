"""One page comparing runs: ``minimlp compare`` and a sweep's sweep.html (one code path).

The runs are ranked (lowest best validation loss, else highest test
accuracy; failed and diverged runs last), the best one is marked, and their
loss and accuracy curves are overlaid in colours the table repeats.
"""
from .. import files
from . import figures, fmt
from .page import banner, document, esc, figure, table

KEY_COLUMNS = 4  # differing config keys shown as columns of their own; more share one column
CONFIG_CELL = "differing config"
MAX_DRAWN = 20  # runs whose curves are drawn (the best ones); more lines would be unreadable

METRIC_COLUMNS = [  # (row key, heading, formatter)
    ("status", "status", str), ("best_val_loss", "best val loss", fmt.metric),
    ("best_val_acc", "best val acc", fmt.metric), ("test_accuracy", "test accuracy", fmt.metric),
    ("test_loss", "test loss", fmt.metric), ("best_epoch", "best epoch", str), ("epochs", "epochs", str),
    ("seconds", "seconds", fmt.seconds),
]  # a run's message (why it failed or diverged) is a note under its row, not a column


def rank(row):
    """Sort key: usable runs first, by best validation loss, else by test accuracy (higher first)."""
    unusable = row.get("status") in ("failed", "diverged")
    loss = row.get("best_val_loss")
    return (unusable, loss is None, loss if loss is not None else -(row.get("test_accuracy") or 0))


def write_compare_page(path, title, intro, keys, rows, curves):
    """Write the page (``compare_html``) to ``path``."""
    files.write_text(path, compare_html(title, intro, keys, rows, curves))


def compare_html(title, intro, keys, rows, curves):
    """The page's HTML text.

    ``keys``: the config keys that differ between the runs (columns);
    ``rows``: one dict per run ('run', each key's value, and METRIC_COLUMNS' keys, any may be missing);
    ``curves``: {run: {"epoch", "train_loss", "val_loss", "train_acc", "val_acc"}} of the runs that have them.
    """
    rows = sorted(rows, key=rank)
    best = rows[0]["run"] if rows and not rank(rows[0])[0] and rows[0].get("test_accuracy") is not None else None
    drawn = [row["run"] for row in rows if row["run"] in curves][:MAX_DRAWN]
    colors = dict(zip(drawn, figures.run_colors(len(drawn))))
    parts = [f"<header><h1>{esc(title)}</h1><p class=\"meta\">{esc(intro)}</p></header>"]
    if best:
        parts.append(banner("ok", f"<strong>Best run</strong>: {esc(best)} ({_score(rows[0])})"))
    parts.append(_table(keys, rows, best, colors))
    if drawn:
        subset = {run: curves[run] for run in drawn}
        note = f"<p>The {len(drawn)} best of {len(curves)} runs are drawn.</p>" if len(drawn) < len(curves) else ""
        loss, acc = (figures.inline_svg(figures.save(figures.overlay(subset, m, list(colors.values()), legend=False)),
                                        f"c{i}") for i, m in enumerate(("loss", "acc")))
        parts.append(f"<h2>Curves</h2>{note}<p class=\"meta\">Solid: train; dashed: validation; "
                     "colours as in the table.</p>")
        parts.append('<div class="columns">' + figure(loss) + figure(acc) + "</div>")
    else:
        parts.append("<p>No run has a history to draw.</p>")
    return document(title, "\n".join(parts))


def _score(row):
    if row.get("best_val_loss") is not None:
        return f"best validation loss {fmt.metric(row['best_val_loss'])}"
    return f"test accuracy {fmt.metric(row['test_accuracy'])}"


def _table(keys, rows, best, colors):
    """One row per run: the run (linked to its report), the differing config keys (a column each, or
    when there are more than KEY_COLUMNS one column of 'key: value' lines, so the table fits the page),
    then the metrics."""
    if len(keys) > KEY_COLUMNS:
        rows = [{**row, CONFIG_CELL: [(key, row.get(key)) for key in keys]} for row in rows]
        keys = [CONFIG_CELL]
    columns = [(key, esc(key).replace(".", ".<wbr>"), fmt.value) for key in keys] + METRIC_COLUMNS
    columns = [c for c in columns if any(row.get(c[0]) not in (None, "") for row in rows)]  # no empty columns
    columns = [(key, heading, _key_values if key == CONFIG_CELL else format_) for key, heading, format_ in columns]
    header = ["run"] + [heading for _, heading, _ in columns]
    labels = [""] + [key if key in keys else heading for key, heading, _ in columns]
    body = []
    for row in rows:
        swatch = f'<span class="swatch" style="background:{colors[row["run"]]}"></span>' if row["run"] in colors else ""
        badge = '<span class="badge">best</span>' if row["run"] == best else ""
        name = esc(row["run"])
        if row.get("report"):  # a relative link to the run's report.html (works from file://)
            name = f'<a href="{esc(row["report"])}">{name}</a>'
        cells = [f"{swatch}{name}{badge}"]
        cells += ["" if row.get(key) in (None, "") else format_(row[key]) if key == CONFIG_CELL else esc(format_(row[key]))
                  for key, _, format_ in columns]

        body.append(cells)
        if row.get("message"):
            body.append(esc(row["message"]))
    numeric = {i + 1 for i, (key, _, _) in enumerate(columns) if key not in ("status", "message") and key not in keys}
    classes = [("best" if row["run"] == best else "") for row in rows for _ in range(2 if row.get("message") else 1)]
    return table(header, body, numeric=numeric, row_classes=classes, cls="runs", labels=labels)


def _key_values(pairs):
    """The config cell: one 'key: value' line per differing key (HTML)."""
    return "<br>".join(f'<span class="key">{esc(key)}:</span> {esc(fmt.value(value))}' for key, value in pairs)


def report_link(page_dir, run_dir):
    """The href from a page in ``page_dir`` to ``run_dir``'s report.html: relative and percent-encoded
    (a run named 'a#1 b' still opens from file://); an absolute file:// URI when ``page_dir`` is None
    (a page written to standard output); None when the run has no report.html."""
    import os
    from pathlib import Path
    from urllib.parse import quote

    report = Path(run_dir) / "report.html"
    if not report.is_file():
        return None
    if page_dir is None:
        return Path(os.path.abspath(report)).as_uri()
    relative = os.path.relpath(Path(os.path.abspath(report)), os.path.abspath(page_dir))
    return quote(Path(relative).as_posix())
