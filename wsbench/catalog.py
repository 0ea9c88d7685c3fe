"""The catalog of published datasets: ``catalog/<name>.toml``, shipped inside the wheel.

Each entry says what a dataset is (space, data, scale, sizes, metric), where
its file lives (url, sha256, bytes), and under which licence and citation.
``load_catalog`` validates every entry and reports all problems at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsbench.errors import CatalogError, UnknownNameError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: field -> type; all required
FIELDS: dict[str, type | tuple[type, ...]] = {
    "name": str, "version": str, "space": str, "dataset": str, "title": str, "description": str,
    "scale": str, "metric": str, "metric_direction": str, "sizes": dict, "files": list, "license": str,
    "citation": str, "builder": dict, "release_notes": str,
}
SIZES = ("archs", "epochs", "seeds")
#: a file name or version becomes one path component of the cache: at most this many UTF-8 bytes (a file system
#: limit is 255; room is left for ``.<random>.part`` and ``.verified``)
MAX_NAME_BYTES = 200
URL_SCHEMES = ("https", "http")
FILE_FIELDS = {"sha256": str, "bytes": int, "filename": str}  # plus ``url`` and/or ``bundled = true``


@dataclass(frozen=True)
class CatalogFile:
    filename: str
    url: str | None  # None: shipped in the wheel only (no hosted copy to go dead)
    sha256: str
    bytes: int
    bundled: bool = False


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    version: str
    space: str
    dataset: str
    title: str
    description: str
    scale: str
    metric: str
    metric_direction: str
    sizes: dict[str, int]
    files: tuple[CatalogFile, ...]
    license: str
    citation: str
    builder: dict[str, str]
    release_notes: str
    source: Path = field(compare=False, default=Path())

    @property
    def store_file(self) -> CatalogFile:
        """The zipped store (the first file); further files are optional extras."""
        return self.files[0]


def catalog_dir() -> Path:
    """``$WSBENCH_CATALOG`` if set; else ``wsbench/_catalog`` in an installed wheel, else ``catalog/`` of a checkout."""
    import os

    if os.environ.get("WSBENCH_CATALOG"):
        return Path(os.environ["WSBENCH_CATALOG"]).expanduser()
    here = Path(__file__).resolve().parent
    installed = here / "_catalog"
    return installed if installed.is_dir() else here.parent / "catalog"


def docs_dir() -> Path:
    """``wsbench/_docs`` in an installed wheel (the dataset cards, statistics.md, schema.md), else ``docs/`` of a
    checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "_docs"
    return installed if installed.is_dir() else here.parent / "docs"


def card_path(name: str) -> Path | None:
    """The dataset card (Markdown) of a catalog dataset, or None if it has none."""
    p = docs_dir() / "datasets" / f"{name}.md"
    return p if p.is_file() else None


def url_problem(url: object) -> str | None:
    """Why ``url`` cannot be downloaded from (parsed with urllib: scheme http(s), a host, a port in 1..65535, no
    spaces or control characters), or None. Also what every redirect target must pass."""
    from urllib.parse import urlsplit

    if not isinstance(url, str) or not url:
        return "must be an http(s) URL"
    if any(ord(c) < 0x21 or c == "\x7f" for c in url):
        return "holds a space or control character; percent-encode it (%20)"
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when out of range or not a number
    except ValueError as e:
        return f"cannot be parsed ({e})"
    if parts.scheme.lower() not in URL_SCHEMES:
        return f"must be an http(s) URL, got scheme {parts.scheme or '(none)'!r}"
    if not parts.hostname:
        return "names no host (expected https://host/path)"
    if port == 0:
        return "port 0 is not a port (expected 1..65535)"
    return None


def name_problem(value: str) -> str | None:
    """Why ``value`` (a file name or version) cannot be one path component of the cache, or None."""
    if not value:
        return "is empty"
    if any(ord(c) < 0x20 or c == "\x7f" for c in value):
        return "holds a control character (NUL, newline, ...)"
    if any(c in value for c in "/\\:") or value.startswith("."):
        return "must be a plain name (no path separators, not starting with '.')"
    if len(value.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"is {len(value.encode('utf-8', 'surrogatepass'))} bytes; at most {MAX_NAME_BYTES} (a file name)"
    return None


def parse_entry(data: dict[str, Any], source: Path) -> tuple[CatalogEntry | None, list[str]]:
    """Check one parsed TOML table; return the entry or every problem found."""
    from wsbench.schema import DIRECTIONS
    from wsbench.spaces import builtin_spaces, space_names

    problems = []
    for key, typ in FIELDS.items():
        if key not in data:
            problems.append(f"field {key!r} is missing")
        elif not isinstance(data[key], typ):
            problems.append(f"field {key!r} must be {typ.__name__}, got {type(data[key]).__name__}")
    for key in data:
        if key not in FIELDS:
            problems.append(f"unknown field {key!r}; allowed: {sorted(FIELDS)}")
    if problems:
        return None, problems
    if not _NAME.match(data["name"]):
        problems.append(f"name {data['name']!r} must be lowercase letters, digits and '-'")
    if data["name"] != source.stem:
        problems.append(f"name {data['name']!r} must equal the file name {source.stem!r}")
    if data["space"] not in builtin_spaces() and data["space"] not in space_names():  # names checked without importing
        problems.append(f"space {data['space']!r} is not one of {space_names()}")
    if data["metric_direction"] not in DIRECTIONS:
        problems.append(f"metric_direction must be one of {list(DIRECTIONS)}")
    for key in SIZES:
        if not isinstance(data["sizes"].get(key), int) or data["sizes"][key] < 1:
            problems.append(f"sizes.{key} must be a positive integer")
    files = []
    if not data["files"]:
        problems.append("files must list at least the zipped store")
    for i, f in enumerate(data["files"]):
        if not isinstance(f, dict):
            problems.append(f"files[{i}] must be a table ([[files]] with filename, sha256, bytes), got {f!r}")
            continue
        bad = [k for k, t in FILE_FIELDS.items() if not isinstance(f.get(k), t) or isinstance(f.get(k), bool)]
        if bad:
            problems.append(f"files[{i}] needs {bad} ({', '.join(f'{k}: {t.__name__}' for k, t in FILE_FIELDS.items())})")
            continue
        if not _SHA256.match(f["sha256"]):
            problems.append(f"files[{i}].sha256 must be 64 lowercase hex digits")
        url, bundled = f.get("url"), f.get("bundled", False)
        if not isinstance(bundled, bool):
            problems.append(f"files[{i}].bundled must be true or false")
        if url is None and bundled is not True:
            problems.append(f"files[{i}] needs a url, or bundled = true for a file shipped in the wheel")
        elif url is not None and url_problem(url):
            problems.append(f"files[{i}].url {url_problem(url)}")
        unknown = set(f) - set(FILE_FIELDS) - {"url", "bundled"}
        if unknown:
            problems.append(f"files[{i}]: unknown field(s) {sorted(unknown)}")
        if name_problem(f["filename"]):
            problems.append(f"files[{i}].filename must be a plain file name: it {name_problem(f['filename'])}")
        if f["bytes"] < 1:
            problems.append(f"files[{i}].bytes must be a positive integer")
        files.append(CatalogFile(f["filename"], url, f["sha256"], f["bytes"], bundled is True))
    if name_problem(data["version"]):
        problems.append(f"version {_short(data['version'])} must not contain path separators or start with '.': it "
                        f"{name_problem(data['version'])}")
    for key in ("name", "version"):
        if not isinstance(data["builder"].get(key), str):
            problems.append(f"builder.{key} (string) is missing")
    if problems:
        return None, problems
    kw = {k: data[k] for k in FIELDS if k != "files"}
    return CatalogEntry(**kw, files=tuple(files), source=source), []


def _short(value: object, n: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def load_catalog(directory: Path | None = None) -> dict[str, CatalogEntry]:
    """Every entry of the catalog folder, validated; CatalogError lists all problems of all files."""
    entries, problems = read_catalog(directory)
    if problems:
        raise CatalogError(f"catalog {directory or catalog_dir()} has {len(problems)} problem(s): "
                           + "; ".join(problems))
    return entries


def read_catalog(directory: Path | None = None, only: str | None = None) -> tuple[dict[str, CatalogEntry], list[str]]:
    """(the entries that passed, every problem of the others as ``<file>: <field> ...``): ``wsbench list`` shows
    the good ones beside the problems, and a dataset is usable while another entry is broken. ``only``: the one
    entry of that name (its file is ``<name>.toml``; the others are not parsed: ~1 ms a file of every start)."""
    directory = directory or catalog_dir()
    if not directory.is_dir():
        import os

        why = " (set by WSBENCH_CATALOG)" if os.environ.get("WSBENCH_CATALOG") else ""
        raise CatalogError(f"catalog folder {directory}{why} does not exist; point WSBENCH_CATALOG at a folder of "
                           "<name>.toml entries, or unset it to use the catalog shipped with wsbench")
    entries: dict[str, CatalogEntry] = {}
    problems: list[str] = []
    if only is not None and not _NAME.match(only):
        return entries, problems  # no entry can have that name
    paths = [p for p in [directory / f"{only}.toml"] if p.is_file()] if only is not None else \
        sorted(directory.glob("*.toml"))
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            problems.append(f"{path.name}: invalid TOML: {e}")
            continue
        except (OSError, UnicodeDecodeError) as e:
            problems.append(f"{path.name}: cannot be read as UTF-8 text ({type(e).__name__}: {e})")
            continue
        entry, errs = parse_entry(data, path)
        problems += [f"{path.name}: {e}" for e in errs]
        if entry is not None:
            entries[entry.name] = entry
    return entries, problems


def get_entry(name: str, directory: Path | None = None) -> CatalogEntry:
    """The entry ``name``; CatalogError if its own file is broken (others may be), UnknownNameError if none."""
    entries, problems = read_catalog(directory)
    if name not in entries:
        own = [p for p in problems if p.startswith(f"{name}.toml: ")]
        if own:
            raise CatalogError(f"catalog entry {name!r} cannot be used: " + "; ".join(own))
        raise UnknownNameError("dataset", name, entries)
    return entries[name]
