"""The ``minimlp`` command: Click wiring over the Python API (one module per group of commands).

The one place that prints, and that turns minimlp's errors into a message and
exit code 2 (bad input), 1 (a run that failed), 130/143 (interrupted).
"""
from pathlib import Path

import click

from .. import __version__
from ..errors import MinimlpError

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


class InputError(click.ClickException):
    exit_code = 2


class MinimlpGroup(click.Group):
    """Turns MinimlpError into 'Error: <message>' and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MinimlpError as e:
            raise InputError(str(e)) from None
        except OSError as e:
            raise click.ClickException(f"{e.filename or ''}: {e.strerror or e}") from None
        except MemoryError:
            raise click.ClickException("not enough memory: the data (data.params) or the network "
                                       "(model.hidden) is too large for this machine") from None


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
