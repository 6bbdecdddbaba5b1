"""The ``minimlp`` executable: signal handlers first, then the Click group.

Until training starts (``StopOnSignal`` in train.py takes over), Ctrl-C or
SIGTERM raises ``Interrupted`` wherever the program is (start-up, reading a
config, loading data), so it ends at once with 130 / 143 and a message, not
Click's 'Aborted!' and exit 1.  Python's defaults apply only for the few
milliseconds before this module runs.
"""
import os
import sys

from ..errors import Interrupted

try:  # the C module under ``signal``: the same handlers, without the 8 ms of enum and functools that
    import _signal as signal  # ``signal``'s Signals/Handlers enums import (--version takes 20 ms in all)
except ImportError:  # an interpreter without it
    import signal

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def raise_interrupted(signum, frame):
    raise Interrupted(signum)


def install():
    for signum in SIGNALS:
        signal.signal(signum, raise_interrupted)


def _utf8(stream):
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def run():
    try:
        _run()
    except SystemExit as e:
        leave(e.code)
        raise
    leave(0)


def leave(code):
    """End the process once its work is out: flush the streams, run atexit's handlers, ``os._exit``.

    Python's own teardown then frees every module numpy and Click brought, one by one: 25 ms of
    each command that nobody waits for. Files are closed and locks are ``flock``s, which the
    kernel releases. Returns (and Python ends as usual) while another thread runs or when a
    stream cannot be flushed, where streams.py's handling of a closed reader applies."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    if code is not None and not isinstance(code, int):  # sys.exit("message"): Python prints it, status 1
        print(code, file=sys.stderr)
        code = 1
    import atexit

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)


def _run():
    install()
    try:
        if sys.stdout is None or not _utf8(sys.stdout) or not _utf8(sys.stderr):  # else nothing to prepare
            from .streams import prepare

            if not prepare():  # standard output closed: one line on stderr, before any work
                sys.exit(1)
        from .fast import answer

        if answer(sys.argv[1:]):
            return
        from ..report.mpl import OWN_PROCESS_ENV

        os.environ[OWN_PROCESS_ENV] = "1"  # this process and its children are minimlp's (report/mpl.py)
        from .group import main

        main(prog_name="minimlp")
    except BrokenPipeError:  # a reader that stopped early (``minimlp --version | true``)
        from .streams import exit_on_broken_pipe

        exit_on_broken_pipe()
    except OSError as e:  # standard output failed in the fast path (a full disk): one line, exit 1
        from .streams import silence_stdout

        silence_stdout()
        print(f"Error: standard output cannot be written ({e.strerror or e}); the output is incomplete",
              file=sys.stderr)
        sys.exit(1)
    except Interrupted as e:
        from signal import Signals

        print(f"\ninterrupted ({Signals(e.signum).name}) before anything was written", file=sys.stderr)
        sys.exit(128 + e.signum)
