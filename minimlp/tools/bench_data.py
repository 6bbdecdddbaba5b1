"""``minimlp bench --data``: reading a large table as ``minimlp train`` pays it, against ``pandas.read_csv``.

Both sides are whole processes started the same way (interpreter and imports
included), side by side in one run: the time ``minimlp train`` takes from its
start to the first epoch, the time a process takes to ``pandas.read_csv`` the
same file, and the peak resident memory of each (the kernel's VmHWM, read as the process exits).
"""
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROWS, FEATURES = 500_000, 20
TEXT_VALUES = {"city": [f"city_{i:02d}" for i in range(20)], "grade": ["A", "B", "C", "D", "E"]}
MISSING_RATE = 0.01

# A child's own peak memory: VmHWM of its address space after exec. (ru_maxrss from wait4 also counts the
# parent's image the child was forked from, before exec: a bench inside a large process would read too high.)
PEAK = """
import atexit
def _peak():
    with open("/proc/self/status") as status:
        print("".join("PEAK_KB " + line.split()[1] for line in status if line.startswith("VmHWM:")), flush=True)
atexit.register(_peak)
"""

# The child: minimlp's own CLI, with the moment training begins written to stdout (CLOCK_MONOTONIC is system-wide).
CHILD = PEAK + """
import sys, time
import minimlp.runs.folder as folder
real_fit = folder.fit_config
def fit(*args, **kwargs):
    print("FIRST_EPOCH", time.monotonic(), flush=True)
    return real_fit(*args, **kwargs)
folder.fit_config = fit
from minimlp.cli import main
main(sys.argv[1:])
"""


@dataclass
class Measure:
    seconds: float
    peak_mb: float


@dataclass
class Case:
    name: str
    path: Path
    overrides: list
    rows: int = ROWS
    size_mb: float = 0.0
    minimlp: Measure = None
    pandas: Measure = None


def write_table(path, rows=ROWS, text=False, seed=0, block=50_000):
    """A CSV of ``FEATURES`` columns (two of them text, 1% of feature cells empty, when ``text``) and a label."""
    rng = np.random.default_rng(seed)
    names = [f"x{j}" for j in range(FEATURES - (2 if text else 0))] + (list(TEXT_VALUES) if text else [])
    with open(path, "w") as f:
        f.write(",".join([*names, "label"]) + "\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            X = rng.standard_normal((n, len(names) - (2 if text else 0)))
            cells = np.char.mod("%.6f", X).astype(object)
            if text:
                extra = [np.array(v, dtype=object)[rng.integers(0, len(v), n)] for v in TEXT_VALUES.values()]
                cells = np.column_stack([cells, *extra])
                cells[rng.random(cells.shape) < MISSING_RATE] = ""
            labels = (X[:, 0] + X[:, 1] > 0).astype(int) + 2 * (X[:, 2] > 0)
            f.write("".join(",".join(row) + f",{label}\n" for row, label in zip(cells.tolist(), labels.tolist())))


def run_process(args):
    """(seconds from start to the FIRST_EPOCH line or to the end, peak RSS in MB) of a child process."""
    with tempfile.TemporaryFile("w+") as errors:
        start = time.monotonic()
        child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, text=True)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)  # its own peak RSS, not the largest of all children
        end = time.monotonic()
        child.stdout.close()
        errors.seek(0)
        err = errors.read()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{args[-1]} failed ({child.returncode}): {err.strip()[-500:]}")
    marks = [float(line.split()[1]) for line in out.splitlines() if line.startswith("FIRST_EPOCH")]
    peaks = [float(line.split()[1]) for line in out.splitlines() if line.startswith("PEAK_KB ")]
    return Measure((marks[0] if marks else end) - start, (peaks[0] if peaks else usage.ru_maxrss) / 1024)


def measure(case, folder, round_):
    config = folder / f"{case.path.stem}.yaml"
    config.write_text(f"data:\n  dataset: csv\n  path: {case.path}\nmodel:\n  hidden: [16]\ntrain:\n  epochs: 1\n"
                      "  batch_size: 256\n")
    args = ["train", str(config), "--out", str(folder / f"run-{case.path.stem}-{round_}"), "-q", *case.overrides]
    mine = run_process([sys.executable, "-c", CHILD, *args])
    theirs = run_process([sys.executable, "-c", PEAK + f"import pandas\npandas.read_csv({str(case.path)!r})"])
    return mine, theirs


def run_data_bench(rounds=3, log=print, rows=ROWS):
    """The numeric and the messy case, each measured ``rounds`` times, minimlp and pandas alternating."""
    with tempfile.TemporaryDirectory(prefix="minimlp-bench-data-") as tmp:
        folder = Path(tmp)
        cases = [Case("numeric", folder / "numeric.csv", [], rows),
                 Case("2 text columns, 1% missing, impute", folder / "messy.csv", ["--set", "data.missing=impute"], rows)]
        for case in cases:
            write_table(case.path, rows, text=case.name != "numeric")
            case.size_mb = case.path.stat().st_size / 1e6
            log(f"  wrote {case.path.name}: {case.path.stat().st_size / 1e6:.0f} MB")
        for case in cases:
            results = [measure(case, folder, r) for r in range(rounds)]
            case.minimlp = _median([m for m, _ in results])
            case.pandas = _median([p for _, p in results])
            log(f"  {case.name} done")
    return cases


def _median(measures):
    return Measure(float(np.median([m.seconds for m in measures])), float(np.median([m.peak_mb for m in measures])))


def format_data_table(cases):
    lines = ["| table | file | minimlp train to first epoch | pandas.read_csv process | ratio | "
             "peak MB minimlp | peak MB pandas |", "|---|---|---|---|---|---|---|"]
    for c in cases:
        lines.append(f"| {c.rows:,} × {FEATURES}, {c.name} | {c.size_mb:.0f} MB | {c.minimlp.seconds:.2f} s | "
                     f"{c.pandas.seconds:.2f} s | {c.minimlp.seconds / c.pandas.seconds:.2f} | "
                     f"{c.minimlp.peak_mb:.0f} | {c.pandas.peak_mb:.0f} |")
    return "\n".join(lines)
