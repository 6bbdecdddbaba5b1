"""Atomic file writes: a reader (or a SIGKILL) never sees half a file.

Each write goes to a temporary file in the same folder and is renamed over the
target, which POSIX makes atomic.  No fsync: the goal is surviving a killed
process, not a power cut, and fsync would cost milliseconds per checkpoint.
"""
import io
import os
from pathlib import Path

import numpy as np

from .errors import MinimlpError


def read_text(path, error, what):
    """The UTF-8 text of ``path``, or ``error(message)`` naming the file and what is wrong with it."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")  # a byte-order mark is not part of the text
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None
    except OSError as e:
        raise error(f"{path}: cannot be read ({e.strerror})") from None


def write_bytes(path, data):
    path = Path(path)
    if not path.parent.is_dir():
        raise MinimlpError(f"{path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path, text):
    write_bytes(path, text.encode("utf-8"))


def write_npz(path, arrays):
    """Save a dict of arrays as an uncompressed .npz, atomically, at exactly ``path``.

    np.savez dates every zip entry 1980-01-01, so identical arrays give identical bytes.
    """
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes(path, buffer.getvalue())
