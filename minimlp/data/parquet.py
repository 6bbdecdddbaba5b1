"""Parquet files through pyarrow (the optional extra ``minimlp[parquet]``), in record batches.

Everything is judged from the file's footer before any data is read: its size
once decompressed, its cell count (rows × columns, each cell at least 8 bytes
once read) and each column's type. Only flat columns of numbers,
booleans, UTF-8 strings and dictionary-encoded strings are read; a decimal of at
most 15 digits becomes a float64 number (15 digits survive the conversion);
any other type is refused naming the column and its type. Column names come
from the schema; pandas' metadata (which can name a data column as the index)
is not used, and pandas' own stored index columns (``__index_level_0__``) are skipped.
"""
import re

from .. import files
from ..errors import DataError
from ..excerpt import clip
from .columns import shown
from .raw import CHUNK_ROWS, MAX_TABLE_BYTES, Progress, RawTable, check_header, column_values, concatenate, file_size

MAX_CELLS = MAX_TABLE_BYTES // 8  # 134,217,728 cells: 1 GiB once read as 8-byte numbers
EXACT_DECIMAL_DIGITS = 15  # a decimal of at most this many digits keeps them all as a float64
_PANDAS_INDEX = re.compile(r"__index_level_\d+__")


def read_parquet(path, on_progress=None):
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(f"{path}: reading Parquet files needs pyarrow: pip install 'minimlp[parquet]'") from None
    with files.open_input(path, DataError, "Parquet file", MAX_TABLE_BYTES) as f:
        total = file_size(f)
        try:
            parquet = pq.ParquetFile(f)
            schema = parquet.schema_arrow
        except (pyarrow.ArrowException, OSError, ValueError, TypeError) as e:
            raise DataError(f"{path}: not a readable Parquet file ({str(e)[:200]})") from None
        kept = [i for i, name in enumerate(schema.names) if not _PANDAS_INDEX.fullmatch(name)]
        names = check_header(path, [schema.names[i] for i in kept])
        converters = [_converter(path, name, schema.field(i).type) for name, i in zip(names, kept)]
        _check_size(path, parquet.metadata, len(names))
        try:
            progress = Progress(path, total, on_progress)
            pieces = {name: [] for name in names}
            for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=[schema.names[i] for i in kept],
                                              use_pandas_metadata=False):
                for j, (name, convert) in enumerate(zip(names, converters)):
                    pieces[name].append(column_values(convert(batch.column(j)).to_pandas()))
                progress(batch.num_rows, len(names), total)
        except (pyarrow.ArrowException, OSError, ValueError, TypeError) as e:
            raise DataError(f"{path}: not a readable Parquet file ({str(e)[:200]})") from None
    progress(0, len(names), total, done=True)
    columns = {name: concatenate(pieces.pop(name)) for name in names}
    table = RawTable(str(path), columns, lambda row: f"row {row + 1}", lambda row, name: str(columns[name][row]))
    if not columns or len(columns[names[0]]) == 0:
        raise DataError(f"{path}: has no data rows")
    return table


def _check_size(path, metadata, n_columns):
    """Rows and bytes as the footer declares them, before anything is decompressed."""
    rows = metadata.num_rows
    if rows * max(n_columns, 1) > MAX_CELLS:
        raise DataError(f"{path}: declares {rows:,} rows × {n_columns:,} columns, more than the {MAX_CELLS:,} cells "
                        "a Parquet file may have (1 GiB once read)")
    unpacked = sum(metadata.row_group(g).total_byte_size for g in range(metadata.num_row_groups))
    if unpacked > MAX_TABLE_BYTES:
        raise DataError(f"{path}: holds {unpacked:,} bytes of data once decompressed, more than the "
                        f"{MAX_TABLE_BYTES:,} a table may have")


def _converter(path, name, type_):
    """The function that makes a column of ``type_`` readable, or DataError naming the column and its type."""
    import pyarrow as pa
    import pyarrow.types as t

    if t.is_integer(type_) or t.is_floating(type_) or t.is_boolean(type_) or t.is_null(type_) or _is_text(type_):
        return _as_is
    if t.is_dictionary(type_) and _is_text(type_.value_type):
        return _as_is
    if t.is_decimal(type_):
        if type_.precision <= EXACT_DECIMAL_DIGITS:
            return lambda column: column.cast(pa.float64())
        raise DataError(f"{path}: column {shown(name)} is {type_}, a decimal of more than {EXACT_DECIMAL_DIGITS} "
                        "digits, which a float64 number cannot hold exactly; cast it to float64 (or text) first")
    what = _kind(type_)
    raise DataError(f"{path}: column {shown(name)} is of Parquet type {clip(str(type_))} ({what}); minimlp reads "
                    "flat columns of numbers, booleans and UTF-8 text: convert it to one of those first")


def _is_text(type_):
    import pyarrow.types as t

    return t.is_string(type_) or t.is_large_string(type_) or getattr(t, "is_string_view", lambda _: False)(type_)


def _kind(type_):
    import pyarrow.types as t

    for test, what in ((t.is_list, "a list"), (t.is_large_list, "a list"), (t.is_fixed_size_list, "a list"),
                       (t.is_struct, "a struct"), (t.is_map, "a map"), (t.is_union, "a union"),
                       (t.is_binary, "bytes, not UTF-8 text"), (t.is_large_binary, "bytes, not UTF-8 text"),
                       (t.is_fixed_size_binary, "bytes, not UTF-8 text"), (t.is_timestamp, "a timestamp"),
                       (t.is_date, "a date"), (t.is_time, "a time of day"), (t.is_duration, "a duration"),
                       (t.is_interval, "an interval"), (t.is_dictionary, "dictionary-encoded values that are not text")):
        if test(type_):
            return what
    return "not a number, boolean or text"


def _as_is(column):
    return column
