"""Headless Chromium driven over the DevTools protocol through a pipe, with nothing but the standard library.

Why not selenium + chromedriver: the driver must match the browser's version
and adds a test dependency; ``--remote-debugging-pipe`` needs neither (JSON
messages separated by NUL bytes, written to the browser's fd 3 and read from its fd 4).
"""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe"]


def find_chromium():
    """The browser's path, or None: $MINIMLP_CHROMIUM, then the usual Debian/Ubuntu paths."""
    explicit = os.environ.get("MINIMLP_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    return next((path for path in CANDIDATES if Path(path).is_file()), None) or shutil.which("chromium")


def _onto_3_and_4(read_end, write_end):
    """In the child: the browser reads commands from fd 3 and writes answers to fd 4."""
    read_end, write_end = os.dup(read_end), os.dup(write_end)  # above 4, so neither dup2 clobbers the other
    os.dup2(read_end, 3)
    os.dup2(write_end, 4)


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium; ``render`` opens a page at a width and returns what the tests check."""

    def __init__(self, path, timeout=60.0):
        self.timeout, self._id, self._buffer = timeout, 0, b""
        self.profile = tempfile.mkdtemp(prefix="minimlp-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        self.process = subprocess.Popen(
            [path, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            pass_fds=(3, 4), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: _onto_3_and_4(to_browser_r, from_browser_w))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._events = []

    def close(self):
        try:
            self.send("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- the protocol --------------------------------------------------------------
    def send(self, method, session=None, **params):
        """Send one command and wait for its answer; events that arrive meanwhile are kept."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def _read(self):
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise BrowserError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _wait_event(self, method, session):
        for i, event in enumerate(self._events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self._events.pop(i)
        while True:
            event = self._read()
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            self._events.append(event)

    # --- what the tests use ----------------------------------------------------------
    def render(self, path, width, height=900, screenshot=None, script=None):
        """Open ``path`` at ``width`` CSS px; return overflow, images, errors (and save a full-page PNG);
        ``script``, an expression evaluated after those facts are gathered, gives facts["script"]."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        try:
            for domain in ("Page", "Runtime", "Log"):
                self.send(f"{domain}.enable", session)
            self.send("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                      deviceScaleFactor=1, mobile=False)
            self.send("Page.navigate", session, url=Path(path).resolve().as_uri())
            self._wait_event("Page.loadEventFired", session)
            facts = self.evaluate(session, PAGE_FACTS)
            if script:
                facts["script"] = self.evaluate(session, script)
            facts["errors"] = self._errors(session)
            if screenshot:
                self.send("Emulation.setDeviceMetricsOverride", session, width=width,
                          height=min(facts["scrollHeight"], 16000), deviceScaleFactor=1, mobile=False)
                shot = self.send("Page.captureScreenshot", session, format="png")
                Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
            return facts
        finally:
            self.send("Target.closeTarget", targetId=target)

    def evaluate(self, session, expression):
        result = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"page script failed: {result['exceptionDetails']}")
        return result["result"]["value"]

    def _errors(self, session):
        """Console errors, uncaught exceptions and failed loads the page produced."""
        errors, kept = [], []
        for event in self._events:
            if event.get("sessionId") != session:
                kept.append(event)
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(params["entry"].get("text", "error"))
        self._events = kept
        return errors


# Facts gathered in the page once it has loaded (images decoded first).
PAGE_FACTS = """(async () => {
  // A table cell laid out (not in a closed <details>) whose box is not wholly visible: beyond the
  // viewport, or cut by an ancestor that clips or scrolls sideways.
  const clippedCells = () => [...document.querySelectorAll('th, td')].filter(cell => {
    const r = cell.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    if (r.left < -0.5 || r.right > innerWidth + 0.5) return true;
    for (let e = cell.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX === 'visible') continue;
      const b = e.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5) return true;
    }
    return false;
  }).map(cell => cell.textContent.trim().slice(0, 40));
  const images = [...document.images];
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  const svgs = [...document.querySelectorAll('svg')];
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
    .map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className : ''));
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
    scrollHeight: document.documentElement.scrollHeight,
    images: images.map(img => ({alt: img.alt, naturalWidth: img.naturalWidth, width: img.getBoundingClientRect().width})),
    svgs: svgs.map(s => ({width: s.getBoundingClientRect().width, height: s.getBoundingClientRect().height})),
    tooWide: wide.slice(0, 5),
    clipped: clippedCells().slice(0, 5),
    links: [...document.querySelectorAll('a[href]')].map(a => ({text: a.textContent, href: a.href})),
    title: document.title,
  };
})()"""
