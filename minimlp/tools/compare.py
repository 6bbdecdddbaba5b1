"""``minimlp compare``: several run folders side by side, on the page sweeps use too.

The columns are the config keys whose values differ between the runs (what
the comparison is about), then the final metrics.
"""
import json
from pathlib import Path

from ..config.loading import load_config
from ..errors import MinimlpError
from ..runs.readback import read_curves

NOT_SET = "—"  # a key one run's config does not have (data.params.noise for digits)


def flat_config(config):
    """A Config as {dotted key: value}: model.hidden -> [128], optimizer.lr -> 0.05, ..."""
    import yaml

    def walk(node, prefix):
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):  # an empty mapping (data.params: {}) adds no key
                yield from walk(value, path + ".")
            else:
                yield path, value

    return dict(walk(yaml.safe_load(config.to_yaml()), ""))


def differing_keys(flats):
    """The keys whose value is not the same in every run (a key some runs lack counts as differing)."""
    keys = []
    for flat in flats:
        keys += [k for k in flat if k not in keys]
    return [k for k in keys if len({json.dumps(flat.get(k), sort_keys=True) for flat in flats}) > 1]


def run_row(run_dir):
    """The compare row of one finished run folder (metrics.json read strictly), and its curves."""
    path = Path(run_dir) / "metrics.json"
    if not path.is_file():
        raise MinimlpError(f"{run_dir}: no metrics.json in this folder; is it a finished minimlp run?")
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject)
        curves = read_curves(run_dir)
        val_loss = [v for v in curves["val_loss"] if v is not None]
        val_acc = [v for v in curves["val_acc"] if v is not None]
        row = {
            "status": metrics["status"], "best_val_loss": min(val_loss) if val_loss else None,
            "best_val_acc": max(val_acc) if val_acc else None, "test_accuracy": metrics["test_accuracy"],
            "test_loss": metrics["test_loss"], "best_epoch": metrics.get("best_epoch"),
            "epochs": metrics["epochs_run"], "seconds": metrics["train_seconds"],
            "message": metrics["message"] if metrics["status"] == "diverged" else "",
        }
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise MinimlpError(f"{path}: not a minimlp metrics file ({type(e).__name__}: {e})") from None
    return row, curves


def _reject(constant):
    raise ValueError(f"{constant} is not JSON")


def compare_runs(run_dirs):
    """(keys, rows, curves) for ``report.write_compare_page``: one row per run folder."""
    run_dirs = [Path(d) for d in run_dirs]
    names = [d.name for d in run_dirs]
    labels = [d.name if names.count(d.name) == 1 else str(d) for d in run_dirs]
    flats = []
    for run_dir in run_dirs:
        if not (run_dir / "config.yaml").is_file():
            raise MinimlpError(f"{run_dir}: no config.yaml in this folder; is it a minimlp run folder?")
        flats.append(flat_config(load_config(run_dir / "config.yaml", saved=True)))
    keys = differing_keys(flats)
    rows, curves = [], {}
    for label, run_dir, flat in zip(labels, run_dirs, flats):
        row, curves[label] = run_row(run_dir)
        rows.append({"run": label, **{k: flat.get(k, NOT_SET) for k in keys}, **row})
    return keys, rows, curves
