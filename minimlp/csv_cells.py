"""Cells a spreadsheet will not evaluate: the OWASP CSV-injection rule.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by Excel, LibreOffice and Google Sheets; a leading ``'``
makes it text. A plain number such as ``-1``, ``+2.5`` or ``-1e-3`` is a number,
not a formula, and is left as it is.
"""
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(text):
    """``text``, prefixed with ``'`` when a spreadsheet would evaluate it."""
    text = str(text)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text
