"""What ``minimlp train`` prints: the data and model summaries before epoch 1, then progress.

On a terminal, a progress bar; elsewhere (a log file, CI) at most about
MAX_LINES epoch lines: every k-th epoch, the first and the last, and the best
validation epoch after training. Per epoch this costs a comparison unless a
line is printed.
"""
import math
import sys
import time

import click

from ..report import fmt

MAX_LINES = 50
REDRAW_SECONDS = 0.1  # a bar redraw costs about as much as a small epoch: at most 10 a second


def data_text(data):
    rows = data["rows"]
    names = ", ".join(data["class_names"]) + (", …" if data["classes"] > len(data["class_names"]) else "")
    notes = "".join(f"\n       {note}" for note in data.get("notes", []))
    return (f"data   {data['source']}: {rows['train']:,} train / {rows['val']:,} validation / {rows['test']:,} test rows\n"
            f"       {data['classes']} classes ({names}); "
            f"{data['input_columns']:,} input columns -> {data['network_inputs']:,} network inputs{notes}")


def model_text(model):
    """A Keras-like table of the layers, with totals."""
    lines = [f"{'layer':<18} {'shape':>14}  {'activation':<21} {'parameters':>12}"]
    for layer in model["layers"]:
        shape = f"{layer['input']} -> {layer['output']}"
        lines.append(f"{layer['layer']:<18} {shape:>14}  {layer['activation']:<21} {layer['params']:>12,}")
    each = f" (an ensemble of {model['ensemble']} such networks)" if model.get("ensemble") else ""
    lines.append(f"total {model['params']:,} parameters{each}, {model['dtype']} ({fmt.nbytes(model['bytes'])})")
    return "\n".join(lines)


def epoch_text(record):
    text = f"loss {fmt.metric(record.train_loss)}  acc {fmt.metric(record.train_acc)}"
    if record.val_loss is not None:
        text += f"  val_loss {fmt.metric(record.val_loss)}  val_acc {fmt.metric(record.val_acc)}"
    took = f"{record.seconds * 1000:.1f}ms" if record.seconds < 1 else f"{record.seconds:.2f}s"
    return text + f"  lr {record.lr:.4g}  {took}"


class Progress:
    """A progress bar on a terminal (unless ``log_every`` is given), epoch lines otherwise, nothing when quiet."""

    def __init__(self, epochs, name, quiet, log_every=None, terminal=None):
        self.epochs, self.quiet = epochs, quiet
        terminal = sys.stdout.isatty() if terminal is None else terminal
        self.every = log_every or max(1, math.ceil(epochs / MAX_LINES))
        self.use_bar = not quiet and terminal and log_every is None
        self.name, self.bar = name, None
        self.last = self.best = self.printed = self._pending = None
        self._next_draw = 0.0

    def __enter__(self):
        return self

    def _open_bar(self):
        """The bar starts with the first epoch, below the summaries (it redraws its own line)."""
        self.bar = click.progressbar(length=self.epochs, label=self.name, show_pos=True, item_show_func=self._show)
        self.bar.__enter__()

    def __exit__(self, *exc):
        if self.bar:
            if self._pending:  # the last epochs, not drawn yet
                self.bar.update(self._pending.epoch - self.bar.pos, self._pending)
            self.bar.__exit__(*exc)

    def start(self, data, model):
        if not self.quiet:
            click.echo(data_text(data))
            click.echo(model_text(model) + "\n")

    def epoch(self, record, state=None):
        self.last = record
        if record.val_loss is not None and (self.best is None or record.val_loss < self.best.val_loss):
            self.best = record
        if self.use_bar:
            if self.bar is None:
                self._open_bar()
            now, self._pending = time.monotonic(), record
            if now >= self._next_draw:
                self._next_draw, self._pending = now + REDRAW_SECONDS, None
                self.bar.update(record.epoch - self.bar.pos, record)  # a resumed run starts part-way
        elif not self.quiet and (record.epoch % self.every == 0 or record.epoch in (1, self.epochs)):
            self._line(record)

    def finish(self):
        """After training: the last epoch (if it ended early, unprinted) and the best validation epoch."""
        if self.quiet or self.last is None:
            return
        if not self.use_bar and self.printed is not self.last:
            self._line(self.last)
        if self.best is not None:
            click.echo(f"best validation loss {fmt.metric(self.best.val_loss)} at epoch {self.best.epoch} "
                       f"(val_acc {fmt.metric(self.best.val_acc)})")

    def _line(self, record):
        click.echo(f"epoch {record.epoch}/{self.epochs}  {epoch_text(record)}")
        self.printed = record

    @staticmethod
    def _show(record):
        return "" if record is None else epoch_text(record)
