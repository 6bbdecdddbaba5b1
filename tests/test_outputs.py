"""`-o` of predict, compare and plot: never over a file minimlp did not create (unless --force), never into
a run folder or over the input (whatever --force), '-' for standard output."""
import csv
import io
import os

import pytest
from helpers import run

CSV_RUN = ("data:\n  dataset: csv\n  path: {path}\n  target: size\nmodel:\n  hidden: [4]\n"
           "train:\n  epochs: 3\n")
IRIS = "name: iris-out\ndata:\n  dataset: iris\nmodel:\n  hidden: [4]\ntrain:\n  epochs: 2\n"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture(scope="module")
def train_csv(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outputs-data")
    rows = [("x", "y", "size")] + [(i % 7 - 3, (i * 5) % 11 - 5, "big" if i % 3 else "small") for i in range(60)]
    return write_csv(folder / "train.csv", rows)


@pytest.fixture
def csv_run(cwd, trained_runs, train_csv):
    trained_runs(CSV_RUN.format(path=train_csv), cwd / "run")
    write_csv(cwd / "new.csv", [("x", "y"), (1, 2), (-2, -1)])
    return cwd


def test_predict_refuses_an_existing_file_without_force(csv_run):
    (csv_run / "notes.txt").write_text("mine")
    result = run("predict", "run", "new.csv", "-o", "notes.txt")
    assert result.exit_code == 2
    assert "notes.txt: exists" in result.output and "--force" in result.output
    assert (csv_run / "notes.txt").read_text() == "mine"
    assert run("predict", "run", "new.csv", "-o", "notes.txt", "--force").exit_code == 0
    assert (csv_run / "notes.txt").read_text().startswith("prediction,")


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_predict_never_writes_over_its_input(csv_run, force):
    before = (csv_run / "new.csv").read_bytes()
    for spelling in ("new.csv", "./sub/../new.csv", "link.csv"):
        (csv_run / "sub").mkdir(exist_ok=True)
        if not os.path.lexists(csv_run / "link.csv"):
            os.symlink("new.csv", csv_run / "link.csv")
        result = run("predict", "run", "new.csv", "-o", spelling, *force)
        assert result.exit_code == 2, (spelling, result.output)
        assert "is the input" in result.output or "exists" in result.output
        assert (csv_run / "new.csv").read_bytes() == before


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize("name", ["model.npz", "fresh.csv"])
def test_predict_never_writes_into_a_run_folder(csv_run, force, name):
    before = {p.name: p.read_bytes() for p in (csv_run / "run").iterdir() if p.is_file()}
    os.symlink("run", csv_run / "alias")
    for target in (f"run/{name}", f"alias/{name}", f"sub/../run/{name}"):
        (csv_run / "sub").mkdir(exist_ok=True)
        result = run("predict", "run", "new.csv", "-o", target, *force)
        assert result.exit_code == 2, (target, result.output)
        assert "inside the run folder" in result.output
    assert {p.name: p.read_bytes() for p in (csv_run / "run").iterdir() if p.is_file()} == before


def test_predict_to_standard_output(csv_run):
    result = run("predict", "run", "new.csv", "-o", "-")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [list(r) for r in rows][0][0] == "prediction" and len(rows) == 2
    assert "wrote 2 predictions" in result.stderr
    assert not (csv_run / "-").exists()


@pytest.fixture
def iris_run(cwd, trained_runs):
    trained_runs(IRIS, cwd / "a")
    return cwd


def test_compare_refuses_an_existing_page_and_a_run_folder(iris_run):
    (iris_run / "compare.html").write_text("mine")
    result = run("compare", "a")  # the default -o compare.html
    assert result.exit_code == 2 and "compare.html: exists" in result.output
    assert (iris_run / "compare.html").read_text() == "mine"
    metrics = (iris_run / "a/metrics.json").read_bytes()
    for force in ([], ["--force"]):
        result = run("compare", "a", "-o", "a/metrics.json", *force)
        assert result.exit_code == 2 and "inside the run folder" in result.output
    assert (iris_run / "a/metrics.json").read_bytes() == metrics
    assert run("compare", "a", "--force").exit_code == 0
    assert "<html" in (iris_run / "compare.html").read_text().lower()


def test_compare_to_standard_output(iris_run):
    result = run("compare", "a", "-o", "-")
    assert result.exit_code == 0, result.output
    assert "<html" in result.stdout.lower() and not (iris_run / "-").exists()


def test_plot_refuses_an_existing_file_and_a_run_folder_and_writes_png_to_stdout(iris_run):
    (iris_run / "c.png").write_bytes(b"mine")
    result = run("plot", "a", "-o", "c.png")
    assert result.exit_code == 2 and "c.png: exists" in result.output
    assert (iris_run / "c.png").read_bytes() == b"mine"
    for force in ([], ["--force"]):
        result = run("plot", "a", "-o", "a/loss.png", *force)
        assert result.exit_code == 2 and "inside the run folder" in result.output
        assert not (iris_run / "a/loss.png").exists()
    result = run("plot", "a", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(PNG_MAGIC)
    assert run("plot", "a", "-o", "c.png", "--force").exit_code == 0
    assert (iris_run / "c.png").read_bytes().startswith(PNG_MAGIC)


def test_a_file_that_appears_after_the_check_is_not_replaced(tmp_path):
    from minimlp import files

    (tmp_path / "x").write_text("mine")
    with pytest.raises(FileExistsError):
        files.write_bytes(tmp_path / "x", b"new", replace=False)
    assert (tmp_path / "x").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["x"]  # no temporary file left
    files.write_bytes(tmp_path / "y", b"new", replace=False)
    assert (tmp_path / "y").read_bytes() == b"new"
