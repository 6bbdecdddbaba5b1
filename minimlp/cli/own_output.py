"""How ``-o`` recognises a file minimlp wrote: ``.minimlp-outputs``, one small index per output folder.

After writing ``-o PATH`` minimlp records, in ``.minimlp-outputs`` beside PATH,
the file's name, the command that wrote it and the SHA-256 of its bytes.  The
same command may then replace PATH without --force as long as its bytes are
still those (so a file a user has since edited, or one copied over it, is
refused like any other).  The output itself carries no marker: a CSV, PNG, PDF
or page is byte for byte what the command produced, and no extended attribute
or file-system feature is needed (those are lost on copy, and many file systems
lack them).  A damaged, foreign or oversized index is ignored (nothing is
recognised, so --force is needed) and never written over.
"""
import hashlib
import json
import os
import stat
from pathlib import Path

INDEX_NAME = ".minimlp-outputs"
FORMAT = "minimlp-outputs-1"
MAX_INDEX_BYTES = 1 << 20
MAX_ENTRIES = 1000  # the most recent outputs of one folder


def _read(folder):
    """The index's entries, or None when there is no index minimlp can use (absent, damaged, not its own)."""
    from .. import files
    from ..errors import MinimlpError

    path = Path(folder) / INDEX_NAME
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except FileNotFoundError:
        return {}
    except OSError:
        return None
    try:
        data = json.loads(files.read_text(path, MinimlpError, "outputs index", MAX_INDEX_BYTES))
    except (MinimlpError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        return None
    return {name: entry for name, entry in data["files"].items()
            if isinstance(entry, dict) and isinstance(entry.get("command"), str)
            and isinstance(entry.get("sha256"), str)}


def digest(path):
    """SHA-256 of the regular file at ``path`` (not following a link), or None if it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        h = hashlib.sha256()
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
        return h.hexdigest()


def wrote_it(path, command):
    """True when ``command`` wrote the regular file at ``path`` and nothing has changed it since."""
    path = Path(path)
    entries = _read(path.parent)
    entry = (entries or {}).get(path.name)
    return entry is not None and entry["command"] == command and entry["sha256"] == digest(path)


def record(path, command, data):
    """Note in the index that ``command`` wrote ``data`` to ``path``; quietly nothing if that is not possible."""
    from .. import files
    from ..errors import MinimlpError

    path = Path(path)
    entries = _read(path.parent)
    if entries is None:  # a file at the index's name that is not minimlp's: leave it alone
        return
    entries.pop(path.name, None)
    entries[path.name] = {"command": command, "sha256": hashlib.sha256(data).hexdigest()}
    while len(entries) > MAX_ENTRIES:
        entries.pop(next(iter(entries)))
    text = json.dumps({"format": FORMAT, "files": entries}, indent=1) + "\n"
    try:
        files.write_text(path.parent / INDEX_NAME, text)
    except (MinimlpError, OSError):  # the output is written; only its recognition is lost
        pass
