"""`minimlp compare`, `plot -o` formats, the sweep's --grid messages and bench's PyTorch line."""
import csv
import re

import pytest
from helpers import run


IRIS = "name: iris-compare\ndata:\n  dataset: iris\nmodel:\n  hidden: [8]\ntrain:\n  epochs: 5\n  batch_size: 16\n"


@pytest.fixture
def cwd(cwd):
    """conftest's working folder, with the iris config in it."""
    (cwd / "c.yaml").write_text(IRIS)
    return cwd


@pytest.fixture
def two_runs(cwd, trained_runs):
    for out, lr in (("slow", "0.001"), ("fast", "0.1")):
        trained_runs(IRIS, cwd / out, f"optimizer.lr={lr}")  # trained once per session, copied
    return cwd


def best_val_loss(run):
    with open(run / "history.csv", newline="") as f:
        return min(float(r["val_loss"]) for r in csv.DictReader(f))


def test_compare_shows_the_differing_keys_and_marks_the_best_run(two_runs):
    result = run("compare", "slow", "fast", "-o", "both.html")
    assert result.exit_code == 0, result.output
    page = (two_runs / "both.html").read_text()
    headings = [h.replace("<wbr>", "") for h in re.findall(r"<th[^>]*>(.*?)</th>", page)]
    assert headings[:2] == ["run", "optimizer.lr"]  # the one key that differs, nothing else from the config
    assert not {"seed", "model.hidden", "name"} & set(headings)
    best = min(("slow", "fast"), key=lambda name: best_val_loss(two_runs / name))
    assert re.search(rf'<tr class="best">.*?</span><a href="{best}/report.html">{best}</a><span class="badge">best</span>', page)
    assert page.count('<tr class="best">') == 1 and page.count("<svg ") == 2
    assert f"{best_val_loss(two_runs / best):.4f}" in page
    assert ">0.001<" in page and ">0.1<" in page


def test_compare_refuses_a_folder_that_is_not_a_finished_run(two_runs):
    (two_runs / "empty").mkdir()
    result = run("compare", "slow", "empty")
    assert result.exit_code == 2 and "empty" in result.output and "no config.yaml" in result.output
    (two_runs / "fast/metrics.json").write_text('{"test_loss": NaN}')
    result = run("compare", "slow", "fast")
    assert result.exit_code == 2 and "metrics.json" in result.output and "NaN" in result.output
    assert not (two_runs / "compare.html").exists()


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml"), (".pdf", b"%PDF-"),
                                          (".PDF", b"%PDF-")])
def test_plot_writes_the_format_its_suffix_names(two_runs, suffix, magic):
    result = run("plot", "slow", "fast", "-o", f"curves{suffix}")
    assert result.exit_code == 0, result.output
    assert (two_runs / f"curves{suffix}").read_bytes().startswith(magic)


def test_plot_refuses_another_suffix(two_runs):
    result = run("plot", "slow", "-o", "curves.jpg")
    assert result.exit_code == 2 and "curves.jpg" in result.output and ".png, .svg or .pdf" in result.output
    assert not (two_runs / "curves.jpg").exists()


def test_a_bad_grid_value_is_reported_as_from_grid(cwd):
    result = run("sweep", "c.yaml", "--grid", "optimizer.momentum=0.5,1.5", "-j", "1", "--out", "sw")
    assert result.exit_code == 1
    with open(cwd / "sw/sweep.csv", newline="") as f:
        message = {r["run"]: r["message"] for r in csv.DictReader(f)}["momentum-1.5"]
    assert message.startswith("--grid optimizer.momentum=1.5:") and "--set" not in message
    page = (cwd / "sw/sweep.html").read_text()
    assert re.search(r'<tr class="note"><td colspan="\d+">--grid optimizer.momentum=1.5: ', page)


def test_bench_says_it_skipped_pytorch(monkeypatch):
    from minimlp.tools import bench, bench_table

    monkeypatch.setattr(bench, "run_workload", lambda *a, **k: None)
    monkeypatch.setattr(bench, "scaling", lambda *a, **k: [])
    monkeypatch.setattr(bench_table, "format_table", lambda results: "table")
    monkeypatch.setattr(bench_table, "format_scaling", lambda rows: "scaling")
    monkeypatch.setattr(bench, "torch_available", lambda: False)
    assert "PyTorch: skipped (not installed" in run("bench").output
    monkeypatch.setattr(bench, "torch_available", lambda: True)
    assert "PyTorch: skipped (--no-torch)" in run("bench", "--no-torch").output
    assert "PyTorch: skipped" not in run("bench").output
