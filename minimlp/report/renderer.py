"""The run's curves and confusion matrix drawn by a helper process that starts with the run.

Importing matplotlib and setting up its fonts takes about 0.35 s, a third of a
``minimlp train`` process on a 5,000-row table. The helper does it on another
core while the run reads its data and trains; at the end it draws what it is
sent and answers with the SVG bytes, which the run writes itself. The helper
writes no file and takes no terminal signal (its own session); it exits when
its request pipe closes, so a run that ends, is interrupted or is killed
leaves no helper behind. Whatever goes wrong with it (it could not start, died,
answered something else, took too long), the run draws in its own process:
the same code, the same bytes. Only ``minimlp train`` starts one, in minimlp's own
process (a notebook or a sweep's worker draws in its process, matplotlib imported once).
"""
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path

from .mpl import OWN_PROCESS_ENV

TIMEOUT = 60  # seconds the run waits for its figures (a drawing takes a fraction of one) before drawing them itself
NAMES = ("loss", "accuracy", "confusion_matrix")


class Renderer:
    """A started helper, or none (``start`` could not or should not start one): ``draw`` then returns None."""

    def __init__(self, process=None):
        self.process = process

    @classmethod
    def start(cls):
        """A helper process when this is minimlp's own process and matplotlib is not loaded yet."""
        if os.environ.get(OWN_PROCESS_ENV) != "1" or "matplotlib.figure" in sys.modules:
            return cls()
        root = str(Path(__file__).resolve().parents[2])  # the folder this minimlp is imported from
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        flags = ["-P"] if sys.version_info >= (3, 11) else []  # not the working folder first on sys.path
        try:
            process = subprocess.Popen([sys.executable, *flags, "-c", "from minimlp.report.renderer import serve; serve()"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                       env=env, start_new_session=True, close_fds=True)
        except (OSError, ValueError):
            return cls()
        return cls(process)

    def draw(self, history, best_epoch, matrix, classes):
        """{name: SVG bytes} for the curves (with ``history``) and the confusion matrix (with ``classes``),
        or None: the caller draws them itself."""
        if self.process is None:
            return None
        request = pickle.dumps((list(history), best_epoch, matrix, classes), protocol=pickle.HIGHEST_PROTOCOL)
        process = self.process
        try:
            answer, _ = process.communicate(request, timeout=TIMEOUT)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            return None
        finally:
            self.close()
        drawn = _parse(answer) if process.returncode == 0 else None
        wanted = {*(("loss", "accuracy") if history else ()), *(("confusion_matrix",) if classes is not None else ())}
        return drawn if drawn is not None and set(drawn) == wanted else None

    def close(self):
        """Stop the helper (a run that ends without figures); it would also stop at its pipe's end."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _parse(answer):
    """The helper's framed answer: per figure, the name's and the bytes' lengths (big-endian), name, bytes."""
    drawn, at = {}, 0
    try:
        while at < len(answer):
            n, m = struct.unpack_from(">II", answer, at)
            at += 8
            name, data = answer[at:at + n].decode("ascii"), answer[at + n:at + n + m]
            at += n + m
            if name not in NAMES or len(data) != m or not data.startswith(b"<?xml") or at > len(answer):
                return None
            drawn[name] = data
    except (struct.error, UnicodeDecodeError):
        return None
    return drawn


def _warm_up(figures, classes):
    """Draw a small curve and matrix and throw them away: the fonts, glyph caches and tick machinery a
    first figure sets up (half its time) are then ready before the request comes."""
    from ..train.records import EpochRecord

    history = [EpochRecord(epoch, 1.0 / epoch, 0.5, 1.2 / epoch, 0.5, 0.1, 0.0) for epoch in (1, 2)]
    figures.curves(history, "loss", 1)
    classes.confusion([[1, 0], [0, 1]], ["a", "b"])


def serve():
    """The helper: import the figure machinery, then answer one request from standard input."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import classes, figures, mpl

    mpl.load()
    _warm_up(figures, classes)
    request = sys.stdin.buffer.read()
    if not request:
        return  # the run ended without asking
    history, best_epoch, matrix, labels = pickle.loads(request)  # from the run that started this process
    drawn = {}
    if history:
        drawn["loss"] = figures.curves(history, "loss", best_epoch)
        drawn["accuracy"] = figures.curves(history, "acc", best_epoch)
    if labels is not None:
        drawn["confusion_matrix"] = classes.confusion(matrix, labels)
    out = bytearray()
    for name, data in drawn.items():
        out += struct.pack(">II", len(name), len(data)) + name.encode("ascii") + data
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    os._exit(0)  # answered: the run reads to the end of the pipe, which the interpreter's teardown would delay
