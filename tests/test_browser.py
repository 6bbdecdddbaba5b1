"""report.html, compare.html and sweep.html rendered in headless Chromium at a phone's and a desktop's width.

Each page must not scroll sideways (scrollWidth <= innerWidth), every image
must decode (naturalWidth > 0) and every inline SVG figure must be laid out
with a size inside the viewport, and the page must log no console error.
Without a browser these tests are skipped, saying why; CI (.ci/run) installs
Chromium and sets MINIMLP_REQUIRE_BROWSER=1, which turns the skip into a failure.
Every table cell must be wholly visible (not cut by the page or by a scrolling box), and the compare
and sweep pages must link each run to its report.html by links that open from file://.
Every render saves a full-page screenshot (PNG) of the page's width, kept in MINIMLP_SCREENSHOTS=DIR
when set (else in a temporary folder).
"""
import os
import re
import struct
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner

from browser import Browser, find_chromium
from minimlp.cli import main

WIDTHS = (420, 1280)
IRIS = "name: iris-browser\ndata:\n  dataset: iris\nmodel:\n  hidden: [8]\ntrain:\n  epochs: 12\n  batch_size: 16\n"
MOONS = "name: moons-browser\ndata:\n  dataset: moons\n  params: {n_samples: 300, noise: 0.25}\nmodel:\n  hidden: [16]\ntrain:\n  epochs: 8\n"
CSV_RUN = ("name: market-browser\ndata:\n  dataset: csv\n  path: market.csv\n  target: fruit\n  missing: impute\n"
           "model:\n  hidden: [8]\ntrain:\n  epochs: 60\n  early_stopping: true\n  patience: 3\n")
WIDE = ["--set", "optimizer.lr=0.1", "--set", "optimizer.momentum=0.5", "--set", "optimizer.nesterov=true",
        "--set", "model.hidden=[6,6]", "--set", "model.activation=tanh", "--set", "train.batch_size=8",
        "--set", "data.test_size=0.3", "--set", "optimizer.weight_decay=0.0001", "--set", "train.label_smoothing=0.1"]
MANY = ("name: many-classes\ndata:\n  dataset: classification\n  params: {n_samples: 1500, n_classes: 50, "
        "n_informative: 6, n_clusters_per_class: 1, n_features: 8}\nmodel:\n  hidden: [16]\ntrain:\n  epochs: 2\n")


@pytest.fixture(scope="module")
def browser():
    path = find_chromium()
    if path is None:
        reason = ("no Chromium found (/usr/bin/chromium, or set MINIMLP_CHROMIUM); install it with "
                  "'apt-get install chromium' to render the report pages in a real browser")
        if os.environ.get("MINIMLP_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    with Browser(path) as b:
        yield b


def cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """{name: (page, figures it should show)} for every kind of page minimlp writes."""
    root = tmp_path_factory.mktemp("pages")
    write_market(root / "market.csv")
    for name, text in (("iris", IRIS), ("moons", MOONS), ("many", MANY), ("market", CSV_RUN)):
        (root / f"{name}.yaml").write_text(text)
        assert cli("train", root / f"{name}.yaml", "--out", root / name, "-q").exit_code == 0
    diverged = cli("train", root / "iris.yaml", "--out", root / "diverged", "-q", "--set", "optimizer.name=sgd",
                   "--set", "optimizer.lr=1e12")
    assert diverged.exit_code == 1
    assert cli("compare", root / "iris", root / "moons", "-o", root / "compare.html").exit_code == 0
    assert cli("train", root / "iris.yaml", "--out", root / "runs/iris wide #2", "-q", *WIDE).exit_code == 0
    (root / "pages").mkdir()
    assert cli("compare", root / "iris", root / "moons", root / "runs/iris wide #2", root / "market",
               "-o", root / "pages/compare-wide.html").exit_code == 0
    sweep = cli("sweep", root / "iris.yaml", "--grid", "optimizer.lr=1e-05,0.1", "--grid", "optimizer.momentum=0.5,1.5",
                "-j", "1", "--out", root / "sweep")
    assert sweep.exit_code == 1  # momentum 1.5 fails: the page shows failed runs too
    return {
        "report": (root / "iris/report.html", 3),  # loss, accuracy, confusion matrix
        "report-2d": (root / "moons/report.html", 4),  # + the decision boundary
        "report-many-classes": (root / "many/report.html", 2),  # 50 classes: a table, not a matrix
        "report-diverged": (root / "diverged/report.html", 1),  # no finished epoch: no curves
        "report-csv": (root / "market/report.html", 3),  # one-hot and imputed columns, early stopping
        "compare": (root / "compare.html", 2),
        "compare-wide": (root / "pages/compare-wide.html", 2),  # 4 runs, many differing keys, links up and down
        "sweep": (root / "sweep/sweep.html", 2),
    }


def write_market(path, rows=150):
    """A table as users bring them: text columns (one with missing cells), a numeric one with gaps."""
    import numpy as np

    rng = np.random.default_rng(0)
    lines = ["weight,color,origin,fruit"]
    for i in range(rows):
        fruit = ("apple", "pear", "plum")[i % 3]
        weight = "" if i % 17 == 0 else f"{100 + 40 * (i % 3) + rng.normal(0, 8):.1f}"
        color = "" if i % 23 == 0 else ("red", "green", "purple")[(i + (i % 5 == 0)) % 3]
        lines.append(f"{weight},{color},{('north', 'south', 'east', 'west')[i % 4]},{fruit}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    shots = os.environ.get("MINIMLP_SCREENSHOTS")
    folder = Path(shots) if shots else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def render(browser, page, width, name, screenshots):
    screenshot = screenshots / f"{name}-{width}.png"
    facts = browser.render(page, width, screenshot=screenshot)
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (width, min(facts["scrollHeight"], 16000))
    return facts


PAGES = ["report", "report-2d", "report-many-classes", "report-diverged", "report-csv", "compare", "compare-wide", "sweep"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_decodes_and_logs_no_error(browser, pages, screenshots, name, width):
    page, figures = pages[name]
    facts = render(browser, page, width, name, screenshots)
    assert facts["scrollWidth"] <= facts["innerWidth"] == width, f"scrolls sideways; too wide: {facts['tooWide']}"
    assert facts["clipped"] == [], f"table cells cut off at {width} px"
    assert all(image["naturalWidth"] > 0 for image in facts["images"]), facts["images"]
    assert len(facts["svgs"]) == figures
    for svg in facts["svgs"]:
        assert 100 < svg["width"] <= width and svg["height"] > 50, svg
    assert facts["errors"] == []


def test_the_checks_catch_a_bad_page(browser, tmp_path):
    """The same checks on a page that is wrong in every way: they must notice."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width"></head><body>'
                   '<div style="width: 2000px">wide</div><img alt="broken" src="data:image/png;base64,AAAA">'
                   '<script>console.error("boom")</script></body></html>')
    facts = browser.render(bad, 420)
    assert facts["scrollWidth"] > facts["innerWidth"]
    assert [image["naturalWidth"] for image in facts["images"]] == [0]
    assert facts["errors"] == ["boom"]


@pytest.mark.parametrize("name,runs", [("compare", ["iris", "moons"]), ("compare-wide", ["iris", "moons", "runs/iris wide #2", "market"]),
                                       ("sweep", ["sweep/lr-0.1_momentum-0.5", "sweep/lr-1e-05_momentum-0.5"])])
def test_every_run_links_to_its_report(browser, pages, screenshots, name, runs):
    """The links as the browser resolves them from file://: each opens that run's report.html."""
    page, _ = pages[name]
    facts = render(browser, page, 1280, f"{name}-links", screenshots)
    root = pages["report"][0].parent.parent
    opened = {}
    for link in facts["links"]:
        url = urlparse(link["href"])
        assert url.scheme == "file", link
        opened[link["text"]] = Path(unquote(url.path))
    expected = {Path(run).name: (root / run / "report.html") for run in runs}
    assert {text: path.resolve() for text, path in opened.items()} == {k: v.resolve() for k, v in expected.items()}
    assert all(path.is_file() for path in opened.values())
    hrefs = re.findall(r'<a href="([^"]*)"', Path(page).read_text())
    assert len(hrefs) == len(runs) and not any(h.startswith(("/", "file:")) for h in hrefs), hrefs  # relative


def test_the_clip_check_catches_a_cut_table(browser, tmp_path):
    """A table wider than its scrolling box: the cells beyond the box are reported as cut off."""
    page = tmp_path / "cut.html"
    cells = "".join(f"<td>cell{i}</td>" for i in range(40))
    page.write_text('<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width"></head><body>'
                    f'<div style="overflow-x:auto"><table><tr>{cells}</tr></table></div></body></html>')
    facts = browser.render(page, 420)
    assert facts["scrollWidth"] <= facts["innerWidth"] and facts["clipped"][0].startswith("cell")


# Scroll the compare table's frame to its right end; then where are the run column, the last column and the frame?
SCROLL_TABLE = """(() => {
  const frame = document.querySelector('table.runs').parentElement;
  frame.scrollLeft = frame.scrollWidth;
  const box = frame.getBoundingClientRect();
  const row = document.querySelector('table.runs tr:not(.head)');
  const first = row.firstElementChild.getBoundingClientRect(), last = row.lastElementChild.getBoundingClientRect();
  return {overflows: frame.scrollWidth > frame.clientWidth, scrolled: frame.scrollLeft,
          frame: [box.left, box.right], first: [first.left, first.right], last: [last.left, last.right]};
})()"""


def test_a_table_too_wide_for_its_frame_scrolls_there_with_the_run_column_fixed(browser, pages):
    """Between a phone and a desktop (800 px) the wide compare table cannot fit: it scrolls inside its own
    frame, not the page, and scrolled to its end the run column is still in view, at the frame's left."""
    facts = browser.render(pages["compare-wide"][0], 800, script=SCROLL_TABLE)
    table = facts["script"]
    assert facts["scrollWidth"] <= facts["innerWidth"] == 800
    assert table["overflows"] and table["scrolled"] > 0
    left, right = table["frame"]
    assert abs(table["first"][0] - left) < 1 and table["first"][1] < right
    assert left < table["last"][0] and table["last"][1] <= right + 0.5
