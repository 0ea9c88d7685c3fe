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

import itertools
import json
import math
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wsbench.errors import SchemaError

_NUMERIC = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float16", "float32", "float64"}
_FILL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

# -- limits: a store's declared sizes are checked against these before anything is allocated or decoded ------------
#: one ``zarr.json`` (the consolidated one holds every array's metadata: ~1 kB each; the bundled stores' are < 40 kB)
MAX_METADATA_BYTES = 8 << 20
#: one attribute, as JSON (the largest in the bundled stores, ``proxies``, is 9 kB)
MAX_ATTR_BYTES = 64 << 10
#: one chunk, decoded (the writer's largest: 65,536 float64 = 512 kB; zarr's own default aims at ~1 MB)
MAX_CHUNK_BYTES = 256 << 20
#: chunks of one array (a 1M-subnet store with 10 epochs x 3 seeds has 480 supernet_score chunks)
MAX_CHUNKS = 1 << 20
#: one array, decoded (a 1M-subnet store's supernet_score with 6 epochs x 3 seeds is 72 MB)
MAX_ARRAY_BYTES = 4 << 30
#: an array may declare more than this many times the store's bytes only while it is under RATIO_FLOOR: deflate
#: cannot inflate beyond 1032:1, and only chunks never written (the fill value) could make up the rest
MAX_RATIO, RATIO_FLOOR = 1100, 64 << 20
#: one variable-length string (canonical architecture strings are < 1 kB; decision and op names are short)
MAX_STRING_BYTES = 4096
#: the codecs wsbench reads: each one's decoded size can be checked before (zstd: its header) or while decoding
CODECS = ("bytes", "vlen-utf8", "gzip", "zstd")


def human(n: float) -> str:
    """``n`` bytes as a short figure: 240 B, 64 KiB, 7.3 TiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


_REFETCH = "a store holds regular files within their declared sizes: download or build it again"


class BadStoreFile(Exception):
    """A file of a store that must not be read (symlink, FIFO, device, too large, a bomb); str() says which and why."""


def _itemsize(data_type: str) -> int:
    """Bytes per element once decoded (strings: a pointer in an object array; the text is bounded per chunk)."""
    return np.dtype(data_type).itemsize if data_type in _NUMERIC else 8


def chunk_cap(a: ArrayMeta) -> int:
    """Most bytes one chunk of ``a`` may decode to (its declared size; strings: MAX_STRING_BYTES each)."""
    n = math.prod(a.chunks) if a.chunks else math.prod(a.shape)
    if a.kind == "U":
        return 4 + n * (4 + MAX_STRING_BYTES)
    return n * _itemsize(a.data_type)


def limit_problems(meta: StoreMeta) -> list[str]:
    """Declared sizes beyond what can be read safely (checked from metadata alone, before any allocation)."""
    problems = []
    for key, value in meta.attrs.items():
        try:
            size = len(json.dumps(value))
        except (TypeError, ValueError, RecursionError):
            size = MAX_ATTR_BYTES + 1
        if size > MAX_ATTR_BYTES:
            problems.append(f"attribute {key!r} is {human(size)} as JSON; an attribute may be at most "
                            f"{human(MAX_ATTR_BYTES)}: shorten it (e.g. link to a longer text) and rebuild the store")
    for name, a in meta.arrays.items():
        if any(not isinstance(s, int) or isinstance(s, bool) or s < 0 for s in a.shape):
            problems.append(f"variable {name!r} declares shape {list(a.shape)}; expected non-negative integers")
            continue
        if a.chunks and (len(a.chunks) != len(a.shape) or
                         any(not isinstance(c, int) or isinstance(c, bool) or c < (1 if n else 0)
                             for c, n in zip(a.chunks, a.shape))):
            problems.append(f"variable {name!r} declares chunk shape {list(a.chunks)} for shape {list(a.shape)}; "
                            "expected one positive integer per dimension")
            continue
        nbytes = math.prod(a.shape) * _itemsize(a.data_type)
        bound = min(MAX_ARRAY_BYTES, max(RATIO_FLOOR, MAX_RATIO * meta.store_bytes) if meta.store_bytes else
                    MAX_ARRAY_BYTES)
        if nbytes > bound:
            held = f"the store holds {human(meta.store_bytes)}, " if meta.store_bytes else ""
            problems.append(f"variable {name!r} declares shape {list(a.shape)} = {human(nbytes)} decoded; {held}so at "
                            f"most {human(bound)} can be real: the metadata is corrupt or crafted; rebuild the store")
        if a.chunks:
            count = math.prod(math.ceil(s / max(c, 1)) for s, c in zip(a.shape, a.chunks))
            if count > MAX_CHUNKS:
                problems.append(f"variable {name!r} is cut into {count:,} chunks of shape {list(a.chunks)}; at most "
                                f"{MAX_CHUNKS:,} are read: rewrite it with larger chunks")
            if chunk_cap(a) > MAX_CHUNK_BYTES and a.kind != "U":
                problems.append(f"variable {name!r} declares chunks of {human(chunk_cap(a))} decoded; at most "
                                f"{human(MAX_CHUNK_BYTES)}: rewrite it with smaller chunks")
        names = [c.get("name") if isinstance(c, dict) else c for c in a.codecs]
        odd = [n for n in names if n not in CODECS]
        if odd:
            problems.append(f"variable {name!r} uses codec(s) {odd}; wsbench reads only {list(CODECS)}, whose decoded "
                            "size it checks against the declared one: rewrite the store with wsbench.store")
    return problems


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
    #: the array's own attributes (long_name, units, direction: docs/schema.md); {} in stores written before them
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoreMeta:
    """What the structural schema check needs: attributes and each array's dims, shape and dtype kind."""

    attrs: dict[str, Any]
    arrays: dict[str, ArrayMeta]
    store_bytes: int | None = None  # size of the store's files, when known: declared sizes are checked against it

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


def _array_meta(m: dict) -> ArrayMeta:
    grid = m.get("chunk_grid", {})
    cke = m.get("chunk_key_encoding", {})
    return ArrayMeta(
        dims=tuple(m.get("dimension_names") or ()), shape=tuple(m["shape"]), kind=_kind(m["data_type"]),
        data_type=m["data_type"] if isinstance(m["data_type"], str) else json.dumps(m["data_type"]),
        chunks=tuple(grid.get("configuration", {}).get("chunk_shape", m["shape"])) if grid.get("name") == "regular" else (),
        codecs=tuple(m.get("codecs", ())), fill_value=m.get("fill_value"),
        separator=cke.get("configuration", {}).get("separator", "/") if cke.get("name") == "default" else "",
        attrs=dict(m["attributes"]) if isinstance(m.get("attributes"), dict) else {},
    )


def meta_from_json(root: dict, store_bytes: int | None = None) -> StoreMeta:
    try:
        entries = root["consolidated_metadata"]["metadata"]
    except (KeyError, TypeError):
        raise NotReadable("no consolidated metadata") from None
    arrays, bad = {}, []
    for name, m in (entries.items() if isinstance(entries, dict) else ()):
        try:
            if m.get("node_type") != "array" or "/" in name:
                continue
            arrays[name] = _array_meta(m)
        except (AttributeError, KeyError, TypeError, ValueError):
            bad.append(name)
    if bad:
        why = (f"the metadata of {bad[:3]} is malformed (shape, data_type, chunk_grid or codecs); "
               "the store is corrupted: rebuild it")
        raise SchemaError("store", [why])
    attrs = root.get("attributes", {})
    return StoreMeta(attrs=dict(attrs) if isinstance(attrs, dict) else {}, arrays=arrays, store_bytes=store_bytes)


class StoreFiles:
    """The files of a store folder or zip, read only as regular files, each up to a stated size.

    A folder's members are opened without following symlinks (``O_NOFOLLOW``)
    and without blocking (``O_NONBLOCK``: a FIFO never hangs the open), then
    must be regular files no larger than asked; a zip's members are read only
    when their recorded size is within the cap (zipfile never inflates past it).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path) if self.path.is_file() else None
        self._dirs_ok: set[str] = set()

    def problems(self) -> tuple[list[str], int]:
        """(every member that is not a regular file or is larger than any member may be, total bytes)."""
        problems: list[str] = []
        if self.zip is not None:
            for info in self.zip.infolist():
                cap = MAX_METADATA_BYTES if info.filename.rsplit("/", 1)[-1] == "zarr.json" else MAX_CHUNK_BYTES
                if info.file_size > cap:
                    problems.append(f"member {info.filename} is {human(info.file_size)} once extracted; a store member "
                                    f"may be at most {human(cap)}: the file is corrupted or crafted")
            return problems, self.path.stat().st_size
        total = 0
        stack = [self.path]
        while stack:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    rel = Path(e.path).relative_to(self.path).as_posix()
                    st = e.stat(follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        stack.append(Path(e.path))
                    elif not stat.S_ISREG(st.st_mode):
                        problems.append(f"{rel} is {_what(st.st_mode)}, not a regular file; a store holds regular "
                                        "files only: replace it with the data it should hold or rebuild the store")
                    else:
                        total += st.st_size
                        cap = MAX_METADATA_BYTES if e.name == "zarr.json" else MAX_CHUNK_BYTES
                        if st.st_size > cap:
                            problems.append(f"{rel} is {human(st.st_size)}; a store file may be at most {human(cap)}")
        return problems, total

    def get(self, key: str, cap: int) -> bytes:
        """Bytes of member ``key``; KeyError if absent; BadStoreFile if it is not a regular file or exceeds ``cap``."""
        if self.zip is not None:
            info = self.zip.getinfo(key)  # KeyError: absent
            if info.file_size > cap:
                raise BadStoreFile(f"member {key} is {human(info.file_size)} once extracted, more than the "
                                   f"{human(cap)} it may hold")
            return self.zip.read(info)
        parts = key.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise KeyError(key)
        for i in range(1, len(parts)):  # no directory on the way may be a symlink out of the store
            d = "/".join(parts[:i])
            if d not in self._dirs_ok:
                try:
                    mode = os.lstat(self.path / d).st_mode
                except FileNotFoundError:
                    raise KeyError(key) from None
                if not stat.S_ISDIR(mode):
                    raise BadStoreFile(f"{d} is {_what(mode)}, not a folder of the store")
                self._dirs_ok.add(d)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path / key, flags)
        except FileNotFoundError:
            raise KeyError(key) from None
        except OSError as e:  # ELOOP: a symlink (O_NOFOLLOW); ENXIO: a FIFO nobody writes, …
            mode = os.lstat(self.path / key).st_mode
            raise BadStoreFile(f"{key} is {_what(mode)}, not a regular file ({e.strerror})") from None
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise BadStoreFile(f"{key} is {_what(st.st_mode)}, not a regular file")
            if st.st_size > cap:
                raise BadStoreFile(f"{key} is {human(st.st_size)}, more than the {human(cap)} it may hold")
            data = f.read(cap + 1)
        if len(data) > cap:
            raise BadStoreFile(f"{key} grew past {human(cap)} while it was read")
        return data

    def members(self) -> list[str]:
        if self.zip is not None:
            return [i.filename for i in self.zip.infolist() if not i.is_dir()]
        return [p.relative_to(self.path).as_posix() for p in self.path.rglob("*")
                if not p.is_symlink() and p.is_file()]

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _what(mode: int) -> str:
    return ("a symbolic link" if stat.S_ISLNK(mode) else "a FIFO" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else
            "a folder" if stat.S_ISDIR(mode) else "not a regular file")


def _gunzip(raw: bytes, cap: int) -> bytes:
    """Every gzip member of ``raw``, refusing more than ``cap`` bytes of output (never inflates further)."""
    out, n = [], 0
    while True:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        part = d.decompress(raw, cap - n + 1)
        n += len(part)
        if n > cap:
            raise BadStoreFile(f"inflates beyond its declared {human(cap)} (a decompression bomb or a corrupted file)")
        out.append(part)
        if not d.eof:
            raise zlib.error("the gzip stream is cut short")
        raw = d.unused_data
        if not raw.strip(b"\0"):
            return b"".join(out)


def _zstd_content_size(raw: bytes) -> int | None:
    """The decoded size a zstd frame header declares (None if it declares none)."""
    if len(raw) < 6 or raw[:4] != b"\x28\xb5\x2f\xfd":
        raise ValueError("not a zstd frame")
    fhd = raw[4]
    fcs_flag, single = fhd >> 6, (fhd >> 5) & 1
    pos = 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3]
    size = (1 if single else 0, 2, 4, 8)[fcs_flag]
    if size == 0:
        return None
    if len(raw) < pos + size:
        raise ValueError("the zstd frame header is cut short")
    value = int.from_bytes(raw[pos : pos + size], "little")
    return value + 256 if size == 2 else value


def decode_chunk(raw: bytes, codecs: tuple[str, ...], cap: int, exact: bool) -> bytes:
    """Undo the compression codecs (after the first, array->bytes one) with at most ``cap`` bytes of output.

    ``exact``: the result must be exactly ``cap`` bytes (fixed-size data types).
    Raises BadStoreFile (too large, wrong length) or ValueError/zlib.error (corrupted).
    """
    for name in reversed(codecs[1:]):
        if name == "gzip":
            raw = _gunzip(raw, cap)
        elif name == "zstd":
            size = _zstd_content_size(raw)
            if size is None:
                raise BadStoreFile("is a zstd frame that does not declare its decoded size; rewrite the store")
            if size > cap:
                raise BadStoreFile(f"declares {human(size)} decoded, more than its declared {human(cap)}")
            from numcodecs import Zstd  # zarr's own dependency; the fast path (gzip) never needs it

            out = np.empty(size, dtype=np.uint8)
            try:  # into a buffer of the declared size: zstd stops (an error) instead of writing past it
                raw = bytes(Zstd().decode(raw, out=out))
            except (RuntimeError, ValueError) as e:
                raise BadStoreFile(f"does not decode to its declared {human(size)} ({e})") from None
        else:
            raise BadStoreFile(f"uses codec {name!r}, which wsbench does not read")
    if exact and len(raw) != cap:
        raise BadStoreFile(f"decodes to {len(raw)} bytes; its declared chunk holds {cap}")
    if len(raw) > cap:
        raise BadStoreFile(f"decodes to {human(len(raw))}, more than its declared {human(cap)}")
    return raw


def chunk_problems(files: StoreFiles, meta: StoreMeta, names: list[str] | None = None) -> list[str]:
    """Every chunk of the arrays ``names`` (default all) decoded with a cap of its declared size, output dropped:
    what ``validate`` and the zarr fallback check before zarr (which has no such cap) decodes anything."""
    problems = []
    wanted = set(meta.arrays if names is None else names)
    for key in files.members():
        name, _, rest = key.partition("/")
        a = meta.arrays.get(name)
        if name not in wanted or a is None or rest == "zarr.json" or not a.separator:
            continue
        codecs = tuple(c.get("name") if isinstance(c, dict) else str(c) for c in a.codecs)
        if not codecs or any(c not in CODECS for c in codecs):
            continue  # listed by limit_problems
        cap = chunk_cap(a)
        try:
            decode_chunk(files.get(key, cap + cap // 64 + (1 << 16)), codecs, cap, exact=a.kind != "U")
        except BadStoreFile as e:
            problems.append(f"{e} (a chunk of {name!r}: {human(cap)} decoded)" if key in str(e)
                            else f"chunk {key} of {name!r} {e}")
        except (OSError, EOFError, zlib.error, ValueError, zipfile.BadZipFile) as e:  # e.g. a member's bad CRC
            problems.append(f"chunk {key} of {name!r} is corrupted ({type(e).__name__}: {e}); download or build it again")
    return problems


def read_layout(files: StoreFiles, store_bytes: int | None = None) -> StoreMeta:
    """Attributes and array metadata from ``zarr.json`` (consolidated) or, for an unconsolidated store, from each
    array's own ``zarr.json``; every file read with its cap. Raises BadStoreFile, or NotReadable if there is none."""
    def load(key: str) -> Any:
        try:
            return json.loads(files.get(key, MAX_METADATA_BYTES))
        except (KeyError, json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            return None

    root = load("zarr.json")
    if not isinstance(root, dict):
        raise NotReadable("no readable zarr.json")
    try:
        return meta_from_json(root, store_bytes)
    except NotReadable:
        pass
    arrays = {}
    for key in files.members():
        name, _, rest = key.partition("/")
        if rest == "zarr.json":
            m = load(key)
            if isinstance(m, dict) and m.get("node_type") == "array":
                try:
                    arrays[name] = _array_meta(m)
                except (AttributeError, KeyError, TypeError, ValueError):
                    continue
    attrs = root.get("attributes", {})
    return StoreMeta(attrs=dict(attrs) if isinstance(attrs, dict) else {}, arrays=arrays, store_bytes=store_bytes)


def store_problems(path: str | os.PathLike, names: list[str] | None = None, decode: bool = True) -> list[str]:
    """What must be refused before zarr may open ``path``: members that are not regular files or too large,
    declared sizes beyond the limits, and (``decode``) chunks of ``names`` that decode past their declared size."""
    files = StoreFiles(path)
    try:
        problems, total = files.problems()
        if problems:
            return problems
        try:
            meta = read_layout(files, total)
        except NotReadable:
            return []  # zarr says what is wrong with it
        except (BadStoreFile, SchemaError) as e:
            return e.problems if isinstance(e, SchemaError) else [str(e)]
        problems = limit_problems(meta)
        if problems or not decode:
            return problems
        return chunk_problems(files, meta, names)
    finally:
        files.close()


class FastReader:
    """Metadata and numeric arrays of a store folder or zip; raises NotReadable for anything unusual."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.files = StoreFiles(self.path)
        problems, total = self.files.problems()
        if problems:
            raise SchemaError(self.path, problems)
        try:
            root = json.loads(self._get("zarr.json", MAX_METADATA_BYTES))
        except (KeyError, FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError) as e:
            raise NotReadable(f"no readable zarr.json: {e}") from None
        except RecursionError:  # zarr would fail on it the same way: say so here
            raise SchemaError(self.path, ["zarr.json is nested too deeply to be store metadata"]) from None
        if not isinstance(root, dict):
            raise NotReadable("zarr.json is not a JSON object")
        try:
            self.meta = meta_from_json(root, total)
        except SchemaError as e:
            raise SchemaError(self.path, e.problems) from None

    def _get(self, key: str, cap: int) -> bytes:
        try:
            return self.files.get(key, cap)
        except BadStoreFile as e:
            raise SchemaError(self.path, [f"{e}; {_REFETCH}"]) from None

    @property
    def _zip(self) -> zipfile.ZipFile | None:
        return self.files.zip

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
        problems = limit_problems(StoreMeta({}, {name: a}, self.meta.store_bytes))
        if problems:  # open_reader refuses these first; a reader used alone must not allocate them either
            raise SchemaError(self.path, problems)
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
        cap = chunk_cap(a)
        for coords in itertools.product(*grids):
            key = name + "/c" + a.separator + a.separator.join(map(str, (*lead_chunk, *coords)))
            try:  # compressed, a chunk is at most a little larger than decoded (deflate's stored blocks)
                raw = self.files.get(key, cap + cap // 64 + (1 << 16))
            except KeyError:
                continue  # never written: fill value
            except BadStoreFile as e:  # a chunk of `name` holds `cap` bytes decoded
                raise SchemaError(self.path, [f"{e} (a chunk of {name!r}: {human(cap)} decoded); {_REFETCH}"]) from None
            except (zipfile.BadZipFile, zlib.error, OSError) as e:
                why = f"chunk {key} cannot be read ({e}); the file is corrupted: download or build it again"
                raise SchemaError(self.path, [why]) from None
            try:
                raw = decode_chunk(raw, tuple(names), cap, exact=True)
                chunk = np.frombuffer(raw, dtype=dtype).reshape(a.chunks)[lead_off]
            except BadStoreFile as e:
                why = f"chunk {key} of {name!r} {e}; download or build the store again"
                raise SchemaError(self.path, [why]) from None
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
                import numcodecs  # noqa: F401  (decode_chunk imports its Zstd)
            except ImportError:
                raise NotReadable(f"{name}: zstd needs numcodecs") from None
        cap = chunk_cap(a)  # at most MAX_STRING_BYTES a string: a chunk decodes to no more than this
        fill = a.fill_value if isinstance(a.fill_value, str) else ""
        out = np.full(a.shape, fill, dtype=object)
        (n,), (c,) = a.shape, a.chunks
        for i in range(math.ceil(n / c)):
            key = f"{name}/c{a.separator}{i}"
            try:
                raw = self._get(key, cap + cap // 64 + (1 << 16))
            except (KeyError, FileNotFoundError):
                continue
            except (zipfile.BadZipFile, zlib.error, OSError) as e:
                why = f"chunk {key} cannot be read ({e}); the file is corrupted: download or build it again"
                raise SchemaError(self.path, [why]) from None
            try:
                items = _vlen_utf8(decode_chunk(raw, tuple(names), cap, exact=False))
            except BadStoreFile as e:
                raise SchemaError(self.path, [f"chunk {key} of {name!r} {e}; download or build the store again"]) \
                    from None
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
        self.files.close()


def _vlen_utf8(raw: bytes) -> list[str]:
    """Zarr's ``vlen-utf8`` encoding: a little-endian uint32 count, then each item as a uint32 length and UTF-8.
    (One precompiled struct and local names: 15,625 NB201 cells decode in ~half the time of int.from_bytes.)"""
    count = int.from_bytes(raw[:4], "little")
    unpack, end = _UINT32.unpack_from, len(raw)
    out: list[str] = []
    append, pos = out.append, 4
    for _ in range(count):
        if pos + 4 > end:
            raise ValueError("truncated vlen-utf8 data")
        (size,) = unpack(raw, pos)
        pos += 4
        if pos + size > end:
            raise ValueError("truncated vlen-utf8 data")
        append(raw[pos:pos + size].decode("utf-8"))
        pos += size
    return out


_UINT32 = struct.Struct("<I")


class XarrayReader:
    """Same interface over zarr/xarray, for stores the fast reader cannot read."""

    def __init__(self, path: str | os.PathLike | None, ds: Any):
        self.path, self.ds = (Path(path) if path is not None else None), ds
        self._checked: set[str] = set()
        arrays = {}
        for name, v in ds.variables.items():
            kind = "U" if v.dtype.kind in "OTU" else v.dtype.kind
            if v.dtype.kind == "U":
                kind = "fixed-U"
            enc = v.encoding
            arrays[str(name)] = ArrayMeta(dims=tuple(map(str, v.dims)), shape=tuple(v.shape), kind=kind,
                                          data_type=str(v.dtype), chunks=tuple(enc.get("chunks") or v.shape),
                                          codecs=(), fill_value=enc.get("fill_value"), separator="/",
                                          attrs=dict(v.attrs))
        self.meta = StoreMeta(attrs=dict(ds.attrs), arrays=arrays)

    def read(self, name: str, lead: tuple[int, ...] = ()) -> np.ndarray:
        if self.path is not None and name not in self._checked:  # zarr decodes without a cap: check first
            problems = store_problems(self.path, [name])
            if problems:
                raise SchemaError(self.path, problems)
            self._checked.add(name)
        return np.asarray(self.ds[name][lead].values)

    def close(self) -> None:
        pass
