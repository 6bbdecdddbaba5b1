"""Standard output as Unix tools treat it: a reader that stopped early, a closed stream, a narrow encoding.

- A broken pipe (``minimlp datasets | head -1``) stops the command quietly with
  exit 141 (128 + SIGPIPE, what a shell reports for a tool the signal ended);
  ``train`` instead goes on without its progress and ends as the run does.
- Standard output closed before minimlp started (``minimlp ... >&-``): one line
  on stderr and exit 1, before any work.
- A terminal whose encoding lacks a character minimlp prints (``…`` on Latin-1)
  gets an ASCII stand-in (``...``) instead of a UnicodeEncodeError.
- Bytes written to standard output (``-o -``) are written whole or reported:
  a short write is exit 1 naming what was lost, never "wrote ..." and exit 0.
"""
import codecs
import os
import sys

SIGPIPE_EXIT = 141
ERRORS = "minimlp-ascii"
ASCII = {"…": "...", "×": "x", "→": "->", "←": "<-", "—": "--", "–": "-", "≥": ">=", "≤": "<=", "±": "+/-",
         "·": ".", "²": "^2", "‖": "||", "Σ": "sum", "≈": "~", "’": "'", "‘": "'", "“": '"', "”": '"'}


class StreamClosed(Exception):
    """Standard output cannot take what minimlp writes (closed, full, size-capped): exit 1, one line."""


def _stand_in(error):
    """codecs error handler: ASCII stand-ins for minimlp's own characters, escapes for anything else."""
    text = error.object[error.start:error.end]
    return "".join(ASCII.get(c) or c.encode("ascii", "backslashreplace").decode() for c in text), error.end


def prepare():
    """Make sys.stdout/sys.stderr safe to print to; return False (after one line on stderr) if stdout is closed."""
    if sys.stdout is None:  # Python found fd 1 closed at start-up
        if sys.stderr is not None:
            sys.stderr.write("minimlp: standard output is closed, so nothing can be printed; "
                             "give the command an output (e.g. > /dev/null)\n")
        return False
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, _stand_in)
    for stream in (sys.stdout, sys.stderr):
        _fall_back_to_ascii(stream)
    return True


def _fall_back_to_ascii(stream):
    encoding = getattr(stream, "encoding", None) or "ascii"
    if stream is None or codecs.lookup(encoding).name == "utf-8" or getattr(stream, "errors", None) == ERRORS:
        return
    try:
        stream.reconfigure(errors=ERRORS)
    except (AttributeError, ValueError, OSError):  # not a TextIOWrapper (a test runner's stream)
        pass


def silence_stdout():
    """Point fd 1 at /dev/null so that Python's final flush of a broken pipe prints nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def exit_on_broken_pipe():
    """Stop now, quietly, as a tool killed by SIGPIPE does (exit 141)."""
    silence_stdout()
    sys.exit(SIGPIPE_EXIT)


class _Wrapper:
    """A text stream standing in for sys.stdout; everything but write and flush goes to the real one."""

    def __init__(self, stream):
        self._stream = stream

    def __getattr__(self, name):
        return getattr(self._stream, name)


class Checked(_Wrapper):
    """``sys.stdout`` for every command: a write that fails (a full disk, a size-capped file, a closed
    descriptor) is StreamClosed (exit 1, one line), never "bad input"; a broken pipe stays BrokenPipeError."""

    def write(self, text):
        if isinstance(text, str) and not text:  # Click probes a stream with write(""): not a write
            return 0
        return self._checked(self._stream.write, text)

    def flush(self):
        return self._checked(self._stream.flush)

    def _checked(self, operation, *args):
        try:
            return operation(*args)
        except BrokenPipeError:
            raise
        except OSError as e:  # the command's error handling silences stdout (silence_stdout) and exits 1
            raise StreamClosed(f"standard output cannot be written ({e.strerror or e}); "
                               "the output is incomplete") from None


class KeepGoing(_Wrapper):
    """``sys.stdout`` for ``train``: once the reader has gone (broken pipe) or the stream fails, output is
    dropped and the run goes on; ``error`` keeps a failure that was not a reader stopping early."""

    def __init__(self, stream):
        super().__init__(stream)
        self.gone, self.error = False, None

    def write(self, text):
        if not self.gone:
            try:
                return self._stream.write(text)
            except (BrokenPipeError, StreamClosed, OSError) as e:
                self._lose(e)
        return len(text)

    def flush(self):
        if not self.gone:
            try:
                self._stream.flush()
            except (BrokenPipeError, StreamClosed, OSError) as e:
                self._lose(e)

    def _lose(self, error):
        self.gone = True
        if not isinstance(error, BrokenPipeError):
            self.error = str(error) if isinstance(error, StreamClosed) else \
                f"standard output cannot be written ({getattr(error, 'strerror', None) or error})"
        if _fileno(self._stream) == 1:
            silence_stdout()


def install_checked():
    """Put Checked round sys.stdout (once)."""
    if sys.stdout is not None and not isinstance(sys.stdout, _Wrapper):
        sys.stdout = Checked(sys.stdout)


def _fileno(stream):
    try:
        return stream.fileno()
    except (AttributeError, ValueError, OSError):
        return None


def write_all(data):
    """``data`` (bytes) to standard output, every byte checked: BrokenPipeError for a reader that stopped,
    StreamClosed (exit 1) for any other stream that did not take it all."""
    sys.stdout.flush()
    buffer = sys.stdout.buffer
    buffer.flush()
    fd = _fileno(buffer)
    if fd is None:  # a test runner's in-memory stream
        buffer.write(data)
        buffer.flush()
        return
    write_all_to(fd, data, "standard output")


def write_all_to(fd, data, name):
    """Every byte of ``data`` to the descriptor ``fd``, or StreamClosed saying how much ``name`` took."""
    view, done = memoryview(data), 0
    while done < len(data):
        try:
            written = os.write(fd, view[done:done + (1 << 20)])
        except BrokenPipeError:
            raise
        except OSError as e:
            raise StreamClosed(f"{name} took {done:,} of {len(data):,} bytes ({e.strerror}); "
                               "the output is incomplete") from None
        if written == 0:
            raise StreamClosed(f"{name} took {done:,} of {len(data):,} bytes; the output is incomplete")
        done += written
