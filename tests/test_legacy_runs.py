"""A run folder written before issue 22's defaults (minimlp at 2c08619, tests/fixtures/legacy_2c08619)
still loads, predicts as it did, and resumes to the uninterrupted run's exact result: the keys its
config.yaml lacks (data.scaling, data.missing_indicators, train.calibrate) keep their old meaning."""
import shutil
from pathlib import Path

import numpy as np

from minimlp.config import load_config
from minimlp.runs import resume_run
from minimlp.runs.predictor import Predictor

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "legacy_2c08619"


def _copy(tmp_path, name):
    """The fixture's run folder in tmp_path, its config pointing at the fixture's table copied beside it."""
    shutil.copy(FIXTURE / "table.csv", tmp_path / "table.csv")
    run = tmp_path / name
    shutil.copytree(FIXTURE / name, run)
    config = run / "config.yaml"
    lines = [f"  path: {tmp_path / 'table.csv'}" if line.startswith("  path: ") else line
             for line in config.read_text().splitlines()]
    config.write_text("\n".join(lines) + "\n")
    return run


def test_an_old_model_file_predicts_as_it_did():
    predictor = Predictor.load(FIXTURE / "reference" / "model.npz")
    frame, _ = predictor.read(FIXTURE / "table.csv")
    np.testing.assert_array_equal(predictor.predict_proba(frame), np.load(FIXTURE / "reference_proba.npy"))


def test_an_old_config_keeps_the_old_meaning_of_the_new_keys(tmp_path):
    run = _copy(tmp_path, "reference")
    old = load_config(run / "config.yaml", saved=True)
    assert (old.data.scaling, old.data.missing_indicators, old.train.calibrate) == ("standard", False, False)
    new = load_config(None, ["data.dataset=iris"])  # a config written today gets today's defaults
    assert (new.data.scaling, new.data.missing_indicators, new.train.calibrate) == ("robust", True, True)


def test_an_old_interrupted_run_resumes_to_the_uninterrupted_runs_weights(tmp_path):
    run = _copy(tmp_path, "interrupted")
    result = resume_run(run)
    assert result.status == "completed"
    resumed, reference = np.load(run / "model.npz"), np.load(FIXTURE / "reference" / "model.npz")
    assert sorted(resumed.files) == sorted(reference.files)
    for key in reference.files:
        np.testing.assert_array_equal(resumed[key], reference[key], err_msg=key)
    def without_seconds(path):  # the last column is wall time
        return [line.rsplit(",", 1)[0] for line in path.read_text().splitlines()]

    assert without_seconds(run / "history.csv") == without_seconds(FIXTURE / "reference" / "history.csv")
