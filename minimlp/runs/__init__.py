"""The run folder: training into it and resuming (folder), checkpoints, the saved
predictor and the test metrics."""
from .folder import CHECKPOINT, RunResult, finished_status, prepare, read_curves, resume_run, test_metrics, train_run

__all__ = [
    "train_run", "resume_run", "prepare", "finished_status", "read_curves", "test_metrics",
    "RunResult", "CHECKPOINT",
]
