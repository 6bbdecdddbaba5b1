"""Read + prepare time of a wide CSV (8 rows of digits, N columns): python scripts/wide_tables.py 10000 40000

Issue 17: the cost must grow linearly with the columns (40,000 within 5x of 10,000). A script, not a test:
timings depend on the machine and its load.
"""
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from minimlp.config import load_config
from minimlp.data import load_csv, prepare


def measure(n_columns, folder, rows=8):
    path = Path(folder) / f"wide{n_columns}.csv"
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write(",".join(f"c{i}" for i in range(n_columns)) + ",y\n")
        for r in range(rows):
            f.write(",".join(map(str, rng.integers(0, 9, n_columns))) + f",{'ab'[r % 2]}\n")
    cfg = load_config(None, ["data.dataset=csv", f"data.path={path}", "data.target=y",
                             "data.test_size=0.25", "data.val_size=0.25"])
    start = time.perf_counter()
    dataset = load_csv(path, target="y")
    read = time.perf_counter()
    prepare(dataset, cfg.data, 0, np.float32)
    done = time.perf_counter()
    return path.stat().st_size, read - start, done - read


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 40_000]
    with tempfile.TemporaryDirectory() as folder:
        totals = []
        for n in sizes:
            size, read, prep = measure(n, folder)
            totals.append(read + prep)
            print(f"{n:>7,} columns ({size / 1000:,.0f} kB): read {read:.2f} s, prepare {prep:.2f} s, total {read + prep:.2f} s")
        if len(totals) > 1:
            print(f"ratio {sizes[-1]:,} / {sizes[0]:,} columns: {totals[-1] / totals[0]:.2f}x")
