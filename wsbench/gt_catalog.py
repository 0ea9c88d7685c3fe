"""The catalog of ground-truth tables: ``catalog/gt/<name>.toml``, shipped inside the wheel beside the datasets'.

An entry says what a table is (space, what its ground truth is, how much of the space it covers, the datasets it
serves), where its file lives (bundled, or a url with sha256 and size: :mod:`wsbench.fetch` resolves it exactly as
a dataset's) and under which licence and citation. ``wsbench evaluate --space DATASET`` uses the table whose
``datasets`` names DATASET.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsbench.catalog import _SHA256, FILE_FIELDS, CatalogFile, catalog_dir, name_problem, url_problem
from wsbench.errors import CatalogError

#: field -> type; all required (plus [[files]] as in a dataset's entry)
FIELDS: dict[str, type] = {
    "name": str, "version": str, "space": str, "title": str, "gt_kind": str, "coverage": str, "archs": int,
    "metric": str, "metric_direction": str, "datasets": list, "license": str, "citation": str, "files": list,
}


@dataclass(frozen=True)
class GtEntry:
    name: str
    version: str
    space: str
    title: str
    gt_kind: str
    coverage: str
    archs: int
    metric: str
    metric_direction: str
    datasets: tuple[str, ...]
    license: str
    citation: str
    files: tuple[CatalogFile, ...]
    source: Path = field(compare=False, default=Path())

    @property
    def store_file(self) -> CatalogFile:
        """The zipped table (what :mod:`wsbench.fetch` resolves)."""
        return self.files[0]


def gt_catalog_dir() -> Path:
    return catalog_dir() / "gt"


def parse_gt_entry(data: dict[str, Any], source: Path) -> tuple[GtEntry | None, list[str]]:
    """Check one parsed TOML table; the entry or every problem found."""
    from wsbench.schema import DIRECTIONS
    from wsbench.spaces import builtin_spaces

    problems = [f"field {k!r} is missing" if k not in data else f"field {k!r} must be {t.__name__}"
                for k, t in FIELDS.items() if not isinstance(data.get(k), t) or isinstance(data.get(k), bool)]
    problems += [f"unknown field {k!r}; allowed: {sorted(FIELDS)}" for k in data if k not in FIELDS]
    if problems:
        return None, problems
    if data["name"] != source.stem:
        problems.append(f"name {data['name']!r} must equal the file name {source.stem!r}")
    if data["space"] not in builtin_spaces():
        problems.append(f"space {data['space']!r} is not one of {sorted(builtin_spaces())}")
    if data["metric_direction"] not in DIRECTIONS:
        problems.append(f"metric_direction must be one of {list(DIRECTIONS)}")
    if data["archs"] < 1:
        problems.append("archs must be a positive integer")
    if not all(isinstance(d, str) for d in data["datasets"]):
        problems.append("datasets must be a list of dataset names")
    for key in ("name", "version"):
        if name_problem(data[key]):
            problems.append(f"{key} {name_problem(data[key])}")
    files = []
    for i, f in enumerate(data["files"]):
        if not isinstance(f, dict) or any(not isinstance(f.get(k), t) or isinstance(f.get(k), bool)
                                          for k, t in FILE_FIELDS.items()):
            problems.append(f"files[{i}] needs {', '.join(f'{k}: {t.__name__}' for k, t in FILE_FIELDS.items())}")
            continue
        url, bundled = f.get("url"), f.get("bundled", False) is True
        if not _SHA256.match(f["sha256"]):
            problems.append(f"files[{i}].sha256 must be 64 lowercase hex digits")
        if url is None and not bundled:
            problems.append(f"files[{i}] needs a url, or bundled = true for a file shipped in the wheel")
        elif url is not None and url_problem(url):
            problems.append(f"files[{i}].url {url_problem(url)}")
        if name_problem(f["filename"]) or f["bytes"] < 1:
            problems.append(f"files[{i}]: filename must be a plain file name and bytes positive")
        files.append(CatalogFile(f["filename"], url, f["sha256"], f["bytes"], bundled))
    if not files and not problems:
        problems.append("files must list the zipped table")
    if problems:
        return None, problems
    kw = {k: data[k] for k in FIELDS if k not in ("files", "datasets")}
    return GtEntry(**kw, datasets=tuple(data["datasets"]), files=tuple(files), source=source), []


def read_gt_catalog(directory: Path | None = None, mentioning: str | None = None) -> tuple[dict[str, GtEntry],
                                                                                           list[str]]:
    """(the entries that passed, every problem of the others as ``<file>: ...``). ``mentioning``: only the files
    whose text holds this name in quotes (TOML parsing is ~6 ms a file, a cost of every ``wsbench evaluate``)."""
    directory = directory or gt_catalog_dir()
    entries: dict[str, GtEntry] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
            if mentioning is not None and f'"{mentioning}"' not in text:
                continue
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as e:
            problems.append(f"{path.name}: cannot be read as a TOML entry ({type(e).__name__}: {e})")
            continue
        entry, errs = parse_gt_entry(data, path)
        problems += [f"{path.name}: {e}" for e in errs]
        if entry is not None:
            entries[entry.name] = entry
    return entries, problems


def table_for(dataset: str, directory: Path | None = None) -> GtEntry | None:
    """The table that serves catalog dataset ``dataset`` (None if none does); a broken entry naming it is an error."""
    entries, problems = read_gt_catalog(directory, mentioning=dataset)
    found = [e for e in entries.values() if dataset in e.datasets]
    if len(found) > 1:
        raise CatalogError(f"ground-truth tables {', '.join(e.name for e in found)} all name dataset {dataset!r}; "
                           "one table per dataset")
    if not found and any(dataset in p for p in problems):
        raise CatalogError("a ground-truth table entry for this dataset cannot be used: " + "; ".join(problems))
    return found[0] if found else None


def resolve_table(entry: GtEntry, *, download_missing: bool = True) -> Path:
    """The verified local file of ``entry`` (bundled, cached or downloaded and sha256-checked)."""
    from wsbench.fetch import resolve

    return resolve(entry, download_missing=download_missing)  # type: ignore[arg-type]


#: spaces whose only public ground truth is a dataset's own cells, and why (said by ``wsbench evaluate``)
NO_TABLE = {"darts-rnn": "no public ground truth exists for the DARTS recurrent cell on Penn Treebank; darts-ptb's "
                         "200 cells were trained here, and no table covers more"}
