"""A benchmark over one store: one method per statistic, arrays pulled once and cached.

``Benchmark`` reads, caches and dispatches: it checks the store, resolves the names that depend on it (epochs,
seeds, what ranks the subnets, which ground truth) and hands arrays to the statistic's own module in
``wsbench/stats/`` (options, computation, rows and summary: ``parse_options`` + ``*_table``). Only the slices a
statistic needs are read (one (seed, epoch) row of ``supernet_score`` at a time), so a 1M-subnet store is never
loaded whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import OptionError, SchemaError, UnknownNameError, WsbenchError
from wsbench.reader import NotReadable
from wsbench.result import Result
from wsbench.stats import bias as _bias
from wsbench.stats import correlation as _corr
from wsbench.stats import options as _opt
from wsbench.stats import prune as _prune
from wsbench.stats import stability as _stab
from wsbench.stats import topk as _topk
from wsbench.stats.prune import DEFAULT_FACTORS
from wsbench.stats.ranking import goodness
from wsbench.stats.summary import NothingToRank, ScoreFn, Table
from wsbench.stats.topk import DEFAULT_K

if TYPE_CHECKING:
    import xarray as xr

    from wsbench.reader import FastReader, XarrayReader

__all__ = ["DEFAULT_FACTORS", "DEFAULT_K", "Benchmark"]


class Benchmark:
    """Statistics of one wsbench store. Build with :func:`wsbench.open`."""

    STATS = ("correlation", "topk", "bias", "prune", "stability")

    def __init__(self, reader: FastReader | XarrayReader, name: str):
        self.reader, self.name, self.path = reader, name, reader.path
        self._ds: xr.Dataset | None = None
        self._cache: dict[Any, Any] = {}  # arrays read or derived once: scores, GT, top-k GT sides
        self.attrs = dict(reader.meta.attrs)
        self._n_ops: int | None = None  # set by _check_semantics; until then arrays are read unchecked
        self.direction: str = self.attrs["metric_direction"]
        self.metric: str = self.attrs["metric"]
        self.epochs: list[int] = [int(e) for e in self._read("epoch")]
        self.seeds: list[int] = [int(s) for s in self._read("seed")]
        self.n_archs: int = int(reader.meta.sizes["arch"])
        self.has_prune_dim = "prune" in reader.meta.sizes
        self.prune_factors: list[float] = [float(p) for p in self._read("prune")] if self.has_prune_dim else []
        self._check_semantics()

    def _check_semantics(self) -> None:
        """Cheap checks at open, so no query answers a store that ``validate`` rejects for these reasons; values
        are checked as each array is read (``_checked``), the deep checks stay in ``wsbench validate``."""
        from wsbench.schema import DIRECTIONS
        from wsbench.spaces import get_space

        problems = []
        if self.direction not in DIRECTIONS:
            problems.append(f"metric_direction must be one of {list(DIRECTIONS)}, got {self.direction!r}")
        if not self.epochs or any(b <= a for a, b in zip(self.epochs, self.epochs[1:])):
            problems.append(f"epoch coordinate must be non-empty and strictly increasing, got {self.epochs}")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            problems.append(f"seed coordinate must be non-empty and distinct, got {self.seeds}")
        if self.n_archs < 1:
            problems.append("the store has no subnets (arch dimension of size 0)")
        try:
            space = get_space(str(self.attrs.get("space")))
        except WsbenchError as e:
            problems.append(str(e))
        else:
            if list(self.attrs.get("ops", [])) != list(space.ops):
                problems.append(f"attribute ops {self.attrs.get('ops')} differs from the {space.name} vocabulary")
            self._n_ops = len(space.ops)
        if problems:
            raise SchemaError(self.path, problems)

    def _checked(self, name: str, values: np.ndarray) -> np.ndarray:
        """Scores must be finite or NaN and inside the metric's range; choice indices inside the op vocabulary."""
        from wsbench.schema import METRICS

        if name == "choice":
            if values.size and (values.min() < -1 or values.max() >= self._n_ops):
                raise SchemaError(self.path, [f"choice holds op indices outside -1..{self._n_ops - 1}"])
            return values
        if values.dtype.kind == "f":
            if np.isinf(values).any():
                raise SchemaError(self.path, [f"{name} holds +-inf; NaN is the only 'unknown' value"])
            lo, hi = METRICS.get(self.metric, (None, -np.inf, np.inf))[1:]
            finite = values[np.isfinite(values)]
            if (name == "supernet_score" or name.startswith("gt_score")) and finite.size and (
                    finite.min() < lo or finite.max() > hi):
                why = f"{name} values must lie in [{lo}, {hi}] for metric {self.metric!r}, got [{finite.min()}, {finite.max()}]"
                raise SchemaError(self.path, [why])
        return values

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
        return self._checked(name, np.asarray(values)) if self._n_ops is not None else np.asarray(values)

    # -- cached arrays (goodness: higher is better) ------------------------------------
    def gt_variables(self) -> list[str]:
        return sorted(n for n, a in self.reader.meta.arrays.items() if n.startswith("gt_score") and a.dims == ("arch",))

    def _gt(self, gt: str) -> np.ndarray:
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
        """What can rank the subnets (``score=``): the supernet, its loss, sizes and proxies the store holds."""
        arrays = self.reader.meta.arrays
        out = ["supernet"] + (["loss"] if "supernet_loss" in arrays else [])
        out += [n for n in ("params", "flops", "params_paper", "flops_paper") if n in arrays]
        return out + [f"proxy:{n[len('proxy_'):]}" for n in sorted(arrays) if n.startswith("proxy_")]

    def _check_score(self, score: str) -> str:
        if score not in self.scores():
            raise UnknownNameError("ranking (score)", score, self.scores())
        return score

    def _sn(self, seed: int, epoch: int, prune: float | None = None, score: str = "supernet") -> np.ndarray:
        """Goodness (higher = better) of each subnet under ``score``: supernet_score (oriented by the metric), the
        negated supernet_loss, or a per-subnet ranking (sizes, proxies: higher = better, as the store holds them)."""
        key = ("sn", seed, epoch, prune, score)
        if key not in self._cache:
            if score not in ("supernet", "loss"):
                name = "proxy_" + score[len("proxy:"):] if score.startswith("proxy:") else score
                self._cache[key] = self._arch_values(name).astype(np.float64)
                return self._cache[key]
            lead: tuple[int, ...] = (self.seeds.index(seed), self.epochs.index(epoch))
            if self.has_prune_dim:
                lead = (self.prune_factors.index(0.0 if prune is None else prune), *lead)
            name = "supernet_loss" if score == "loss" else "supernet_score"
            values = goodness(self._read(name, lead), "min" if score == "loss" else self.direction)
            if not np.isfinite(values).any():
                where = f"seed {seed}, epoch {epoch}" + (f", prune factor {prune}" if self.has_prune_dim else "")
                why = f"{name} holds no finite value at {where} (all NaN, or its chunks are missing): never scored"
                raise SchemaError(self.path, [why])
            self._cache[key] = values
        return self._cache[key]

    def _against(self, name: str) -> np.ndarray:
        """A ground truth (as goodness) or a raw per-subnet numeric variable such as params."""
        if name in self.gt_variables():
            return self._gt(name)
        sizes = [n for n, a in self.reader.meta.arrays.items() if a.dims == ("arch",) and a.kind == "f"]
        if name not in sizes:
            raise UnknownNameError("variable to correlate against", name, sizes)
        return self._arch_values(name).astype(np.float64)

    def _arch_values(self, name: str) -> np.ndarray:
        arrays = self.reader.meta.arrays
        if name not in arrays or arrays[name].dims[:1] != ("arch",):
            raise UnknownNameError("per-subnet variable", name, [n for n, a in arrays.items() if a.dims[:1] == ("arch",)])
        key = ("var", name)
        if key not in self._cache:
            self._cache[key] = np.asarray(self._read(name))
        return self._cache[key]

    def _score_fn(self, score: str) -> ScoreFn:
        """What the statistics read the supernet through: goodness of every subnet at (seed, epoch), cached."""
        return lambda seed, epoch: self._sn(seed, epoch, score=score)

    # -- option resolution against the store ----------------------------------------------
    def _epochs(self, epoch: Any) -> list[int]:
        return _opt.pick(epoch, self.epochs, "epoch", {"last": [self.epochs[-1]], "all": list(self.epochs)})

    def _seeds(self, seed: Any) -> list[int]:
        return _opt.pick(seed, self.seeds, "seed", {"all": list(self.seeds)})

    def _result(self, stat: str, table: Table) -> Result:
        notes = list(table.notes)
        notes.append(f"metric {self.metric} ({'higher' if self.direction == 'max' else 'lower'} is better); "
                     f"scale preset {self.attrs.get('scale_preset')!r}")
        return Result(stat=stat, dataset=self.name, options=table.options, rows=table.rows, summary=table.summary,
                      notes=notes)

    def _run(self, stat: str, compute: Any, *args: Any, **kwargs: Any) -> Result:
        """``compute(*args, **kwargs)`` (a statistic's ``*_table``) as a Result; a pool with nothing to rank is a
        problem of this store."""
        try:
            table = compute(*args, **kwargs)
        except NothingToRank as e:
            raise SchemaError(self.path, [str(e)]) from None
        return self._result(stat, table)

    # -- statistics: see each module of wsbench/stats/ for options, formulas and outputs ---------
    def correlation(self, epoch: Any = "last", seed: Any = "all", method: Any = ("kendall", "spearman"),
                    against: str = "gt_score", score: str = "supernet", weigh_by: str = "both",
                    ci: float | None = None, boot: int = 1000, rng_seed: int = 0,
                    gt_resolution: float | None = None, within_top: str | None = None) -> Result:
        """Correlation of supernet scores with ground truth per (seed, epoch); summary = mean ± std over seeds.

        ``against`` picks the other variable: ``gt_score`` (default), another
        ``gt_score_<name>``, or a per-subnet size such as ``params``/``flops``.
        """
        score = self._check_score(score)
        epochs, seeds = self._epochs(epoch), self._seeds(seed)
        o = _corr.parse_options(method, weigh_by, ci, boot, rng_seed, gt_resolution, within_top)
        return self._run("correlation", _corr.correlation_table, self._score_fn(score), self._against(against),
                         epochs, seeds, o, against=against, score=score)

    def topk(self, k: Any = DEFAULT_K, epoch: Any = "last", seed: Any = "all", samples: int | None = None,
             trials: int | None = None, rng_seed: int = 0, gt: str = "gt_score", score: str = "supernet",
             ties: str = "random", ci: float | None = None, boot: int = 1000) -> Result:
        """Best GT among the supernet's top-k of ``samples`` subnets, vs k random subnets, over ``trials`` draws.

        Defaults: samples = min(1000, subnets with both scores); trials = 100 if
        samples < that pool, else 1. The same index draws serve every seed and epoch. ``ci``: a percentile
        interval of best_gt, precision and ndcg: over the trials when there are several, else over ``boot``
        bootstrap resamples of the subnets (the same resamples for every seed).
        """
        score = self._check_score(score)
        o = _topk.parse_options(k, samples, trials, rng_seed, ties, ci, boot)
        epochs, seeds = self._epochs(epoch), self._seeds(seed)
        return self._run("topk", _topk.topk_table, self._score_fn(score), self._gt(gt), epochs, seeds, o,
                         self.direction, gt=gt, score=score, memo=self._cache)

    def bias(self, by: str = "params", epoch: Any = "last", seed: Any = "all", top: str = "10%",
             gt: str = "gt_score", params: str = "params", flag: int = 3, score: str = "supernet",
             ties: str = "random", ci: float | None = None, boot: int = 1000, rng_seed: int = 0) -> Result:
        """Model-size bias (by='params') or operator bias (by='operator'); see docs/statistics.md.

        ``ci``: bootstrap percentile intervals over subnets (``boot`` resamples, the same for every seed) of
        the three taus (by='params') or of each operator's gap (by='operator')."""
        o = _bias.parse_options(by, top, flag, ties, ci, boot, rng_seed)
        score = self._check_score(score)
        if o.by == "params":
            numeric = [n for n, a in self.reader.meta.arrays.items() if a.dims == ("arch",) and a.kind == "f"]
            if params not in numeric:
                raise UnknownNameError("model-size variable (params)", params, numeric)
        epochs, seeds = self._epochs(epoch), self._seeds(seed)
        g, sn = self._gt(gt), self._score_fn(score)
        if o.by == "params":
            return self._run("bias", _bias.params_table, sn, g, self._arch_values(params).astype(float), epochs,
                             seeds, o, gt=gt, params=params, score=score)
        return self._run("bias", _bias.operator_table, sn, g, self._arch_values("choice").astype(np.int64),
                         list(self.attrs["decisions"]), list(self.attrs["ops"]), epochs, seeds, o, gt=gt,
                         score=score)

    def prune(self, mode: str = "optimistic", factor: Any = DEFAULT_FACTORS, epoch: Any = "last", seed: Any = "all",
              k: str = "1%", trials: int | None = None, rng_seed: int = 0, source: str = "posthoc",
              gt: str = "gt_score", score: str = "supernet", ties: str = "random") -> Result:
        """Statistics of what remains after pruning a fraction of the space.

        source='posthoc' prunes the recorded subnets after the fact (mode
        optimistic: worst by GT first; random: seeded, averaged over ``trials``,
        default 20). source='retrained' reads stores whose supernets were
        retrained on each pruned space (a ``prune`` dimension).
        """
        o = _prune.parse_options(mode, factor, source, k, trials, rng_seed, ties)
        if o.source == "retrained" and not self.has_prune_dim:
            raise OptionError(f"{self.name} has no supernets retrained on pruned spaces (no 'prune' dimension); "
                              "use source='posthoc'")
        factors = list(self.prune_factors) if o.factors is None else o.factors
        score = self._check_score(score)
        epochs, seeds = self._epochs(epoch), self._seeds(seed)

        def sn(s: int, e: int, f: float | None) -> np.ndarray:
            return self._sn(s, e, prune=f, score=score)

        return self._run("prune", _prune.prune_table, sn, self._gt(gt), epochs, seeds, factors, o, self.direction,
                         gt=gt, score=score)

    def stability(self, method: str = "kendall", seed: Any = "all", epoch: Any = "all", score: str = "supernet") -> Result:
        """Correlation of supernet rankings between consecutive recorded epochs and between seed pairs."""
        m = _stab.parse_method(method)
        score = self._check_score(score)
        epochs, seeds = self._epochs(epoch), self._seeds(seed)
        return self._run("stability", _stab.stability_table, self._score_fn(score), epochs, seeds, m, score=score)

    def info(self) -> Result:
        """Dimensions, variables and provenance attributes of the store."""
        rows = [{"variable": n, "dims": ",".join(a.dims), "shape": "x".join(map(str, a.shape)), "dtype": a.data_type}
                for n, a in self.reader.meta.arrays.items() if n not in a.dims]
        summary = [{"key": "archs", "value": self.n_archs}, {"key": "epochs", "value": self.epochs},
                   {"key": "seeds", "value": self.seeds}]
        summary += [{"key": k, "value": v} for k, v in self.attrs.items()]
        return Result("info", self.name, {}, rows, summary, [])
