"""Imports follow need: each command imports what it uses, and --version / -h answer before Click loads.

Each case runs a fresh interpreter (imports are per process) and reads which packages it loaded."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from minimlp.cli.fast import HELP

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
HEAVY = ("sklearn", "scipy", "pandas", "matplotlib", "pyarrow")

# Runs the minimlp executable's entry in this interpreter, then prints the top-level packages it imported.
LOADED = """import atexit, sys
atexit.register(lambda: sys.stderr.write("\\nLOADED " + " ".join(sorted({m.split(".")[0] for m in sys.modules})) + "\\n"))
sys.argv = ["minimlp", *sys.argv[1:]]
from minimlp.cli.entry import run
run()
"""
# Click's own rendering of the same arguments, with no fast path in front of it.
THROUGH_CLICK = """import sys
sys.argv = ["minimlp", *sys.argv[1:]]
from minimlp.cli.group import main
main(prog_name="minimlp")
"""


def minimlp(script, *args, cwd=None, columns=None):
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def loaded(*args, cwd=None):
    done = minimlp(LOADED, *args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return set(done.stderr.rsplit("LOADED ", 1)[1].split())


@pytest.mark.parametrize("args", [["--version"], ["-h"], ["--help"]])
@pytest.mark.parametrize("columns", [None, 80, 200, 60])
def test_version_and_help_print_exactly_what_click_prints(args, columns):
    fast, click = minimlp(LOADED, *args, columns=columns), minimlp(THROUGH_CLICK, *args, columns=columns)
    assert (fast.returncode, click.returncode) == (0, 0)
    assert fast.stdout == click.stdout, "minimlp/cli/fast.py's HELP must be Click's text; now it is:\n" + click.stdout


@pytest.mark.parametrize("args", [["--version"], ["-h"]])
def test_version_and_help_import_neither_click_nor_numpy(args):
    assert not loaded(*args) & {"click", "numpy", "yaml", *HEAVY}


def test_a_narrow_terminal_gets_clicks_wrapping():
    narrow = minimlp(LOADED, "-h", columns=60)
    assert "click" in narrow.stderr.rsplit("LOADED ", 1)[1].split()
    assert narrow.stdout != HELP and narrow.stdout.startswith("Usage: minimlp [OPTIONS] COMMAND [ARGS]...")


@pytest.mark.parametrize("args", [
    ["datasets"],
    ["config", "show", CONFIGS / "moons.yaml"],  # a generator with data.params, checked against their names
    ["config", "show", CONFIGS / "fruit_market.yaml"],  # a CSV table
    ["train", "-h"],
])
def test_listing_and_showing_import_no_scikit_learn_pandas_or_matplotlib(args):
    assert not loaded(*args) & set(HEAVY)


@pytest.mark.parametrize("args", [
    ["datasets"],
    ["config", "show", CONFIGS / "moons.yaml", "--set", "model.activation=tanh"],  # every rule checked, names included
])
def test_listing_and_validating_import_no_numpy(args):
    """A config is checked against plain names (minimlp/names.py), not against the registries that import numpy."""
    assert "numpy" not in loaded(*args)


def test_training_a_bundled_dataset_imports_no_scikit_learn_or_pandas(tmp_path):
    """iris comes from scikit-learn's file, its metrics from numpy; the report still has every figure."""
    modules = loaded("train", "-q", CONFIGS / "iris.yaml", "--set", "train.epochs=2", "--out", tmp_path / "run")
    assert not modules & {"sklearn", "scipy", "pandas"}
    assert {p.name for p in (tmp_path / "run").glob("*.svg")} == {"loss.svg", "accuracy.svg", "confusion_matrix.svg"}


def test_training_and_predicting_a_small_table_with_text_columns_import_no_scikit_learn_or_pandas(tmp_path):
    """The one-hot categories and their lookup are numpy's (scikit-learn's import was 0.6 s of each process);
    a small file is read by the csv module (pandas' import is 0.2 s); one pandas would not read alike is not."""
    table = tmp_path / "t.csv"
    rows = [f"{i % 7},{'rgb'[i % 3]},{'pq'[i % 2]}\n" for i in range(60)]
    table.write_text("size,colour,y\n" + "".join(rows))
    modules = loaded("train", "-q", "--set", "data.dataset=csv", "--set", f"data.path={table}",
                     "--set", "data.target=y", "--set", "train.epochs=2", "--out", tmp_path / "run")
    assert not modules & {"sklearn", "scipy", "pandas"}
    columns = json.loads((tmp_path / "run" / "metrics.json").read_text())["data"]["columns"]
    assert [(c["name"], c["kind"], c["inputs"]) for c in columns][1] == ("colour", "one-hot", 3)
    assert not loaded("predict", tmp_path / "run", table, "-o", tmp_path / "p.csv") & {"sklearn", "scipy", "pandas"}
    odd = tmp_path / "odd.csv"  # the control: a True with a space before it is pandas' to read
    odd.write_text("flag,size,colour,y\n" + "".join(f"{' True' if i % 3 else 'False'},{row}" for i, row in enumerate(rows)))
    assert "pandas" in loaded("train", "-q", "--set", "data.dataset=csv", "--set", f"data.path={odd}",
                              "--set", "data.target=y", "--set", "train.epochs=2", "--out", tmp_path / "run2")


def test_a_generator_imports_scikit_learn(tmp_path):
    """The control: the check above can see scikit-learn when a run does import it."""
    modules = loaded("train", "-q", CONFIGS / "moons.yaml", "--set", "train.epochs=1", "--out", tmp_path / "run")
    assert "sklearn" in modules


def test_the_startup_bench_judges_each_target_from_pairs_of_one_round():
    from minimlp.tools.bench_startup import format_startup_table, summarize

    samples = {"python -c pass": [0.020, 0.040, 0.020], "minimlp --version": [0.025, 0.080, 0.029],
               "minimlp compare": [1.1, 1.3, 1.0], "scikit-learn script (iris)": [2.0, 3.0, 2.5],
               "minimlp train (iris)": [1.0, 2.4, 1.4]}
    rows = summarize(samples)
    assert rows["minimlp --version"]["ratio"] == pytest.approx(1.45)  # the median of 1.25, 2.0, 1.45
    assert rows["minimlp --version"]["met"] is True
    assert rows["minimlp train (iris)"]["ratio"] == pytest.approx(0.56) and rows["minimlp train (iris)"]["met"]
    assert rows["minimlp compare"]["seconds"] == 1.1 and rows["minimlp compare"]["met"] is True
    assert rows["python -c pass"]["met"] is None
    table = format_startup_table(rows)
    assert "| minimlp --version | 29 ms | python -c pass | 1.45 | ≤ 1.5× | yes |" in table


def test_a_misspelt_command_is_still_answered_with_the_closest_name():
    """Commands load on demand, yet Click's suggestion still sees every one of them."""
    done = minimlp(LOADED, "trian")
    assert done.returncode == 2 and "No such command 'trian'. Did you mean 'train'?" in done.stderr


LEAN = """import hashlib, os, sys
from minimlp.report import figures, mpl
os.environ.pop(mpl.OWN_PROCESS_ENV, None)
if sys.argv[1] == "own":
    os.environ[mpl.OWN_PROCESS_ENV] = "1"  # as the minimlp executable says it (cli/entry.py)
svg = figures.save(figures.overlay({"a": {"epoch": [1, 2], "train_loss": [1, 0.5], "val_loss": [1.1, 0.7]}}, "loss"))
from matplotlib.lines import Line2D
print(hashlib.sha256(svg).hexdigest(), "dash_capstyle" in (Line2D.set.__doc__ or ""))
"""


def test_figures_are_the_same_bytes_when_matplotlib_loads_without_its_docstrings():
    """minimlp's own processes skip matplotlib's docstring building; a library user's process keeps it."""
    own, library = (minimlp(LEAN, kind).stdout.split() for kind in ("own", "library"))
    assert own[0] == library[0]
    assert (own[1], library[1]) == ("False", "True")


# Runs the minimlp executable's entry, then says whether this process drew with matplotlib's lean import and
# what its environment tells the processes it starts (a sweep's workers).
OWN = """import atexit, os, sys
def lean():
    from matplotlib.lines import Line2D
    sys.stderr.write("\\nLEAN " + os.environ.get("MINIMLP_OWN_PROCESS", "unset") + " "
                     + str("dash_capstyle" in (Line2D.set.__doc__ or "")) + "\\n")
atexit.register(lean)
sys.argv = ["minimlp", *sys.argv[1:]]
from minimlp.cli.entry import run
run()
"""


def test_the_executable_draws_without_the_docstrings_and_its_children_inherit_that(tmp_path):
    # moons: two features, so its decision boundary is drawn with matplotlib (the other figures need none)
    done = minimlp(OWN, "train", "-q", CONFIGS / "moons.yaml", "--set", "train.epochs=2", "--out", tmp_path / "run")
    assert done.returncode == 0, done.stderr
    assert done.stderr.rsplit("LEAN ", 1)[1].split() == ["1", "False"]


def ending(body, *argv):
    """(exit status, stdout, stderr) of a process that sets ``body`` up, then runs the executable's entry."""
    script = (f"import atexit, sys, threading, time\n{body}\nfrom minimlp.cli.entry import run\n"
              f"sys.argv = ['minimlp', *{list(argv)!r}]\nrun()\n")
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    return process.returncode, process.stdout, process.stderr


def test_the_process_ends_without_teardown_yet_runs_atexit_and_keeps_its_status():
    """cli/entry.leave: os._exit after the streams and atexit's handlers (the teardown is 25 ms a command)."""
    status, out, _ = ending("atexit.register(lambda: print('handler ran'))", "--version")
    assert status == 0 and out.splitlines() == ["minimlp, version " + out.split("version ")[1].splitlines()[0],
                                                "handler ran"]
    status, _, err = ending("atexit.register(lambda: print('handler ran', file=sys.stderr))", "train", "nowhere.yaml")
    assert status == 2 and "does not exist" in err and err.rstrip().endswith("handler ran")
    many = "atexit.register(lambda: print('\\n'.join(map(str, range(200_000)))))"  # more than a pipe holds
    status, out, _ = ending(many, "--version")
    assert status == 0 and out.rstrip().endswith("199999") and len(out.splitlines()) == 200_001


def test_the_interpreters_teardown_is_skipped():
    """A global whose finaliser prints shows Python's teardown; the executable's end skips it."""
    finaliser = "class Loud:\n    def __del__(self):\n        print('torn down')\nkept = Loud()"
    plain = subprocess.run([sys.executable, "-c", finaliser], capture_output=True, text=True, timeout=60)
    assert plain.stdout == "torn down\n"  # the control: Python's own end runs it
    status, out, _ = ending(finaliser, "--version")
    assert status == 0 and "torn down" not in out and out.startswith("minimlp, version")


def test_a_thread_still_running_at_the_end_is_waited_for():
    """With another thread alive Python ends as usual (it joins non-daemon threads); os._exit would cut it."""
    status, out, _ = ending("threading.Thread(target=lambda: (time.sleep(0.5), print('thread done'))).start()",
                            "--version")
    assert status == 0 and out.rstrip().endswith("thread done")


def test_an_exit_with_a_message_prints_it_and_ends_with_status_1():
    process = subprocess.run([sys.executable, "-c", "from minimlp.cli.entry import leave\nleave('a message')"],
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 1 and process.stderr == "a message\n"
