"""`minimlp train`: training, its progress display, and stopping on a signal."""
import sys
import time
from pathlib import Path

import click

from . import EXISTING_DIR, EXISTING_FILE, InputError, main, overrides_option


@main.command()
@click.argument("config", required=False, type=EXISTING_FILE)
@overrides_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write the run into exactly this folder (default: runs/<name>-<timestamp>/).")
@click.option("--resume", "resume_dir", type=EXISTING_DIR,
              help="Continue an interrupted run from its last checkpoint, with its saved config.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def train(config, overrides, out, resume_dir, quiet):
    """Train the network CONFIG describes and write a run folder.

    Without CONFIG, trains the default config (digits). The run folder holds
    config.yaml, history.csv, model.npz, metrics.json, checkpoint.npz, the
    plots and report.html. Ctrl-C (or SIGTERM) finishes the current batch,
    saves a checkpoint and the report, and exits with 130 (143);
    --resume continues exactly where the run stopped.

    \b
    Examples:
      minimlp train
      minimlp train configs/iris.yaml --out runs/iris
      minimlp train configs/moons.yaml --set train.epochs=100 --set optimizer.schedule=cosine
      minimlp train --resume runs/iris
    """
    from ..config import Config, load_config
    from ..runs import resume_run, train_run

    if resume_dir:
        if config or overrides or out:
            raise InputError("--resume continues a run with its saved config and folder; "
                             "it takes no CONFIG, --set or --out")
        saved = resume_dir / "config.yaml"
        cfg = load_config(saved) if saved.is_file() else Config()  # resume_run reports a missing file

        def run(**callbacks):
            if not quiet:
                click.echo(f"resuming {resume_dir} from its last checkpoint")
            return resume_run(resume_dir, **callbacks)
    else:
        cfg = load_config(config, overrides)

        def run(**callbacks):
            return train_run(cfg, out, **callbacks)

    try:
        with StopOnSignal() as stop, Progress(cfg.train.epochs, cfg.name, quiet) as progress:
            result = run(on_epoch=progress.epoch, stop_requested=stop)
    except KeyboardInterrupt:  # a second signal: stop now; the last checkpoint is whole (atomic writes)
        click.echo("aborted; continue from the last checkpoint with: minimlp train --resume RUN_DIR", err=True)
        sys.exit(128 + (stop.signum or 2))
    _echo_result(result, quiet)
    if result.status == "interrupted":
        sys.exit(128 + stop.signum)
    if result.status == "diverged":
        sys.exit(1)


def _echo_result(result, quiet):
    if result.status == "already_finished":
        click.echo(result.message)
        return
    if result.status == "diverged":
        click.echo(f"Error: {result.message}", err=True)
    elif result.status == "interrupted":
        click.echo(f"{result.message}; checkpoint saved. Continue with: minimlp train --resume {result.run_dir}",
                   err=True)
    if quiet or result.metrics is None:
        return
    m = result.metrics
    click.echo(f"{result.message}. test accuracy {m['test_accuracy']:.4f}, test loss {m['test_loss']:.4f}")
    click.echo(f"run folder: {result.run_dir} (open report.html)")


class StopOnSignal:
    """While active, the first SIGINT or SIGTERM asks training to stop after the current batch;
    a second one aborts at once. Calling the object answers 'has a stop been asked for?'."""

    def __init__(self):
        self.signum = None

    def __call__(self):
        return self.signum is not None

    def _handle(self, signum, frame):
        if self.signum is not None:
            raise KeyboardInterrupt
        self.signum = signum
        click.echo("\nstopping after this batch and saving a checkpoint (again to abort now)", err=True)

    def __enter__(self):
        import signal

        self._previous = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)}
        return self

    def __exit__(self, *exc):
        import signal

        for s, handler in self._previous.items():
            signal.signal(s, handler)


class Progress:
    """A progress bar on a terminal, one line per epoch otherwise, nothing when quiet."""

    def __init__(self, epochs, name, quiet):
        self.epochs, self.quiet = epochs, quiet
        self.bar, self._pending, self._next_draw = None, None, 0.0
        if not quiet and sys.stdout.isatty():
            self.bar = click.progressbar(length=epochs, label=name, show_pos=True, item_show_func=self._show)

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar:
            if self._pending:  # the last epochs, not drawn yet
                self.bar.update(self._pending.epoch - self.bar.pos, self._pending)
            self.bar.__exit__(*exc)

    def epoch(self, record, state=None):
        if self.bar:  # redrawn at most 10 times a second: a redraw costs about as much as a small epoch
            now, self._pending = time.monotonic(), record
            if now >= self._next_draw:
                self._next_draw, self._pending = now + 0.1, None
                self.bar.update(record.epoch - self.bar.pos, record)  # a resumed run starts part-way
        elif not self.quiet:
            click.echo(f"epoch {record.epoch}/{self.epochs}  {self._show(record)}")

    @staticmethod
    def _show(record):
        if record is None:
            return ""
        text = f"loss {record.train_loss:.4f}  acc {record.train_acc:.4f}"
        if record.val_loss is not None:
            text += f"  val_loss {record.val_loss:.4f}  val_acc {record.val_acc:.4f}"
        took = f"{record.seconds * 1000:.1f}ms" if record.seconds < 1 else f"{record.seconds:.2f}s"
        return text + f"  lr {record.lr:.4g}  {took}"


