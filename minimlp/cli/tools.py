"""Tools beyond training: sweep, gradcheck, bench."""
import sys
from pathlib import Path

import click

from ..errors import Interrupted
from .group import EXISTING_FILE, InputError, main, overrides_option


@main.command()
@click.argument("config_file", metavar="[CONFIG]", required=False, type=EXISTING_FILE)
@click.option("--grid", "grid", multiple=True, metavar="KEY=V1,V2,...",
              help="A key and its values, read as the items of a YAML list (repeatable; every combination runs).")
@click.option("--search", type=click.Choice(["tpe", "random"]), default=None,
              help="Instead of a grid: sample --trials runs from the --space distributions with Optuna "
                   "(pip install 'minimlp[tune]').")
@click.option("--space", "space", multiple=True, metavar="KEY=DIST(...)",
              help="With --search: loguniform(a,b), uniform(a,b), int(a,b[,log]) or choice(v1,v2,...) (repeatable).")
@click.option("--trials", type=click.IntRange(min=1), default=None, help="With --search: the trials the study reaches.")
@click.option("--prune", type=click.Choice(["none", "median"]), default="none", show_default=True,
              help="With --search: stop a trial whose per-epoch validation loss falls behind the median.")
@overrides_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The sweep folder: one run folder per combination, sweep.csv and sweep.html.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Runs at a time (default: the CPUs).")
@click.option("--backend", type=click.Choice(["joblib", "dask"]), default="joblib", show_default=True)
@click.option("--scheduler", metavar="ADDRESS", help="A Dask scheduler (with --backend dask); workers must share the files.")
def sweep(config_file, grid, search, space, trials, prune, overrides, out, jobs, backend, scheduler):
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
      minimlp sweep configs/digits.yaml --search tpe --trials 30 --prune median --out sweeps/tpe \
        --space 'optimizer.lr=loguniform(1e-4,1e-1)' --space 'model.hidden=choice([64],[128,64])'

    With --search, each trial is a run folder (trial-0000, ...) scored by its best
    validation loss; sweep.csv lists every trial and its state (complete, pruned,
    failed); running the command again continues the study to --trials.
    """
    import os

    from ..tools.sweep import parse_grid, run_sweep

    if scheduler and backend != "dask":
        raise InputError("--scheduler goes with --backend dask")
    if search or space or trials or prune != "none":
        return _search(config_file, search, space, trials, prune, grid, overrides, out, jobs, backend, scheduler)
    if not grid:
        raise InputError("give --grid KEY=V1,V2,... (or --search with --space and --trials)")
    parsed = [parse_grid(text) for text in grid]

    def done(finished, total, row):
        score = f", best val loss {row['best_val_loss']:.4f}" if row.get("best_val_loss") is not None else ""
        tail = row["message"] if row["status"] == "failed" else f"test accuracy {row.get('test_accuracy', 0):.4f}{score}"
        status = f"{row['status']} earlier, skipped" if row.get("skipped") else row["status"]
        click.echo(f"[{finished}/{total}] {row['run']}: {status}, {tail}")

    try:
        rows = run_sweep(config_file, parsed, overrides, out, jobs or os.cpu_count() or 1, backend, scheduler, done)
    except (KeyboardInterrupt, Interrupted) as e:
        click.echo("\ninterrupted: the workers were stopped; finished runs are kept; "
                   "run the same command to continue", err=True)
        sys.exit(128 + getattr(e, "signum", 2))
    _finish(rows, out)


def _finish(rows, out):
    failed = [row for row in rows if row["status"] in ("failed", "diverged")]
    click.echo(f"wrote {out / 'sweep.csv'} and {out / 'sweep.html'}")
    if failed:
        click.echo(f"Error: {len(failed)} of {len(rows)} runs failed: {', '.join(r['run'] for r in failed)}", err=True)
        sys.exit(1)


def _search(config_file, search, space, trials, prune, grid, overrides, out, jobs, backend, scheduler):
    """``sweep --search``: the study's trials as run folders (tools/search.py)."""
    import os

    from ..tools.search import run_search
    from ..tools.search_space import parse_space

    if grid or not (search and space and trials):
        raise InputError("--search goes with --space (one or more) and --trials, and without --grid")
    parsed = [parse_space(text) for text in space]

    def done(count, total, row):
        score = f", best val loss {row['best_val_loss']:.4f}" if row.get("best_val_loss") is not None else ""
        tail = f": {row['message']}" if row.get("message") else ""
        click.echo(f"[{count}/{total}] {row['run']}: {row['status']}{score}{tail}")

    try:
        rows = run_search(config_file, parsed, overrides, out, trials, search, prune, jobs or os.cpu_count() or 1,
                          backend, scheduler, done)
    except (KeyboardInterrupt, Interrupted) as e:
        click.echo("\ninterrupted: the workers were stopped; finished trials are kept; "
                   "run the same command to continue the study", err=True)
        sys.exit(128 + getattr(e, "signum", 2))
    _finish(rows, out)


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
    from ..config import load_config
    from ..tools.gradcheck import gradcheck as check

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
@click.option("--data", "data_only", is_flag=True,
              help="Instead: time loading a generated 500,000 x 20 CSV (~96 MB), `minimlp train` to its first "
                   "epoch against pandas.read_csv, with peak memory; also with two text columns and 1% missing cells.")
@click.option("--startup", is_flag=True,
              help="Instead: the fixed cost of every command as whole processes (--version, -h, datasets, train on "
                   "iris against scikit-learn's script, predict, evaluate, compare, plot, a 4-run sweep), with ratios.")
def bench(full, threads, no_torch, data_only, startup):
    """Time minimlp against scikit-learn's MLPClassifier and PyTorch, side by side.

    Median epoch times over interleaved rounds on the same data and network
    (float32; scikit-learn also in float64, its default), the ratio of each to
    minimlp, the GEMM-only limit measured on the spot, peak memory, and
    minimlp's samples/second at several sizes. PyTorch runs when it is
    importable; it is never a dependency.

    \b
    Examples:
      minimlp bench
      minimlp bench --full --threads 2
      minimlp bench --data
      minimlp bench --startup
    """
    if startup:
        from ..tools import bench_startup

        rows = bench_startup.run_startup_bench(log=lambda message: click.echo(message, err=True))
        click.echo(bench_startup.format_startup_table(rows))
        return
    if data_only:
        from ..tools import bench_data

        cases = bench_data.run_data_bench(log=lambda message: click.echo(message, err=True))
        click.echo(bench_data.format_data_table(cases))
        return
    from threadpoolctl import threadpool_limits

    from ..tools import bench as b
    from ..tools import bench_table

    def log(message):
        click.echo(message, err=True)

    with threadpool_limits(threads):
        with_torch = b.torch_available() and not no_torch
        results = [b.run_workload(w, threads, with_torch, log) for w in b.WORKLOADS if full or not w.full_only]
        scaling = b.scaling(threads, log)
    click.echo(f"machine: {bench_table.machine_line(threads)}")
    if not with_torch:
        click.echo("PyTorch: skipped (" + ("--no-torch" if no_torch else "not installed; pip install torch to include it") + ")")
    click.echo()
    click.echo(bench_table.format_table(results) + "\n")
    click.echo(bench_table.format_scaling(scaling))


