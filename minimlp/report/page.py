"""The HTML shell every minimlp page shares: one stylesheet, tables, banners, figures.

Pages are self-contained (no network, no script) and responsive: the content
is at most 1180 px wide, figures scale to their column, wide tables scroll
inside their own box, so nothing scrolls the page sideways on a 420 px phone.
"""
import html

from .. import __version__

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1180px; padding: 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: .2rem 0 .4rem; }
.meta { color: var(--muted); font-size: .9rem; margin: 0; overflow-wrap: anywhere; }
.banner { border-left: 5px solid; border-radius: 6px; padding: .7rem 1rem; margin: 1rem 0; overflow-wrap: anywhere; }
.banner.ok { background: #dafbe1; border-color: #1a7f37; }
.banner.warn { background: #fff8c5; border-color: #9a6700; }
.banner.bad { background: #ffebe9; border-color: #cf222e; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: .7rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .55rem .8rem; }
.card .k { color: var(--muted); font-size: .8rem; }
.card .v { font-size: 1.35rem; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); gap: 1rem 2rem;
           align-items: start; }
.columns > * { min-width: 0; }
figure { margin: 0; min-width: 0; }
figure svg, figure img { display: block; width: 100%; height: auto; }
figure.square { max-width: 44rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .65rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; background: var(--soft); white-space: nowrap; }
.num { text-align: right; }
.nowrap { white-space: nowrap; }
tr.note td { color: #cf222e; font-size: .85rem; padding-top: 0; }
tr:has(+ tr.note) td { border-bottom: none; }
tr.best td { background: #dafbe1; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .45rem; border-radius: 1rem; background: #1a7f37;
         color: #fff; margin-left: .35rem; }
.swatch { display: inline-block; width: .85em; height: .85em; border-radius: 2px; margin-right: .45em;
          vertical-align: -.05em; }
.sub { color: var(--muted); font-size: .8rem; }
table.fit th { white-space: normal; }
table.names td:first-child { overflow-wrap: anywhere; }
/* compare / sweep: one row per run. Headings and values wrap so the table fits the page; when it
   still cannot (many differing keys), it scrolls inside its own box with the run column fixed;
   on a phone each run becomes a block of "heading: value" lines. */
table.runs { width: 100%; }
table.runs th { white-space: normal; }
table.runs td { overflow-wrap: break-word; }
table.runs td.num { white-space: nowrap; }
table.runs td[data-label="differing config"] { overflow-wrap: anywhere; min-width: 16rem; font-size: .85rem; }
table.runs .key { color: var(--muted); }
table.runs tr > :first-child { position: sticky; left: 0; z-index: 1; background: #fff; min-width: 8rem;
                               overflow-wrap: anywhere; }
table.runs tr > th:first-child { background: var(--soft); }
table.runs tr.best > td { background: #dafbe1; }
table.runs tr.note > td { position: static; }
pre { background: var(--soft); padding: .8rem 1rem; overflow-x: auto; border-radius: 6px; font-size: .85rem; }
details > summary { cursor: pointer; color: var(--muted); margin: .5rem 0; }
@media (max-width: 600px) {
  body { padding: .8rem; font-size: 14px; }
  th, td { padding: .25rem .4rem; }
  .card .v { font-size: 1.15rem; }
}
@media (max-width: 700px) {
  table.runs, table.runs tbody, table.runs tr, table.runs td { display: block; }
  table.runs tr.head { display: none; }
  table.runs tr { border-bottom: 1px solid var(--line); padding: .35rem 0; }
  table.runs td { border: none; padding: .05rem .4rem; text-align: left; }
  table.runs td.num { text-align: left; }
  table.runs tr > td:first-child { position: static; font-weight: 600; }
  table.runs tr.note > td { font-weight: normal; }
  table.runs td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  table.runs td[data-label="differing config"]::before { content: ""; }
  table.runs td[data-label="differing config"] { min-width: 0; }
  table.runs td:empty { display: none; }
  table.runs tr:has(+ tr.note) { border-bottom: none; }
}
footer { color: var(--muted); font-size: .8rem; margin-top: 2.5rem; }
"""


def esc(text):
    return html.escape(str(text))


def document(title, body):
    """A whole page: the viewport meta (phones lay it out at their width), the stylesheet, ``body``."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{CSS}</style></head><body>
{body}
<footer>made by minimlp {esc(__version__)}</footer>
</body></html>
"""


def table(header, rows, numeric=(), row_classes=None, cls="", labels=None):
    """A table in a horizontally scrolling box; ``rows`` hold HTML cells already escaped (a row that is
    a string is a note spanning the columns under the row before it). ``labels``: plain-text headings
    that each cell carries as data-label (shown before it where a narrow page stacks the cells)."""
    head = "".join(f'<th class="{"num" if i in numeric else ""}">{h}</th>' for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        if isinstance(row, str):  # a note under the previous row, across every column
            body.append(f'<tr class="note"><td colspan="{len(header)}">{row}</td></tr>')
            continue
        row_class = f' class="{row_classes[r]}"' if row_classes and row_classes[r] else ""
        cells = "".join(f'<td class="{"num" if i in numeric else ""}"{_label(labels, i)}>{c}</td>'
                        for i, c in enumerate(row))
        body.append(f"<tr{row_class}>{cells}</tr>")
    return f'<div class="scroll"><table class="{cls}"><tr class="head">{head}</tr>{"".join(body)}</table></div>'


def _label(labels, i):
    return f' data-label="{esc(labels[i])}"' if labels and labels[i] else ""


def key_values(pairs):
    """A two-column table of (label, HTML value)."""
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in pairs)
    return f'<div class="scroll"><table>{rows}</table></div>'


def banner(kind, html_text):
    return f'<div class="banner {kind}" role="status">{html_text}</div>'


def cards(pairs):
    """Headline numbers: (label, value) or (label, value, a short note under the value)."""
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{esc(k)}</div><div class="v">{esc(v)}</div>'
        + (f'<div class="sub">{esc(rest[0])}</div>' if rest else "") + "</div>" for k, v, *rest in pairs) + "</div>"


def figure(svg_element, cls=""):
    return f'<figure class="{cls}">{svg_element}</figure>'
