"""The live report.html: there from the first epoch, reloading while the run goes, the final page at the end,
drawn off the training thread; and a real browser that has it open sees it change."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from minimlp.config import load_config
from minimlp.runs import train_run
from minimlp.runs import live as live_module
from minimlp.runs.live import LiveReport
from minimlp.train import EpochRecord

IRIS = "name: iris-live\ndata: {dataset: iris}\nmodel: {hidden: [8]}\ntrain: {epochs: 6, batch_size: 16}\n"
REFRESH = '<meta http-equiv="refresh"'


def live_epoch(page_text):
    found = re.search(r'<meta name="minimlp-live-epoch" content="(\d+)">', page_text)
    return int(found.group(1)) if found else None


def record(epoch, loss=1.0):
    return EpochRecord(epoch, loss, 0.5, loss * 1.1, 0.4, 0.05, 0.01)


def test_report_html_exists_from_the_first_epoch_and_becomes_the_final_page(tmp_path):
    (tmp_path / "c.yaml").write_text(IRIS)
    seen = []

    def on_epoch(rec, state):
        seen.append((tmp_path / "run/report.html").read_text())

    train_run(load_config(tmp_path / "c.yaml"), tmp_path / "run", on_epoch=on_epoch)
    first = seen[0]
    assert REFRESH in first and "Running" in first and live_epoch(first) in (0, 1)
    final = (tmp_path / "run/report.html").read_text()
    assert REFRESH not in final and live_epoch(final) is None and "Completed" in final


def test_an_epoch_never_waits_for_a_page(tmp_path, monkeypatch):
    """With every page taking 0.3 s to write, 200 epochs still take a few milliseconds: the page is drawn
    once meanwhile, on its own thread, and no epoch queues another."""
    real, writes = live_module.files.write_text, []

    def slow(path, text):
        writes.append(live_epoch(text))
        time.sleep(0.3)
        real(path, text)

    live = LiveReport(tmp_path, "t", 200)
    monkeypatch.setattr(live_module.files, "write_text", slow)
    with live:
        start = time.perf_counter()
        for epoch in range(1, 201):
            live.epoch(record(epoch))
        spent = time.perf_counter() - start
        time.sleep(0.1)  # the drawing thread has woken and is writing
    assert spent < 0.1
    assert len(writes) == 1 and writes[0] >= 1
    assert live_epoch((tmp_path / "report.html").read_text()) == writes[0]


def test_pages_follow_the_history_and_a_failed_run_ends_without_reloading(tmp_path, monkeypatch):
    monkeypatch.setattr(live_module, "INTERVAL", 0.0)
    monkeypatch.setattr(live_module, "SHARE", float("inf"))  # no wait for the pages' own cost either
    live = LiveReport(tmp_path, "t", 50)
    assert live_epoch((tmp_path / "report.html").read_text()) == 0
    with pytest.raises(RuntimeError):
        with live:
            for epoch in range(1, 21):
                live.epoch(record(epoch, loss=1.0 / epoch))
                deadline = time.monotonic() + 5
                while live._busy and time.monotonic() < deadline:  # each page written before the next epoch
                    time.sleep(0.001)
                assert live_epoch((tmp_path / "report.html").read_text()) == epoch
            raise RuntimeError("boom")
    last = (tmp_path / "report.html").read_text()
    assert REFRESH not in last and "Stopped" in last and live_epoch(last) == 20


def test_the_chart_maps_the_extremes_to_the_axes():
    from minimlp.report import live as page

    svg = page.chart("loss", [record(1, 2.0), record(2, 1.0), record(3, 1.5)], ("train_loss",))
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    xs, ys = zip(*((float(a), float(b)) for a, b in (p.split(",") for p in points)))
    assert xs[0] == page.LEFT and xs[-1] == page.WIDTH - page.RIGHT
    assert ys[0] == page.TOP and ys[1] == page.HEIGHT - page.BOTTOM  # 2.0 at the top, 1.0 at the bottom
    assert ys[2] == pytest.approx((ys[0] + ys[1]) / 2, abs=0.1)


def test_a_long_history_is_thinned_but_keeps_its_last_epoch():
    from minimlp.report import live as page

    svg = page.chart("loss", [record(e, 1.0 + (e % 7)) for e in range(1, 2001)], ("train_loss",))
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    assert len(points) <= page.MAX_POINTS + 1 and float(points[-1].split(",")[0]) == page.WIDTH - page.RIGHT


# ----------------------------------------------------------------------------- a real browser
LONG = ("name: digits-live\ndata: {dataset: digits}\nmodel: {hidden: [32]}\n"
        "train: {epochs: 100000, batch_size: 64, checkpoint_every: 0, early_stopping: false}\n")


@pytest.fixture(scope="module")
def browser():
    from browser import Browser, find_chromium

    path = find_chromium()
    if path is None:
        reason = "no Chromium found (/usr/bin/chromium, or set MINIMLP_CHROMIUM)"
        if os.environ.get("MINIMLP_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    with Browser(path) as b:
        yield b


def shown_epoch(browser, session):
    """The epoch the open page shows (None on the final page), retried while the page is reloading."""
    from browser import BrowserError

    for _ in range(50):
        try:
            return browser.evaluate(session, "(() => { const m = document.querySelector("
                                             "'meta[name=minimlp-live-epoch]'); return m ? Number(m.content) : null })()")
        except BrowserError:  # the execution context went away with a reload
            time.sleep(0.05)
    raise AssertionError("the page never settled")


def test_a_browser_with_the_page_open_sees_it_change_then_become_the_final_report(browser, tmp_path):
    (tmp_path / "c.yaml").write_text(LONG)
    run_dir = tmp_path / "run"
    process = subprocess.Popen([sys.executable, "-m", "minimlp", "train", str(tmp_path / "c.yaml"), "--out", str(run_dir),
                                "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        from helpers import wait_for

        wait_for(lambda: (run_dir / "report.html").is_file(), process, timeout=60)
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.send("Page.enable", session)
        browser.send("Runtime.enable", session)
        browser.send("Page.navigate", session, url=Path(run_dir / "report.html").resolve().as_uri())
        first = None
        deadline = time.monotonic() + 60
        while first is None and time.monotonic() < deadline:
            first = shown_epoch(browser, session)
        seen = {first}
        while len(seen) < 3 and time.monotonic() < deadline:  # the page reloads itself: no navigation from here
            time.sleep(0.25)
            reading = shown_epoch(browser, session)
            if reading is not None:  # None: caught between a reload's start and its <head> (a new document)
                seen.add(reading)
        assert len(seen) >= 3, seen
        process.send_signal(signal.SIGINT)  # stops after this batch: a checkpoint and the final report
        process.communicate(timeout=60)
        deadline = time.monotonic() + 15
        while shown_epoch(browser, session) is not None and time.monotonic() < deadline:
            time.sleep(0.25)
        assert shown_epoch(browser, session) is None  # reloaded into the final page, which does not reload
        text = browser.evaluate(session, "document.body.innerText")
        assert "Interrupted" in text and "Test split" in text
        browser.send("Target.closeTarget", targetId=target)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.parametrize("width", (420, 1280))
def test_the_live_page_fits_a_phone_and_a_desktop_and_logs_no_error(browser, tmp_path, width):
    from minimlp.report.live import live_html

    page = tmp_path / "report.html"
    page.write_text(live_html("minimlp run: a rather long name for a phone", tmp_path / ("deep/" * 12),
                              [record(e, 2.0 / e) for e in range(1, 301)], 2000).replace(REFRESH, "<meta x"))
    facts = browser.render(page, width)
    assert facts["scrollWidth"] <= facts["innerWidth"] == width, facts["tooWide"]
    assert len(facts["svgs"]) == 2 and all(100 < s["width"] <= width and s["height"] > 50 for s in facts["svgs"])
    assert facts["errors"] == []


def test_the_wait_between_pages_grows_with_a_pages_cost(tmp_path, monkeypatch):
    """Drawing holds the GIL from training: a page that took d seconds waits d / SHARE before the next one."""
    slow = live_module.live_html

    def costly(*args):
        time.sleep(0.05)
        return slow(*args)

    monkeypatch.setattr(live_module, "live_html", costly)
    live = LiveReport(tmp_path, "t", 50)
    with live:
        live.epoch(record(1))
        deadline = time.monotonic() + 5
        while (live._busy or live._last < 0) and time.monotonic() < deadline:
            time.sleep(0.005)
    assert live._interval >= 0.05 / live_module.SHARE >= 2.5
