"""The training path's memory is bounded by a batch; the benchmark's bookkeeping.

(Timing goals live in `minimlp bench`, not here.)
"""
import tracemalloc

import numpy as np
import pytest

from minimlp.tools.bench import Result, Workload, gemm_limit
from minimlp.tools.bench_table import format_table
from minimlp.config import load_config
from minimlp.runs import prepare
from minimlp.runs.setup import fit_config

BIG = ["data.dataset=classification", "data.val_size=0", "model.hidden=[32]", "train.batch_size=64",
       "data.piecewise_bins=0", "model.dropout=0"]  # the columns as inputs, no dropout stream: only the loop's
# own buffers are measured


def test_memory_does_not_grow_with_epochs():
    config = load_config(None, BIG + ["data.params={n_samples: 3000, n_features: 40}", "train.epochs=12"])
    prepared = prepare(config)
    current = []
    tracemalloc.start()
    try:
        fit_config(prepared.net, prepared.splits, config,
            on_epoch=lambda record, state: current.append(tracemalloc.get_traced_memory()[0]))
    finally:
        tracemalloc.stop()
    assert current[-1] - current[1] < 16 * 1024  # the history records only


@pytest.mark.parametrize("rows", [4000, 16000])
def test_peak_memory_is_a_batch_not_a_copy_of_the_data(rows):
    config = load_config(None, BIG + [f"data.params={{n_samples: {rows}, n_features: 100}}", "train.epochs=1"])
    prepared = prepare(config)
    data_bytes = prepared.splits.X_train.nbytes
    tracemalloc.start()
    try:
        fit_config(prepared.net, prepared.splits, config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # per row only the epoch's order, labels and predictions (8 bytes each): no shuffled copy of X
    assert peak < 200_000 + 24 * len(prepared.splits.X_train) < data_bytes


def test_gemm_limit_counts_every_product_of_an_epoch(monkeypatch):
    shapes = []
    monkeypatch.setattr("minimlp.tools.bench._time_product", lambda A, B, repeats: shapes.append((A.shape, B.shape)) or 1.0)
    total = gemm_limit([5, 7, 3], n=10, batch_size=4, dtype=np.float32)
    # batches of 4, 4 and 2 rows; layer 1: forward and dW; layer 2: forward, dW and dX
    assert total == 2 * 5 + 1 * 5
    assert ((4, 5), (5, 7)) in shapes and ((7, 4), (4, 3)) in shapes and ((4, 3), (3, 7)) in shapes
    assert ((2, 7), (7, 3)) in shapes and ((5, 2), (2, 7)) in shapes
    assert not any(B == (7, 5) for _, B in shapes)  # no dX for the first layer


def test_bench_table_reports_ratios_to_minimlp():
    result = Result(Workload("W9", "toy", [], 1, 1, (1, 2)), 100)
    result.times = {"limit": [0.001], "minimlp train": [0.0025, 0.0015, 0.0030], "minimlp": [0.002, 0.002],
                    "minimlp float64": [0.003], "scikit-learn": [0.010], "scikit-learn float32": [0.006],
                    "PyTorch": [0.0075]}
    result.peak_bytes = {"minimlp": 2**20, "scikit-learn float32": 3 * 2**20}
    table = format_table([result])
    # peers are compared with the median epoch a user pays (2.5 ms); float64 / float32 is fit's
    assert ("| W9: toy | 100 | 1.00 ms | 2.50 ms | 2.00 ms | 1.25 | 2.50 | 1.50 | 10.00 ms | 4.00 | 6.00 ms | 2.40 "
            "| 7.50 ms | 3.00 | 1.0 | 3.0 |") in table


def test_the_epoch_a_user_pays_is_measured_on_the_whole_train_command(monkeypatch):
    """Two `minimlp train` processes at two epoch counts; what differs per epoch is the epoch."""
    import subprocess

    from minimlp.tools import bench

    calls, clock = [], iter([0.0, 3.0, 10.0, 21.0])
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(subprocess, "run", lambda args, **kwargs: calls.append((args, kwargs)))
    workload = Workload("W9", "toy", ["data.dataset=iris"], 1, 1, (10, 30))
    assert bench.train_command_epoch(workload, threads=1) == [(11.0 - 3.0) / 20]
    assert all(args[1:4] == ["-m", "minimlp", "train"] and "-q" in args for args, _ in calls)
    assert calls[0][0][4].endswith("W9-10.yaml") and calls[1][0][4].endswith("W9-30.yaml")
    assert all(kwargs["env"]["OPENBLAS_NUM_THREADS"] == "1" and kwargs["check"] for _, kwargs in calls)
