"""Where a command's ``-o`` goes: a new file; an existing one only with --force; '-' for standard output.

Never into a run folder (one holding minimlp's lock, or any folder above the
file that is one) nor over an input, whatever --force says: both are compared
after resolving symbolic links and '..', so no spelling of a path gets round it.
"""
import os
from pathlib import Path

import click

from .group import InputError

STDOUT = "-"

force_option = click.option("--force", is_flag=True,
                            help="Replace OUTPUT if it exists (never a file in a run folder, nor an input).")


def output_option(**kwargs):
    """``-o/--output``: a file path, or '-' for standard output."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), **kwargs)


def is_stdout(output):
    return str(output) == STDOUT


def check_output(output, force, inputs=()):
    """InputError (exit 2) unless ``output`` may be written: see the module's docstring."""
    if is_stdout(output):
        return
    from ..runs.lock import is_minimlp_folder

    target = Path(os.path.realpath(output))
    for folder in target.parents:
        if is_minimlp_folder(folder):
            raise InputError(f"-o {output}: is inside the run folder {folder}; minimlp never writes there "
                             "(choose a path outside it)")
    for path in inputs:
        if Path(os.path.realpath(path)) == target:
            raise InputError(f"-o {output}: is the input {path}; choose another output file")
    if os.path.lexists(output) and not force:
        raise InputError(f"-o {output}: exists; minimlp does not replace a file it did not create "
                         "(add --force to replace it, or choose another name)")


def write_output(output, data, force):
    """``data`` (bytes) to ``output`` atomically, or to standard output for '-'; no replacing without ``force``."""
    from .. import files

    if is_stdout(output):
        import sys

        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        files.write_bytes(output, data, replace=force)
    except FileExistsError:  # appeared since check_output looked
        raise InputError(f"-o {output}: exists; minimlp does not replace a file it did not create "
                         "(add --force to replace it, or choose another name)") from None


def wrote(output, what):
    """'wrote ...' on stdout, or on stderr when stdout carries the output itself."""
    click.echo(f"wrote {what}", err=is_stdout(output))
