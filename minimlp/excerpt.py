"""Values in messages: as the user wrote them when short, cut and described when long.

A YAML alias can expand a few bytes into a huge value; a message shows at most
SHOW_LIMIT characters of it, and the work is bounded by that, not by the value.
"""
import json

SHOW_LIMIT = 80  # characters of a value shown in a message


def show(value, limit=SHOW_LIMIT):
    """A value as the user wrote it in YAML: true, null, "text", [1, 2].

    A long value (a YAML alias can expand to a huge one) is cut to ``limit``
    characters and described (type and size); the work is bounded by ``limit``,
    not by the value's size.
    """
    pieces, budget = [], [limit + 1]
    _emit(value, pieces, budget, depth=0)
    text = "".join(pieces)
    if budget[0] > 0:
        return text
    return f"{text[:limit]}... ({describe(value)})"


def _emit(value, pieces, budget, depth):
    """Append ``value``'s JSON-like text to ``pieces`` until ``budget[0]`` characters are spent."""
    if budget[0] <= 0:
        return
    if isinstance(value, dict) or isinstance(value, (list, tuple)):
        is_dict = isinstance(value, dict)
        _put("{" if is_dict else "[", pieces, budget)
        for n, item in enumerate(value.items() if is_dict else value):
            if budget[0] <= 0 or depth > SHOW_LIMIT:
                _put("...", pieces, budget)
                return
            _put(", " if n else "", pieces, budget)
            if is_dict:
                _put(_scalar(str(item[0]), budget[0]) + ": ", pieces, budget)
            _emit(item[1] if is_dict else item, pieces, budget, depth + 1)
        _put("}" if is_dict else "]", pieces, budget)
    else:
        _put(_scalar(value, budget[0]), pieces, budget)


def _scalar(value, budget):
    if isinstance(value, str):
        value = value[:budget]  # only what can be shown is encoded
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)[:budget + 1]


def _put(text, pieces, budget):
    pieces.append(text)
    budget[0] -= len(text)


def clip(text, limit=SHOW_LIMIT):
    """``text`` (a key path) cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def describe(value):
    """'a list of 59,049 items', 'a mapping of 3 keys', 'a string of 130,000 characters', 'a number'."""
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value):,} items"
    if isinstance(value, dict):
        return f"a mapping of {len(value):,} keys"
    if isinstance(value, str):
        return f"a string of {len(value):,} characters"
    return f"a {kind(value)}"


def kind(value):
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), type(value).__name__)
