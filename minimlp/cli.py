"""The ``minimlp`` command: Click wiring over the Python API.

The one place that prints, and that turns minimlp's errors into a message and
exit code 2 (bad input), 1 (a run that failed), 130/143 (interrupted).
"""
import csv
import sys
from pathlib import Path

import click

from . import __version__
from .errors import MinimlpError

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
    from .config import Config, load_config
    from .runs import resume_run, train_run

    if resume_dir:
        if config or overrides or out:
            raise InputError("--resume continues a run with its saved config and folder; "
                             "it takes no CONFIG, --set or --out")
        saved = resume_dir / "config.yaml"
        cfg = load_config(saved) if saved.is_file() else Config()  # resume_run reports a missing file

        def run(**callbacks):
            return resume_run(resume_dir, **callbacks)
    else:
        cfg = load_config(config, overrides)

        def run(**callbacks):
            return train_run(cfg, out, **callbacks)

    with StopOnSignal() as stop, Progress(cfg.train.epochs, cfg.name, quiet) as progress:
        result = run(on_epoch=progress.epoch, stop_requested=stop)
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
        self.bar = None
        if not quiet and sys.stdout.isatty():
            self.bar = click.progressbar(length=epochs, label=name, show_pos=True, item_show_func=self._show)

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)

    def epoch(self, record, state=None):
        if self.bar:
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


@main.group()
def config():
    """Show and check configs."""


@config.command("show")
@click.argument("config_file", metavar="[CONFIG]", required=False, type=EXISTING_FILE)
@overrides_option
def config_show(config_file, overrides):
    """Print the resolved config: defaults, then CONFIG, then --set overrides.

    \b
    Example:
      minimlp config show configs/iris.yaml --set optimizer.lr=0.05
    """
    from .config import load_config

    click.echo(load_config(config_file, overrides).to_yaml(), nl=False)


@main.command()
@click.argument("run_dir", type=EXISTING_DIR)
@click.argument("input_csv", type=EXISTING_FILE)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the predictions (CSV).")
def predict(run_dir, input_csv, output):
    """Predict the class of every row of INPUT_CSV with the model of RUN_DIR.

    INPUT_CSV needs a header with the training feature columns (others, such
    as the target, are ignored). OUTPUT gets a 'prediction' column with the
    original labels and one 'proba_<class>' column per class.

    \b
    Example:
      minimlp predict runs/iris runs/new_flowers.csv -o predictions.csv
    """
    from . import csvfile, files
    from .predictor import Predictor

    predictor = Predictor.load(_model_path(run_dir))
    header, rows, lines = csvfile.read_table(input_csv)
    missing = [name for name in predictor.feature_names if name not in header]
    if missing:
        raise MinimlpError(f"{input_csv}: missing feature column(s) {', '.join(map(repr, missing))}; "
                           f"the model needs {', '.join(predictor.feature_names)}")
    columns = [header.index(name) for name in predictor.feature_names]
    X = csvfile.numeric_columns(input_csv, header, rows, lines, columns)
    proba = predictor.predict_proba(X)
    labels = predictor.classes[proba.argmax(axis=1)]
    text = _csv_text(["prediction", *(f"proba_{c}" for c in predictor.classes)],
                     ([label, *(repr(float(p)) for p in row)] for label, row in zip(labels, proba)))
    files.write_text(output, text)
    click.echo(f"wrote {len(labels)} predictions to {output}")


def _csv_text(header, rows):
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _model_path(run_dir):
    path = Path(run_dir) / "model.npz"
    if not path.is_file():
        raise MinimlpError(f"{run_dir}: no model.npz in this folder; is it a minimlp run folder?")
    return path


@main.command()
@click.argument("run_dir", type=EXISTING_DIR)
def evaluate(run_dir):
    """Re-evaluate the saved model of RUN_DIR on its test split and print the metrics.

    \b
    Example:
      minimlp evaluate runs/digits-20261128-120000
    """
    from .config import load_config
    from .data import load_dataset, split_indices
    from .predictor import Predictor
    from .runs import test_metrics

    predictor = Predictor.load(_model_path(run_dir))
    config_path = Path(run_dir) / "config.yaml"
    if not config_path.is_file():
        raise MinimlpError(f"{run_dir}: no config.yaml in this folder")
    cfg = load_config(config_path)
    dataset = load_dataset(cfg)
    _, _, test_rows = split_indices(dataset, cfg.data.test_size, cfg.data.val_size, cfg.seed)
    metrics = test_metrics(predictor, dataset, test_rows)
    click.echo(f"test accuracy  {metrics['test_accuracy']:.4f}")
    click.echo(f"test loss      {metrics['test_loss']:.4f}")
    click.echo(f"macro F1       {metrics['macro_f1']:.4f}")
    click.echo(f"{'class':>16}  precision  recall      F1  support")
    for name, m in metrics["per_class"].items():
        click.echo(f"{name:>16}  {m['precision']:9.4f}  {m['recall']:6.4f}  {m['f1']:6.4f}  {m['support']:7d}")


@main.command()
def datasets():
    """List the datasets a config can name, with their data.params and defaults.

    A generator's random_state defaults to the config's seed.
    """
    from .datasets import DATASET_NAMES, loader, parameters

    for name in DATASET_NAMES:
        if name == "csv":
            click.echo("csv: your own file; set data.path (and data.target, default: the last column)")
            continue
        params = ", ".join(f"{p}={'<seed>' if p == 'random_state' else repr(d)}" for p, d in parameters(name))
        click.echo(f"{name}: sklearn.datasets.{loader(name).__name__}({params})")


@main.command()
@click.argument("config_file", metavar="[CONFIG]", required=False, type=EXISTING_FILE)
@click.option("--grid", "grid", multiple=True, required=True, metavar="KEY=V1,V2,...",
              help="A key and its values, read as the items of a YAML list (repeatable; every combination runs).")
@overrides_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The sweep folder: one run folder per combination, sweep.csv and sweep.html.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Runs at a time (default: the CPUs).")
@click.option("--backend", type=click.Choice(["joblib", "dask"]), default="joblib", show_default=True)
@click.option("--scheduler", metavar="ADDRESS", help="A Dask scheduler (with --backend dask); workers must share the files.")
def sweep(config_file, grid, overrides, out, jobs, backend, scheduler):
    """Train every combination of the --grid values, in parallel, each as its own run folder.

    Writes sweep.csv (a row per run: the varied values, best validation
    loss/accuracy, test accuracy, epochs, seconds) and sweep.html. A failed run
    is recorded and the sweep goes on; the exit code is 1 if any run failed.
    Running the same command again skips the runs that are complete and
    resumes interrupted ones. --backend dask without --scheduler starts a
    local Dask cluster.

    \b
    Examples:
      minimlp sweep configs/moons.yaml --grid optimizer.lr=0.01,0.1 --grid model.hidden=[16],[32,32] --out sweeps/moons
      minimlp sweep configs/iris.yaml --grid seed=0,1,2 -j 2 --backend dask --out sweeps/iris
    """
    import os

    from .sweep import parse_grid, run_sweep

    if scheduler and backend != "dask":
        raise InputError("--scheduler goes with --backend dask")
    parsed = [parse_grid(text) for text in grid]

    def done(finished, total, row):
        score = f", best val loss {row['best_val_loss']:.4f}" if row.get("best_val_loss") is not None else ""
        tail = row["message"] if row["status"] == "failed" else f"test accuracy {row.get('test_accuracy', 0):.4f}{score}"
        click.echo(f"[{finished}/{total}] {row['run']}: {row['status']}, {tail}")

    try:
        rows = run_sweep(config_file, parsed, overrides, out, jobs or os.cpu_count() or 1, backend, scheduler, done)
    except KeyboardInterrupt:
        click.echo(f"interrupted: finished runs are kept; run the same command to continue", err=True)
        sys.exit(130)
    failed = [row for row in rows if row["status"] in ("failed", "diverged")]
    click.echo(f"wrote {out / 'sweep.csv'} and {out / 'sweep.html'}")
    if failed:
        click.echo(f"Error: {len(failed)} of {len(rows)} runs failed: {', '.join(r['run'] for r in failed)}", err=True)
        sys.exit(1)


@main.command()
@click.argument("config_file", metavar="[CONFIG]", required=False, type=EXISTING_FILE)
@overrides_option
@click.option("--tol", type=click.FloatRange(min=0, min_open=True), default=1e-6, show_default=True,
              help="Pass when every relative error is below this.")
@click.option("--batch", type=click.IntRange(min=1), default=8, show_default=True, help="Training rows to check on.")
@click.option("--step", type=click.FloatRange(min=0, min_open=True), default=1e-6, show_default=True,
              help="Finite-difference step.")
@click.option("--sample", type=click.IntRange(min=1), default=100, show_default=True,
              help="Entries checked in an array larger than this (a random sample).")
def gradcheck(config_file, overrides, tol, batch, step, sample):
    """Check the network's gradients against central finite differences (float64).

    Builds the network CONFIG describes on a few rows of its training data and
    compares, for the fused softmax + cross-entropy output, (softmax - t)/n with
    the numeric derivative and with the chain rule through the softmax
    Jacobian; then every weight and bias array of every layer. Error of an
    array: max|numeric - analytic| / max(max|numeric|, max|analytic|). Exits 0
    when every error is below --tol, 1 otherwise.

    \b
    Examples:
      minimlp gradcheck configs/iris.yaml
      minimlp gradcheck --set model.activation=tanh --set model.hidden=[16,16]
    """
    from .config import load_config
    from .gradcheck import gradcheck as check

    report = check(load_config(config_file, overrides), batch=batch, step=step, sample=sample)
    click.echo(f"gradcheck {report.title}")
    click.echo(f"batch {report.batch} rows, central differences with step {report.step:g}"
               + (f", {report.nudged} row(s) nudged away from the activation's kink at 0" if report.nudged else ""))
    click.echo(f"\n{'layer':<8}  {'parameter':<28}  {'checked':>15}  {'rel. error':>10}")
    for c in report.checks:
        checked = f"{c.checked}" if c.checked == c.total else f"{c.checked} of {c.total}"
        flag = "" if c.error < tol else "  <-- above tolerance"
        click.echo(f"{c.layer:<8}  {c.parameter:<28}  {checked:>15}  {c.error:10.2e}{flag}")
    if report.worst() < tol:
        click.echo(f"\nall relative errors below {tol:g}: the gradients are right")
    else:
        click.echo(f"\nFAILED: largest relative error {report.worst():.2e} >= {tol:g}", err=True)
        sys.exit(1)


@main.command()
@click.option("--full", is_flag=True, help="Add the BLAS-bound workload W3 (a few minutes).")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="BLAS threads for every contender (PyTorch threads too).")
@click.option("--no-torch", is_flag=True, help="Leave PyTorch out even when it is importable.")
def bench(full, threads, no_torch):
    """Time minimlp against scikit-learn's MLPClassifier and PyTorch, side by side.

    Median epoch times over interleaved rounds on the same float32 data and
    network, the ratio of each to minimlp, the GEMM-only limit measured on the
    spot, peak memory, and minimlp's samples/second at several sizes. PyTorch
    runs when it is importable; it is never a dependency.

    \b
    Examples:
      minimlp bench
      minimlp bench --full --threads 2
    """
    from threadpoolctl import threadpool_limits

    from . import bench as b

    def log(message):
        click.echo(message, err=True)

    with threadpool_limits(threads):
        with_torch = b.torch_available() and not no_torch
        results = [b.run_workload(w, threads, with_torch, log) for w in b.WORKLOADS if full or not w.full_only]
        scaling = b.scaling(threads, log)
    click.echo(f"machine: {b.machine_line(threads)}\n")
    click.echo(b.format_table(results) + "\n")
    click.echo(b.format_scaling(scaling))


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=EXISTING_DIR)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PNG file to write.")
def plot(run_dirs, output):
    """Overlay the loss curves of several runs (train solid, validation dashed).

    \b
    Example:
      minimlp plot runs/a runs/b -o compare.png
    """
    from .report import overlay_png
    from . import files

    curves = {str(run_dir): _read_history(run_dir) for run_dir in run_dirs}
    files.write_bytes(output, overlay_png(curves))
    click.echo(f"wrote {output}")


def _read_history(run_dir):
    path = Path(run_dir) / "history.csv"
    if not path.is_file():
        raise MinimlpError(f"{run_dir}: no history.csv in this folder; is it a minimlp run folder?")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    try:
        return {column: [float(r[column]) if r[column] else None for r in rows]
                for column in ("epoch", "train_loss", "val_loss")}
    except (KeyError, ValueError, TypeError):
        raise MinimlpError(f"{path}: not a minimlp history file") from None
