"""Write and read wsbench stores (Zarr v3 groups; a folder while built, a zip when shipped).

The writer creates every array up front (NaN-filled), lets builders write
(seed, epoch, arch-range) regions as they finish, and sets ``complete=True``
only in :meth:`StoreWriter.finalize`, so a killed build never looks finished.
Readers open folders or zips in place and refuse incomplete stores by default.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import IncompleteStoreError, OptionError, SchemaError, StoreNotFoundError, WsbenchError
from wsbench.reader import FastReader, NotReadable, XarrayReader, store_problems
from wsbench.schema import (
    EXTRA_GT_PREFIX,
    PRUNE_MODE,
    PRUNE_MODES,
    SCHEMA_VERSION,
    check_dims_agree,
    check_structure,
    validate,
    variable_attrs,
)

if TYPE_CHECKING:
    import xarray as xr
    import zarr

#: chunk length along ``arch``: a builder shard that writes whole chunks never races another
ARCH_CHUNK = 1 << 16


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence zarr's notice that consolidated metadata is not yet in the v3 spec (we rely on it knowingly)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Consolidated metadata is currently not part")
        # unfinished stores are consolidated only by finalize(); reading them unconsolidated is expected
        warnings.filterwarnings("ignore", message="Failed to open Zarr store with consolidated metadata")
        yield


class StoreWriter:
    """Builds one store folder. Use :meth:`create` for a new store, :meth:`resume` to continue one."""

    def __init__(self, path: Path, group: zarr.Group):
        self.path, self.group = path, group

    @classmethod
    def create(
        cls,
        path: str | os.PathLike,
        *,
        space: str,
        archs: Sequence[str],
        epochs: Sequence[int],
        seeds: Sequence[int],
        attrs: dict[str, Any],
        gt_seeds: Sequence[int] | None = None,
        prune: Sequence[float] | None = None,
        prune_modes: Sequence[str] | None = None,
        extra_gt: Sequence[str] = (),
        paper_scale: bool = False,
        losses: bool = False,
        function_ids: bool = True,
        overwrite: bool = False,
        arch_chunk: int = ARCH_CHUNK,
    ) -> StoreWriter:
        """Create the full store. ``archs`` are canonicalised and must be distinct.

        ``attrs`` are the provenance attributes of docs/schema.md (``space``,
        ``ops``, ``decisions``, ``schema_version``, ``complete`` and ``created`` are
        filled in here). ``losses`` adds ``supernet_loss`` beside
        ``supernet_score``; ``function_ids`` records ``function_id`` (the space's
        id of the function each architecture computes, for ``dedupe``) in spaces where it differs from the
        canonical string. Shards writing in parallel should each own whole
        ``arch_chunk`` blocks of subnets. ``prune`` (factors) comes with ``prune_modes`` (one per run, from
        ``wsbench.schema.PRUNE_MODES``): a store of supernets retrained on pruned spaces, one run per (mode, factor).
        """
        import zarr
        from zarr.codecs import GzipCodec

        from wsbench.spaces import get_space

        path = Path(path)
        if path.exists():
            if not overwrite:
                raise OptionError(f"{path} exists; pass overwrite=True or use StoreWriter.resume to continue a build")
            shutil.rmtree(path)
        sp = get_space(space)
        canonical = [sp.canonicalize(a) for a in archs]
        if len(set(canonical)) != len(canonical):
            raise OptionError("archs contains the same architecture twice (after canonicalisation)")
        n = len(canonical)
        chunk = max(1, min(n, arch_chunk))
        g = zarr.open_group(str(path), mode="w", zarr_format=3)
        # every array gzip, strings too: wsbench.reader reads gzip without zarr, while a zstd string array (zarr's
        # default) makes each command that reads it import numcodecs (~35 ms of a ~100 ms start)
        gz = {"compressors": GzipCodec(level=5)}
        described = {**attrs, "space": sp.name, "ops": list(sp.ops)}

        def about(name: str) -> dict[str, Any]:
            """The array's own attributes: long_name, units, direction (docs/schema.md)."""
            return {"attributes": variable_attrs(name, described)}

        def coord(name: str, values: Sequence, dtype: Any) -> None:
            a = g.create_array(name, shape=(len(values),), dtype=dtype, dimension_names=[name], **gz, **about(name))
            if len(values):
                a[:] = np.asarray(values, dtype=object if dtype is str else dtype)

        coord("epoch", list(epochs), "int32")
        coord("seed", list(seeds), "int32")
        coord("decision", list(sp.decisions), str)
        a = g.create_array("arch_string", shape=(n,), dtype=str, dimension_names=["arch"], chunks=(chunk,), **gz,
                           **about("arch_string"))
        if n:
            a[:] = np.asarray(canonical, dtype=object)
        if function_ids and sp.has_equivalences:  # elsewhere the id is arch_string itself: nothing to record
            f = g.create_array("function_id", shape=(n,), dtype=str, dimension_names=["arch"], chunks=(chunk,),
                               **gz, **about("function_id"))
            if n:
                f[:] = np.asarray(sp.function_ids(canonical), dtype=object)
            g.attrs["function_id_rule"] = sp.function_id_rule
        c = g.create_array("choice", shape=(n, len(sp.decisions)), dtype="int8", dimension_names=["arch", "decision"],
                           chunks=(chunk, len(sp.decisions)), fill_value=-1, **gz, **about("choice"))
        if n:
            c[:] = sp.choice_matrix(canonical)
        lead: list[tuple[str, int]] = []
        if prune is not None:
            if prune_modes is None or len(prune_modes) != len(prune):
                raise OptionError("prune (one factor per run) needs prune_modes (one mode per run: "
                                  f"{', '.join(PRUNE_MODES)})")
            coord("prune", list(prune), "float64")
            m = g.create_array(PRUNE_MODE, shape=(len(prune),), dtype=str, dimension_names=["prune"], **gz,
                               **about(PRUNE_MODE))
            if len(prune):
                m[:] = np.asarray(list(prune_modes), dtype=object)
            lead.append(("prune", len(prune)))
        lead += [("seed", len(seeds)), ("epoch", len(epochs))]
        for name in ("supernet_score", "supernet_loss") if losses else ("supernet_score",):
            g.create_array(name, shape=tuple(s for _, s in lead) + (n,), dtype="float32",
                           dimension_names=[d for d, _ in lead] + ["arch"], chunks=(1,) * len(lead) + (chunk,),
                           fill_value=np.nan, **gz, **about(name))
        per_arch = ["gt_score", "params", "flops"] + [f"{EXTRA_GT_PREFIX}{e}" for e in extra_gt]
        if paper_scale:
            per_arch += ["params_paper", "flops_paper"]
        for name in per_arch:
            dtype = "float32" if name.startswith("gt_") else "float64"
            g.create_array(name, shape=(n,), dtype=dtype, dimension_names=["arch"], chunks=(chunk,), fill_value=np.nan,
                           **gz, **about(name))
        if gt_seeds is not None:
            coord("gt_seed", list(gt_seeds), "int32")
            g.create_array("gt_score_per_seed", shape=(len(gt_seeds), n), dtype="float32",
                           dimension_names=["gt_seed", "arch"], chunks=(1, chunk), fill_value=np.nan, **gz,
                           **about("gt_score_per_seed"))
        g.attrs.update({
            **attrs,
            "schema_version": SCHEMA_VERSION,
            "complete": False,
            "space": sp.name,
            "ops": list(sp.ops),
            "decisions": list(sp.decisions),
            "created": attrs.get("created") or _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        })
        return cls(path, g)

    @classmethod
    def resume(cls, path: str | os.PathLike) -> StoreWriter:
        """Reopen an unfinished store folder to write the regions still missing."""
        import zarr

        path = Path(path)
        if not path.is_dir():
            raise StoreNotFoundError(f"{path}: no store folder to resume")
        # not the consolidated view: it would hide arrays created after it was written
        return cls(path, zarr.open_group(str(path), mode="r+", zarr_format=3, use_consolidated=False))

    # -- regions -------------------------------------------------------------------
    def _index(self, dim: str, value: Any) -> int:
        if dim == "prune" and isinstance(value, tuple):  # a run: (mode, factor)
            runs = [(str(m), float(f)) for m, f in zip(self.group[PRUNE_MODE][:], self.group["prune"][:])]
            if (value[0], float(value[1])) not in runs:
                raise OptionError(f"prune run {value!r} is not in this store; it has {runs}")
            return runs.index((value[0], float(value[1])))
        values = self.group[dim][:].tolist()
        if dim == "prune" and values.count(value) > 1:
            raise OptionError(f"prune factor {value} names several runs of this store; pass prune=(mode, factor)")
        if value not in values:
            raise OptionError(f"{dim}={value!r} is not in this store; it has {values}")
        return values.index(value)

    def write_supernet(self, seed: int, epoch: int, scores: np.ndarray, start: int = 0, prune: float | tuple[str, float] | None = None,
                       loss: np.ndarray | None = None) -> None:
        """Write supernet scores (and, if the store has them, losses) of subnets ``start .. start+len(scores)``.

        The loss is written first: a region counts as scored when its
        ``supernet_score`` is, so a kill between the two writes redoes the region.
        """
        arr = self.group["supernet_score"]
        scores = np.asarray(scores, dtype=np.float32)
        if start < 0 or start + len(scores) > arr.shape[-1]:
            raise OptionError(f"region {start}:{start + len(scores)} exceeds the {arr.shape[-1]} subnets of this store")
        key: tuple = (self._index("seed", seed), self._index("epoch", epoch), slice(start, start + len(scores)))
        if "prune" in self.group:
            if prune is None:
                raise OptionError("this store has a prune dimension; pass prune=(mode, factor) or a factor")
            key = (self._index("prune", prune), *key)
        has_loss = "supernet_loss" in self.group
        if has_loss != (loss is not None):
            raise OptionError("this store records supernet_loss: pass loss=" if has_loss else
                              "this store has no supernet_loss variable; create it with losses=True")
        if loss is not None:
            loss = np.asarray(loss, dtype=np.float32)
            if loss.shape != scores.shape:
                raise OptionError(f"loss has shape {loss.shape}, scores {scores.shape}; they must match")
            self.group["supernet_loss"][key] = loss
        arr[key] = scores

    def write_arch_values(self, name: str, values: np.ndarray, start: int = 0) -> None:
        """Write a per-arch variable (``gt_score``, ``params``, ``flops``, ``gt_score_<x>``, …)."""
        if name not in self.group or self.group[name].ndim != 1:
            raise OptionError(f"{name!r} is not a per-arch variable of this store")
        values = np.asarray(values, dtype=self.group[name].dtype)
        self.group[name][start : start + len(values)] = values

    def write_gt_seed(self, gt_seed: int, values: np.ndarray, start: int = 0) -> None:
        i = self._index("gt_seed", gt_seed)
        values = np.asarray(values, dtype=np.float32)
        self.group["gt_score_per_seed"][i, start : start + len(values)] = values

    def ensure_arch_variable(self, name: str, dtype: str = "float32") -> None:
        """Create a per-arch NaN-filled variable (e.g. ``gt_score_mini``) if the store lacks it."""
        from zarr.codecs import GzipCodec

        if name in self.group:
            return
        n = self.group["arch_string"].shape[0]
        self.group.create_array(name, shape=(n,), dtype=dtype, dimension_names=["arch"],
                                chunks=self.group["arch_string"].chunks, fill_value=np.nan,
                                compressors=GzipCodec(level=5), attributes=self._about(name))

    def ensure_gt_seeds(self, gt_seeds: Sequence[int]) -> None:
        """Add the ``gt_seed`` dim and a NaN-filled ``gt_score_per_seed`` to a store created without them."""
        from zarr.codecs import GzipCodec

        if "gt_seed" in self.group:
            have = [int(x) for x in self.group["gt_seed"][:]]
            if have != list(gt_seeds):
                raise OptionError(f"this store's gt_seed values are {have}; asked for {list(gt_seeds)}")
            return
        gz = GzipCodec(level=5)
        c = self.group.create_array("gt_seed", shape=(len(gt_seeds),), dtype="int32", dimension_names=["gt_seed"],
                                    compressors=gz, attributes=self._about("gt_seed"))
        c[:] = np.asarray(gt_seeds, dtype="int32")
        n = self.group["arch_string"].shape[0]
        chunk = self.group["arch_string"].chunks[0]
        self.group.create_array("gt_score_per_seed", shape=(len(gt_seeds), n), dtype="float32",
                                dimension_names=["gt_seed", "arch"], chunks=(1, chunk), fill_value=np.nan,
                                compressors=gz, attributes=self._about("gt_score_per_seed"))

    def _about(self, name: str) -> dict[str, Any]:
        """Attributes of a new array ``name`` (long_name, units, direction), from the store's attributes now."""
        return variable_attrs(name, dict(self.group.attrs))

    def ensure_finetune(self) -> None:
        """Add NaN-filled ``finetune_score`` and ``finetune_loss`` (dims and chunks of ``supernet_score``) to an
        existing store that lacks them: the scores of subnets fine-tuned after inheriting the supernet's weights
        (``python -m builders finetune``; record the protocol in the ``finetune`` attribute)."""
        from zarr.codecs import GzipCodec

        ref = self.group["supernet_score"]
        for name in ("finetune_score", "finetune_loss"):
            if name not in self.group:
                self.group.create_array(name, shape=ref.shape, dtype="float32", chunks=ref.chunks,
                                        dimension_names=ref.metadata.dimension_names, fill_value=np.nan,
                                        compressors=GzipCodec(level=5), attributes=self._about(name))

    def write_finetune(self, seed: int, epoch: int, scores: np.ndarray, loss: np.ndarray,
                       prune: float | tuple[str, float] | None = None) -> None:
        """Write the whole (seed, epoch) slice of ``finetune_score`` / ``finetune_loss``: one value per subnet,
        NaN where not fine-tuned, NaN at the same subnets in both. The loss goes first: a region counts as done
        when its scores are there."""
        if "finetune_score" not in self.group:
            raise OptionError("this store has no finetune_score variable; call ensure_finetune() first")
        scores, loss = np.asarray(scores, dtype=np.float32), np.asarray(loss, dtype=np.float32)
        n = self.group["finetune_score"].shape[-1]
        if scores.shape != (n,) or loss.shape != (n,):
            raise OptionError(f"finetune scores and losses need one value per subnet ({n}), got {scores.shape} and "
                              f"{loss.shape}")
        if (np.isnan(scores) != np.isnan(loss)).any() or np.isinf(scores).any() or np.isinf(loss).any():
            raise OptionError("finetune scores and losses must be finite at the same subnets (NaN elsewhere)")
        key: tuple = (self._index("seed", seed), self._index("epoch", epoch))
        if "prune" in self.group:
            if prune is None:
                raise OptionError("this store has a prune dimension; pass prune=(mode, factor) or a factor")
            key = (self._index("prune", prune), *key)
        self.group["finetune_loss"][key] = loss
        self.group["finetune_score"][key] = scores

    def arch_strings(self) -> list[str]:
        return [str(a) for a in self.group["arch_string"][:]]

    def update_attrs(self, **attrs: Any) -> None:
        self.group.attrs.update(attrs)

    def missing_regions(self) -> list[tuple[int, int]]:
        """(seed, epoch) pairs with no supernet score yet: what a resumed build still has to do."""
        arr = self.group["supernet_score"][:]
        empty = np.all(np.isnan(arr), axis=-1)
        if empty.ndim == 3:
            empty = empty.all(axis=0)
        seeds, epochs = self.group["seed"][:].tolist(), self.group["epoch"][:].tolist()
        return [(seeds[i], epochs[j]) for i, j in np.argwhere(empty)]

    # -- finishing -------------------------------------------------------------------
    def finalize(self, zip_path: str | os.PathLike | None = None) -> Path:
        """Validate, mark complete, consolidate metadata; optionally zip. Returns the final path.

        Raises SchemaError (store left incomplete) if validation finds problems.
        """
        import zarr

        self.group.attrs["complete"] = True
        with _quiet():
            zarr.consolidate_metadata(str(self.path))
        problems = validate(open_store(self.path, check=False))
        if problems:
            self.group.attrs["complete"] = False
            with _quiet():
                zarr.consolidate_metadata(str(self.path))
            raise SchemaError(self.path, problems)
        if zip_path is None:
            return self.path
        return zip_store(self.path, zip_path)


def store_members(folder: str | os.PathLike) -> list[Path]:
    """Every file of a store folder, sorted; SchemaError naming each symlink, FIFO, device or socket in it.

    Symlinks are refused, not followed (one out of the store would publish another file's content; one to a
    folder would be dropped or followed in a loop), so what is zipped is exactly what the folder holds."""
    import stat as _stat

    from wsbench.reader import _what

    folder = Path(folder)
    files, problems, stack = [], [], [folder]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in it:
                mode = e.stat(follow_symlinks=False).st_mode
                if _stat.S_ISDIR(mode):
                    stack.append(Path(e.path))
                elif _stat.S_ISREG(mode):
                    files.append(Path(e.path))
                else:
                    problems.append(f"{Path(e.path).relative_to(folder).as_posix()} is {_what(mode)}, not a regular "
                                    "file; a store holds regular files only: replace it with the file it points to "
                                    "(or the data it should hold) and publish again")
    if problems:
        raise SchemaError(folder, problems)
    return sorted(files)


def zip_store(folder: str | os.PathLike, zip_path: str | os.PathLike) -> Path:
    """Zip a finished store folder (ZIP_STORED: chunks are already compressed; byte-reproducible); atomic rename.
    Every file of the folder becomes a member; a symlink or other non-regular file is an error
    (:func:`store_members`), never followed or left out."""
    folder, zip_path = Path(folder), Path(zip_path)
    members = store_members(folder)
    import tempfile  # only when a store is written: reading commands do not pay for it (and random)

    fd, tmp = tempfile.mkstemp(prefix=zip_path.name + ".", suffix=".part", dir=zip_path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for f in members:  # fixed timestamps and modes: the same store always zips to the same bytes
                info = zipfile.ZipInfo(f.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                zf.writestr(info, f.read_bytes(), compress_type=zipfile.ZIP_STORED)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a shipped file must be readable by everyone
        os.replace(tmp, zip_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return zip_path


def _existing(path: str | os.PathLike) -> Path:
    """A store path that exists and is a folder or a zip file (not a device, FIFO or other file)."""
    p = Path(path)
    if not p.exists():
        raise StoreNotFoundError(f"{p}: no such store (expected a .zarr folder or a .zip file)")
    if not p.is_dir() and not p.is_file():
        raise SchemaError(p, ["not a regular file or folder; expected a .zarr folder or a .zip file"])
    if p.is_file() and not zipfile.is_zipfile(p):
        raise SchemaError(p, ["not a zip file; expected a zipped Zarr v3 store"])
    return p


def _is_wsbench(p: Path, attrs: dict) -> None:
    if "schema_version" not in attrs and "space" not in attrs:
        why = ("a Zarr group, but not a wsbench store (no schema_version or space attribute); "
               "wsbench reads stores written by wsbench.store.StoreWriter")
        raise SchemaError(p, [why])


def incomplete_reason(attrs: dict, path: str | os.PathLike) -> str:
    """Why a store is not complete, and the fix: a scored store lacks only its ground truth."""
    attach = (f"attach ground truth with python -m builders import-gt SOURCE FILE --store {path} (a plain table: "
              "import-gt table FILE.csv --arch-col A --mean-col M --metric accuracy --unit percent), which validates "
              "the store and marks it complete")
    if attrs.get("scores_complete"):
        return f"the store is incomplete: every subnet is scored but it has no ground truth yet; {attach}"
    return f"the store is incomplete: its build did not finish; rerun the build command to resume it, then {attach}"


def open_reader(path: str | os.PathLike, *, allow_incomplete: bool = False) -> FastReader | XarrayReader:
    """A reader for statistics: the stdlib fast path when possible, else zarr via xarray.

    Checks the structure (no data read) and completeness like :func:`open_store`.
    """
    p = _existing(path)
    try:
        reader: FastReader | XarrayReader = FastReader(p)
    except NotReadable:
        reader = XarrayReader(p, open_store(p, check=False))
    _is_wsbench(p, reader.meta.attrs)
    if not reader.meta.attrs.get("complete", False) and not allow_incomplete:
        raise IncompleteStoreError(f"{p}: {incomplete_reason(reader.meta.attrs, p)}; "
                                   "or pass allow_incomplete=True to read what is there")
    problems = check_structure(reader.meta)
    if problems:
        raise SchemaError(p, problems)
    return reader


def validate_path(path: str | os.PathLike, level: str = "deep") -> list[str]:
    """Every problem of the store at ``path`` (what ``wsbench validate`` lists): members that are not regular
    files, declared sizes beyond the limits and chunks that decode past them (checked before zarr reads
    anything), then :func:`wsbench.schema.validate`, and whether the build finished."""
    try:
        p = _existing(path)
        problems = store_problems(p)
        if problems:
            return problems
        try:  # xarray refuses arrays that disagree on a dimension's length with a message of its own
            reader = FastReader(p)
            problems = check_dims_agree(reader.meta)
            reader.close()
            from wsbench.gt_table import KIND, table_problems

            if reader.meta.attrs.get("kind") == KIND:  # a ground-truth table (docs/schema.md): its own checks
                return problems or table_problems(p)
        except NotReadable:
            pass
        if problems:
            return problems
        ds = open_store(p, check=False)
        problems = validate(ds, level=level)
        if not ds.attrs.get("complete", False):
            problems.insert(0, incomplete_reason(ds.attrs, path))
        return problems
    except SchemaError as e:
        return e.problems
    except WsbenchError as e:
        return [str(e)]


def open_store(path: str | os.PathLike, *, check: bool = True, allow_incomplete: bool = False) -> xr.Dataset:
    """Open a store folder or zip as a lazy xarray Dataset (nothing is loaded yet).

    ``check`` runs the structural schema validation (no data is read; ``wsbench
    validate`` runs the full one) and raises SchemaError listing all problems;
    incomplete stores raise IncompleteStoreError unless allowed.
    """
    import xarray as xr

    p = _existing(path)
    # zarr follows symlinks, blocks on FIFOs and inflates chunks without a cap: check files and sizes first, and
    # decode the coordinates (xarray loads them at open) with a cap of their declared size
    problems = store_problems(p, names=["epoch", "seed", "decision", "gt_seed", "prune"])
    if problems:
        raise SchemaError(p, problems)
    try:
        with _quiet():
            if p.is_file():
                from zarr.storage import ZipStore

                if not zipfile.is_zipfile(p):
                    raise SchemaError(p, ["not a zip file; expected a zipped Zarr v3 store"])
                store: Any = ZipStore(p, mode="r")
            else:
                store = str(p)
            ds = xr.open_zarr(store, consolidated=None, zarr_format=3, chunks=None, mask_and_scale=True)
    except SchemaError:
        raise
    except Exception as e:  # zarr/xarray raise many types for a non-store
        raise SchemaError(p, [f"cannot be opened as a Zarr v3 group: {type(e).__name__}: {e}"]) from None
    if check:
        _is_wsbench(p, ds.attrs)
        if not ds.attrs.get("complete", False) and not allow_incomplete:
            raise IncompleteStoreError(f"{p}: {incomplete_reason(ds.attrs, p)}; "
                                       "or pass allow_incomplete=True to read what is there")
        problems = validate(ds, level="structure")
        if problems:
            raise SchemaError(p, problems)
    return ds
