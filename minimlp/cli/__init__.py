"""The ``minimlp`` command: Click wiring over the Python API (one module per group of commands).

The one place that prints, and that turns minimlp's errors into a message and
exit code 2 (bad input), 1 (a run that failed, out of memory), 130/143 (interrupted;
see entry.py for the executable's signal handling). Importing this package is
free: the group (group.py) and each command's module load when used.
"""


def __getattr__(name):
    if name == "main":
        from .group import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
