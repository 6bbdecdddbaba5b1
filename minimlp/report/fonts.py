"""Labels in any script the machine has fonts for: a fallback list of font families, and one note
(not a matplotlib warning per glyph) for characters no installed font can draw.

matplotlib (>= 3.6) draws each character with the first family in ``font.family``
that has it, so the figures use DejaVu Sans (matplotlib's own) and then whichever
of FALLBACKS are installed: Noto CJK (Debian: fonts-noto-cjk), WenQuanYi, IPA,
Noto's other scripts. A character none of them holds would make matplotlib warn
"Glyph ... missing" and draw a box; those warnings are silenced while drawing, and
the characters are collected in MISSING for the command to name once.
"""
import contextlib
import functools
import unicodedata
import warnings

FALLBACKS = ("DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK TC",
             "Noto Sans CJK KR", "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
             "IPAGothic", "IPAexGothic", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Devanagari",
             "Noto Sans Thai", "Noto Sans Symbols", "Noto Sans Symbols2")
MISSING = set()  # characters of figure texts that no family in ``families()`` can draw


def installed_families():
    from matplotlib import font_manager

    return {font.name for font in font_manager.fontManager.ttflist}


@functools.cache
def families():
    """FALLBACKS that are installed, in order (DejaVu Sans, matplotlib's own, at least)."""
    installed = installed_families()
    return [name for name in FALLBACKS if name in installed] or ["DejaVu Sans"]


@functools.cache
def _charmap(family):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    return frozenset(FT2Font(path).get_charmap())


def drawable(char):
    return any(ord(char) in _charmap(family) for family in families())


@contextlib.contextmanager
def quiet_glyphs(fig=None):
    """Draw (inside the block) without matplotlib's per-glyph warnings; then note what ``fig`` cannot show."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from (current )?font", category=UserWarning)
        yield
    if fig is not None:
        note_missing(fig)


def note_missing(fig):
    """Add to MISSING the characters of ``fig``'s texts that no installed fallback font holds."""
    from matplotlib.text import Text

    chars = {c for text in fig.findobj(Text) for c in text.get_text()}
    MISSING.update(c for c in chars if not c.isspace() and not unicodedata.category(c).startswith("C")
                   and not drawable(c))


def missing_note():
    """One line naming the characters the figures could not draw (then forgotten), or None."""
    if not MISSING:
        return None
    chars = sorted(MISSING)
    shown = " ".join(chars[:20]) + (" ..." if len(chars) > 20 else "")
    MISSING.clear()
    return (f"note: no font on this machine has {len(chars)} character(s) of the figures' labels ({shown}); "
            "they are drawn as boxes. Install a font that has them (Debian/Ubuntu: fonts-noto-cjk for "
            "Chinese, Japanese and Korean) and minimlp uses it")
