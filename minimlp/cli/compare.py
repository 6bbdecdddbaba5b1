"""Commands that put runs side by side: compare (an HTML page) and plot (one figure file)."""
from pathlib import Path

import click

from .group import EXISTING_DIR, InputError, main
from .output import check_output, force_option, is_stdout, output_option, write_output, wrote

PLOT_FORMATS = ("png", "svg", "pdf")


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=EXISTING_DIR)
@output_option(default=Path("compare.html"), show_default=True,
               help="The HTML page to write; '-' for standard output.")
@force_option
def compare(run_dirs, output, force):
    """Compare runs on one self-contained page: their loss and accuracy curves
    overlaid, the config keys that differ and the final metrics, best run marked.

    The best run has the lowest best validation loss (without validation: the
    highest test accuracy); diverged runs rank last.

    \b
    Examples:
      minimlp compare runs/iris-a runs/iris-b
      minimlp compare sweeps/moons/*/ -o moons.html
    """
    from ..report import compare_html
    from ..report.compare_page import report_link
    from ..tools.compare import compare_runs

    check_output(output, force)
    keys, rows, curves = compare_runs(run_dirs)
    page_dir = None if is_stdout(output) else Path(output).parent
    for row, run_dir in zip(rows, run_dirs):
        row["report"] = report_link(page_dir, run_dir)
    page = compare_html(f"minimlp compare: {len(rows)} runs",
                        "differing config keys: " + (", ".join(keys) or "none"), keys, rows, curves)
    write_output(output, page.encode("utf-8"), force)
    wrote(output, output)


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=EXISTING_DIR)
@output_option(required=True, help="The file to write: .png, .svg or .pdf (the suffix chooses the format); "
                                   "'-' for standard output, as PNG.")
@force_option
def plot(run_dirs, output, force):
    """Overlay the loss curves of several runs (train solid, validation dashed).

    \b
    Examples:
      minimlp plot runs/a runs/b -o compare.png
      minimlp plot runs/a runs/b -o compare.pdf
    """
    from ..report import figures
    from ..runs import read_curves

    kind = "png" if is_stdout(output) else output.suffix.lower().lstrip(".")
    if kind not in PLOT_FORMATS:
        raise InputError(f"-o {output}: the suffix names the format; use .png, .svg or .pdf")
    check_output(output, force)
    curves = {str(run_dir): read_curves(run_dir) for run_dir in run_dirs}
    write_output(output, figures.save(figures.overlay(curves, "loss"), kind), force)
    wrote(output, output)
