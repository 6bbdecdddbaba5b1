import os

import pytest

# scikit-learn's estimator suite checks array-API input only when scipy was imported with this set;
# set it before anything imports scipy so that check runs instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# Hypothesis runs a fixed, derandomized set of examples by default, so CI gives the same verdict on every run.
# MINIMLP_FUZZ=N explores fresh random examples, N times as many (see helpers.examples and the README's Quick start).
from helpers import fuzz_scale
from hypothesis import settings

settings.register_profile("fixed", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if fuzz_scale() else "fixed")


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """A test run from inside its own temporary folder (runs/ and relative paths land there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def trained_runs(tmp_path_factory):
    """Trains each distinct (config text, overrides) once per session; ``copy(config, dest, *sets)`` puts a
    private copy of that finished run folder at ``dest``, so a test may damage its copy freely."""
    import shutil

    from helpers import run

    cache, root = {}, tmp_path_factory.mktemp("trained-runs")

    def copy(config_text, dest, *overrides):
        key = (config_text, overrides)
        if key not in cache:
            folder = root / f"run{len(cache)}"
            folder.mkdir()
            (folder / "c.yaml").write_text(config_text)
            sets = [arg for text in overrides for arg in ("--set", text)]
            result = run("train", folder / "c.yaml", "--out", folder / "run", "-q", *sets)
            assert result.exit_code == 0, result.output
            cache[key] = folder / "run"
        shutil.copytree(cache[key], dest)
        return dest

    return copy
