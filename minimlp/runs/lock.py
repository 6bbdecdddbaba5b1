"""One writer per run folder: an OS lock on a file inside it, and the folder's proof of ownership.

``fcntl.flock`` on ``.minimlp.lock``: the kernel releases it when the holder
exits or is killed (even by SIGKILL), so a stale lock never blocks a resume,
and a second writer (train, --resume, a sweep's run) is refused at once.  The
lock file is the first thing minimlp writes into a run folder, so its presence
also marks the folder as minimlp's own.  On systems without ``fcntl``
(Windows) there is no lock.  The lock file is opened without following a
symbolic link and must be a regular file with one name: a link planted at its
name (to make minimlp truncate another file) is refused, naming it.
"""
import errno
import os
import stat
from pathlib import Path

from ..errors import FileWriteError, RunFolderError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_NAME = ".minimlp.lock"
SWEEP_LOCK_NAME = ".minimlp-sweep.lock"


class FolderLock:
    """``with FolderLock(folder):`` holds the folder's lock, or raises RunFolderError naming it."""

    def __init__(self, folder, name=LOCK_NAME, what="run folder"):
        self.path, self.what, self.fd = Path(folder) / name, what, None

    def __enter__(self):
        folder = self.path.parent
        flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as e:
            if e.errno == errno.ELOOP or os.path.islink(self.path):
                raise RunFolderError(_tampered(self.path, self.what, "a symbolic link")) from None
            raise FileWriteError(f"{folder}: cannot create its lock file {self.path.name} ({e.strerror})") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            os.close(fd)
            what = "a hard link to another file" if stat.S_ISREG(info.st_mode) else "not a regular file"
            raise RunFolderError(_tampered(self.path, self.what, what))
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # BlockingIOError: another process holds it
                holder = _holder(fd)
                os.close(fd)
                raise RunFolderError(f"{folder}: another minimlp process{holder} is writing this {self.what}; "
                                     "wait for it to finish, or stop it first") from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass  # the pid is a courtesy for the message above, not part of the lock
        self.fd = fd
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)  # releases the lock; the file stays as the ownership mark
            self.fd = None


def _tampered(path, what, found):
    return (f"{path}: is {found}, which minimlp never makes; this {what} has been tampered with, so minimlp "
            "writes nothing in it (remove that name if you trust the folder)")


def _is_regular(path):
    """A regular file at ``path`` itself (a symbolic link there, even to a file, is not)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _holder(fd):
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {text})" if text.isdigit() else ""


def is_minimlp_folder(folder):
    """True when minimlp made ``folder``: its lock file, or (runs from before locks) config.yaml and a checkpoint."""
    folder = Path(folder)
    return _is_regular(folder / LOCK_NAME) or all(_is_regular(folder / n) for n in ("config.yaml", "checkpoint.npz"))


def check_new_run_dir(path, config=None):
    """RunFolderError unless ``path`` may become a new run folder: absent, or an empty folder.

    With ``config`` (a sweep re-running one of its own runs), also a folder minimlp
    made for the same config that holds no checkpoint yet (killed before its first one).
    """
    path = Path(path)
    if path.is_symlink() and not path.exists():
        raise RunFolderError(f"{path}: is a symbolic link to {os.readlink(path)}, which does not exist; "
                             "create its target or choose another folder")
    if not path.exists() or (path.is_dir() and not any(path.iterdir())):
        return
    if config is not None and is_own_unstarted_run(path, config):
        return
    raise RunFolderError(f"{path}: already exists and is not an empty folder, and minimlp did not make it for "
                         "this run; choose a new folder (or --resume a run); nothing in it was changed")


def is_own_unstarted_run(folder, config):
    """A folder minimlp made for ``config`` whose run never reached its first checkpoint."""
    folder = Path(folder)
    return (_is_regular(folder / LOCK_NAME) and not os.path.lexists(folder / "checkpoint.npz")
            and (not (folder / "config.yaml").exists() or same_config(folder, config)))


def same_config(folder, config):
    """True when ``folder``'s config.yaml is ``config`` (ConfigError if it is damaged)."""
    from .readback import read_config

    return (Path(folder) / "config.yaml").is_file() and read_config(folder) == config


def check_new_run_dir_locked(path, config=None):
    """``check_new_run_dir`` once the lock is held: nothing but the lock file (another process may
    have written the folder between the first check and the lock)."""
    if any(entry.name != LOCK_NAME for entry in Path(path).iterdir()):
        if config is None or not is_own_unstarted_run(path, config):
            raise RunFolderError(f"{path}: another minimlp process wrote this folder meanwhile; "
                                 "choose a new folder; nothing in it was changed")
