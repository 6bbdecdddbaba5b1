"""Commands that read configs and run folders: config show, predict, evaluate, datasets."""
import csv
from pathlib import Path

import click

from ..errors import MinimlpError
from .group import EXISTING_DIR, EXISTING_FILE, InputError, main, overrides_option
from .output import check_output, force_option, output_option, write_output, wrote


@main.group()
def config():
    """Work with configs: show the resolved one.

    \b
    Example:
      minimlp config show configs/iris.yaml --set optimizer.lr=0.1
    """


@config.command("show")
@click.argument("config_file", metavar="[CONFIG]", required=False, type=EXISTING_FILE)
@overrides_option
def config_show(config_file, overrides):
    """Print the resolved config: defaults, then CONFIG, then --set overrides.

    \b
    Example:
      minimlp config show configs/iris.yaml --set optimizer.lr=0.05
    """
    from ..config import load_config

    click.echo(load_config(config_file, overrides).to_yaml(), nl=False)


@main.command()
@click.argument("run_dir", type=EXISTING_DIR)
@click.argument("input_file", type=EXISTING_FILE)
@output_option(required=True, help="Where to write the predictions (CSV); '-' for standard output.")
@force_option
@click.option("--delimiter", metavar="CHAR", default=None,
              help="The cell separator of INPUT_FILE (default: by extension, tab for .tsv, else ',').")
@click.option("--raw-labels", is_flag=True,
              help="Write labels as they are, even those a spreadsheet would read as a formula.")
def predict(run_dir, input_file, output, force, delimiter, raw_labels):
    """Predict the class of every row of INPUT_FILE (CSV, TSV or Parquet) with the model of RUN_DIR.

    INPUT_FILE needs a header with the training feature columns, in any order;
    other columns (such as the target) are ignored and named once on stderr.
    Text columns are encoded and missing cells filled as in training; a
    category the model never saw encodes as all zeros, and the number of rows
    that had one is reported. OUTPUT gets a 'prediction' column with the
    original labels and one 'proba_<class>' column per class. An existing
    OUTPUT is replaced only with --force, and never in a run folder or over
    INPUT_FILE. A label or header starting with =, +, -, @, tab or CR (not
    a plain number such as -1) gets a leading ' so a spreadsheet does not
    run it as a formula; --raw-labels keeps it as it is.

    \b
    Example:
      minimlp predict runs/iris runs/new_flowers.csv -o predictions.csv
    """
    from ..csv_cells import safe_cell
    from ..runs.predictor import Predictor

    if delimiter is not None and len(delimiter) != 1:
        raise InputError(f"--delimiter must be one character, got {delimiter!r}")
    check_output(output, force, inputs=[input_file])
    predictor = Predictor.load(_model_path(run_dir))
    frame, extra = predictor.read(input_file, delimiter)
    if extra:
        shown = ", ".join(map(repr, extra[:10])) + (f" and {len(extra) - 10} more" if len(extra) > 10 else "")
        click.echo(f"{input_file}: ignoring column(s) the model does not use: {shown}", err=True)
    X, unseen = predictor.transform(frame, with_unseen=True)
    proba = predictor.net.predict_proba(X)
    labels = predictor.classes[proba.argmax(axis=1)]
    cell = str if raw_labels else safe_cell
    text = _csv_text(["prediction", *(cell(f"proba_{c}") for c in predictor.classes)],
                     ([cell(label), *(repr(float(p)) for p in row)] for label, row in zip(labels, proba)))
    write_output(output, text.encode("utf-8"), force)
    if unseen.any():
        click.echo(f"{input_file}: {int(unseen.sum())} of {len(labels)} rows had a category the model never saw "
                   "(encoded as all zeros)", err=True)
    wrote(output, f"{len(labels)} predictions to {output}")


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
    from ..config import load_config
    from ..data import load_dataset, split_indices
    from ..runs.predictor import Predictor
    from ..runs import test_metrics

    predictor = Predictor.load(_model_path(run_dir))
    config_path = Path(run_dir) / "config.yaml"
    if not config_path.is_file():
        raise MinimlpError(f"{run_dir}: no config.yaml in this folder")
    cfg = load_config(config_path, saved=True)
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

    \b
    Example:
      minimlp datasets
    """
    from ..data.datasets import DATASET_NAMES, function_name, parameters

    for name in DATASET_NAMES:
        if name == "csv":
            click.echo("csv: your own CSV, TSV or Parquet file; set data.path (and data.target, default: the last column)")
            continue
        if name == "openml":
            click.echo("openml: sklearn.datasets.fetch_openml; data.params {name, version} or {data_id}, data_home")
            continue
        params = ", ".join(f"{p}={'<seed>' if p == 'random_state' else repr(d)}" for p, d in parameters(name))
        click.echo(f"{name}: sklearn.datasets.{function_name(name)}({params})")
