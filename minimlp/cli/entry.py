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
