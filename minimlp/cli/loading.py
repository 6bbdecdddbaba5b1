"""Progress while a table file loads: a bar on a terminal once it takes more than a second, then one line."""
import sys
import time

import click

SHOW_AFTER = 1.0  # seconds before a terminal gets a progress bar


class LoadProgress:
    """The ``on_load`` callback of ``train_run``: told a ``data.Loading`` after each chunk and when done."""

    def __init__(self, quiet=False, stream=None):
        self.quiet, self.stream = quiet, stream or sys.stderr
        self.drawn, self.last = False, 0.0

    def __call__(self, loading):
        if self.quiet:
            return
        if loading.done:
            if self.drawn:
                click.echo("\r\033[K", nl=False, file=self.stream)
            click.echo(f"read {loading.path}: {loading.rows:,} rows × {loading.columns} columns "
                       f"in {loading.seconds:.2f} s")
            return
        now = time.monotonic()
        if loading.seconds >= SHOW_AFTER and self.stream.isatty() and now - self.last >= 0.1:
            self.drawn, self.last = True, now
            if loading.bytes_read is None:  # read in one call: how far it is is not known
                spinner = "|/-\\"[int(loading.seconds / 0.1) % 4]
                click.echo(f"\rreading {loading.path} {spinner} {loading.seconds:.1f} s", nl=False, file=self.stream)
                return
            share = loading.bytes_read / loading.total_bytes if loading.total_bytes else 0.0
            bar = "#" * int(30 * share)
            click.echo(f"\rreading {loading.path} [{bar:<30}] {100 * share:3.0f}%  {loading.rows:,} rows",
                       nl=False, file=self.stream)
