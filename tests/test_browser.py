"""report.html, compare.html and sweep.html rendered in headless Chromium at a phone's and a desktop's width.

Each page must not scroll sideways (scrollWidth <= innerWidth), every image
must decode (naturalWidth > 0) and every inline SVG figure must be laid out
with a size inside the viewport, and the page must log no console error.
Without a browser these tests are skipped, saying why; CI (.ci/run) installs
Chromium and sets MINIMLP_REQUIRE_BROWSER=1, which turns the skip into a failure.
MINIMLP_SCREENSHOTS=DIR saves a full-page screenshot of every render there.
"""
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser import Browser, find_chromium
from minimlp.cli import main

WIDTHS = (420, 1280)
IRIS = "name: iris-browser\ndata:\n  dataset: iris\nmodel:\n  hidden: [8]\ntrain:\n  epochs: 12\n  batch_size: 16\n"
MOONS = "name: moons-browser\ndata:\n  dataset: moons\n  params: {n_samples: 300, noise: 0.25}\nmodel:\n  hidden: [16]\ntrain:\n  epochs: 8\n"
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
    for name, text in (("iris", IRIS), ("moons", MOONS), ("many", MANY)):
        (root / f"{name}.yaml").write_text(text)
        assert cli("train", root / f"{name}.yaml", "--out", root / name, "-q").exit_code == 0
    diverged = cli("train", root / "iris.yaml", "--out", root / "diverged", "-q", "--set", "optimizer.lr=1e12")
    assert diverged.exit_code == 1
    assert cli("compare", root / "iris", root / "moons", "-o", root / "compare.html").exit_code == 0
    sweep = cli("sweep", root / "iris.yaml", "--grid", "optimizer.lr=1e-05,0.1", "--grid", "optimizer.momentum=0.5,1.5",
                "-j", "1", "--out", root / "sweep")
    assert sweep.exit_code == 1  # momentum 1.5 fails: the page shows failed runs too
    return {
        "report": (root / "iris/report.html", 3),  # loss, accuracy, confusion matrix
        "report-2d": (root / "moons/report.html", 4),  # + the decision boundary
        "report-many-classes": (root / "many/report.html", 2),  # 50 classes: a table, not a matrix
        "report-diverged": (root / "diverged/report.html", 1),  # no finished epoch: no curves
        "compare": (root / "compare.html", 2),
        "sweep": (root / "sweep/sweep.html", 2),
    }


def render(browser, page, width, name):
    shots = os.environ.get("MINIMLP_SCREENSHOTS")
    screenshot = Path(shots) / f"{name}-{width}.png" if shots else None
    if screenshot:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
    return browser.render(page, width, screenshot=screenshot)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["report", "report-2d", "report-many-classes", "report-diverged", "compare", "sweep"])
def test_page_fits_decodes_and_logs_no_error(browser, pages, name, width):
    page, figures = pages[name]
    facts = render(browser, page, width, name)
    assert facts["scrollWidth"] <= facts["innerWidth"] == width, f"scrolls sideways; too wide: {facts['tooWide']}"
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
