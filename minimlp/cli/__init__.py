"""The ``minimlp`` command: Click wiring over the Python API (one module per group of commands).

The one place that prints, and that turns minimlp's errors into a message and
exit code 2 (bad input), 1 (a run that failed, out of memory), 130/143 (interrupted;
see entry.py for the executable's signal handling).
"""
from pathlib import Path

import click

from .. import __version__
from ..errors import MinimlpError, out_of_memory_message

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


class InputError(click.ClickException):
    exit_code = 2


class MinimlpGroup(click.Group):
    """Turns minimlp's errors into 'Error: <message>' and an exit code, never a traceback:
    2 for bad input (and a file that cannot be read or written), 1 for a run that failed
    after training started, and 1 with one message for running out of memory."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MinimlpError as e:
            raise _exception(str(e), getattr(e, "exit_code", 2)) from None
        except OSError as e:  # a file problem no library code named: name the file we have
            where = f"{e.filename}: " if e.filename else ""
            raise InputError(f"{where}{e.strerror or e}") from None
        except MemoryError as e:
            raise click.ClickException(out_of_memory_message(e)) from None


def _exception(message, exit_code):
    error = click.ClickException(message)
    error.exit_code = exit_code
    return error


@click.group(cls=MinimlpGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="minimlp")
def main():
    """minimlp: train small MLPs from YAML configs, with a report you can trust.

    \b
    Examples:
      minimlp train                          # the default config (digits)
      minimlp train configs/moons.yaml --set optimizer.lr=0.05
      minimlp predict runs/iris-20261128-120000 flowers.csv -o predictions.csv
    """


overrides_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a config key, typed as YAML (repeatable), e.g. --set model.hidden=[64,64].",
)


from . import compare, inspect, tools, train  # noqa: E402,F401  (they register their commands on main)
