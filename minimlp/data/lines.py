"""The lines of a CSV file: their length bounded before pandas parses them, and, for messages,
where a row is (its line number) and its cells as written.

pandas reads the rows; only when something must be named is the file read
again here, with Python's csv module, skipping the blank lines pandas skips.
"""
import csv
import io

from .. import files
from ..errors import DataError
from .raw import MAX_TABLE_BYTES

MAX_LINE_BYTES = 1 << 20  # 1 MiB for one physical line of a CSV file


def rows(path, delimiter):
    """(line number, cells) of the header and each data row, as pandas counts them."""
    with files.open_input(path, DataError, "CSV file", MAX_TABLE_BYTES) as f:
        reader = csv.reader(io.TextIOWrapper(f, encoding="utf-8-sig", newline=""), delimiter=delimiter)
        try:
            for cells in reader:
                if cells and (len(cells) > 1 or cells[0].strip()):
                    yield reader.line_num, cells
        except (csv.Error, UnicodeDecodeError) as e:
            raise DataError(f"{path}: not a readable CSV file ({e})") from None


def row(path, delimiter, index):
    """(line number, cells) of data row ``index`` (0-based), or (None, [])."""
    for i, (line, cells) in enumerate(rows(path, delimiter)):
        if i == index + 1:
            return line, cells
    return None, []


def locators(path, delimiter, names):
    """(where, cell): row -> 'line 7', and (row, column name) -> the cell's text."""
    def where(index):
        line = row(path, delimiter, index)[0]
        return f"line {line}" if line is not None else f"row {index + 1}"

    def cell(index, name):
        cells = row(path, delimiter, index)[1]
        j = names.index(name)
        return cells[j].strip() if j < len(cells) else ""

    return where, cell


def first_bad_row(path, delimiter, n_columns):
    """(line number, cell count) of the first row without ``n_columns`` cells, or None."""
    for line, cells in rows(path, delimiter):
        if len(cells) != n_columns:
            return line, len(cells)
    return None


class BoundedLines:
    """The file as pandas reads it, in blocks of at most MAX_LINE_BYTES, refusing a longer line.

    A line inside one block is shorter than the block, so only the lines that
    cross blocks need counting: two ``find`` calls per block.
    """

    closed = False

    def __init__(self, f, path):
        self.f, self.path, self.position, self.run = f, path, 0, 0

    def read(self, size=-1):
        size = MAX_LINE_BYTES if size is None or size < 0 else min(size, MAX_LINE_BYTES)
        block = self.f.read(size)
        self.position += len(block)
        first = block.find(b"\n")
        longest = self.run + (len(block) if first < 0 else first)
        if longest > MAX_LINE_BYTES:
            raise DataError(f"{self.path}: a line longer than {MAX_LINE_BYTES:,} bytes ending near byte "
                            f"{self.position:,}; lines may be at most {MAX_LINE_BYTES:,} bytes")
        self.run = longest if first < 0 else len(block) - block.rfind(b"\n") - 1
        return block

    def readable(self):
        return True

    def __iter__(self):
        return self


def check_lengths(f, path):
    """True when no line is longer than MAX_LINE_BYTES; a DataError naming where one starts otherwise.

    Every window of MAX_LINE_BYTES + 1 bytes from a line's start must hold a newline:
    one backward search per window, so a 100 MB file costs a few hundred searches.
    """
    import mmap

    try:
        view = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # an empty file, or one mmap cannot map: the chunked reader judges it
        return False
    with view:
        start, size = 0, len(view)
        while start + MAX_LINE_BYTES < size:
            newline = view.rfind(b"\n", start, start + MAX_LINE_BYTES + 1)
            if newline < 0:
                raise DataError(f"{path}: a line longer than {MAX_LINE_BYTES:,} bytes starting at byte {start:,}; "
                                f"lines may be at most {MAX_LINE_BYTES:,} bytes")
            start = newline + 1
    return True
