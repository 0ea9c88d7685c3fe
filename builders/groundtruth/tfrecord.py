"""TFRecord framing and the protobuf wire format, read without TensorFlow or protobuf.

A TFRecord file is a sequence of ``uint64 length | uint32 masked_crc32c(length)
| data | uint32 masked_crc32c(data)`` (little-endian). NAS-Bench-101's files hold
one JSON row per record; its metrics are a base64 ``ModelMetrics`` protobuf,
decoded here field by field from the wire format.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

from builders.groundtruth.errors import SourceFormatError


def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as TFRecord uses it."""
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path: str | Path, verify_data: bool = False) -> Iterator[bytes]:
    """Yield each record's bytes. The length CRC is always checked; the data CRC if ``verify_data``
    (pure Python: ~minutes for the 500 MB NAS-Bench-101 file)."""
    path = Path(path)
    with open(path, "rb") as f:
        index = 0
        while True:
            head = f.read(12)
            if not head:
                return
            if len(head) < 12:
                raise SourceFormatError(f"{path}: record {index}: file ends inside a record header (truncated)")
            (length,) = struct.unpack("<Q", head[:8])
            (crc,) = struct.unpack("<I", head[8:])
            if masked_crc(head[:8]) != crc:
                raise SourceFormatError(f"{path}: record {index}: length CRC mismatch; not a TFRecord file or corrupted")
            data = f.read(length)
            tail = f.read(4)
            if len(data) < length or len(tail) < 4:
                raise SourceFormatError(f"{path}: record {index}: file ends inside the record (truncated)")
            if verify_data and masked_crc(data) != struct.unpack("<I", tail)[0]:
                raise SourceFormatError(f"{path}: record {index}: data CRC mismatch (corrupted)")
            yield data
            index += 1


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(buf):
            raise SourceFormatError("protobuf: truncated varint")
        b = buf[i]
        result |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return result, i
        shift += 7


def parse_message(buf: bytes) -> dict[int, list]:
    """Wire-format fields of one message: field number -> list of raw values (int, bytes, or 8/4-byte bytes)."""
    out: dict[int, list] = {}
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i : i + n], i + n
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            raise SourceFormatError(f"protobuf: unsupported wire type {wire} for field {field}")
        if i > len(buf):
            raise SourceFormatError(f"protobuf: field {field} runs past the end of the message (truncated)")
        out.setdefault(field, []).append(value)
    return out


def as_double(raw: bytes) -> float:
    return struct.unpack("<d", raw)[0]
