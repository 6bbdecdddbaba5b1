"""``minimlp --version`` and ``minimlp -h`` answered without importing Click (or anything else).

Python starts in about 20 ms and importing Click and the group costs as much
again, for two fixed texts. HELP is Click's rendering of the group's help at
a terminal of 80 columns or more (Click wraps at min(width, 80) - 2); a
narrower terminal, or any other arguments, go through Click.
tests/test_startup.py holds both texts to Click's output, so a changed command
or docstring fails there (the test prints the new text to paste here).
"""
import os
import sys

from .. import __version__

MIN_COLUMNS = 80

HELP = """\
Usage: minimlp [OPTIONS] COMMAND [ARGS]...

  minimlp: train small MLPs from YAML configs, with a report you can trust.

  Examples:
    minimlp train                          # the default config (digits)
    minimlp train configs/moons.yaml --set optimizer.lr=0.05
    minimlp predict runs/iris-20261128-120000 flowers.csv -o predictions.csv

Options:
  --version   Show the version and exit.
  -h, --help  Show this message and exit.

Commands:
  bench      Time minimlp against scikit-learn's MLPClassifier and...
  compare    Compare runs on one self-contained page: their loss and...
  config     Work with configs: show the resolved one.
  datasets   List the datasets a config can name, with their data.params...
  evaluate   Re-evaluate the saved model of RUN_DIR on its test split and...
  export     Export the model of RUN_DIR, its preprocessing included, as...
  gradcheck  Check the network's gradients against central finite...
  lr-find    Find a learning rate: train from CONFIG's initial weights...
  plot       Overlay the loss curves of several runs (train solid,...
  predict    Predict the class of every row of INPUT_FILE (CSV, TSV or...
  sweep      Train every combination of the --grid values, in parallel,...
  train      Train the network CONFIG describes and write a run folder.
"""


def answer(args):
    """Print the answer for ``args`` and return True, or return False for Click to handle them."""
    if args == ["--version"]:
        text = f"minimlp, version {__version__}\n"
    elif args in (["-h"], ["--help"]) and columns() >= MIN_COLUMNS:
        text = HELP
    else:
        return False
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def columns():
    """The terminal width as ``shutil.get_terminal_size`` (Click's source) reads it, without importing shutil."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        width = 0
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            width = 0
    return width or 80
