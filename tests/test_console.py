"""What `minimlp train` prints: summaries before epoch 1, a bounded number of epoch lines, -q, divergence."""
import json
import math
import re

import pytest
from click.testing import CliRunner

from minimlp.cli import main
from minimlp.cli.console import epoch_text
from minimlp.train import EpochRecord

IRIS = "name: iris-console\ndata:\n  dataset: iris\n  piecewise_bins: 0\nmodel:\n  hidden: [8]\ntrain:\n  epochs: {epochs}\n  batch_size: 32\n"


def train(cwd, *args, epochs=4, text=IRIS):
    (cwd / "c.yaml").write_text(text.format(epochs=epochs))
    return CliRunner().invoke(main, ["train", "c.yaml", "--out", "run", *args])


def epoch_lines(output):
    return [int(m) for m in re.findall(r"^epoch (\d+)/\d+ ", output, flags=re.M)]


def strict_loads(text):
    def reject(constant):
        raise ValueError(f"non-strict JSON constant {constant}")

    return json.loads(text, parse_constant=reject)


def test_data_and_model_summaries_come_before_epoch_1(cwd):
    result = train(cwd)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("data   iris") < out.index("dense 1") < out.index("epoch 1/4")
    assert "105 train / 15 validation / 30 test rows\n       3 classes (setosa, versicolor, virginica)" in out
    assert "4 input columns -> 4 network inputs" in out
    params = (4 + 1) * 8 + (8 + 1) * 3  # weights and biases of 4-8-3
    assert re.search(r"dense 1\s+4 -> 8\s+relu, dropout 0.25\s+40\b", out) and re.search(r"dense 2 \(output\)\s+8 -> 3", out)
    assert f"total {params} parameters, float32" in out
    model = json.loads((cwd / "run/metrics.json").read_text())["model"]
    assert model["params"] == params and [layer["params"] for layer in model["layers"]] == [40, 27]


def test_off_a_terminal_about_50_epoch_lines_with_the_first_last_and_best(cwd):
    result = train(cwd, epochs=230)
    assert result.exit_code == 0, result.output
    lines = epoch_lines(result.output)
    assert 45 <= len(lines) <= 52 and lines[0] == 1 and lines[-1] == 230
    assert all(e % 5 == 0 for e in lines[1:])  # every ceil(230/50) = 5th
    with open(cwd / "run/history.csv") as f:
        rows = [line.split(",") for line in f.read().splitlines()[1:]]
    losses = [float(r[3]) for r in rows]
    best = losses.index(min(losses)) + 1
    assert f"best validation loss {min(losses):.4f} at epoch {best}" in result.output


def test_log_every_chooses_the_step(cwd):
    assert epoch_lines(train(cwd, "--log-every", "3", epochs=10).output) == [1, 3, 6, 9, 10]
    result = CliRunner().invoke(main, ["train", "c.yaml", "--out", "run2", "--log-every", "1"])
    assert epoch_lines(result.output) == list(range(1, 11))


def test_huge_losses_print_in_scientific_notation():
    record = EpochRecord(3, 2.034461933972373e30, 0.1, float("inf"), 0.1, 0.05, 0.002)
    text = epoch_text(record)
    assert "loss 2.03e+30" in text and "val_loss inf" in text and not re.search(r"\d{8,}", text)


def test_quiet_prints_only_the_run_folder(cwd):
    result = train(cwd, "-q")
    assert result.exit_code == 0 and result.output == "run\n"
    assert (cwd / result.output.strip() / "report.html").is_file()


def test_divergence_one_message_no_numpy_warning_strict_json(cwd):
    # digits at lr=10 once leaked "RuntimeWarning: overflow encountered in reduce" (a float32 sum of huge
    # row losses); pytest turns any warning into an error, so such a run would fail here
    result = CliRunner().invoke(main, ["train", "--out", "run", "--set", "optimizer.name=sgd", "--set", "optimizer.lr=10",
                                       "--set", "train.epochs=3", "--set", "data.scaling=standard", "--set", "data.piecewise_bins=0",
                                       "--set", "train.label_smoothing=0"])
    assert result.exit_code == 1, result.output
    assert result.output.count("diverged") == 1 and "Warning" not in result.output
    assert result.output.count("Error:") == 1 and "run folder: run" in result.output
    metrics = strict_loads((cwd / "run/metrics.json").read_text())
    assert metrics["status"] == "diverged" and metrics["test_loss"] is None or math.isfinite(metrics["test_loss"])


def test_metrics_json_is_strict_and_best_epoch_is_set_without_early_stopping(cwd):
    assert train(cwd, epochs=6).exit_code == 0
    metrics = strict_loads((cwd / "run/metrics.json").read_text())
    with open(cwd / "run/history.csv") as f:
        val = [float(line.split(",")[3]) for line in f.read().splitlines()[1:]]
    assert metrics["best_epoch"] == val.index(min(val)) + 1
    assert metrics["data"]["rows"] == {"train": 105, "val": 15, "test": 30}


class Terminal:
    """A stream that says it is a terminal, keeping what is written to it."""

    def __init__(self, tty=True):
        self.text, self.tty = "", tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return self.tty


def loading(seconds, bytes_read, done=False, rows=1000):
    from minimlp.data.reader import Loading

    return Loading("big.csv", rows, 5, bytes_read, 4000, seconds, done)


@pytest.mark.parametrize("bytes_read,expected", [(1000, r"reading big\.csv \[#{7} {23}\]  25%  1,000 rows"),
                                                 (None, r"reading big\.csv [|/\\-] 1\.5 s")])
def test_loading_shows_a_bar_or_a_spinner_on_a_terminal_after_a_second_then_one_line(capsys, bytes_read, expected):
    from minimlp.cli.loading import LoadProgress

    terminal = Terminal()
    progress = LoadProgress(stream=terminal)
    progress(loading(0.5, bytes_read))
    assert terminal.text == ""  # a short read draws nothing
    progress(loading(1.5, bytes_read))
    assert re.fullmatch("\r" + expected, terminal.text), terminal.text
    progress(loading(1.7, 4000, done=True, rows=2000))
    assert terminal.text.endswith("\r\033[K")  # the bar is wiped before the summary line
    assert capsys.readouterr().out == "read big.csv: 2,000 rows × 5 columns in 1.70 s\n"


def test_loading_draws_nothing_off_a_terminal_and_nothing_at_all_when_quiet(capsys):
    from minimlp.cli.loading import LoadProgress

    terminal = Terminal(tty=False)
    progress = LoadProgress(stream=terminal)
    progress(loading(5.0, None))
    progress(loading(5.0, 1000))
    assert terminal.text == ""
    quiet = LoadProgress(quiet=True, stream=Terminal())
    quiet(loading(5.0, None))
    quiet(loading(5.1, 4000, done=True))
    assert quiet.stream.text == "" and "read big.csv" not in capsys.readouterr().out
