"""Read a finished store's metadata, numeric arrays and 1-D string arrays with the standard library and NumPy only
(zstd-compressed strings, as the writer stores ``arch_string`` and ``function_id``, take numcodecs' zstd, which
comes with zarr and imports in a tenth of zarr's time).

Why: importing zarr + xarray costs ~1.5 s here, several times the whole
``wsbench topk`` query. Stores written by :class:`wsbench.store.StoreWriter`
use a subset of Zarr v3 that is simple to read exactly — consolidated
metadata in ``zarr.json``, regular chunk grids, default chunk keys, the
``bytes`` codec and ``gzip`` compression — so the query path reads them
directly. Any other store (other codecs, no consolidated metadata) falls back
to zarr via xarray; tests check both paths return identical arrays.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wsbench.errors import SchemaError

_NUMERIC = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float16", "float32", "float64"}
_FILL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class NotReadable(Exception):
    """This store (or array) uses Zarr features the fast reader does not implement; use zarr."""


@dataclass(frozen=True)
class ArrayMeta:
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    kind: str  # NumPy dtype kind: f, i, u, b, or U for strings
    data_type: str
    chunks: tuple[int, ...]
    codecs: tuple[dict, ...]
    fill_value: Any
    separator: str


@dataclass(frozen=True)
class StoreMeta:
    """What the structural schema check needs: attributes and each array's dims, shape and dtype kind."""

    attrs: dict[str, Any]
    arrays: dict[str, ArrayMeta]

    @property
    def sizes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for a in self.arrays.values():
            out.update(zip(a.dims, a.shape))
        return out


def _kind(data_type: Any) -> str:
    if isinstance(data_type, dict) and data_type.get("name") == "fixed_length_utf32":
        return "fixed-U"  # what NumPy '<U' arrays become: refused by the schema
    if not isinstance(data_type, str):
        return "?"
    if data_type == "string":
        return "U"
    if data_type == "bool":
        return "b"
    return np.dtype(data_type).kind if data_type in _NUMERIC else "?"


def meta_from_json(root: dict) -> StoreMeta:
    try:
        entries = root["consolidated_metadata"]["metadata"]
    except (KeyError, TypeError):
        raise NotReadable("no consolidated metadata") from None
    arrays = {}
    for name, m in entries.items():
        if m.get("node_type") != "array" or "/" in name:
            continue
        grid = m.get("chunk_grid", {})
        cke = m.get("chunk_key_encoding", {})
        arrays[name] = ArrayMeta(
            dims=tuple(m.get("dimension_names") or ()), shape=tuple(m["shape"]), kind=_kind(m["data_type"]),
            data_type=m["data_type"] if isinstance(m["data_type"], str) else json.dumps(m["data_type"]),
            chunks=tuple(grid.get("configuration", {}).get("chunk_shape", m["shape"])) if grid.get("name") == "regular" else (),
            codecs=tuple(m.get("codecs", ())), fill_value=m.get("fill_value"),
            separator=cke.get("configuration", {}).get("separator", "/") if cke.get("name") == "default" else "",
        )
    return StoreMeta(attrs=dict(root.get("attributes", {})), arrays=arrays)


class FastReader:
    """Metadata and numeric arrays of a store folder or zip; raises NotReadable for anything unusual."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._zip = zipfile.ZipFile(self.path) if self.path.is_file() else None
        try:
            root = json.loads(self._get("zarr.json"))
        except (KeyError, FileNotFoundError, json.JSONDecodeError) as e:
            raise NotReadable(f"no readable zarr.json: {e}") from None
        except RecursionError:  # zarr would fail on it the same way: say so here
            raise SchemaError(self.path, ["zarr.json is nested too deeply to be store metadata"]) from None
        self.meta = meta_from_json(root)

    def _get(self, key: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(key)
        return (self.path / key).read_bytes()

    def read(self, name: str, lead: tuple[int, ...] = ()) -> np.ndarray:
        """Array ``name`` with its first ``len(lead)`` dims fixed at ``lead`` (all of it if lead is empty)."""
        a = self.meta.arrays[name]
        if a.kind == "U" and not lead and len(a.shape) == 1 and a.chunks and a.separator:
            return self._read_strings(name, a)
        if a.kind not in "fiub" or not a.chunks or not a.separator:
            raise NotReadable(f"{name}: data type {a.data_type} or chunking not supported by the fast reader")
        names = [c.get("name") for c in a.codecs]
        if not names or names[0] != "bytes" or any(n != "gzip" for n in names[1:]):
            raise NotReadable(f"{name}: codecs {names} not supported by the fast reader")
        endian = a.codecs[0].get("configuration", {}).get("endian", "little")
        dtype = np.dtype(a.data_type).newbyteorder("<" if endian == "little" else ">")
        fill = _FILL.get(a.fill_value, a.fill_value) if isinstance(a.fill_value, str) else a.fill_value
        if isinstance(fill, str):
            raise NotReadable(f"{name}: fill value {fill!r} not supported")
        nlead = len(lead)
        rest_shape = a.shape[nlead:]
        out = np.full(rest_shape, fill if fill is not None else 0, dtype=np.dtype(a.data_type))
        lead_chunk = [i // c for i, c in zip(lead, a.chunks)]
        lead_off = tuple(i % c for i, c in zip(lead, a.chunks))
        grids = [range(math.ceil(s / c)) for s, c in zip(rest_shape, a.chunks[nlead:])]
        for coords in itertools.product(*grids):
            key = name + "/c" + a.separator + a.separator.join(map(str, (*lead_chunk, *coords)))
            try:
                raw = self._get(key)
            except (KeyError, FileNotFoundError):
                continue  # never written: fill value
            except (zipfile.BadZipFile, zlib.error, OSError) as e:
                why = f"chunk {key} cannot be read ({e}); the file is corrupted: download or build it again"
                raise SchemaError(self.path, [why]) from None
            try:
                for _ in names[1:]:
                    raw = gzip.decompress(raw)
                chunk = np.frombuffer(raw, dtype=dtype).reshape(a.chunks)[lead_off]
            except (OSError, EOFError, zlib.error, ValueError) as e:
                why = f"chunk {key} of {name!r} is corrupted ({type(e).__name__}: {e}); download or build it again"
                raise SchemaError(self.path, [why]) from None
            dst = tuple(slice(c * k, min((c + 1) * k, s)) for c, k, s in zip(coords, a.chunks[nlead:], rest_shape))
            out[dst] = chunk[tuple(slice(0, d.stop - d.start) for d in dst)]
        return out

    def _read_strings(self, name: str, a: ArrayMeta) -> np.ndarray:
        """A 1-D variable-length string array (``vlen-utf8``, then ``gzip`` or ``zstd``) as an object array: what
        the writer stores for ``arch_string`` and ``function_id``. zstd needs numcodecs (it comes with zarr),
        imported here only."""
        names = [c.get("name") for c in a.codecs]
        if not names or names[0] != "vlen-utf8" or any(n not in ("gzip", "zstd") for n in names[1:]):
            raise NotReadable(f"{name}: codecs {names} not supported by the fast reader")
        if "zstd" in names:
            try:
                from numcodecs.zstd import Zstd
            except ImportError:
                raise NotReadable(f"{name}: zstd needs numcodecs") from None
        fill = a.fill_value if isinstance(a.fill_value, str) else ""
        out = np.full(a.shape, fill, dtype=object)
        (n,), (c,) = a.shape, a.chunks
        for i in range(math.ceil(n / c)):
            key = f"{name}/c{a.separator}{i}"
            try:
                raw = self._get(key)
            except (KeyError, FileNotFoundError):
                continue
            except (zipfile.BadZipFile, zlib.error, OSError) as e:
                why = f"chunk {key} cannot be read ({e}); the file is corrupted: download or build it again"
                raise SchemaError(self.path, [why]) from None
            try:
                for codec in reversed(names[1:]):
                    raw = gzip.decompress(raw) if codec == "gzip" else bytes(Zstd().decode(raw))
                items = _vlen_utf8(raw)
            except (OSError, EOFError, zlib.error, ValueError, RuntimeError, IndexError) as e:  # zstd: RuntimeError
                why = f"chunk {key} of {name!r} is corrupted ({type(e).__name__}: {e}); download or build it again"
                raise SchemaError(self.path, [why]) from None
            stop = min((i + 1) * c, n)
            if len(items) < stop - i * c:
                why = f"chunk {key} of {name!r} holds {len(items)} strings, expected {stop - i * c}"
                raise SchemaError(self.path, [why + ": download or build it again"])
            out[i * c:stop] = items[:stop - i * c]
        return out

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _vlen_utf8(raw: bytes) -> list[str]:
    """Zarr's ``vlen-utf8`` encoding: a little-endian uint32 count, then each item as a uint32 length and UTF-8."""
    count = int.from_bytes(raw[:4], "little")
    out, pos = [], 4
    for _ in range(count):
        size = int.from_bytes(raw[pos:pos + 4], "little")
        pos += 4
        if pos + size > len(raw):
            raise ValueError("truncated vlen-utf8 data")
        out.append(raw[pos:pos + size].decode("utf-8"))
        pos += size
    return out


class XarrayReader:
    """Same interface over zarr/xarray, for stores the fast reader cannot read."""

    def __init__(self, path: str | os.PathLike | None, ds: Any):
        self.path, self.ds = (Path(path) if path is not None else None), ds
        arrays = {}
        for name, v in ds.variables.items():
            kind = "U" if v.dtype.kind in "OTU" else v.dtype.kind
            if v.dtype.kind == "U":
                kind = "fixed-U"
            enc = v.encoding
            arrays[str(name)] = ArrayMeta(dims=tuple(map(str, v.dims)), shape=tuple(v.shape), kind=kind,
                                          data_type=str(v.dtype), chunks=tuple(enc.get("chunks") or v.shape),
                                          codecs=(), fill_value=enc.get("fill_value"), separator="/")
        self.meta = StoreMeta(attrs=dict(ds.attrs), arrays=arrays)

    def read(self, name: str, lead: tuple[int, ...] = ()) -> np.ndarray:
        return np.asarray(self.ds[name][lead].values)

    def close(self) -> None:
        pass
