"""Where a command's ``-o`` goes: a new file; a regular file the same command wrote (see own_output.py)
or, with --force, any regular file; a character device or FIFO as a stream; '-' for standard output.

Never into a run folder (one holding minimlp's lock, or any folder above the
file that is one) nor over an input, whatever --force says: both are compared
after resolving symbolic links and '..', so no spelling of a path gets round it.
Only a regular file is ever replaced (atomically; a symbolic link to one keeps
pointing at the new file): a device or FIFO is written into, never turned into
a file, and a block device, socket or folder is refused, --force or not.
"""
import os
import stat
from pathlib import Path

import click

from .group import InputError

STDOUT = "-"
STDOUT_NAMES = (STDOUT, "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")

force_option = click.option("--force", is_flag=True,
                            help="Replace OUTPUT if it exists (never a file in a run folder, nor an input).")


def output_option(**kwargs):
    """``-o/--output``: a file path, or '-' for standard output."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), **kwargs)


def is_stdout(output):
    return str(output) in STDOUT_NAMES


def _command():
    ctx = click.get_current_context(silent=True)
    return ctx.command.name if ctx is not None and ctx.command is not None else "minimlp"


def _kind(output):
    """'new', 'regular', 'stream' (a character device or FIFO), or an InputError's message."""
    try:
        info = os.lstat(output)
    except FileNotFoundError:
        return "new"
    except OSError as e:
        return f"-o {output}: cannot be checked ({e.strerror})"
    if stat.S_ISLNK(info.st_mode):
        try:
            info = os.stat(output)
        except OSError:
            return f"-o {output}: is a symbolic link to {os.readlink(output)}, which does not exist"
    if stat.S_ISREG(info.st_mode):
        return "regular"
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        return "stream"
    what = "a folder" if stat.S_ISDIR(info.st_mode) else "a block device" if stat.S_ISBLK(info.st_mode) else \
        "a socket"
    return (f"-o {output}: is {what}; -o writes a regular file (replacing one only with --force), "
            "or into a character device or FIFO; nothing was written")


def _refused(output):
    return InputError(f"-o {output}: exists; minimlp does not replace a file it did not create, nor one another "
                      f"command wrote or that has changed since minimlp {_command()} wrote it "
                      "(add --force to replace it, or choose another name)")


def check_output(output, force, inputs=()):
    """InputError (exit 2) unless ``output`` may be written: see the module's docstring."""
    if is_stdout(output):
        return
    from ..runs.lock import is_minimlp_folder
    from .own_output import INDEX_NAME, wrote_it

    target = Path(os.path.realpath(output))
    for folder in target.parents:
        if is_minimlp_folder(folder):
            raise InputError(f"-o {output}: is inside the run folder {folder}; minimlp never writes there "
                             "(choose a path outside it)")
    for path in inputs:
        if Path(os.path.realpath(path)) == target:
            raise InputError(f"-o {output}: is the input {path}; choose another output file")
    if target.name == INDEX_NAME:
        raise InputError(f"-o {output}: is minimlp's index of its outputs; choose another name")
    kind = _kind(output)
    if kind not in ("new", "regular", "stream"):
        raise InputError(kind)
    if kind == "regular" and not force and not wrote_it(target, _command()):
        raise _refused(output)


def write_output(output, data, force):
    """``data`` (bytes) to ``output`` as check_output allowed: atomically for a file, checked for a stream."""
    from .. import files
    from .own_output import record, wrote_it
    from .streams import write_all

    if is_stdout(output):
        write_all(data)
        return
    kind = _kind(output)
    if kind == "stream":
        _write_stream(output, data)
        return
    if kind not in ("new", "regular"):
        raise InputError(kind)
    target = Path(os.path.realpath(output)) if kind == "regular" else Path(output)
    replace = kind == "regular" and (force or wrote_it(target, _command()))
    try:
        files.write_bytes(target, data, replace=replace)
    except FileExistsError:  # appeared since check_output looked
        raise _refused(output) from None
    record(target, _command(), data)


def _write_stream(output, data):
    """Into a character device or FIFO, every byte checked; a FIFO without a reader is refused, not waited on."""
    from .streams import StreamClosed, write_all_to

    try:
        fd = os.open(output, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise InputError(f"-o {output}: cannot be opened for writing ({e.strerror}); nothing was written") from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # changed since it was checked
            raise InputError(f"-o {output}: is no longer a device or FIFO; nothing was written")
        os.set_blocking(fd, True)
        try:
            write_all_to(fd, data, f"-o {output}")
        except BrokenPipeError:
            raise StreamClosed(f"-o {output}: the FIFO's reader stopped after part of the output") from None
    finally:
        os.close(fd)


def wrote(output, what):
    """'wrote ...' on stdout, or on stderr when stdout carries the output itself."""
    click.echo(f"wrote {what}", err=is_stdout(output))
