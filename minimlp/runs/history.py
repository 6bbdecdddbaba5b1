"""history.csv: one whole line per finished epoch, the record a resume truncates to.

The file stays open while a run trains: an epoch costs one short write and a
flush (no open/close), and a kill between epochs never tears a line.  Floats
are written with ``repr``, so reading them back gives the same floats bit for
bit, and a resumed run's history equals an uninterrupted one's.
"""
import math

from .. import files
from ..errors import FileWriteError, ModelFileError
from ..train import HISTORY_COLUMNS, EpochRecord

HEADER = ",".join(HISTORY_COLUMNS) + "\n"
MAX_LINE_BYTES = 256  # seven cells of at most ~25 characters each, with room to spare
OPTIONAL = ("val_loss", "val_acc")  # empty without a validation split


class HistoryFile:
    """history.csv, rewritten with ``records`` (a resume drops rows after the checkpoint), then appended.

    Use as a context manager (or call ``close``): the file stays open between epochs.
    """

    def __init__(self, path, records):
        self.path = path
        files.write_text(path, HEADER + "".join(map(history_line, records)))
        try:
            self._file = files.open_append(path)  # a link planted since the rewrite is not followed
        except OSError as e:
            raise FileWriteError(f"{path}: cannot be written ({e.strerror or e})") from None

    def append(self, record):
        try:
            self._file.write(history_line(record))
            self._file.flush()  # the line reaches the OS now: a kill of this process cannot lose or tear it
        except OSError as e:  # a full disk: FileWriteError naming the file (the run stops, resumable)
            raise FileWriteError(f"{self.path}: cannot be written ({e.strerror or e})") from None

    def close(self):
        try:
            self._file.close()
        except OSError:  # the append that failed already said so; a resume trusts the checkpoint, not this line
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def history_line(record):
    cells = (_cell(getattr(record, column)) for column in HISTORY_COLUMNS)
    return ",".join(cells) + "\n"


def _cell(value):
    """Full precision (repr round-trips), empty for a missing value."""
    return "" if value is None else repr(float(value)) if isinstance(value, float) else str(value)


def read_records(path, epochs):
    """The first ``epochs`` EpochRecords of the history.csv at ``path``, every cell validated.

    Rows after them (epochs finished after the last checkpoint) are ignored;
    fewer rows, a wrong header, or a cell that is not what this module wrote
    raise ModelFileError naming the file and the line.
    """
    from .readback import MAX_HISTORY_BYTES  # the stated limit: rows after the checkpoint may be many

    text = files.read_text(path, ModelFileError, "minimlp history file", MAX_HISTORY_BYTES)
    lines = text.split("\n")
    if lines[0] + "\n" != HEADER:
        raise ModelFileError(f"{path}: line 1 is not the header of a minimlp history file")
    if len(lines) - 2 < epochs:  # a complete file ends with a newline, so the last item is empty
        raise ModelFileError(f"{path}: {max(len(lines) - 2, 0)} epochs recorded, but the checkpoint is at epoch "
                             f"{epochs}; the history is incomplete")
    return [_record(path, number, line) for number, line in enumerate(lines[1:epochs + 1], start=1)]


def _record(path, epoch, line):
    cells = line.split(",")
    try:
        if len(cells) != len(HISTORY_COLUMNS):
            raise ValueError(f"{len(cells)} cells, expected {len(HISTORY_COLUMNS)}")
        values = dict(zip(HISTORY_COLUMNS, cells))
        if values.pop("epoch") != str(epoch):
            raise ValueError(f"expected epoch {epoch}")
        record = EpochRecord(epoch, **{column: _number(column, text) for column, text in values.items()})
        if (record.val_loss is None) != (record.val_acc is None):
            raise ValueError("val_loss and val_acc must both be given or both be empty")
    except ValueError as e:
        raise ModelFileError(f"{path}: line {epoch + 1} is not a minimlp history row ({e})") from None
    return record


def _number(column, text):
    if text == "" and column in OPTIONAL:
        return None
    value = float(text)  # ValueError for text that is not a number
    if column.endswith("_loss") and (value == math.inf or math.isnan(value)):  # a diverged run's losses
        return value
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{column} must be a finite number >= 0, got {text!r}")
    if column.endswith("_acc") and value > 1:
        raise ValueError(f"{column} must be in [0, 1], got {text!r}")
    return value
