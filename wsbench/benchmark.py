"""A benchmark over one store: one method per statistic, arrays pulled once and cached.

``Benchmark`` reads, caches and dispatches: it checks the store at open, reads and caches arrays, resolves the
names that depend on the store (epochs, seeds, what ranks the subnets, which ground truth: the
:class:`~wsbench.stats.source.Source` interface) and runs each statistic's own module in ``wsbench/stats/``
(options, computation, rows and summary), one method per entry of :data:`STATS_MODULES`. Only the slices a
statistic needs are read (one (seed, epoch) row of ``supernet_score`` at a time), so a 1M-subnet store is never
loaded whole.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import OptionError, SchemaError, UnknownNameError
from wsbench.reader import NotReadable
from wsbench.result import Result
from wsbench.stats import bias, bottomtop, correlation, gtnoise, meanscore, paired, prune, stability, topk
from wsbench.stats import options as _opt
from wsbench.stats.prune import DEFAULT_FACTORS
from wsbench.stats.ranking import goodness
from wsbench.stats.summary import NothingToRank, Table
from wsbench.stats.topk import DEFAULT_K

if TYPE_CHECKING:
    import xarray as xr

    from wsbench.deduped import Deduped
    from wsbench.reader import FastReader, XarrayReader

__all__ = ["DEFAULT_FACTORS", "DEFAULT_K", "STATS_MODULES", "Benchmark"]

#: every statistic: its module in wsbench/stats/ (options, computation, rows, summary, and ``query(store, ...)``).
#: Each becomes a Benchmark method of the same name and signature; adding a statistic = its module + one entry.
STATS_MODULES: dict[str, ModuleType] = {m.__name__.rsplit(".", 1)[1]: m
                                        for m in (correlation, topk, bias, prune, stability, bottomtop, meanscore, gtnoise, paired)}


#: rankings held per (seed, epoch): ``score=`` name -> variable
_PER_SEED_EPOCH = {"supernet": "supernet_score", "loss": "supernet_loss", "finetune": "finetune_score"}


class Benchmark:
    """Statistics of one wsbench store. Build with :func:`wsbench.open`."""

    STATS = tuple(STATS_MODULES)
    if TYPE_CHECKING:  # made below from each module's query(); signatures: wsbench/stats/<name>.py
        correlation: Callable[..., Result]
        topk: Callable[..., Result]
        bias: Callable[..., Result]
        prune: Callable[..., Result]
        stability: Callable[..., Result]
        bottomtop: Callable[..., Result]
        meanscore: Callable[..., Result]
        gtnoise: Callable[..., Result]
        paired: Callable[..., Result]

    def __init__(self, reader: FastReader | XarrayReader, name: str):
        self.reader, self.name, self.path = reader, name, reader.path
        self._ds: xr.Dataset | None = None
        self._cache: dict[Any, Any] = {}  # arrays read or derived once: scores, GT, top-k GT sides
        self.attrs = dict(reader.meta.attrs)
        self._trusted = False  # set by _check_semantics; until then arrays are read without the value checks
        self.direction: str = self.attrs["metric_direction"]
        self.metric: str = self.attrs["metric"]
        self.epochs: list[int] = [int(e) for e in self._read("epoch")]
        self.seeds: list[int] = [int(s) for s in self._read("seed")]
        self.n_archs: int = int(reader.meta.sizes["arch"])
        self.has_prune_dim = "prune" in reader.meta.sizes
        self.prune_factors: list[float] = [float(p) for p in self._read("prune")] if self.has_prune_dim else []
        #: each prune run as (mode, factor), in the store's order (the prune_mode variable names the mode)
        self.prune_runs: list[tuple[str, float]] = (
            list(zip([str(m) for m in self._read("prune_mode")], self.prune_factors))
            if self.has_prune_dim and "prune_mode" in reader.meta.arrays else [])
        self._check_semantics()

    def _check_semantics(self) -> None:
        """The checks ``validate`` makes on what every statistic relies on (coordinates, the space, ``choice``, the
        architectures), run at open and remembered per file (:mod:`wsbench.trust`); each array read later is
        checked as it is read (``_read``). So no statistic answers a store that ``validate`` rejects."""
        from wsbench.trust import open_problems

        problems = open_problems(self.path, self.reader.meta, self._read)
        if problems:
            raise SchemaError(self.path, problems)
        self._trusted = True

    def __repr__(self) -> str:
        return (f"<Benchmark {self.name}: space={self.attrs['space']}, {self.n_archs} subnets, "
                f"epochs={self.epochs}, seeds={self.seeds}, metric={self.metric} ({self.direction} is better)>")

    @property
    def ds(self) -> xr.Dataset:
        """The whole store as a lazy xarray Dataset (opened on first use; statistics do not need it)."""
        if self._ds is None:
            from wsbench.store import open_store

            self._ds = open_store(self.path, allow_incomplete=True)
        return self._ds

    def _read(self, name: str, lead: tuple[int, ...] = ()) -> np.ndarray:
        try:
            values = self.reader.read(name, lead)
        except NotReadable:  # an array the fast reader cannot decode: switch to zarr for good
            from wsbench.reader import XarrayReader

            self.reader = XarrayReader(self.path, self.ds)
            values = self.reader.read(name, lead)
        values = np.asarray(values)
        if self._trusted:
            from wsbench.trust import read_problems

            problems = read_problems(name, values, self.metric, lambda other: self._read(other, lead))
            if problems:
                raise SchemaError(self.path, problems)
        return values

    # -- cached arrays (goodness: higher is better); with the methods below, what the statistics read
    # (wsbench.stats.source.Source) -----------------------------------------------------------------
    def gt_variables(self) -> list[str]:
        return sorted(n for n, a in self.reader.meta.arrays.items() if n.startswith("gt_score") and n != "gt_score_std"
                      and a.dims == ("arch",))

    def gt_trainings(self) -> tuple[list[int], np.ndarray]:
        """(the ``gt_seed`` coordinate, ``gt_score_per_seed`` as goodness of shape (gt_seed, arch)): one ground truth
        per training, cached; a store without them is an error saying so."""
        from wsbench.errors import OptionError

        arrays = self.reader.meta.arrays
        if "gt_score_per_seed" not in arrays or arrays["gt_score_per_seed"].dims != ("gt_seed", "arch"):
            raise OptionError(f"{self.name} has no gt_score_per_seed (one ground truth per GT training, dims "
                              "gt_seed x arch): it records one ground truth only")
        key = ("gt_trainings",)
        if key not in self._cache:
            self._cache[key] = ([int(v) for v in self._read("gt_seed")],
                                goodness(self._read("gt_score_per_seed"), self.direction))
        return self._cache[key]

    def _gt_training(self, name: str) -> np.ndarray:
        """``gt_score_per_seed:N``: the ground truth of GT training N (a ``gt_seed`` value) as goodness."""
        from wsbench.errors import OptionError

        seeds, values = self.gt_trainings()
        n = name.split(":", 1)[1]
        try:
            j = seeds.index(int(n))
        except ValueError:
            raise OptionError(f"{name}: N must be a recorded GT training (gt_seed) of {self.name}: "
                              f"{', '.join(map(str, seeds))}; got {n!r}") from None
        if not np.isfinite(values[j]).any():
            raise SchemaError(self.path, [f"{name} holds no finite value (all NaN, or its chunks are missing)"])
        return values[j]

    def gt(self, gt: str) -> np.ndarray:
        """Ground truth ``gt`` as goodness (higher = better), cached; one without a finite value is an error.
        ``gt_score_per_seed:N`` is the ground truth of one GT training (gt_seed N)."""
        if isinstance(gt, str) and gt.startswith("gt_score_per_seed:"):
            return self._gt_training(gt)
        if gt not in self.gt_variables():
            raise UnknownNameError("ground-truth variable", gt, self.gt_variables())
        key = ("gt", gt)
        if key not in self._cache:
            values = goodness(self._read(gt), self.direction)
            if not np.isfinite(values).any():
                why = f"{gt} holds no finite value (all NaN, or its chunks are missing): nothing to compare with"
                raise SchemaError(self.path, [why])
            self._cache[key] = values
        return self._cache[key]

    def scores(self) -> list[str]:
        """What can rank the subnets (``score=``): the supernet, its loss, the fine-tuned score, sizes and proxies the
        store holds."""
        arrays = self.reader.meta.arrays
        out = ["supernet"] + (["loss"] if "supernet_loss" in arrays else [])
        out += ["finetune"] if "finetune_score" in arrays else []
        out += [n for n in ("params", "flops", "params_paper", "flops_paper") if n in arrays]
        return out + [f"proxy:{n[len('proxy_'):]}" for n in sorted(arrays) if n.startswith("proxy_")]

    def _sn(self, seed: int, epoch: int, prune: float | None = None, score: str = "supernet") -> np.ndarray:
        """Goodness (higher = better) of each subnet under ``score``: supernet_score (oriented by the metric), the
        negated supernet_loss, or a per-subnet ranking (sizes, proxies: higher = better, as the store holds them)."""
        key = ("sn", seed, epoch, prune, score)
        if key not in self._cache:
            if score not in _PER_SEED_EPOCH:
                name = "proxy_" + score[len("proxy:"):] if score.startswith("proxy:") else score
                self._cache[key] = self.arch_values(name).astype(np.float64)
                return self._cache[key]
            lead: tuple[int, ...] = (self.seeds.index(seed), self.epochs.index(epoch))
            if self.has_prune_dim:
                lead = (self._prune_index(prune), *lead)
            name = _PER_SEED_EPOCH[score]
            values = goodness(self._read(name, lead), "min" if score == "loss" else self.direction)
            if score == "finetune" and not np.isfinite(values).any():
                done = (self.attrs.get("finetune") or {}).get("regions", [])
                raise OptionError(f"{self.name} has no fine-tuned scores at seed {seed}, epoch {epoch}; the fine-tuned "
                                  f"(seed, epoch) regions are {done}: choose among them with --seed and --epoch")
            if not np.isfinite(values).any():
                where = f"seed {seed}, epoch {epoch}" + (f", prune run {prune}" if self.has_prune_dim else "")
                why = f"{name} holds no finite value at {where} (all NaN, or its chunks are missing): never scored"
                raise SchemaError(self.path, [why])
            self._cache[key] = values
        return self._cache[key]

    def finetuned_regions(self) -> set[tuple[int, int]]:
        """(seed, epoch) of every fine-tuned region the store records (``finetune.regions``); in a store of prune
        runs, whose regions are (factor, seed, epoch), the control's, which the statistics read."""
        regions = (self.attrs.get("finetune") or {}).get("regions", [])
        control = self.prune_factors[self._prune_index(None)] if self.has_prune_dim else None  # _prune_index's rule
        return {(int(r[-2]), int(r[-1])) for r in regions if len(r) == 2 or float(r[0]) == control}

    def _prune_index(self, prune: float | tuple[str, float] | None) -> int:
        """Index along ``prune`` of a run: (mode, factor), a factor that names one run, or None (the control)."""
        if isinstance(prune, tuple):
            return self.prune_runs.index(prune)
        if prune is None and ("none", 0.0) in self.prune_runs:
            return self.prune_runs.index(("none", 0.0))
        return self.prune_factors.index(0.0 if prune is None else prune)

    def against(self, name: str) -> np.ndarray:
        """A ground truth (as goodness; ``gt_score_per_seed:N``: one GT training) or a raw per-subnet numeric
        variable such as params."""
        if name in self.gt_variables() or (isinstance(name, str) and name.startswith("gt_score_per_seed:")):
            return self.gt(name)
        sizes = self.numeric_arch_variables()
        if name not in sizes:
            raise UnknownNameError("variable to correlate against", name, sizes)
        return self.arch_values(name).astype(np.float64)

    def arch_values(self, name: str) -> np.ndarray:
        """A per-subnet variable as stored, cached."""
        arrays = self.reader.meta.arrays
        if name not in arrays or arrays[name].dims[:1] != ("arch",):
            raise UnknownNameError("per-subnet variable", name, [n for n, a in arrays.items() if a.dims[:1] == ("arch",)])
        key = ("var", name)
        if key not in self._cache:
            self._cache[key] = np.asarray(self._read(name))
        return self._cache[key]

    def function_ids(self) -> tuple[np.ndarray, str]:
        """(one function id per subnet, where they come from): the store's ``function_id`` variable, or, in a store
        without one, ids computed from ``arch_string`` by the space's ``function_id`` (cached)."""
        key = ("function_ids",)
        if key not in self._cache:
            if "function_id" in self.reader.meta.arrays:
                from wsbench.spaces import get_space

                # an open store passed validate's deep checks (wsbench/trust.py): its arch strings are its
                # `choice` rows and its function_id the space's rule of them, so the ids come from the small
                # int8 `choice` where the space can compute them so (no string decoding, no zstd import)
                computed = get_space(str(self.attrs["space"])).function_ids_from_choices(
                    np.asarray(self._read("choice")))
                ids = np.asarray(computed if computed is not None else self.arch_values("function_id"),
                                 dtype=object)
                self._cache[key] = (ids, "the store's function_id")
            else:
                from wsbench.spaces import get_space

                space = get_space(str(self.attrs["space"]))
                if not space.has_equivalences:
                    # the id is the canonical string, and a store holds each canonical string once (the writer
                    # refuses repeats; validate checks): every subnet is its own class, no string need be read
                    ids = np.arange(self.n_archs)
                    why = (f"the {space.name} space's function_id ({space.function_id_rule}), the store having no "
                           "function_id variable: a store holds each canonical string once, so each subnet is its "
                           "own class")
                else:
                    ids = np.asarray(space.function_ids([str(a) for a in self.arch_values("arch_string")]),
                                     dtype=object)
                    why = (f"function ids computed from arch_string by the {space.name} space's function_id (the "
                           "store has no function_id variable)")
                self._cache[key] = (ids, why)
        return self._cache[key]

    def deduped(self) -> Deduped:
        """This store with subnets of one function merged (:class:`wsbench.deduped.Deduped`), built once."""
        from wsbench.deduped import Deduped

        key = ("deduped",)
        if key not in self._cache:
            self._cache[key] = Deduped(self)
        return self._cache[key]

    @property
    def memo(self) -> dict[Any, Any]:
        """Where a statistic keeps what it may reuse in later calls (top-k keeps the GT side of its draws)."""
        return self._cache

    def select_epochs(self, epoch: Any) -> list[int]:
        """'last', 'all' or a comma list resolved against the recorded epochs."""
        return _opt.pick(epoch, self.epochs, "epoch", {"last": [self.epochs[-1]], "all": list(self.epochs)})

    def select_seeds(self, seed: Any) -> list[int]:
        """'all' or a comma list resolved against the recorded supernet seeds."""
        return _opt.pick(seed, self.seeds, "seed", {"all": list(self.seeds)})

    def check_score(self, score: str) -> str:
        """``score`` if it is one of :meth:`scores`, else an error listing them."""
        if score == "finetune" and score not in self.scores():
            raise OptionError(f"{self.name} has no fine-tuned scores (no finetune_score variable): they are made by "
                              "python -m builders finetune (builders/README.md); rank by one of "
                              f"{', '.join(self.scores())}")
        if score not in self.scores():
            raise UnknownNameError("ranking (score)", score, self.scores())
        return score

    def score_fn(self, score: str, prune: bool = False) -> Callable[..., np.ndarray]:
        """Goodness of every subnet at (seed, epoch) under ``score`` (with ``prune``: at (seed, epoch, factor)),
        read when first asked for and cached."""
        if prune:
            return lambda seed, epoch, factor: self._sn(seed, epoch, prune=factor, score=score)
        return lambda seed, epoch: self._sn(seed, epoch, score=score)

    def numeric_arch_variables(self) -> list[str]:
        """Names of the per-subnet float variables (sizes, ground truths, proxies)."""
        return [n for n, a in self.reader.meta.arrays.items() if a.dims == ("arch",) and a.kind == "f"]

    # the names these had before statistics moved to wsbench/stats/ (report sections, tests and scripts use them)
    _gt, _against, _arch_values, _epochs, _seeds = gt, against, arch_values, select_epochs, select_seeds

    def _result(self, stat: str, table: Table, source: Any = None) -> Result:
        source = self if source is None else source
        notes = list(table.notes)
        o = table.options
        if source is not self:
            o = {**o, "dedupe": True}
            notes.append(source.note())
        if o.get("score") == "loss" and self._loss_ranks_as_supernet(o.get("epoch", []), o.get("seed", []),
                                                                      source):
            notes.append("supernet_loss orders every subnet exactly as supernet_score does here (e.g. the loss of a "
                         "language model is log(perplexity)): score='loss' repeats the default ranking")
        if o.get("score") == "finetune":
            ft = self.attrs.get("finetune") or {}
            lrs = ft.get("lr_at_epoch") or {}
            lr = ", ".join(f"{v:g} at epoch {e}" for e, v in sorted(lrs.items(), key=lambda kv: int(kv[0])))
            notes.append(f"score finetune: finetune_score, each of {ft.get('subnets')} subnets scored after inheriting "
                         f"the supernet's weights and training alone for {ft.get('batches')} batches (lr "
                         f"{lr or ft.get('lr')}); only those subnets enter (attribute finetune)")
        notes.append(f"metric {self.metric} ({'higher' if self.direction == 'max' else 'lower'} is better); "
                     f"scale preset {self.attrs.get('scale_preset')!r}")
        return Result(stat=stat, dataset=self.name, options=o, rows=table.rows, summary=table.summary,
                      notes=notes)

    def _loss_ranks_as_supernet(self, epochs: list[int], seeds: list[int], source: Any = None) -> bool:
        """Whether the loss orders the subnets (ties included) exactly as the supernet score at every (seed, epoch)
        (of ``source``: this store, or its merged view)."""
        source = self if source is None else source
        sn, sl = source.score_fn("supernet"), source.score_fn("loss")
        for s in seeds:
            for e in epochs:
                w, loss = sn(s, e), sl(s, e)
                ok = np.isfinite(w) & np.isfinite(loss)
                w, loss = w[ok], loss[ok]
                if not (np.all(np.diff(loss[np.lexsort((loss, w))]) >= 0)
                        and np.all(np.diff(w[np.lexsort((w, loss))]) >= 0)):
                    return False
        return True

    def _query(self, stat: str, *args: Any, dedupe: bool = False, **options: Any) -> Result:
        """Statistic ``stat`` (its module's ``query``) of this store as a Result; a pool with nothing to rank is a
        problem of this store. ``dedupe``: on the merged view (one item per function class)."""
        if not isinstance(dedupe, bool):
            raise OptionError(f"dedupe must be True or False, got {dedupe!r}")
        fn = STATS_MODULES[stat].query
        sig = inspect.signature(fn)
        try:
            given = dict(sig.bind_partial(None, *args, **options).arguments)
        except TypeError as e:  # an unknown option, or one given twice
            raise OptionError(f"{stat}: {e}; its options: {', '.join(list(sig.parameters)[1:])}") from None
        given.pop(next(iter(sig.parameters)))
        _opt.check_types(stat, {n: str(p.annotation) for n, p in sig.parameters.items()}, given)
        source: Any = self.deduped() if dedupe else self
        try:
            table = fn(source, *args, **options)
        except NothingToRank as e:
            raise SchemaError(self.path, [str(e)]) from None
        return self._result(stat, table, source)

    def info(self) -> Result:
        """Dimensions, variables and provenance attributes of the store."""
        rows = [{"variable": n, "dims": ",".join(a.dims), "shape": "x".join(map(str, a.shape)), "dtype": a.data_type}
                for n, a in self.reader.meta.arrays.items() if n not in a.dims]
        summary = [{"key": "archs", "value": self.n_archs}, {"key": "epochs", "value": self.epochs},
                   {"key": "seeds", "value": self.seeds}]
        summary += [{"key": k, "value": v} for k, v in self.attrs.items()]
        return Result("info", self.name, {}, rows, summary, [])


def _statistic_method(stat: str) -> Callable[..., Result]:
    """The Benchmark method of statistic ``stat``: its module's ``query`` with the store bound, returning a Result
    (same signature, defaults and docstring, so ``help()``, ``inspect.signature`` and ``wsbench.query`` see them)."""
    fn = STATS_MODULES[stat].query

    def method(self: Benchmark, *args: Any, **options: Any) -> Result:
        return self._query(stat, *args, **options)

    sig = inspect.signature(fn)
    store, *params = sig.parameters.values()
    if getattr(STATS_MODULES[stat], "DEDUPE", True):  # every statistic takes dedupe= unless its module says not
        params.append(inspect.Parameter("dedupe", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=bool))
    self_param = store.replace(name="self", annotation=inspect.Parameter.empty)
    method.__signature__ = sig.replace(parameters=[self_param, *params], return_annotation="Result")  # type: ignore[attr-defined]
    method.__name__, method.__qualname__ = stat, f"Benchmark.{stat}"
    method.__doc__ = fn.__doc__
    return method


for _stat in STATS_MODULES:
    setattr(Benchmark, _stat, _statistic_method(_stat))
