"""One writer per run folder: an OS lock on a file inside it, and the folder's proof of ownership.

``fcntl.flock`` on ``.minimlp.lock``: the kernel releases it when the holder
exits or is killed (even by SIGKILL), so a stale lock never blocks a resume,
and a second writer (train, --resume, a sweep's run) is refused at once.  The
lock file is the first thing minimlp writes into a run folder, so its presence
also marks the folder as minimlp's own.  On systems without ``fcntl``
(Windows) there is no lock.
"""
import os
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
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise FileWriteError(f"{folder}: cannot create its lock file {self.path.name} ({e.strerror})") from None
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


def _holder(fd):
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {text})" if text.isdigit() else ""


def is_minimlp_folder(folder):
    """True when minimlp made ``folder``: its lock file, or (runs from before locks) config.yaml and a checkpoint."""
    folder = Path(folder)
    return (folder / LOCK_NAME).is_file() or all((folder / n).is_file() for n in ("config.yaml", "checkpoint.npz"))


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
    return ((folder / LOCK_NAME).is_file() and not (folder / "checkpoint.npz").exists()
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
