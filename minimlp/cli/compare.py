"""Commands that put runs side by side: compare (an HTML page) and plot (one figure file)."""
from pathlib import Path

import click

from .group import EXISTING_DIR, InputError, main

PLOT_FORMATS = ("png", "svg", "pdf")


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=EXISTING_DIR)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("compare.html"),
              show_default=True, help="The HTML page to write.")
def compare(run_dirs, output):
    """Compare runs on one self-contained page: their loss and accuracy curves
    overlaid, the config keys that differ and the final metrics, best run marked.

    The best run has the lowest best validation loss (without validation: the
    highest test accuracy); diverged runs rank last.

    \b
    Examples:
      minimlp compare runs/iris-a runs/iris-b
      minimlp compare sweeps/moons/*/ -o moons.html
    """
    from ..report import write_compare_page
    from ..tools.compare import compare_runs

    keys, rows, curves = compare_runs(run_dirs)
    write_compare_page(output, f"minimlp compare: {len(rows)} runs",
                       "differing config keys: " + (", ".join(keys) or "none"), keys, rows, curves)
    click.echo(f"wrote {output}")


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=EXISTING_DIR)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write: .png, .svg or .pdf (the suffix chooses the format).")
def plot(run_dirs, output):
    """Overlay the loss curves of several runs (train solid, validation dashed).

    \b
    Examples:
      minimlp plot runs/a runs/b -o compare.png
      minimlp plot runs/a runs/b -o compare.pdf
    """
    from .. import files
    from ..report import figures
    from ..runs import read_curves

    kind = output.suffix.lower().lstrip(".")
    if kind not in PLOT_FORMATS:
        raise InputError(f"-o {output}: the suffix names the format; use .png, .svg or .pdf")
    curves = {str(run_dir): read_curves(run_dir) for run_dir in run_dirs}
    files.write_bytes(output, figures.save(figures.overlay(curves, "loss"), kind))
    click.echo(f"wrote {output}")
