"""Parquet files through pyarrow (the optional extra ``minimlp[parquet]``), in record batches."""
from .. import files
from ..errors import DataError
from .reader import CHUNK_ROWS, MAX_TABLE_BYTES, Progress, RawTable, check_header, column_values, concatenate, file_size


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
            names = check_header(path, parquet.schema_arrow.names)
            progress = Progress(path, total, on_progress)
            pieces = {name: [] for name in names}
            for batch in parquet.iter_batches(batch_size=CHUNK_ROWS):
                frame = batch.to_pandas()
                for name, column in zip(names, frame.columns):
                    pieces[name].append(column_values(frame[column]))
                progress(len(frame), len(names), total)
        except (pyarrow.ArrowException, OSError, ValueError, TypeError) as e:
            raise DataError(f"{path}: not a readable Parquet file ({str(e)[:200]})") from None
    progress(0, len(names), total, done=True)
    columns = {name: concatenate(pieces.pop(name)) for name in names}
    table = RawTable(str(path), columns, lambda row: f"row {row + 1}", lambda row, name: str(columns[name][row]))
    if not columns or len(columns[names[0]]) == 0:
        raise DataError(f"{path}: has no data rows")
    return table
