"""Read and write IDX files, the format of MNIST and Fashion-MNIST (gzip'd or raw).

An IDX file is a 4-byte magic number ``0x00 0x00 <type code> <number of dims>``, then one
big-endian uint32 per dimension, then the values in C order, big-endian.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

# IDX type code -> big-endian dtype of the stored values.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_TYPE_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


class IDXError(ValueError):
    """An IDX file is truncated, corrupted or not an IDX file at all."""


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzip'd when the name ends in ``.gz``) into a native-endian array.

    The array has the shape and dtype the header declares (for MNIST: uint8 images
    ``(N, 28, 28)`` or uint8 labels ``(N,)``). Raises ``IDXError`` naming the path when the
    file is not valid gzip, has a bad magic number, or its length does not match its header.
    """
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise IDXError(f"{path}: not a valid gzip file ({exc})") from exc
    return _parse_idx(raw, path)


def _parse_idx(raw: bytes, path: Path) -> np.ndarray:
    if len(raw) < 4:
        raise IDXError(f"{path}: too short for an IDX header ({len(raw)} bytes, need 4)")
    magic = int.from_bytes(raw[:4], "big")
    type_code, ndim = raw[2], raw[3]
    if raw[0] != 0 or raw[1] != 0:
        raise IDXError(
            f"{path}: bad magic number 0x{magic:08X}: an IDX file starts with two zero bytes"
        )
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_DTYPES)
        raise IDXError(
            f"{path}: unknown type code 0x{type_code:02X} in magic number 0x{magic:08X} "
            f"(known: {known})"
        )
    if ndim == 0:
        raise IDXError(f"{path}: magic number 0x{magic:08X} declares zero dimensions")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise IDXError(
            f"{path}: truncated header: {ndim} dimensions need {header_size} bytes, "
            f"file has {len(raw)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    if 0 in shape:
        raise IDXError(f"{path}: shape {shape} has a zero-length dimension")
    dtype = IDX_DTYPES[type_code]
    expected = header_size + dtype.itemsize * int(np.prod(shape, dtype=object))
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "trailing bytes"
        raise IDXError(
            f"{path}: {problem}: shape {shape} of {dtype.newbyteorder('=').name} needs "
            f"{expected} bytes, file has {len(raw)}"
        )
    values = np.frombuffer(raw, dtype=dtype, offset=header_size)
    return values.astype(dtype.newbyteorder("=")).reshape(shape)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip'd (reproducibly) when the name ends in ``.gz``.

    Supported dtypes: uint8, int8, int16, int32, float32, float64; at least one dimension
    and no zero-length dimension, as ``read_idx`` expects.
    """
    path = Path(path)
    array = np.asarray(array)
    type_code = _TYPE_CODES.get(array.dtype.newbyteorder("="))
    if type_code is None:
        names = ", ".join(dtype.newbyteorder("=").name for dtype in IDX_DTYPES.values())
        raise IDXError(f"{path}: IDX cannot store dtype {array.dtype} (supported: {names})")
    if not 1 <= array.ndim <= 255 or 0 in array.shape:
        raise IDXError(
            f"{path}: IDX needs 1 to 255 dimensions, none of them zero; got shape {array.shape}"
        )
    header = bytes([0, 0, type_code, array.ndim])
    header += np.asarray(array.shape, dtype=">u4").tobytes()
    raw = header + array.astype(IDX_DTYPES[type_code]).tobytes()
    if path.suffix == ".gz":
        raw = gzip.compress(raw, mtime=0)
    path.write_bytes(raw)
