"""`minimlp train`: training, its progress display, and stopping on a signal."""
import sys
from pathlib import Path

import click

from ..errors import Interrupted
from ..report import fmt
from .group import EXISTING_DIR, EXISTING_FILE, InputError, main, overrides_option
from .console import Progress
from .loading import LoadProgress
from .streams import KeepGoing, StreamClosed


@main.command()
@click.argument("config", required=False, type=EXISTING_FILE)
@overrides_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write the run into exactly this folder (default: runs/<name>-<timestamp>/).")
@click.option("--resume", "resume_dir", type=EXISTING_DIR,
              help="Continue an interrupted run from its last checkpoint, with its saved config (with --epochs, a finished one too).")
@click.option("--epochs", type=click.IntRange(min=1), metavar="N",
              help="With --resume: continue the run (a finished one too) to N epochs in all, appending to its "
                   "history; says what carries over.")
@click.option("--log-every", type=click.IntRange(min=1), metavar="N",
              help="Print every N-th epoch (and the first and the last) instead of a progress bar; "
                   "default when not on a terminal: about 50 lines in all. The best epoch is named at the end.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the run folder's path (errors still go to stderr).")
def train(config, overrides, out, resume_dir, epochs, log_every, quiet):
    """Train the network CONFIG describes and write a run folder.

    Without CONFIG, trains the default config (digits). Prints the data and
    model summaries, then progress. The run folder holds config.yaml,
    history.csv, model.npz, metrics.json, checkpoint.npz, the figures and
    report.html. Ctrl-C (or SIGTERM) during training finishes the current
    batch, saves a checkpoint and the report, and exits with 130 (143);
    --resume continues exactly where the run stopped. A reader that stops
    early (| head) does not stop training. Before training starts
    (loading data) it stops at once and leaves no run folder. The folder is
    locked while a run writes it: a second writer gets exit 2.

    \b
    Examples:
      minimlp train
      minimlp train configs/iris.yaml --out runs/iris
      minimlp train configs/moons.yaml --set train.epochs=100 --set optimizer.schedule=cosine
      minimlp train --resume runs/iris
      minimlp train --resume runs/iris --epochs 100
      run=$(minimlp train -q configs/iris.yaml) && minimlp evaluate "$run"
    """
    from ..config import Config, load_config
    from ..runs import resume_run, train_run

    if epochs and not resume_dir:
        raise InputError("--epochs goes with --resume RUN (continue a run to N epochs); "
                         "for a new run use --set train.epochs=N")
    if resume_dir:
        if config or overrides or out:
            raise InputError("--resume continues a run with its saved config and folder; "
                             "it takes no CONFIG, --set or --out")
        from ..runs.readback import read_config

        saved = (resume_dir / "config.yaml").is_file()
        cfg = read_config(resume_dir) if saved else Config()  # resume_run reports a missing file
        cfg.train.epochs = epochs or cfg.train.epochs

        def run(**callbacks):
            if not quiet and not epochs:
                start = "its last checkpoint" if (resume_dir / "checkpoint.npz").exists() else \
                    "the start (it was stopped before its first checkpoint)"
                click.echo(f"resuming {resume_dir} from {start}")
            return resume_run(resume_dir, **callbacks, epochs=epochs, on_note=None if quiet else click.echo)
    else:
        cfg = load_config(config, overrides)

        def run(**callbacks):
            return train_run(cfg, out, **callbacks)

    stdout, sys.stdout = sys.stdout, KeepGoing(sys.stdout)  # a reader that stops early does not stop training
    try:
        _train(cfg, run, resume_dir, quiet, log_every)
    finally:
        keep, sys.stdout = sys.stdout, stdout
    if keep.error:  # the run went on, but what it printed was lost: not a success
        raise StreamClosed(f"{keep.error}; the run itself went on (see its run folder)")


def _train(cfg, run, resume_dir, quiet, log_every):
    progress = Progress(cfg.train.epochs, cfg.name, quiet, log_every)

    def start(prepared, run_dir):
        from ..runs.summary import data_summary, model_summary

        progress.start(data_summary(prepared.dataset, prepared.splits, prepared.config), model_summary(prepared.net))
        stop.armed = True  # training starts now: a signal stops it with a checkpoint (lbfgs asks only per iteration)

    try:
        with StopOnSignal() as stop, progress:
            result = run(on_epoch=progress.epoch, stop_requested=stop, on_start=start, on_load=LoadProgress(quiet))
    except Interrupted as e:  # before training started: nothing to resume
        if resume_dir:
            then = f"continue later with: minimlp train --resume {resume_dir}"
        else:
            then = "no run was written"
        click.echo(f"\ninterrupted before training started; {then}", err=True)
        sys.exit(128 + e.signum)
    except KeyboardInterrupt:  # a second signal: stop now; the last checkpoint is whole (atomic writes)
        click.echo("aborted; continue from the last checkpoint with: minimlp train --resume RUN_DIR", err=True)
        sys.exit(128 + (stop.signum or 2))
    progress.finish()
    _echo_result(result, quiet)
    if result.status == "interrupted":
        sys.exit(128 + stop.signum)
    if result.status == "diverged":
        sys.exit(1)


def _echo_result(result, quiet):
    """One message per outcome: errors on stderr, the run folder on stdout (alone with -q)."""
    if result.status == "diverged":
        click.echo(f"Error: {result.message}", err=True)
    elif result.status == "interrupted":
        click.echo(f"{result.message}; checkpoint saved. Continue with: minimlp train --resume {result.run_dir}",
                   err=True)
    elif result.status == "already_finished" and not quiet:
        click.echo(result.message)
    if quiet:
        click.echo(str(result.run_dir))
        return
    m = result.metrics
    if m is not None and result.status != "diverged":
        click.echo(f"{result.message}. test accuracy {fmt.metric(m['test_accuracy'])}, "
                   f"test loss {fmt.metric(m['test_loss']) or 'not finite'}")
    if result.status != "already_finished":
        click.echo(f"run folder: {result.run_dir} (open report.html)")


class StopOnSignal:
    """While active, SIGINT or SIGTERM stop the run truthfully at any moment.

    Until training starts (``on_start``, or the first ``stop_requested()`` call, made
    per batch by the training loop and per iteration by lbfgs) a signal raises Interrupted at once: loading data or
    making the folder is abandoned, and no --resume is suggested.  Once it has
    started, the first signal asks training to stop after the current batch and
    save a checkpoint; a second one aborts at once.
    """

    def __init__(self):
        self.signum, self.armed = None, False

    def __call__(self):
        self.armed = True
        return self.signum is not None

    def _handle(self, signum, frame):
        if not self.armed:
            raise Interrupted(signum)
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
