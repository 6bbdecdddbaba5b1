"""Side-by-side epoch times: minimlp, scikit-learn's MLPClassifier, PyTorch (when importable),
and the GEMM-only limit, measured on the spot in interleaved rounds.

Every contender trains the same data, architecture, batch size and SGD
settings, in float32; scikit-learn also in float64, its default for the float64
arrays its loaders return and the reference the speed targets are set against.
minimlp is timed twice: as a user pays it (the whole ``minimlp train`` process
at two epoch counts, the difference per epoch: run folder, checkpoints and all)
and inside ``fit`` (per-epoch metrics, shuffling, the history file written by
the epoch callback); validation is off.
"""
import statistics
import tempfile
import time
import tracemalloc
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config.loading import load_config


@dataclass
class Workload:
    name: str
    title: str
    overrides: list
    epochs_per_round: int
    rounds: int
    cli_epochs: tuple  # `minimlp train` runs at these two epoch counts; the difference is the epoch a user pays
    full_only: bool = False


BIG_DATA = ["data.dataset=classification", "data.params={n_samples: 60000, n_features: 100, n_informative: 20, n_classes: 10}"]
COMMON = ["data.val_size=0", "optimizer.name=sgd", "optimizer.lr=0.01", "optimizer.momentum=0.9", "model.dtype=float32",
          "train.label_smoothing=0"]  # the recipe scikit-learn runs beside it (not the tables defaults)
WORKLOADS = [
    Workload("W1", "digits, 64-128-10, batch 32", ["data.dataset=digits", "model.hidden=[128]", "train.batch_size=32"],
             20, 5, (20, 2020)),  # 2,000 epochs apart: a process start varies by ~50 ms, 2-3% of that
    Workload("W2", "classification 48000x100, 100-256-256-10, batch 128",
             [*BIG_DATA, "model.hidden=[256,256]", "train.batch_size=128"], 2, 3, (1, 5)),
    Workload("W3", "classification 48000x100, 100-1024-1024-10, batch 512",
             [*BIG_DATA, "model.hidden=[1024,1024]", "train.batch_size=512"], 1, 3, (1, 2), True),
]
SCALING_ROWS = (6000, 12000, 24000, 48000)


@dataclass
class Result:
    workload: Workload
    n_train: int
    times: dict = field(default_factory=dict)  # contender (or "limit") -> list of epoch seconds
    peak_bytes: dict = field(default_factory=dict)  # contender -> peak traced allocation

    def median(self, name):
        return statistics.median(self.times[name]) if self.times.get(name) else None

    @property
    def limit(self):
        """Seconds per epoch of the GEMMs alone (median over the rounds)."""
        return self.median("limit")


def workload_config(workload, epochs, extra=()):
    return load_config(None, [*COMMON, *workload.overrides, f"train.epochs={epochs}", *extra])


def minimlp_epochs(config, splits, n_classes):
    """Epoch seconds of ``fit`` as ``minimlp train`` runs it, callback and history file included."""
    from ..model import MLP
    from ..runs.history import HistoryFile
    from ..runs.setup import fit_config

    net = MLP.for_task(config.model, splits.X_train.shape[1], n_classes, config.seed)
    stamps = []
    with tempfile.TemporaryDirectory() as folder, HistoryFile(Path(folder) / "history.csv", []) as history:
        def on_epoch(record, state):
            history.append(record)
            stamps.append(time.perf_counter())

        start = time.perf_counter()
        fit_config(net, splits, config, on_epoch=on_epoch)
    return list(np.diff([start, *stamps]))


def train_command_epoch(workload, threads):
    """The epoch of ``minimlp train`` as a user pays it: the whole process's wall time at two epoch
    counts, (T(E2) - T(E1)) / (E2 - E1), so start-up, data loading and the report cancel out.
    Everything a run does per epoch is in it: the loop, history.csv, checkpoints, the callbacks."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "MPLBACKEND": "Agg", **{v: str(threads) for v in BLAS_THREAD_VARIABLES}}
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        for epochs in workload.cli_epochs:
            path = Path(folder) / f"{workload.name}-{epochs}.yaml"
            path.write_text(workload_config(workload, epochs).to_yaml())
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "minimlp", "train", str(path), "--out", str(Path(folder) / f"run-{epochs}"),
                            "-q"], check=True, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            seconds.append(time.perf_counter() - start)
    first, last = workload.cli_epochs
    return [(seconds[1] - seconds[0]) / (last - first)]


BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def sklearn_epochs(config, splits):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    epochs = config.train.epochs
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(config.model.hidden), solver="sgd", learning_rate_init=config.optimizer.lr,
        momentum=config.optimizer.momentum, nesterovs_momentum=False, alpha=0.0, batch_size=config.train.batch_size,
        max_iter=epochs, shuffle=True, tol=0.0, n_iter_no_change=epochs + 1, random_state=config.seed,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(splits.X_train, splits.y_train)
    return [(time.perf_counter() - start) / epochs] * epochs


def torch_epochs(config, splits, n_classes, threads):
    """The usual PyTorch loop with manual batching: randperm, index, forward, backward, step."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(config.seed)
    sizes = [splits.X_train.shape[1], *config.model.hidden, n_classes]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=config.optimizer.lr, momentum=config.optimizer.momentum)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(splits.X_train), torch.from_numpy(splits.y_train.astype(np.int64))
    n, size, times = len(X), config.train.batch_size, []
    for _ in range(config.train.epochs):
        start = time.perf_counter()
        order, loss_sum, correct = torch.randperm(n), 0.0, 0
        for i in range(0, n, size):
            rows = order[i:i + size]
            xb, yb = X[rows], y[rows]
            out = model(xb)
            loss = loss_fn(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(rows)
            correct += int((out.argmax(1) == yb).sum())
        times.append(time.perf_counter() - start)
    return times


def gemm_limit(sizes, n, batch_size, dtype, repeats=5):
    """Seconds per epoch of only the matrix products: forward and dW for every layer,
    dX for all but the first, each timed alone at its exact shape and layout."""
    rng = np.random.default_rng(0)
    batches = [(batch_size, n // batch_size)] + ([(n % batch_size, 1)] if n % batch_size else [])
    total = 0.0
    for rows, count in batches:
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            x, W, g = (rng.standard_normal(s).astype(dtype) for s in ((rows, a), (a, b), (rows, b)))
            products = [(x, W), (x.T, g)] + ([(g, W.T)] if i > 0 else [])
            total += count * sum(_time_product(A, B, repeats) for A, B in products)
    return total


def _time_product(A, B, repeats):
    out = np.empty((A.shape[0], B.shape[1]), A.dtype)
    calls = max(1, int(2e7 / (2 * A.shape[0] * A.shape[1] * B.shape[1] + 2e4)))  # ~10 ms a sample
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            np.matmul(A, B, out=out)
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def peak_memory(function):
    """Peak bytes numpy and Python allocate while ``function`` runs (tracemalloc sees numpy's buffers)."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_workload(workload, threads, with_torch, log=print):
    from ..runs.folder import prepare

    config = workload_config(workload, workload.epochs_per_round)
    prepared = prepare(config)
    splits, k = prepared.splits, len(prepared.dataset.classes)
    sizes = prepared.net.sizes
    result = Result(workload, len(splits.X_train))
    config64 = workload_config(workload, workload.epochs_per_round, ["model.dtype=float64"])
    splits64 = prepare(config64).splits
    contenders = {
        "limit": lambda: [gemm_limit(sizes, len(splits.X_train), config.train.batch_size, np.float32)],
        "minimlp train": lambda: train_command_epoch(workload, threads),
        "minimlp": lambda: minimlp_epochs(config, splits, k),
        "minimlp float64": lambda: minimlp_epochs(config64, splits64, k),
        "scikit-learn": lambda: sklearn_epochs(config, splits64),  # float64: its default, the targets' reference
        "scikit-learn float32": lambda: sklearn_epochs(config, splits),
    }
    if with_torch:
        contenders["PyTorch"] = lambda: torch_epochs(config, splits, k, threads)
    for r in range(workload.rounds):
        for name, run in contenders.items():
            result.times.setdefault(name, []).extend(run())
        log(f"  {workload.name} round {r + 1}/{workload.rounds} done")
    for name in ("minimlp", "scikit-learn float32"):  # the same float32 data
        result.peak_bytes[name] = peak_memory(contenders[name])
    return result


def scaling(threads, log=print):
    """minimlp's W2 epoch time and samples/second at several training-set sizes."""
    from ..runs.folder import prepare

    config = workload_config(WORKLOADS[1], 2)
    prepared = prepare(config)
    splits, k = prepared.splits, len(prepared.dataset.classes)
    rows = []
    for n in SCALING_ROWS:
        part = type(splits)(splits.X_train[:n], splits.y_train[:n], splits.X_val, splits.y_val,
                            splits.X_test, splits.y_test, splits.scaler, splits.test_rows)
        seconds = statistics.median(minimlp_epochs(config, part, k) + minimlp_epochs(config, part, k))
        rows.append((n, seconds, n / seconds))
    log("  scaling done")
    return rows


def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True
