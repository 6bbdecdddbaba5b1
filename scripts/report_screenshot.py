"""Make docs/report.png, the README's picture of report.html: train the default config, render the
report in headless Chromium at 1280 px (tests/browser.py), keep the top of the page, in 128 colours.

    python scripts/report_screenshot.py [OUT.png]
"""
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import Browser, find_chromium  # noqa: E402

HEIGHT = 1070  # px of the page kept: header, headline numbers, data and model, the curves


def main(out=ROOT / "docs" / "report.png"):
    from PIL import Image

    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: apt-get install chromium (or set MINIMLP_CHROMIUM)")
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "digits"
        subprocess.run([sys.executable, "-m", "minimlp", "train", "--out", str(run), "-q"], check=True,
                       stdout=subprocess.DEVNULL)
        shot = Path(tmp) / "page.png"
        with Browser(chromium) as browser:
            browser.render(run / "report.html", 1280, screenshot=shot)
        image = Image.open(shot).convert("RGB")
        image = image.crop((0, 0, image.width, min(HEIGHT, image.height)))
        image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(f"wrote {out} ({Path(out).stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(*sys.argv[1:])
