"""Ground-truth tables: a search space's ground truth for every architecture a source has, apart from any dataset.

A dataset holds the ground truth of its sampled subnets only; a user's scores for other architectures of the space
can be evaluated only against a table of the whole space (``wsbench evaluate``). A table is a small Zarr v3 group,
zipped, in the subset of Zarr the fast reader reads without zarr (consolidated metadata, gzip chunks, strings
``vlen-utf8`` + gzip), with dims ``arch`` (+ ``decision``, ``gt_seed``); docs/schema.md, "Ground-truth tables".

:func:`write_table` writes one (builders/groundtruth/space_tables.py calls it with the public sources);
:func:`open_table` opens one for statistics after the checks of :func:`table_problems` (remembered per file, as
for stores: :mod:`wsbench.trust`); :class:`GtTable` is the ``Benchmark``-like object the evaluation's views wrap.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wsbench.errors import InvalidArchError, OptionError, SchemaError, UnknownNameError

KIND = "wsbench-gt-table"
TABLE_VERSION = 1
#: global attributes every table carries (besides ``kind``, ``table_version``, ``complete``, ``ops``, ``decisions``)
REQUIRED_ATTRS: dict[str, type | tuple[type, ...]] = {
    "space": str, "metric": str, "metric_direction": str, "gt_kind": str, "coverage": str, "gt_source": dict,
    "license": str, "citation": str,
}
#: variable -> dims; the first three are required
VARIABLES: dict[str, tuple[str, ...]] = {
    "arch_string": ("arch",), "choice": ("arch", "decision"), "gt_score": ("arch",),
    "gt_score_per_seed": ("gt_seed", "arch"), "function_id": ("arch",), "decision": ("decision",),
    "gt_seed": ("gt_seed",),
}
REQUIRED = ("arch_string", "choice", "gt_score", "decision")


def write_table(path: str | os.PathLike, *, space: str, archs: Sequence[str], gt_score: np.ndarray,
                attrs: dict[str, Any], per_seed: np.ndarray | None = None,
                gt_seeds: Sequence[int] | None = None) -> Path:
    """Write the zipped table ``path`` (``.zip``): ``archs`` (canonical strings of ``space``, distinct) with their
    ground truth ``gt_score`` (float32) and optionally each training's, ``per_seed`` of shape (gt_seeds, archs).
    ``attrs``: the global attributes of :data:`REQUIRED_ATTRS` (and any others). Checked with
    :func:`table_problems` before it is moved into place; nothing is left under ``path`` if a check fails."""
    import shutil
    import tempfile

    import zarr
    from zarr.codecs import GzipCodec

    from wsbench.schema import variable_attrs
    from wsbench.spaces import get_space
    from wsbench.store import _quiet, zip_store

    sp = get_space(space)
    archs = [str(a) for a in archs]
    missing = [k for k in REQUIRED_ATTRS if k not in attrs and k != "space"]
    if missing:
        raise OptionError(f"a ground-truth table needs the attributes {missing}")
    gt = np.asarray(gt_score, dtype=np.float32)
    if gt.shape != (len(archs),):
        raise OptionError(f"gt_score has shape {gt.shape}, expected ({len(archs)},), one value per architecture")
    meta = {**attrs, "kind": KIND, "table_version": TABLE_VERSION, "space": sp.name, "ops": list(sp.ops),
            "decisions": list(sp.decisions), "complete": True}
    path = Path(path)
    work = Path(tempfile.mkdtemp(prefix=path.name + ".", suffix=".zarr", dir=path.parent))
    try:
        with _quiet():
            g = zarr.open_group(str(work), mode="w", zarr_format=3)
            gz = {"compressors": GzipCodec(level=9)}

            def array(name: str, values: np.ndarray, dims: tuple[str, ...], dtype: Any, **kw: Any) -> None:
                a = g.create_array(name, shape=values.shape, dtype=dtype, dimension_names=list(dims),
                                   chunks=values.shape or None, attributes=variable_attrs(name, meta), **gz, **kw)
                a[...] = values

            n = len(archs)
            array("decision", np.asarray(list(sp.decisions), dtype=object), ("decision",), str)
            array("arch_string", np.asarray(archs, dtype=object), ("arch",), str)
            array("choice", sp.choice_matrix(archs).astype(np.int8), ("arch", "decision"), "int8", fill_value=-1)
            array("gt_score", gt, ("arch",), "float32", fill_value=np.nan)
            if sp.has_equivalences:
                array("function_id", np.asarray(sp.function_ids(archs), dtype=object), ("arch",), str)
            if per_seed is not None:
                seeds = list(gt_seeds if gt_seeds is not None else range(len(per_seed)))
                values = np.asarray(per_seed, dtype=np.float32)
                if values.shape != (len(seeds), n):
                    raise OptionError(f"per_seed has shape {values.shape}, expected ({len(seeds)}, {n})")
                array("gt_seed", np.asarray(seeds, dtype=np.int32), ("gt_seed",), "int32")
                array("gt_score_per_seed", values, ("gt_seed", "arch"), "float32", fill_value=np.nan)
            g.attrs.update(meta)
            zarr.consolidate_metadata(str(work))
        _zero_gzip_times(work)
        problems = table_problems(work)
        if problems:
            raise SchemaError(path, problems)
        return zip_store(work, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _zero_gzip_times(folder: Path) -> None:
    """Set the modification time in each gzip chunk's header to 0 (gzip writes the clock there), so one source
    always gives the same table, byte for byte (tests/test_gt_tables.py rebuilds the bundled ones)."""
    for f in folder.rglob("*"):
        if f.is_file() and f.name != "zarr.json":
            raw = bytearray(f.read_bytes())
            if raw[:3] == b"\x1f\x8b\x08" and not raw[3] & 0x02:  # no header CRC: the time is covered by nothing
                raw[4:8] = b"\0\0\0\0"
                f.write_bytes(bytes(raw))


def _structure(meta: Any) -> list[str]:
    """Attributes, variables and dims: what must hold before any array is read."""
    from wsbench.schema import DIRECTIONS, METRICS
    from wsbench.spaces import builtin_spaces

    a, problems = meta.attrs, []
    if a.get("kind") != KIND:
        return [(f"not a ground-truth table (attribute kind is {a.get('kind')!r}, expected {KIND!r}): a table is "
                 "written by wsbench.gt_table.write_table (the catalog's: catalog/gt/), and a dataset store is no "
                 "table")]
    if a.get("table_version") != TABLE_VERSION:
        problems.append(f"table_version {a.get('table_version')!r}: this wsbench reads version {TABLE_VERSION}")
    for key, typ in REQUIRED_ATTRS.items():
        if not isinstance(a.get(key), typ):
            problems.append(f"attribute {key!r} is missing or not a {getattr(typ, '__name__', typ)}")
    if a.get("complete") is not True:
        problems.append("attribute complete is not true: the table was not finished")
    if isinstance(a.get("space"), str) and a["space"] not in builtin_spaces():
        problems.append(f"space {a['space']!r} is not one of {sorted(builtin_spaces())}")
    if a.get("metric_direction") not in DIRECTIONS:
        problems.append(f"metric_direction must be one of {list(DIRECTIONS)}")
    elif a.get("metric") in METRICS and METRICS[a["metric"]][0] != a["metric_direction"]:
        problems.append(f"metric {a['metric']} is {METRICS[a['metric']][0]}, not {a['metric_direction']}")
    for name in REQUIRED:
        if name not in meta.arrays:
            problems.append(f"variable {name!r} is missing")
    for name, arr in meta.arrays.items():
        if name not in VARIABLES:
            problems.append(f"unknown variable {name!r}; a table holds {sorted(VARIABLES)}")
        elif tuple(arr.dims) != VARIABLES[name]:
            problems.append(f"{name} has dims {tuple(arr.dims)}, expected {VARIABLES[name]}")
    if ("gt_score_per_seed" in meta.arrays) != ("gt_seed" in meta.arrays):
        problems.append("gt_score_per_seed and its coordinate gt_seed go together")
    return problems


def _values(meta: Any, read: Callable[[str], np.ndarray]) -> list[str]:
    """Every value check: canonical, distinct architecture strings of the space, ``choice`` and ``function_id``
    equal to the space's, decisions and ops the space's, ground truth finite and in the metric's range, each
    training's too, and ``gt_score`` their mean (float32)."""
    from wsbench.schema import check_scores
    from wsbench.spaces import get_space

    a = meta.attrs
    sp = get_space(a["space"])
    problems = []
    if list(a.get("ops", [])) != list(sp.ops) or list(a.get("decisions", [])) != list(sp.decisions):
        problems.append(f"attributes ops/decisions are not the {sp.name} space's")
    if [str(d) for d in read("decision")] != list(sp.decisions):
        problems.append(f"the decision coordinate is not the {sp.name} space's decisions")
    archs = [str(x) for x in read("arch_string")]
    if len(set(archs)) != len(archs):
        problems.append(f"arch_string holds {len(archs) - len(set(archs))} repeated architecture(s)")
    bad = []
    for i, x in enumerate(archs):
        try:
            if sp.canonicalize(x) != x:
                bad.append(f"row {i}: {x[:80]!r} is not canonical")
        except (InvalidArchError, ValueError, TypeError, KeyError, IndexError) as e:
            bad.append(f"row {i}: {x[:80]!r}: {e}")
        if len(bad) >= 5:
            break
    if bad:
        return [*problems, *(f"arch_string {b}" for b in bad)]
    if not np.array_equal(np.asarray(read("choice")), sp.choice_matrix(archs)):
        problems.append("choice rows do not match arch_string (the space's choice_matrix)")
    if "function_id" in meta.arrays and [str(f) for f in read("function_id")] != list(sp.function_ids(archs)):
        problems.append(f"function_id does not equal the {sp.name} space's function_id of arch_string")
    gt = np.asarray(read("gt_score"))
    problems += check_scores("gt_score", gt, a["metric"])
    if not np.isfinite(gt).all():
        problems.append(f"gt_score is NaN for {int((~np.isfinite(gt)).sum())} architecture(s): a table holds the "
                        "architectures whose ground truth is known")
    if "gt_score_per_seed" in meta.arrays:
        runs = np.asarray(read("gt_score_per_seed"), dtype=np.float64)
        problems += check_scores("gt_score_per_seed", runs, a["metric"])
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(runs, axis=0)
        if not np.allclose(mean, gt, rtol=2**-20, atol=0, equal_nan=True):  # float32 rounding of either mean
            problems.append("gt_score is not the mean of gt_score_per_seed")
    return problems


def table_problems(path: str | os.PathLike) -> list[str]:
    """Every problem of the table at ``path`` (a folder or zip): sizes and chunks within the reader's limits,
    structure, then values. Empty: the table may be used."""
    from wsbench.reader import FastReader, NotReadable, store_problems

    p = Path(path)
    if not p.exists():
        return [f"{p}: no such ground-truth table"]
    problems = store_problems(p)
    if problems:
        return problems
    try:
        reader = FastReader(p)
    except NotReadable as e:
        return [f"not readable as a wsbench ground-truth table ({e})"]
    except SchemaError as e:
        return e.problems
    try:
        problems = _structure(reader.meta)
        return problems or _values(reader.meta, reader.read)
    finally:
        reader.close()


class GtTable:
    """An opened ground-truth table: the part of :class:`wsbench.benchmark.Benchmark`'s interface that
    :class:`wsbench.evaluation.view.Subset` and the statistics read (no supernet, no epochs of its own)."""

    def __init__(self, path: str | os.PathLike, name: str | None = None):
        from wsbench.reader import FastReader, NotReadable
        from wsbench.trust import open_problems

        self.path = Path(path)
        try:
            self.reader = FastReader(self.path)
        except NotReadable as e:
            raise SchemaError(self.path, [f"not readable as a wsbench ground-truth table ({e})"]) from None
        meta = self.reader.meta
        problems = _structure(meta)
        if problems:
            raise SchemaError(self.path, problems)
        problems = open_problems(self.path, meta, self.reader.read, checks=_values)
        if problems:
            raise SchemaError(self.path, problems)
        self.attrs: dict[str, Any] = dict(meta.attrs)
        self.name = name or self.path.name
        self.space: str = self.attrs["space"]
        self.metric: str = self.attrs["metric"]
        self.direction: str = self.attrs["metric_direction"]
        self.n_archs = int(meta.sizes["arch"])
        self.epochs: list[int] = []
        self.seeds: list[int] = []
        self.has_prune_dim, self.prune_factors = False, []
        self.memo: dict[Any, Any] = {}

    def __repr__(self) -> str:
        return f"<GtTable {self.name}: space={self.space}, {self.n_archs} architectures, {self.metric}>"

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def strings(self) -> list[str]:
        """The canonical strings, in table order: ``arch_string`` (gzip, not zstd: decoded in ~20 ms for 15,625,
        several times faster than formatting them from ``choice``)."""
        return self._cached("strings", lambda: [str(a) for a in self.arch_values("arch_string")])

    def gt_variables(self) -> list[str]:
        return ["gt_score"]

    def gt(self, name: str) -> np.ndarray:
        from wsbench.stats.ranking import goodness

        if isinstance(name, str) and name.startswith("gt_score_per_seed:"):
            seeds, values = self.gt_trainings()
            try:
                return values[seeds.index(int(name.split(":", 1)[1]))]
            except ValueError:
                raise UnknownNameError("GT training (gt_seed) of the table", name, [str(s) for s in seeds]) from None
        if name != "gt_score":
            raise UnknownNameError("ground truth of the table", name, self.gt_variables())
        return self._cached("gt", lambda: goodness(np.asarray(self.reader.read("gt_score")), self.direction))

    def gt_trainings(self) -> tuple[list[int], np.ndarray]:
        from wsbench.stats.ranking import goodness

        if "gt_score_per_seed" not in self.reader.meta.arrays:
            raise OptionError(f"the ground-truth table {self.name} holds one value per architecture, no trainings")
        seeds = [int(s) for s in self.reader.read("gt_seed")]
        return seeds, self._cached("runs", lambda: goodness(np.asarray(self.reader.read("gt_score_per_seed")),
                                                              self.direction))

    def against(self, name: str) -> np.ndarray:
        return self.gt(name)

    def arch_values(self, name: str) -> np.ndarray:
        if name not in self.reader.meta.arrays or VARIABLES.get(name, ())[:1] != ("arch",):
            raise UnknownNameError("per-architecture variable of the table", name,
                                   [n for n in self.reader.meta.arrays if VARIABLES.get(n, ())[:1] == ("arch",)])
        return self._cached("var:" + name, lambda: np.asarray(self.reader.read(name)))

    def numeric_arch_variables(self) -> list[str]:
        return []  # no sizes: the table's source gives none that every space shares

    def function_ids(self) -> tuple[np.ndarray, str]:
        from wsbench.spaces import get_space

        sp = get_space(self.space)
        if not sp.has_equivalences:
            return np.arange(self.n_archs), f"each architecture its own class ({sp.function_id_rule})"
        computed = sp.function_ids_from_choices(self.arch_values("choice"))
        ids = computed if computed is not None else self.arch_values("function_id")
        return np.asarray(ids, dtype=object), "the table's function_id"

    def scores(self) -> list[str]:
        return []

    def check_score(self, score: str) -> str:
        raise UnknownNameError("ranking (score) of a ground-truth table", score, [])

    def score_fn(self, score: str, prune: bool = False) -> Callable[..., np.ndarray]:
        raise OptionError(f"a ground-truth table holds no rankings ({score!r})")

    def select_epochs(self, epoch: Any) -> list[int]:
        raise OptionError("a ground-truth table has no epochs")

    def select_seeds(self, seed: Any) -> list[int]:
        raise OptionError("a ground-truth table has no supernet seeds")

    def close(self) -> None:
        self.reader.close()


def open_table(path: str | os.PathLike, name: str | None = None) -> GtTable:
    """The table at ``path``, checked (SchemaError listing every problem)."""
    return GtTable(path, name)
