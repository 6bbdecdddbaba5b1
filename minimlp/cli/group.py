"""The ``minimlp`` Click group: its commands, each imported only when it runs, and the error mapping.

``COMMANDS`` names each command's module, so ``minimlp train`` imports click
and cli/train.py, not every command's dependencies.
"""
from pathlib import Path

import click

from .. import __version__
from ..errors import MinimlpError, out_of_memory_message

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
EXISTING_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


class InputError(click.ClickException):
    exit_code = 2


# command -> the module of minimlp.cli that defines it
COMMANDS = {"bench": "tools", "compare": "compare", "config": "inspect", "datasets": "inspect", "evaluate": "inspect",
            "export": "export", "gradcheck": "tools", "lr-find": "lr_find", "plot": "compare", "predict": "inspect", "sweep": "tools", "train": "train"}


class MinimlpGroup(click.Group):
    """Loads a command's module when the command is asked for, and turns minimlp's errors into
    'Error: <message>' and an exit code, never a traceback: 2 for bad input (and a file that cannot
    be read or written), 1 for a run that failed after training started, and 1 with one message
    for running out of memory."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name in COMMANDS and name not in self.commands:
            import importlib

            importlib.import_module(f"minimlp.cli.{COMMANDS[name]}")  # registers its commands on main
        return self.commands.get(name)

    def resolve_command(self, ctx, args):
        if args and args[0] not in COMMANDS and not args[0].startswith("-"):
            for name in COMMANDS:  # an unknown name: every command registered, so Click's "Did you mean" sees all
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx):
        try:
            return self._invoke(ctx)
        finally:
            _glyph_note()

    def _invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MinimlpError as e:
            raise _exception(str(e), getattr(e, "exit_code", 2)) from None
        except BrokenPipeError:  # the reader stopped early: quietly, as Unix tools do (never "bad input")
            from .streams import exit_on_broken_pipe

            exit_on_broken_pipe()
        except OSError as e:  # a file problem no library code named: name the file we have
            where = f"{e.filename}: " if e.filename else ""
            raise InputError(f"{where}{e.strerror or e}") from None
        except MemoryError as e:
            raise click.ClickException(out_of_memory_message(e)) from None
        except Exception as e:
            from .streams import StreamClosed

            if isinstance(e, StreamClosed):  # exit 1: the output is incomplete; what is buffered goes nowhere
                from .streams import silence_stdout

                silence_stdout()
                raise click.ClickException(str(e)) from None
            raise


def _glyph_note():
    """Once per command: the characters its figures could not draw (report/fonts.py), on stderr."""
    import sys

    fonts = sys.modules.get("minimlp.report.fonts")
    note = fonts.missing_note() if fonts is not None else None
    if note:
        try:
            click.echo(note, err=True)
        except OSError:
            pass


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
    from .streams import install_checked, prepare

    if not prepare():
        raise SystemExit(1)
    install_checked()


overrides_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE",
    help="Override a config key, typed as YAML (repeatable), e.g. --set model.hidden=[64,64].",
)

