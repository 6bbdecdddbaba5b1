"""history.csv: one whole line per finished epoch, the record a resume truncates to; its writer
(``HistoryFile``) and its one reader (``read_records``: resume, plot, compare and sweep all read it there).

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
MAX_HISTORY_BYTES = 256 << 20  # ~2 million epochs of ~120-byte lines
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


def read_records(path, epochs=None, error=ModelFileError):
    """The EpochRecords of the history.csv at ``path``, every cell validated: the one reader of this file.

    With ``epochs`` (a resume), the first ``epochs`` rows: rows after them (epochs
    finished after the last checkpoint) are neither judged nor kept; the file may hold
    MAX_HISTORY_BYTES either way (the README's limit). Without (a finished run read
    back), every row, and the file must end with a whole line. Fewer rows, a wrong
    header, or a cell that is not what this module wrote raise ``error`` naming the
    file and the line (ModelFileError for a resume, RunFolderError for a read-back).
    """
    # the README's stated limit, also for a resume: a run killed long after its last checkpoint (a large
    # train.checkpoint_every) has many rows after it, which are dropped, not a reason to refuse the resume
    text = files.read_text(path, error, "minimlp history file", MAX_HISTORY_BYTES)
    lines = text.split("\n")
    if lines[0] + "\n" != HEADER:
        raise error(f"{path}: line 1 is not the header of a minimlp history file (it must be {HEADER.strip()})")
    recorded = max(len(lines) - 2, 0)  # a whole file ends with a newline, so the last item is empty
    if epochs is None:
        if lines[-1]:
            raise error(f"{path}: line {len(lines)} is not a minimlp history row (it has no end of line: "
                        "the file was cut short)")
        epochs = recorded
    elif recorded < epochs:
        raise error(f"{path}: {recorded} epochs recorded, but the checkpoint is at epoch {epochs}; "
                    "the history is incomplete")
    return [_record(path, number, line, error) for number, line in enumerate(lines[1:epochs + 1], start=1)]


def _record(path, epoch, line, error):
    cells = line.split(",")
    try:
        if len(line) > MAX_LINE_BYTES:
            raise ValueError(f"{len(line):,} characters; a row has at most {MAX_LINE_BYTES}")
        if len(cells) != len(HISTORY_COLUMNS):
            raise ValueError(f"{len(cells)} cells, expected {len(HISTORY_COLUMNS)}")
        values = dict(zip(HISTORY_COLUMNS, cells))
        if values.pop("epoch") != str(epoch):
            raise ValueError(f"expected epoch {epoch}")
        record = EpochRecord(epoch, **{column: _number(column, text) for column, text in values.items()})
        if (record.val_loss is None) != (record.val_acc is None):
            raise ValueError("val_loss and val_acc must both be given or both be empty")
    except ValueError as e:
        raise error(f"{path}: line {epoch + 1} is not a minimlp history row ({e})") from None
    return record


def _number(column, text):
    if text == "" and column in OPTIONAL:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{column} is not a number: {_excerpt(text)}") from None
    if column.endswith("_loss") and (value == math.inf or math.isnan(value)):  # a diverged run's losses
        return value
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{column} must be a finite number >= 0, got {_excerpt(text)}")
    if column.endswith("_acc") and value > 1:
        raise ValueError(f"{column} must be in [0, 1], got {_excerpt(text)}")
    return value


def _excerpt(text, limit=40):
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text):,} characters)"
