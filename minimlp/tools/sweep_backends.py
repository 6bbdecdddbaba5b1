"""Where a sweep's runs execute: joblib's loky processes on this machine, or Dask.

Either way, a signal that stops the sweep (Ctrl-C, SIGTERM: raised in the main
thread as KeyboardInterrupt or Interrupted) stops the workers too: joblib
terminates its loky workers when its generator is interrupted, and the local
Dask cluster is closed, which ends its worker processes.  A run killed this way
is left as a SIGKILL would leave it (files whole, lock released by the kernel),
so running the sweep again resumes it from its last checkpoint, bit-identically.
With a remote ``--scheduler``, queued runs are cancelled; a run already
executing on a remote worker finishes there.
"""
import contextlib
import logging

from ..errors import MinimlpError


def execute(tasks, jobs, backend, scheduler):
    """(task index, row) pairs as runs finish; ``tasks`` maps an index to run_one's arguments.
    No more workers start than there are runs (each costs an interpreter and its imports)."""
    jobs = max(1, min(jobs, len(tasks)))
    if backend == "joblib":
        yield from _joblib(tasks, jobs)
    else:
        yield from _dask(tasks, jobs, scheduler)


def _joblib(tasks, jobs):
    from joblib import Parallel, delayed

    outputs = Parallel(n_jobs=jobs, return_as="generator_unordered")(
        delayed(_indexed)(i, task) for i, task in tasks.items())
    yield from outputs  # on any exception, joblib aborts and terminates its workers


def _dask(tasks, jobs, scheduler):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise MinimlpError("--backend dask needs Dask: pip install 'minimlp[dask]'") from None
    # The local cluster's own logs stay quiet: a run's failure comes back as its row, and a worker stopped by
    # Ctrl-C or SIGTERM on a loaded machine logs a missed heartbeat with a traceback at ERROR.
    cluster = None if scheduler else LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                  dashboard_address=None, silence_logs=logging.CRITICAL)
    futures = []
    try:
        with Client(scheduler or cluster) as client:
            try:
                futures = [client.submit(_indexed, i, task, pure=False) for i, task in tasks.items()]
                for future in as_completed(futures):
                    yield future.result()
            finally:
                pending = [f for f in futures if not f.done()]
                if pending:  # stopped early: queued runs must not start
                    client.cancel(pending)
    except OSError as e:
        raise MinimlpError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({e})") from None
    finally:
        if cluster is not None:
            with contextlib.suppress(OSError):  # a TimeoutError: its nannies kill busy workers after 4 s anyway
                cluster.close(timeout=10)


def _indexed(index, task):
    from .sweep_run import run_one

    return index, run_one(*task)
