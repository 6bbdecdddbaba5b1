import os

import pytest

# scikit-learn's estimator suite checks array-API input only when scipy was imported with this set;
# set it before anything imports scipy so that check runs instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# Hypothesis runs a fixed, derandomized set of examples by default, so CI gives the same verdict on every run.
# MINIMLP_FUZZ=N explores fresh random examples, N times as many (see helpers.examples and the README).
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
