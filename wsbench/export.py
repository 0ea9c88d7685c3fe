"""A store as files other tools read: the tidy long table (CSV, JSON, Parquet), the store itself as NetCDF, and
NASLib's zero-cost JSON layout (``wsbench export``).

Why: a user of pandas, R or NASLib should not have to learn Zarr or wsbench to use the numbers. The long table has
one row per seed, epoch and subnet (and prune run, when every run is asked for), in the store's order
(``supernet_score`` read in C order), with the per-subnet variables repeated on each of a subnet's rows; its
columns are the store's variable names (docs/schema.md), so each means what the schema says. Every file is
written whole through a temp file and one rename (:mod:`wsbench.atomic`), and an existing file is replaced only
when asked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import OptionError

if TYPE_CHECKING:
    from wsbench.benchmark import Benchmark

#: format -> the suffix of the file it writes by default (``<dataset><suffix>`` in the working folder)
FORMATS: dict[str, str] = {"csv": ".csv", "json": ".json", "parquet": ".parquet", "netcdf": ".nc",
                           "naslib": "-naslib.json"}
#: formats that may go to stdout (``--out -``): text
TEXT_FORMATS = ("csv", "json", "naslib")
#: the sizes, in the order the table lists them (after the ground truths, before the proxies)
_SIZES = ("params", "flops", "params_paper", "flops_paper")


@dataclass(frozen=True)
class Column:
    """One column of the long table: row ``r`` holds ``data[index[r]]`` (``index`` None: ``data[r]``).

    Per-subnet variables keep their ``n_archs`` values and the row -> subnet index, so a formatter renders each
    value once, not once per (seed, epoch)."""

    name: str
    data: np.ndarray
    index: np.ndarray | None = None

    @property
    def values(self) -> np.ndarray:
        return self.data if self.index is None else self.data[self.index]


@dataclass(frozen=True)
class Table:
    """The tidy long table of one store: its columns in order, the number of rows, and what describes it."""

    dataset: str
    columns: list[Column]
    n_rows: int
    attrs: dict[str, Any]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def to_dict(self) -> dict[str, np.ndarray]:
        """Every column as one NumPy array of ``n_rows`` values (what ``pandas.DataFrame`` takes)."""
        return {c.name: c.values for c in self.columns}


#: which supernet runs of a store with a prune dimension the long table holds
RUNS = ("control", "all")


def table(b: Benchmark, runs: str = "control") -> Table:
    """The long table of the store ``b`` reads: ``arch`` (canonical string), ``arch_index`` (position in the store),
    ``function_id`` (where the store has it), ``prune`` and ``prune_mode`` (with ``runs="all"`` in a store of prune
    runs), ``seed``, ``epoch``, ``supernet_score``, ``supernet_loss``, ``finetune_score`` and ``finetune_loss`` (NaN
    where a subnet was not fine-tuned), then the per-subnet variables: ``gt_score``,
    ``gt_score_std``, one ``gt_score_per_seed_<gt_seed>`` per ground-truth training, each ``gt_score_<name>``, sizes
    and every ``proxy_<name>``. Values are the store's, dtypes included (float32 stays float32); NaN stays NaN.

    ``runs``: in a store with a prune dimension, "control" (default) keeps the control run (mode none), the
    supernets every statistic reads, so the table has the layout of any other dataset's; "all" every run, a pruned
    run's cells outside its space NaN. A store without that dimension has one table either way."""
    if runs not in RUNS:
        raise OptionError(f"runs must be one of {', '.join(RUNS)}; got {runs!r}")
    arrays = b.reader.meta.arrays
    n = b.n_archs
    # the Benchmark's reader: the fast path where it can, zarr where it cannot, every value checked as it is read
    read = b._read  # one package: Benchmark.arch_values refuses (seed, epoch, arch) arrays
    one_run = b.has_prune_dim and runs == "control"
    pick = (lambda a: a[b._prune_index(None)]) if one_run else (lambda a: a)
    score = pick(read("supernet_score"))
    lead = score.shape[:-1]
    grid = np.indices(lead).reshape(len(lead), -1)  # (prune,) seed, epoch of each (seed, epoch) slice, C order
    rows = grid.shape[1] * n
    arch_idx = np.tile(np.arange(n), grid.shape[1])

    def repeat(k: int) -> np.ndarray:  # row -> index along leading dim k
        return np.repeat(grid[k], n)

    names = [str(d) for d in arrays["supernet_score"].dims[:-1] if not (one_run and d == "prune")]
    cols = [Column("arch", np.asarray([str(a) for a in b.arch_values("arch_string")], dtype=object), arch_idx),
            Column("arch_index", np.arange(n, dtype=np.int64), arch_idx)]
    if "function_id" in arrays:
        cols.append(Column("function_id", np.asarray([str(a) for a in b.arch_values("function_id")], dtype=object),
                           arch_idx))
    for k, dim in enumerate(names):  # prune (and each run's prune_mode), seed, epoch
        cols.append(Column(dim, np.asarray(read(dim)), repeat(k)))
        if dim == "prune":
            cols.append(Column("prune_mode", np.asarray([str(m) for m in read("prune_mode")], dtype=object),
                               repeat(k)))
    cols.append(Column("supernet_score", score.reshape(-1)))
    for name in ("supernet_loss", "finetune_score", "finetune_loss"):  # (prune,) seed, epoch, arch as the score
        if name in arrays:
            cols.append(Column(name, pick(read(name)).reshape(-1)))
    from wsbench.schema import EXTRA_GT_PREFIX, GT_STD, PROXY_PREFIX

    for v in ("gt_score", GT_STD):
        if v in arrays:
            cols.append(Column(v, b.arch_values(v), arch_idx))
    if "gt_score_per_seed" in arrays:
        per_seed = read("gt_score_per_seed")
        for j, g in enumerate(read("gt_seed")):
            cols.append(Column(f"gt_score_per_seed_{int(g)}", per_seed[j], arch_idx))
    extra = sorted(v for v, a in arrays.items() if v.startswith(EXTRA_GT_PREFIX) and a.dims == ("arch",)
                   and v not in ("gt_score", GT_STD, "gt_score_per_seed"))
    proxies = sorted(v for v, a in arrays.items() if v.startswith(PROXY_PREFIX) and a.dims == ("arch",))
    sizes = [v for v in _SIZES if v in arrays]
    for v in extra + sizes + proxies:
        cols.append(Column(v, b.arch_values(v), arch_idx))
    return Table(b.name, cols, rows, dict(b.attrs))


def default_out(name: str, fmt: str) -> Path:
    """``<dataset><suffix>`` in the working folder; for a store path, the file's stem (``a/b.zip`` -> ``b.csv``)."""
    stem = Path(name).name
    for suffix in (".zip", ".zarr"):
        stem = stem.removesuffix(suffix)
    return Path(stem + FORMATS[fmt])


def write(space: str | os.PathLike, fmt: str = "csv", out: str | os.PathLike | None = None, *,
          force: bool = False, runs: str = "control") -> dict[str, Any]:
    """Export ``space`` (a catalog name or a store path) as ``fmt`` to ``out`` (default :func:`default_out`;
    ``"-"``: return the text instead, for stdout). Refuses to replace an existing file unless ``force``.

    Returns ``{dataset, format, written (path or None), rows, columns, notes, text (for "-")}``."""
    from wsbench.api import open as wopen

    if fmt not in FORMATS:
        raise OptionError(f"unknown export format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if runs not in RUNS:
        raise OptionError(f"--runs must be one of {', '.join(RUNS)}; got {runs!r}")
    to_stdout = out is not None and str(out) == "-"
    if to_stdout and fmt not in TEXT_FORMATS:
        raise OptionError(f"--out - (stdout) takes a text format ({', '.join(TEXT_FORMATS)}); {fmt} is binary: "
                          "name a file with --out")
    path = None if to_stdout else Path(out) if out is not None else None
    if path is not None:
        _check_target(path, force)
    if fmt == "parquet":
        from wsbench.export_formats import require_pyarrow

        require_pyarrow()  # before the store is read: the fix is an install
    b = wopen(space)
    if path is None and not to_stdout:
        path = default_out(b.name, fmt)
        _check_target(path, force)
    from wsbench import export_formats as ef

    notes: list[str] = []
    if fmt == "netcdf":
        data: bytes | str = ef.netcdf(b)
        rows, columns = None, None
    elif fmt == "naslib":
        from wsbench.export_naslib import naslib_json

        data, rows, notes = naslib_json(b)
        columns = None
    else:
        t = table(b, runs)
        rows, columns = t.n_rows, [c.name for c in t.columns]
        if b.has_prune_dim and runs == "control":
            notes.append(f"the control supernets only (prune mode none, which every statistic reads); --runs all "
                         f"adds the {len(b.prune_runs) - 1} supernets retrained on pruned spaces (columns prune, "
                         "prune_mode)")
        data = {"csv": ef.csv, "json": ef.json_records, "parquet": ef.parquet}[fmt](t)
    result: dict[str, Any] = {"dataset": b.name, "format": fmt, "written": None, "rows": rows, "columns": columns,
                              "notes": notes}
    if to_stdout:
        result["text"] = data
        return result
    assert path is not None
    from wsbench.atomic import write_atomic

    _check_target(path, force)  # again: the file may have appeared while the store was read
    write_atomic(path, data)
    result["written"] = str(path)
    return result


def _check_target(path: Path, force: bool) -> None:
    if path.is_dir():
        raise OptionError(f"--out {path} is a folder; name a file, e.g. --out {path / 'export.csv'}")
    if path.exists() and not force:
        raise OptionError(f"{path} exists; pass --force to replace it, or name another file with --out")
    if path.parent != Path("") and path.parent.exists() and not path.parent.is_dir():
        raise OptionError(f"--out {path}: {path.parent} is not a folder")
