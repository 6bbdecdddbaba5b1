import os
import subprocess
import sys

import numpy as np


def central_difference(f, x, h=1e-6):
    """Numerical gradient of scalar f() with respect to array x, perturbed in place."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        up = f()
        x[i] = saved - h
        down = f()
        x[i] = saved
        grad[i] = (up - down) / (2 * h)
    return grad


def rel_error(numeric, analytic):
    """max|numeric - analytic| / max(max|numeric|, max|analytic|), 0 when both are 0."""
    scale = max(np.abs(numeric).max(), np.abs(analytic).max())
    return 0.0 if scale == 0 else float(np.abs(numeric - analytic).max() / scale)


def fuzz_scale():
    """MINIMLP_FUZZ as a positive integer, or 0 when it is unset or empty."""
    text = os.environ.get("MINIMLP_FUZZ", "").strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"MINIMLP_FUZZ must be a positive integer (how many times more examples), got {text!r}")
    return int(text)


def examples(n):
    """Hypothesis example count: n, or n times MINIMLP_FUZZ when exploring (see conftest.py)."""
    return n * max(1, fuzz_scale())


# Runs the measured code as its own child and reports that child's peak RSS: measured from a small parent,
# because Linux carries a parent's peak RSS over to a forked child, and pytest's process grows large.
MEASURE = """import resource, subprocess, sys
done = subprocess.run([sys.executable, "-c", sys.argv[1]], capture_output=True, text=True)
sys.stderr.write(done.stdout + done.stderr)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mib(code, cwd):
    """Run ``code`` in a fresh Python and return (its exit status, its output, its peak RSS in MiB)."""
    done = subprocess.run([sys.executable, "-c", MEASURE, code], cwd=cwd, capture_output=True, text=True)
    status, kib = map(int, done.stdout.split())
    return status, done.stderr, kib / 1024  # Linux reports KiB


def wait_for(condition, process, timeout=120, step=0.005):
    """Poll ``condition()`` while the subprocess ``process`` runs; fail if it ends first or time runs out."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the process ended before the test could act on it: {process.communicate()}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(step)


def run(*args):
    """``minimlp *args`` through Click's test runner (in this process), every argument as text."""
    from click.testing import CliRunner

    from minimlp.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


# The defaults before issue 22 (scikit-learn's 2016 recipe), for tests of mechanics written against them:
# SGD at 0.05 with momentum, one hidden layer of 128, 50 epochs of 32 rows, the last epoch's weights,
# z-scores, no missing-value indicators, no piecewise-linear inputs, no dropout, no calibration.
OLD_DEFAULTS = ["optimizer.name=sgd", "optimizer.lr=0.05", "optimizer.momentum=0.9", "optimizer.beta_2=0.999",
                "optimizer.weight_decay=0", "optimizer.schedule=constant", "model.hidden=[128]", "train.epochs=50",
                "train.batch_size=32", "train.patience=10", "train.label_smoothing=0", "train.early_stopping=false",
                "train.calibrate=false", "data.scaling=standard", "data.missing_indicators=false",
                "data.piecewise_bins=0", "model.dropout=0"]


def resumed_equals_uninterrupted(config, folder, stop_after):
    """Train ``config`` into folder/ref; train it into folder/run stopped after ``stop_after`` checks of
    the stop request (mid-run), resume that, and assert the two model files are the same bytes.
    Returns the uninterrupted run's result."""
    from minimlp.runs import resume_run, train_run

    reference = train_run(config, folder / "ref")
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= stop_after

    assert train_run(config, folder / "run", stop_requested=stop).status == "interrupted"
    assert resume_run(folder / "run").status == reference.status == "completed"
    assert (folder / "run" / "model.npz").read_bytes() == (folder / "ref" / "model.npz").read_bytes()
    return reference
