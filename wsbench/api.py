"""The query API: ``open`` a dataset (catalog name or store path), ``query`` one statistic."""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

from wsbench.benchmark import Benchmark
from wsbench.errors import UnknownNameError
from wsbench.result import Result


def list_spaces() -> list[str]:
    """Names of the datasets in the catalog (what ``space`` accepts besides a path)."""
    from wsbench.catalog import read_catalog

    return sorted(read_catalog()[0])


def _is_explicit_path(space: str) -> bool:
    return os.sep in space or "/" in space or space.endswith((".zip", ".zarr"))


def locate_dataset(space: str | os.PathLike, download: bool = True) -> tuple[Path, str]:
    """(local store path, display name) for a catalog name or a path.

    A bare word names a catalog dataset even when a file of that name sits in
    the working folder; only a word the catalog does not know falls back to a path.
    """
    if isinstance(space, os.PathLike) or _is_explicit_path(str(space)):
        p = Path(space)
        return p, str(p)
    from wsbench.catalog import read_catalog
    from wsbench.errors import CatalogError
    from wsbench.fetch import resolve

    entries, problems = read_catalog(only=str(space))  # its own file only, when it has one
    if space in entries:
        return resolve(entries[space], download_missing=download), str(space)
    own = [p for p in problems if p.startswith(f"{space}.toml: ")]
    if own:
        raise CatalogError(f"catalog entry {space!r} cannot be used: " + "; ".join(own))
    if Path(space).exists():
        return Path(space), str(space)
    entries, _ = read_catalog()  # every entry: the error names them
    raise UnknownNameError("dataset (catalog name or path to a .zip/.zarr store)", space, entries)


def open(space: str | os.PathLike, *, download: bool = True, allow_incomplete: bool = False) -> Benchmark:
    """A :class:`Benchmark` over a catalog dataset or a store folder/zip."""
    from wsbench.errors import OptionError
    from wsbench.store import open_reader

    for key, value in (("download", download), ("allow_incomplete", allow_incomplete)):
        if not isinstance(value, bool):
            raise OptionError(f"{key} must be True or False, got {value!r}")
    path, name = locate_dataset(space, download=download)
    return Benchmark(open_reader(path, allow_incomplete=allow_incomplete), name)


def query(space: str | os.PathLike, stat: str, **options: Any) -> Result:
    """One statistic of one dataset, e.g. ``query("nb201-cifar10", "topk", k="1%")``.

    Unknown statistics or options raise an error listing what is allowed.
    """
    if not isinstance(stat, str) or stat not in Benchmark.STATS:
        raise UnknownNameError("statistic", stat, Benchmark.STATS)
    allowed = [p for p in inspect.signature(getattr(Benchmark, stat)).parameters if p != "self"]
    for key in options:
        if key not in allowed:
            raise UnknownNameError(f"option of {stat}", key, allowed)
    return getattr(open(space), stat)(**options)
