"""SVG written as text: escaping, the few elements the figures use, and a text width estimate.

The run's figures are built here rather than with matplotlib, whose import and
drawing cost half a second of every ``minimlp train``; a figure is a few
milliseconds of string formatting. Text stays text (the browser picks a font
for any script from the CSS list FONTS) and every string is escaped, so a
label can hold ``<``, ``&``, quotes or ``$`` as written. Nothing depends on
memory addresses or the clock: the same figure is the same bytes.
"""
import re
import unicodedata

FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
INK, MUTED, GRID = "#1f2328", "#57606a", "#d8dee4"
# Characters XML 1.0 forbids (controls other than tab/newline/return, lone surrogates, U+FFFE/FFFF):
# a label read from a table can hold them, and one would make the whole file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def esc(text):
    """``text`` safe inside an element or a double-quoted attribute."""
    text = _NOT_XML.sub("\ufffd", str(text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def num(value):
    """A coordinate: at most one decimal (a tenth of a pixel), no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def document(width, height, body):
    """The file: an XML prolog, then an ``<svg>`` of ``width`` × ``height`` px with a matching viewBox."""
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{num(width)}" height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" '
            f'font-family="{esc(FONTS)}" fill="{INK}">{"".join(body)}</svg>\n').encode("utf-8")


def text(x, y, content, size, anchor="start", cls=None, weight=None, fill=None, rotate=None, baseline=None):
    """A ``<text>``; ``rotate`` in degrees about (x, y); ``baseline`` 'middle' centres it on y."""
    attrs = [f'x="{num(x)}" y="{num(y)}" font-size="{num(size)}"']
    if anchor != "start":
        attrs.append(f'text-anchor="{anchor}"')
    for name, value in (("class", cls), ("font-weight", weight), ("fill", fill), ("dominant-baseline",
                                                                                    {"middle": "central"}.get(baseline))):
        if value:
            attrs.append(f'{name}="{value}"')
    if rotate:
        attrs.append(f'transform="rotate({num(rotate)} {num(x)} {num(y)})"')
    return f'<text {" ".join(attrs)}>{esc(content)}</text>'


def line(x1, y1, x2, y2, stroke, width=1, cls=None, dash=None):
    extra = (f' class="{cls}"' if cls else "") + (f' stroke-dasharray="{dash}"' if dash else "")
    return (f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" stroke="{stroke}" '
            f'stroke-width="{num(width)}"{extra}/>')


def char_width(char):
    """A character's advance in em, roughly, as DejaVu Sans draws it (among the widest sans-serif fonts,
    and Debian's default: a layout that fits it fits the others): wide scripts (CJK) 1, marks 0."""
    if unicodedata.east_asian_width(char) in "WF":
        return 1.0
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    for chars, width in ((" il.,:;'|!()[]Ij", 0.34), ("frt-\\\"", 0.42), ("cksvxyz", 0.57), ("mwMW…&<>+=%@", 0.92)):
        if char in chars:
            return width
    return 0.72 if char.isupper() else 0.63


def text_width(content, size):
    """How wide ``content`` is drawn at ``size`` px, estimated (the layout leaves room by it)."""
    return size * sum(char_width(c) for c in content)
