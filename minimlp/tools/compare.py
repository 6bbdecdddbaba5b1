"""``minimlp compare``: several run folders side by side, on the page sweeps use too.

The columns are the config keys whose values differ between the runs (what
the comparison is about), then the final metrics: each run's summary row
(``runs.summary.run_row``, the row sweep.csv holds too).
"""
import json
from pathlib import Path

from ..runs.readback import read_config
from ..runs.summary import run_row

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


def compare_runs(run_dirs):
    """(keys, rows, curves) for ``report.write_compare_page``: one row per run folder."""
    run_dirs = [Path(d) for d in run_dirs]
    names = [d.name for d in run_dirs]
    labels = [d.name if names.count(d.name) == 1 else str(d) for d in run_dirs]
    flats = []
    for run_dir in run_dirs:
        flats.append(flat_config(read_config(run_dir)))
    keys = differing_keys(flats)
    rows, curves = [], {}
    for label, run_dir, flat in zip(labels, run_dirs, flats):
        row, curves[label] = run_row(run_dir)
        rows.append({"run": label, **{k: flat.get(k, NOT_SET) for k in keys}, **row})
    return keys, rows, curves
