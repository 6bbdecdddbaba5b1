"""Reading .npz files (model.npz, checkpoint.npz) in memory bounded before anything is inflated.

An .npz is a zip of .npy members; a member's zip entry declares its inflated
size and its .npy header declares its dtype and shape.  Both are read and
checked first: only plain numeric or text dtypes (never pickled objects), a
header that agrees with the zip's size, and a total within MAX_NPZ_BYTES.
Then the small members are read and the caller's ``check`` can refuse shapes
that do not fit them (model.npz: the network's sizes against its weights).
Only then are the large members inflated, each into one buffer of its declared size;
zipfile stops at the declared size, so a member that would inflate beyond it
fails its CRC check instead of filling memory.
"""
import math
import zipfile
import zlib

import numpy as np

from .errors import ModelFileError
from .files import open_input

MAX_NPZ_BYTES = 4 << 30  # decoded arrays in one file: a checkpoint of a ~250-million-parameter network
MAX_MEMBERS = 1024
KINDS = "biufU"  # booleans, integers, floats, text; never objects or raw records
CHUNK = 1 << 20
SMALL_BYTES = 1 << 16  # members read before ``check``: metadata, not weights


def read_npz(path, max_bytes=MAX_NPZ_BYTES, check=None):
    """All arrays of an .npz file; ModelFileError naming the file on any damage, or past the budget.

    ``check(small_arrays, declared)``, if given, sees the members of at most
    SMALL_BYTES and every member's declared (dtype, shape) before the large
    members are inflated, and raises ValueError to refuse the file.
    """
    with open_input(path, ModelFileError, "minimlp model file", max_bytes + (64 << 20)) as f:
        try:
            with zipfile.ZipFile(f) as archive:
                members = archive.infolist()
                if len(members) > MAX_MEMBERS:
                    raise ValueError(f"{len(members):,} arrays, more than {MAX_MEMBERS:,}")
                headers = [_header(archive, info, max_bytes) for info in members]
                total = sum(header[3] for header in headers)
                if total > max_bytes:
                    raise ModelFileError(f"{path}: its arrays declare {size_text(total)}, more than the {size_text(max_bytes)} "
                                         "a minimlp model file may hold; refused before reading them")
                small = {info.filename[:-4]: _array(archive, info, *header)
                         for info, header in zip(members, headers) if header[3] <= SMALL_BYTES}
                if check is not None:  # e.g. the network's sizes against the declared shape of its weights
                    check(small, {info.filename[:-4]: header[:2] for info, header in zip(members, headers)})
                return {info.filename[:-4]: small.get(info.filename[:-4]) if header[3] <= SMALL_BYTES
                        else _array(archive, info, *header) for info, header in zip(members, headers)}
        except ModelFileError:
            raise
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, KeyError, TypeError) as e:
            raise ModelFileError(f"{path}: cannot be read as a minimlp model file ({e})") from None


def _header(archive, info, max_bytes):
    """(dtype, shape, fortran_order, data bytes, header bytes) of one member, from its .npy header alone."""
    if not info.filename.endswith(".npy"):
        raise ValueError(f"member {info.filename[:80]!r} is not a .npy array")
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"member {info.filename[:80]!r}: .npy format version {version} is not supported")
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read(member)
        header_bytes = member.tell()
    if dtype.hasobject or dtype.kind not in KINDS or dtype.fields is not None:
        raise ValueError(f"member {info.filename[:80]!r} holds {dtype} values, not numbers or text")
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise ValueError(f"member {info.filename[:80]!r} declares an invalid shape")
    data_bytes = math.prod(shape) * dtype.itemsize
    if data_bytes > max_bytes:
        raise ValueError(f"member {info.filename[:80]!r} declares {math.prod(shape):,} values ({size_text(data_bytes)}), "
                         f"more than the {size_text(max_bytes)} a minimlp model file may hold; refused before reading it")
    if info.file_size != header_bytes + data_bytes:
        raise ValueError(f"member {info.filename[:80]!r}: its header declares {data_bytes:,} bytes of data but "
                         f"the archive holds {info.file_size - header_bytes:,}")
    return dtype, shape, fortran, data_bytes, header_bytes


def _array(archive, info, dtype, shape, fortran, data_bytes, header_bytes):
    buffer = bytearray(data_bytes)
    view, filled = memoryview(buffer), 0
    with archive.open(info) as member:
        member.read(header_bytes)
        while filled < data_bytes:
            chunk = member.read(min(CHUNK, data_bytes - filled))
            if not chunk:
                raise ValueError(f"member {info.filename[:80]!r} is truncated")
            view[filled:filled + len(chunk)] = chunk
            filled += len(chunk)
        if member.read(1):  # also makes zipfile check the CRC
            raise ValueError(f"member {info.filename[:80]!r} holds more data than its header declares")
    array = np.frombuffer(buffer, dtype=dtype) if data_bytes else np.zeros(0, dtype=dtype)
    return array.reshape(shape, order="F" if fortran else "C")


def size_text(n):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,} bytes" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
