"""Bounded file reads and atomic file writes: a reader (or a SIGKILL) never sees half a file.

Each write goes to a temporary file in the same folder and is renamed over the
target, which POSIX makes atomic.  The temporary file is created exclusively
(O_EXCL) under an unpredictable name, and the rename replaces a link at the
target rather than following it, so nothing planted in the folder is written through.  No fsync: the goal is surviving a killed
process, not a power cut, and fsync would cost milliseconds per checkpoint.  A write that fails (full disk,
read-only folder, permission denied) raises FileWriteError naming the user's
path, and removes its temporary file.
"""
import contextlib
import functools
import io
import os
import stat
import sys
from pathlib import Path

from .errors import FileWriteError


def open_input(path, error, what, max_bytes):
    """``path`` opened for binary reading, refused unless it is a regular file of at most ``max_bytes``.

    Opened non-blocking and checked on the open descriptor, so a FIFO cannot make
    us wait for a writer and a device such as /dev/zero is refused before any read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except OSError as e:
        raise error(f"{path}: cannot be read ({e.strerror})") from None
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise error(f"{path}: is a folder, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise error(f"{path}: is not a regular file (a device, FIFO or socket), not a {what}")
    if info.st_size > max_bytes:
        os.close(fd)
        raise error(f"{path}: {info.st_size:,} bytes, more than the {max_bytes:,} a {what} may have")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_text(path, error, what, max_bytes):
    """The UTF-8 text of ``path``, or ``error(message)`` naming the file and what is wrong with it."""
    with open_input(path, error, what, max_bytes) as f:
        try:
            data = f.read(max_bytes + 1)
        except OSError as e:
            raise error(f"{path}: cannot be read ({e.strerror})") from None
    if len(data) > max_bytes:  # grew since it was checked
        raise error(f"{path}: more than the {max_bytes:,} bytes a {what} may have")
    try:
        return data.decode("utf-8-sig")  # a byte-order mark is not part of the text
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None


def write_bytes(path, data, replace=True):
    """Write ``data`` to ``path`` whole or not at all; FileWriteError naming ``path`` (never the temporary file).

    With ``replace=False`` an existing ``path`` is left alone and FileExistsError raised (a hard link
    creates the name only if it is free, atomically; where links are refused, a check then a rename).
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileWriteError(f"{path}: the folder {path.parent} does not exist")
    tmp = None
    try:
        tmp, fd = _new_temporary(path)
        with open(fd, "wb") as f:
            f.write(data)
        if replace:
            _replace(tmp, path)
        else:
            _create(tmp, path)
    except BaseException as e:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        if isinstance(e, FileExistsError):
            raise
        if isinstance(e, OSError):
            raise FileWriteError(f"{path}: cannot be written ({e.strerror or e})") from None
        raise


def _new_temporary(path):
    """(name, descriptor) of a new temporary file beside ``path``, created exclusively under an unpredictable
    name: O_EXCL never opens what is already there, so a link planted in the folder is never written through."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(100):
        tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:  # 2**-48 by chance, or something planted: another name
            if attempt == 99:
                raise


def open_append(path):
    """``path`` opened for appending text without following a symbolic link (OSError ELOOP for one)."""
    flags = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return open(path, "a", encoding="utf-8", opener=lambda name, mode: os.open(name, mode | flags, 0o666))


def make_folder(path):
    """``mkdir -p path``, or FileWriteError naming it (a dangling symbolic link is said to be one)."""
    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise FileWriteError(f"{path}: is a symbolic link to {os.readlink(path)}, which does not exist; "
                             "create its target or choose another folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise FileWriteError(f"{path}: cannot create this folder ({e.strerror or e})") from None


def _create(tmp, path):
    """``tmp`` renamed to ``path`` only if no ``path`` exists (FileExistsError otherwise)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _replace(tmp, path):
    """``os.replace(tmp, path)``; on Linux, when ``path`` exists, by swapping the two names then unlinking
    ``tmp`` (the old file now). ext4 writes a file renamed over another to disk at once (auto_da_alloc),
    1–5 ms for a small checkpoint; a swap (renameat2 RENAME_EXCHANGE) is atomic too and costs ~0.1 ms.
    """
    renameat2 = _renameat2()
    if renameat2 is not None and _is_file(path) and renameat2(-100, os.fsencode(tmp), -100, os.fsencode(path), 2) == 0:
        os.unlink(tmp)  # AT_FDCWD = -100, RENAME_EXCHANGE = 2
        return
    os.replace(tmp, path)  # no such target yet, or no renameat2 here: the portable way


def _is_file(path):
    """True for a regular file (not a link): the swap would also move a folder or a link aside."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


@functools.cache
def _renameat2():
    """libc's renameat2 on Linux (glibc >= 2.28), else None; loaded on first use (ctypes takes ~5 ms)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def write_text(path, text):
    write_bytes(path, text.encode("utf-8"))


def write_npz(path, arrays):
    """Save a dict of arrays as an uncompressed .npz, atomically, at exactly ``path``.

    np.savez dates every zip entry 1980-01-01, so identical arrays give identical bytes.
    """
    import numpy as np  # here: reading a config (files.read_text) imports no numpy

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes(path, buffer.getvalue())
