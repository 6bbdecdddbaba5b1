"""What ``minimlp bench`` prints: the machine, and Markdown tables of its measurements."""
import numpy as np

from .bench import torch_available


def machine_line(threads):
    import platform

    import sklearn

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = f"numpy {np.__version__}, scikit-learn {sklearn.__version__}"
    if torch_available():
        import torch

        versions += f", PyTorch {torch.__version__}"
    return f"{cpu}; BLAS threads: {threads}; {versions}"


def format_table(results):
    """A Markdown table: median epoch times, ratios to the epoch a user pays, the limit, and peak memory."""
    with_torch = any("PyTorch" in r.times for r in results)
    head = ["workload", "train rows", "GEMM-only limit", "`minimlp train` epoch", "`fit` epoch", "train / fit",
            "train / limit", "float64 / float32", "scikit-learn (float64)", "sklearn / train", "scikit-learn float32",
            "sklearn f32 / train"]
    head += ["PyTorch", "torch / train"] if with_torch else []
    head += ["peak MB minimlp", "peak MB sklearn f32"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        paid, fit = r.median("minimlp train"), r.median("minimlp")
        cells = [f"{r.workload.name}: {r.workload.title}", str(r.n_train), _ms(r.limit), _ms(paid), _ms(fit),
                 f"{paid / fit:.2f}", f"{paid / r.limit:.2f}", f"{r.median('minimlp float64') / fit:.2f}",
                 _ms(r.median("scikit-learn")), f"{r.median('scikit-learn') / paid:.2f}",
                 _ms(r.median("scikit-learn float32")), f"{r.median('scikit-learn float32') / paid:.2f}"]
        if with_torch:
            theirs = r.median("PyTorch")
            cells += [_ms(theirs), f"{theirs / paid:.2f}" if theirs else "-"]
        cells += [f"{r.peak_bytes['minimlp'] / 2**20:.1f}", f"{r.peak_bytes['scikit-learn float32'] / 2**20:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_scaling(rows):
    lines = ["| train rows (W2 network) | minimlp epoch | samples / s |", "|---|---|---|"]
    lines += [f"| {n} | {_ms(seconds)} | {rate:,.0f} |" for n, seconds, rate in rows]
    return "\n".join(lines)


def _ms(seconds):
    return "-" if seconds is None else f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"
