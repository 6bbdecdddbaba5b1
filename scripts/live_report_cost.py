"""The live report's cost on W1 (digits, 64-128-10, batch 32), as whole processes, interleaved.

Each round runs `minimlp train` twice, in random order: as shipped, and with the live report
replaced by a no-op (the only difference). Prints each side's median wall time and CPU time (user +
system, all threads: the drawing thread's work counts) and their ratios, and, measured inside the
shipped side, how many pages were drawn and the seconds spent drawing and writing them.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python scripts/live_report_cost.py [EPOCHS] [ROUNDS]
"""
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = """import sys
if sys.argv[1] == "off":
    import minimlp.runs.folder as folder

    class NoLive:
        def __init__(self, *args): pass
        def epoch(self, record): pass
        def __enter__(self): return self
        def __exit__(self, *exc): pass

    folder.LiveReport = NoLive
else:
    import atexit, time
    import minimlp.runs.live as live

    spent, write = [0.0, 0], live.LiveReport._write

    def timed(self, state):
        start = time.perf_counter()
        write(self, state)
        spent[0] += time.perf_counter() - start
        spent[1] += 1

    live.LiveReport._write = timed
    atexit.register(lambda: sys.stderr.write(f"DRAWN {spent[1]} {spent[0]}\\n"))
from minimlp.cli.entry import run
sys.argv = ["minimlp", *sys.argv[2:]]
run()
"""


def once(side, epochs, out):
    args = [sys.executable, "-c", RUN, side, "train", str(ROOT / "configs/digits.yaml"), "-q", "--out", str(out),
            "--set", "model.hidden=[128]", "--set", "train.batch_size=32", "--set", f"train.epochs={epochs}"]
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    drawn = [line.split()[1:] for line in done.stderr.splitlines() if line.startswith("DRAWN ")]
    return wall, cpu, (int(drawn[0][0]), float(drawn[0][1])) if drawn else None


def main(epochs=300, rounds=7):
    times, cpus, drawing = {"on": [], "off": []}, {"on": [], "off": []}, []
    folder = Path(tempfile.mkdtemp(prefix="live-cost-"))
    try:
        for r in range(rounds):
            sides = ["on", "off"]
            random.Random(r).shuffle(sides)
            for side in sides:
                wall, cpu, drawn = once(side, epochs, folder / f"{side}{r}")
                times[side].append(wall)
                cpus[side].append(cpu)
                if drawn:
                    drawing.append((*drawn, wall))
                shutil.rmtree(folder / f"{side}{r}")
            print(f"round {r + 1}: on {times['on'][-1]:.2f} s ({cpus['on'][-1]:.2f} s CPU), "
                  f"off {times['off'][-1]:.2f} s ({cpus['off'][-1]:.2f} s CPU); pages {drawing[-1][0]} "
                  f"drawn in {drawing[-1][1] * 1000:.1f} ms", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    on, off = statistics.median(times["on"]), statistics.median(times["off"])
    pairs = sorted(a / b for a, b in zip(times["on"], times["off"]))
    print(f"W1 at {epochs} epochs, {rounds} interleaved rounds: live report on {on:.2f} s, off {off:.2f} s (medians); "
          f"on/off {on / off:.4f}; per-round ratios {', '.join(f'{p:.3f}' for p in pairs)}")
    con, coff = statistics.median(cpus["on"]), statistics.median(cpus["off"])
    print(f"CPU time (user + system): on {con:.2f} s, off {coff:.2f} s (medians); on/off {con / coff:.4f}")
    share = statistics.median(d[1] / d[2] for d in drawing)
    print(f"drawing inside the shipped side: {statistics.median(d[0] for d in drawing):.0f} pages, "
          f"{statistics.median(d[1] for d in drawing) * 1000:.1f} ms in all, {100 * share:.3f}% of the run's wall time")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
