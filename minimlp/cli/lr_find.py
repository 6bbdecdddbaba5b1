"""`minimlp lr-find`: the learning-rate range test, its figure and a suggested --set optimizer.lr."""
from pathlib import Path

import click

from .group import EXISTING_FILE, main, overrides_option
from .output import check_output, force_option, output_option, write_output


@main.command("lr-find")
@click.argument("config_file", metavar="[CONFIG]", required=False, type=EXISTING_FILE)
@overrides_option
@output_option(help="The figure (SVG) of loss against rate (default: <name>-lr-find.svg here).")
@force_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Also keep a folder (new or empty): config.yaml, lr_find.csv and lr_find.svg.")
@click.option("--start", type=click.FloatRange(min=0, min_open=True), default=1e-6, show_default=True,
              help="The first rate.")
@click.option("--end", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="The last rate.")
@click.option("--steps", type=click.IntRange(10, 1000), default=200, show_default=True,
              help="Batches over the range (the sweep stops earlier once the loss blows up).")
def lr_find(config_file, overrides, output, force, out, start, end, steps):
    """Find a learning rate: train from CONFIG's initial weights while the rate grows
    exponentially batch by batch, and suggest one.

    The sweep stops when the smoothed training loss exceeds 4x its minimum.
    The suggestion is the rate at that minimum divided by 3. Writes the
    figure of loss against rate (log axis); no run folder unless --out.

    \b
    Examples:
      minimlp lr-find configs/digits.yaml
      minimlp lr-find configs/moons.yaml --set optimizer.name=adam -o moons-adam.svg
    """
    from ..config import load_config
    from ..runs.folder import prepare
    from ..tools.lr_find import figure, lr_find as range_test

    cfg = load_config(config_file, overrides)
    output = output or Path(f"{cfg.name}-lr-find.svg")
    check_output(output, force)
    if out is not None:
        from ..runs.lock import check_new_run_dir

        check_new_run_dir(out)
    result = range_test(prepare(cfg), start, end, steps)
    svg = figure(result, f"lr-find: {cfg.name}")
    write_output(output, svg, force)
    if out is not None:
        _keep(out, cfg, result, svg)
    click.echo(f"{len(result.lrs)} batches, rate {result.lrs[0]:.3g} to {result.lrs[-1]:.3g}; stopped: {result.stopped}")
    click.echo(f"lowest smoothed loss {min(result.smoothed[5:]):.4g} at rate {result.min_lr:.3g}")
    click.echo(f"figure: {output}" + (f"; folder: {out}" if out is not None else ""))
    click.echo(f"suggested: --set optimizer.lr={result.suggestion:.3g}")


def _keep(out, cfg, result, svg):
    from .. import files

    files.make_folder(out)
    rows = "".join(f"{lr!r},{loss!r},{s!r}\n" for lr, loss, s in zip(result.lrs, result.losses, result.smoothed))
    files.write_text(out / "config.yaml", cfg.to_yaml())
    files.write_text(out / "lr_find.csv", "lr,loss,smoothed_loss\n" + rows)
    files.write_bytes(out / "lr_find.svg", svg)
