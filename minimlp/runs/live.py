"""The live report.html: written before the first epoch, then redrawn from the history so far.

An epoch only appends its record and, when the drawing thread is idle and INTERVAL seconds
have passed since its last page, wakes it: drawing never blocks an epoch, and an epoch never
waits for a page. Each page replaces report.html atomically (files.write_text), so a browser
reloading it never sees half a page. ``close`` stops the thread before the run writes its
final report.html (the same file, the same temporary name: never at the same time).
"""
import threading
import time

from .. import files
from ..errors import FileWriteError
from ..report.live import live_html

INTERVAL = 1.0  # seconds between pages at most once per this; the first epoch's page goes out at once
SHARE = 0.02  # and the pages' drawing at most this share of the run's time: the wait grows with a page's cost


class LiveReport:
    """The callback: ``with live:`` around training, ``epoch(record)`` after each epoch (the ``with`` joins the thread)."""

    def __init__(self, run_dir, title, epochs, history=()):
        self.path, self.title, self.epochs = run_dir / "report.html", title, epochs
        self.run_dir, self.records = run_dir, list(history)
        self.error = None  # a page that could not be written: the run goes on; the final report says what it says
        self._wake, self._stop, self._busy = threading.Event(), False, False
        self._last = -float("inf")
        self._interval = INTERVAL
        self._thread = None
        self._write("running")  # from the start, report.html exists

    def epoch(self, record):
        self.records.append(record)
        if self._thread and not self._busy and (len(self.records) == 1 or time.monotonic() - self._last >= self._interval):
            self._busy = True
            self._wake.set()

    def close(self, state=None):
        """Stop drawing; with ``state`` (a run that ends without its final report), one last page without reload."""
        self._stop = True
        self._wake.set()
        if self._thread:
            self._thread.join()
            self._thread = None
        if state is not None:
            self._write(state)

    def __enter__(self):
        """Start the drawing thread (for as long as training runs)."""
        self._thread = threading.Thread(target=self._draw, name="minimlp-live-report", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind, error, traceback):
        """Training ended: by returning (finish_run writes the final page), or by an error (a last page, no reload)."""
        self.close(None if kind is None else "stopped")

    def _draw(self):
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stop:
                return
            start = time.monotonic()
            self._write("running")
            self._last = time.monotonic()
            # drawing holds the interpreter (the GIL) from the training thread: keep it to SHARE of the time
            self._interval = max(INTERVAL, (self._last - start) / SHARE)
            self._busy = False

    def _write(self, state):
        try:
            files.write_text(self.path, live_html(self.title, self.run_dir, self.records[:], self.epochs, state))
        except FileWriteError as e:  # a full disk: the run goes on (history.csv and the checkpoint say so themselves)
            self.error = e
