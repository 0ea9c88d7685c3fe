"""A benchmark over one store: one method per statistic, arrays pulled once and cached.

Only the slices a statistic needs are read (one (seed, epoch) row of
``supernet_score`` at a time), so a 1M-subnet store is never loaded whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import OptionError, SchemaError, UnknownNameError, WsbenchError
from wsbench.reader import NotReadable
from wsbench.result import Result
from wsbench.stats import bias as _bias
from wsbench.stats import prune as _prune
from wsbench.stats import stability as _stab
from wsbench.stats import topk as _topk
from wsbench.stats.correlation import METHODS, WEIGH_BY, correlate
from wsbench.stats.ranking import goodness

if TYPE_CHECKING:
    import xarray as xr

    from wsbench.reader import FastReader, XarrayReader

DEFAULT_K = ("1", "10", "1%", "10%")
DEFAULT_FACTORS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample std; a single value has no sample std (NaN, shown as null in JSON), never 0."""
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return float("nan"), float("nan")
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else float("nan")


def _mc_se(values: Sequence[float]) -> float:
    """Monte-Carlo standard error of a mean over trials: sample std / sqrt(trials); NaN for one trial."""
    v = np.asarray(values, dtype=float)
    return float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")


def _ci_note(level: float, boot: int, rng_seed: int) -> str:
    return (f"*_ci_low/high: {level:.0%} bootstrap percentile interval over subnets ({boot} resamples with "
            f"replacement, rng_seed {rng_seed}, the same for every seed); it shows sampling of subnets, not of seeds")


def _count(value: Any, what: str, minimum: int) -> int:
    """An integer option >= ``minimum`` (bools and fractions refused), or one clear error."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise OptionError(f"{what} must be an integer >= {minimum}, got {value!r}")
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise OptionError(f"{what} must be an integer >= {minimum}, got {value!r}") from None
    if n < minimum:
        raise OptionError(f"{what} must be an integer >= {minimum}, got {n}")
    return n


def _resolution(value: Any) -> float:
    """A positive, finite resolution in metric units (e.g. 0.1 accuracy points)."""
    try:
        res = float(value)
    except (TypeError, ValueError):
        res = float("nan")
    if isinstance(value, bool) or not np.isfinite(res) or res <= 0:
        raise OptionError(f"gt_resolution must be a positive number in metric units such as 0.1, got {value!r}")
    return res


def _as_list(value: Any, what: str = "option") -> list:
    """A comma string, list or single value as a list; empty lists and repeated values are refused (a repeated
    seed or epoch would count twice in a mean and a std)."""
    if isinstance(value, str):
        out = [v.strip() for v in value.split(",")]
        if any(not v for v in out):
            raise OptionError(f"{what} has an empty item in {value!r}; give comma-separated values, e.g. 0,1")
    elif isinstance(value, (list, tuple)):
        out = list(value)
    else:
        out = [value]
    if not out:
        raise OptionError(f"{what} is empty; give at least one value")
    seen: set[str] = set()
    for v in out:  # compared as written ("4" and 4 are one value)
        if str(v) in seen:
            raise OptionError(f"{what} lists {v!r} twice; each value counts once")
        seen.add(str(v))
    return out


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
            scored = name == "supernet_score" or (name.startswith("gt_score") and name != "gt_score_std")
            if scored and finite.size and (
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
        return sorted(n for n, a in self.reader.meta.arrays.items() if n.startswith("gt_score") and n != "gt_score_std"
                      and a.dims == ("arch",))

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

    @staticmethod
    def _check_ties(ties: str) -> str:
        if ties not in _topk.TIES:
            raise UnknownNameError("tie rule (ties)", ties, _topk.TIES)
        return ties

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

    def _pool(self, sn: np.ndarray, g: np.ndarray, seed: int, epoch: int, gt: str) -> np.ndarray:
        """Subnets with both a finite score and a finite GT; none is an error (no top-k or pruning exists)."""
        pool = np.flatnonzero(np.isfinite(sn) & np.isfinite(g))
        if pool.size == 0:
            why = f"no subnet has both a finite supernet score (seed {seed}, epoch {epoch}) and a finite {gt}"
            raise SchemaError(self.path, [why + ": nothing to rank"])
        return pool

    def _value(self, g: float) -> float:
        """Goodness back to metric units."""
        return float(g) if self.direction == "max" else -float(g)

    # -- option resolution ---------------------------------------------------------------
    @staticmethod
    def _pick(value: Any, recorded: list[int], what: str, keywords: dict[str, list[int]]) -> list[int]:
        """Resolve a keyword ('all', 'last') or a comma list of ints against the recorded values."""
        if isinstance(value, str) and value in keywords:
            return keywords[value]
        allowed = f"recorded {what}s: {recorded} (or {', '.join(repr(k) for k in keywords)})"
        out = []
        for v in _as_list(value, what):
            if isinstance(v, bool):
                raise OptionError(f"{what} must be an int from the store, got {v!r}; {allowed}")
            try:
                v = int(v)
            except (TypeError, ValueError):
                raise OptionError(f"{what} must be an int from the store, got {value!r}; {allowed}") from None
            if v not in recorded:
                raise OptionError(f"{what} {v} is not in this dataset; {allowed}")
            if v in out:
                raise OptionError(f"{what} {v} is listed twice in {value!r}; each value counts once")
            out.append(v)
        return out

    def _epochs(self, epoch: Any) -> list[int]:
        return self._pick(epoch, self.epochs, "epoch", {"last": [self.epochs[-1]], "all": list(self.epochs)})

    def _seeds(self, seed: Any) -> list[int]:
        return self._pick(seed, self.seeds, "seed", {"all": list(self.seeds)})

    @staticmethod
    def _methods(method: Any) -> list[str]:
        out = _as_list(method, "method")
        for m in out:
            if m not in METHODS:
                raise UnknownNameError("correlation method", m, METHODS)
        return out

    def _result(self, stat: str, options: dict, rows: list, summary: list, notes: list[str] | None = None) -> Result:
        notes = list(notes or [])
        notes.append(f"metric {self.metric} ({'higher' if self.direction == 'max' else 'lower'} is better); "
                     f"scale preset {self.attrs.get('scale_preset')!r}")
        return Result(stat=stat, dataset=self.name, options=options, rows=rows, summary=summary, notes=notes)

    # -- statistics ------------------------------------------------------------------------
    def correlation(self, epoch: Any = "last", seed: Any = "all", method: Any = ("kendall", "spearman"),
                    against: str = "gt_score", score: str = "supernet", weigh_by: str = "both",
                    ci: float | None = None, boot: int = 1000, rng_seed: int = 0,
                    gt_resolution: float | None = None, within_top: str | None = None) -> Result:
        """Correlation of supernet scores with ground truth per (seed, epoch); summary = mean ± std over seeds.

        ``against`` picks the other variable: ``gt_score`` (default), another
        ``gt_score_<name>``, or a per-subnet size such as ``params``/``flops``.
        """
        score = self._check_score(score)
        epochs, seeds, methods = self._epochs(epoch), self._seeds(seed), self._methods(method)
        if weigh_by not in WEIGH_BY:
            raise UnknownNameError("weighted tau's weighting (weigh_by)", weigh_by, WEIGH_BY)
        from wsbench.stats import bootstrap as _boot

        level = None if ci is None else _boot.check_level(ci)
        boot = _count(boot, "boot", 10)
        rng_seed = _count(rng_seed, "rng_seed", 0)
        g = self._against(against)
        if within_top is not None:
            _topk.parse_percent(within_top)  # a share, not a count
            finite = np.sort(g[np.isfinite(g)])[::-1]
            if finite.size == 0:
                raise OptionError(f"{against} has no finite values to take a top {within_top} of")
            cut = finite[_topk.resolve_k(within_top, finite.size) - 1]
            g = np.where(g >= cut, g, np.nan)  # the whole tie group at the cut stays (no arbitrary split)
        if gt_resolution is not None:
            res = _resolution(gt_resolution)
            g = np.round(g / res) * res  # values within one resolution step become ties (NASLib's kt at 0.1)
        idx = _boot.resamples(len(g), boot, rng_seed) if level is not None else None
        mult = _boot.counts(idx, len(g)) if idx is not None else None
        rows, summary = [], []
        for e in epochs:
            per_seed, draws = [], {m: [] for m in methods}
            for s in seeds:
                sn = self._sn(s, e, score=score)
                ok = np.isfinite(sn) & np.isfinite(g)
                row = {"seed": s, "epoch": e, "n": int(ok.sum())}
                row.update({m: correlate(sn, g, m, weigh_by) for m in methods})
                if idx is not None:
                    for m in methods:
                        d = _boot.correlation_draws(sn, g, idx, m, weigh_by, mult)
                        draws[m].append(d)
                        row[f"{m}_ci_low"], row[f"{m}_ci_high"] = _boot.percentile_interval(d, level)
                rows.append(row)
                per_seed.append(row)
            srow: dict[str, Any] = {"epoch": e, "seeds": len(seeds)}
            for m in methods:
                srow[f"{m}_mean"], srow[f"{m}_std"] = _mean_std([r[m] for r in per_seed])
                if idx is not None:  # the same subnet draws for every seed: an interval for the mean over seeds
                    with np.errstate(all="ignore"):
                        srow[f"{m}_ci_low"], srow[f"{m}_ci_high"] = _boot.percentile_interval(
                            np.nanmean(np.stack(draws[m]), axis=0), level)
            summary.append(srow)
        opts = {"epoch": epochs, "seed": seeds, "method": methods, "against": against, "score": score}
        notes = []
        if within_top is not None:
            opts["within_top"] = within_top
            notes.append(f"only the subnets in the top {within_top} by {against} (ties at the cut all kept; n per "
                         "row): how well the ranking orders the good subnets among themselves")
        if gt_resolution is not None:
            opts["gt_resolution"] = res
            notes.append(f"{against} rounded to multiples of {res:g} before ranking: differences below the "
                         "benchmark's resolution count as ties")
        if level is not None:
            opts.update(ci=level, boot=boot, rng_seed=rng_seed)
            notes.append(f"*_ci_low/high: {level:.0%} bootstrap percentile interval over subnets ({boot} resamples "
                         f"with replacement, rng_seed {rng_seed}; the same draws for every seed, so the summary's "
                         "interval is that of the mean over seeds); it shows sampling of subnets, not of seeds")
        if "weighted" in methods:
            opts["weigh_by"] = weigh_by
            notes.append("weighted: Vigna's weighted tau, hyperbolic weights; " + (
                "symmetrised (mean of the forms weighted by supernet ranks and by GT ranks)" if weigh_by == "both"
                else f"pairs weighted by the {weigh_by} ranking's ranks (one-sided)"))
        return self._result("correlation", opts, rows, summary, notes)

    def topk(self, k: Any = DEFAULT_K, epoch: Any = "last", seed: Any = "all", samples: int | None = None,
             trials: int | None = None, rng_seed: int = 0, gt: str = "gt_score", score: str = "supernet",
             ties: str = "random", ci: float | None = None, boot: int = 1000) -> Result:
        """Best GT among the supernet's top-k of ``samples`` subnets, vs k random subnets, over ``trials`` draws.

        Defaults: samples = min(1000, subnets with both scores); trials = 100 if
        samples < that pool, else 1. The same index draws serve every seed and epoch. ``ci``: a percentile
        interval of best_gt, precision and ndcg: over the trials when there are several, else over ``boot``
        bootstrap resamples of the subnets (the same resamples for every seed).
        """
        from wsbench.stats import bootstrap as _boot

        score, ties = self._check_score(score), self._check_ties(ties)
        level = None if ci is None else _boot.check_level(ci)
        boot = _count(boot, "boot", 10)
        epochs, seeds, ks = self._epochs(epoch), self._seeds(seed), [str(x) for x in _as_list(k, "k")]
        rng_seed = _count(rng_seed, "rng_seed", 0)
        samples = None if samples is None else _count(samples, "samples", 1)
        trials = None if trials is None else _count(trials, "trials", 1)
        g = self._gt(gt)
        rows, notes = [], []
        dists: dict[tuple, np.ndarray] = {}
        drawn: dict[tuple, list[np.ndarray]] = {}
        resampled: dict[tuple, dict[int, list]] = {}
        resolved_n = resolved_trials = None
        for e in epochs:
            for s in seeds:
                sn = self._sn(s, e, score=score)
                pool = self._pool(sn, g, s, e, gt)
                n = min(1000, len(pool)) if samples is None else int(samples)
                if n < 1:
                    raise OptionError(f"samples must be >= 1, got {n}")
                t = (100 if n < len(pool) else 1) if trials is None else int(trials)
                if t < 1:
                    raise OptionError(f"trials must be >= 1, got {t}")
                if (len(pool), n, t) not in drawn:  # the same draws for every seed and epoch: drawn once
                    drawn[(len(pool), n, t)] = _topk.draw_samples(len(pool), n, t, rng_seed)
                draws = drawn[(len(pool), n, t)]
                resolved_n, resolved_trials = n, len(draws)
                kns = [_topk.resolve_k(kk, n) for kk in ks]
                # the GT side of each draw serves every seed, epoch and later call (GT and draws never change)
                which = "all" if len(pool) == self.n_archs else pool.tobytes()  # a sorted subset: exact
                key = ("topk_sides", gt, which, n, len(draws), rng_seed)
                at = pool[np.stack(draws)]
                per_k, self._cache[key] = _topk.topk_draws(sn, g, at, kns, ties, self._cache.get(key))
                spread = None
                if level is not None and len(draws) == 1:  # one sample: resample its subnets
                    bkey = (e, pool.tobytes())
                    if bkey not in resampled:  # every seed with this pool at once: each resample's GT side once
                        resampled[bkey] = self._topk_resampled(e, seeds, pool, g, kns, ties, score,
                                                               _boot.resamples(n, boot, rng_seed))
                    spread = resampled[bkey][s]
                for j, (kk, kn) in enumerate(zip(ks, kns)):
                    res = per_k[j]
                    mc = {f"{key}_mc_se": _mc_se(getattr(res, attr) * scale) for key, attr, scale in
                          (("best_gt", "best_gt", 1.0), ("best_gt_top_pct", "best_rank", 100.0 / n),
                           ("random_best_gt", "random_best_gt", 1.0), ("precision", "precision", 1.0),
                           ("ndcg", "ndcg", 1.0))}
                    if level is not None:
                        for key in ("best_gt", "precision", "ndcg"):
                            d = getattr(res, key) if spread is None else np.array([getattr(r[j], key) for r in spread])
                            dists[(e, s, kk, key)] = d
                            lo, hi = _boot.percentile_interval(d, level)
                            if key == "best_gt":
                                lo, hi = sorted((self._value(lo), self._value(hi)))
                            mc[f"{key}_ci_low"], mc[f"{key}_ci_high"] = lo, hi
                    rows.append({
                        "seed": s, "epoch": e, "k": kk, "k_count": kn, "samples": n, "trials": len(draws),
                        "best_gt": self._value(res.best_gt.mean()),
                        "best_gt_top_pct": float(np.mean(100.0 * res.best_rank / n)),
                        "random_best_gt": self._value(res.random_best_gt.mean()),
                        "random_top_pct": float(np.mean(100.0 * res.random_best_rank / n)),
                        "sample_best_gt": self._value(res.sample_best_gt.mean()),
                        "p_random_at_least": float(res.p_random_at_least.mean()),
                        "precision": float(res.precision.mean()), "random_precision": kn / n,
                        "ndcg": float(res.ndcg.mean()),
                        "random_ndcg": float(res.random_ndcg.mean()),
                        "tie_group": float(res.tie_group.mean()),
                        "tie_in_topk": float(res.tie_in_topk.mean()),
                        **mc,
                    })
        summary = []
        for e in epochs:
            for kk in ks:
                sel = [r for r in rows if r["epoch"] == e and r["k"] == kk]
                m, sd = _mean_std([r["best_gt"] for r in sel])
                pm, psd = _mean_std([r["best_gt_top_pct"] for r in sel])
                summary.append({"epoch": e, "k": kk, "k_count": sel[0]["k_count"], "best_gt_mean": m, "best_gt_std": sd,
                                "best_gt_top_pct_mean": pm, "best_gt_top_pct_std": psd,
                                "random_best_gt": float(np.mean([r["random_best_gt"] for r in sel])),
                                "random_top_pct": float(np.mean([r["random_top_pct"] for r in sel])),
                                "sample_best_gt": float(np.mean([r["sample_best_gt"] for r in sel])),
                                "p_random_max": float(np.max([r["p_random_at_least"] for r in sel])),
                                **dict(zip(("precision_mean", "precision_std"), _mean_std([r["precision"] for r in sel]))),
                                "random_precision": sel[0]["random_precision"],
                                **dict(zip(("ndcg_mean", "ndcg_std"), _mean_std([r["ndcg"] for r in sel]))),
                                "random_ndcg": float(np.mean([r["random_ndcg"] for r in sel])),
                                "tie_group_max": float(np.max([r["tie_group"] for r in sel])),
                                "best_gt_mc_se": float(np.sqrt(np.sum([r["best_gt_mc_se"] ** 2 for r in sel]))
                                                       / len(sel))})
                if level is not None:  # the same trials / resamples for every seed: interval of the mean over seeds
                    for key in ("best_gt", "precision", "ndcg"):
                        lo, hi = _boot.percentile_interval(
                            np.mean([dists[(e, r["seed"], kk, key)] for r in sel], axis=0), level)
                        if key == "best_gt":
                            lo, hi = sorted((self._value(lo), self._value(hi)))
                        summary[-1][f"{key}_ci_low"], summary[-1][f"{key}_ci_high"] = lo, hi
        notes.append("best_gt_top_pct: rank of the found subnet among the sample by GT, as a percentage "
                     "(1% = it is in the sample's top 1%); random_* are exact expectations for k random subnets; "
                     "p_random_at_least: exact probability that k random subnets find a GT at least as good "
                     "(p_random_max: the largest over seeds); sample_best_gt: the best GT of the sample (the oracle); precision = |top-k by score ∩ top-k by GT| / k "
                     "(random: k/n); ndcg = NDCG@k with the GT rank percentile (0..1) as gain, discount "
                     "1/log2(1 + position) (random_ndcg: a uniformly random order)")
        notes.append("ties at the k-th place (tie_group subnets share that score): " + (
            "exact expectation over uniformly random tie-breaking" if ties == "random"
            else "broken by store order (--ties store), as wsbench 0.1 did"))
        if resolved_trials == 1 and resolved_n is not None and trials not in (None, 1):
            notes.append(f"samples = every subnet with both scores ({resolved_n}): one sample, so one trial "
                         f"(trials={trials} would repeat it)")
        if resolved_trials and resolved_trials > 1:
            notes.append(f"*_mc_se: Monte-Carlo standard error of the mean over the {resolved_trials} trials "
                         "(std over trials / sqrt(trials)); the summary's *_std is the spread over seeds")
        opts = {"k": ks, "epoch": epochs, "seed": seeds, "samples": resolved_n, "trials": resolved_trials,
                "rng_seed": rng_seed, "gt": gt, "score": score, "ties": ties}
        if level is not None:
            opts.update(ci=level, boot=boot if resolved_trials == 1 else None)
            notes.append(f"*_ci_low/high: {level:.0%} percentile interval " + (
                f"over {boot} bootstrap resamples of the subnets (rng_seed {rng_seed}; the same for every seed; "
                "approximate for a best-of-k statistic)" if resolved_trials == 1 else
                f"over the {resolved_trials} trials (samples of {resolved_n} subnets drawn without replacement)"))
        return self._result("topk", opts, rows, summary, notes)

    def _topk_resampled(self, epoch: int, seeds: list[int], pool: np.ndarray, g: np.ndarray, kns: list[int],
                        ties: str, score: str, idx: np.ndarray) -> dict[int, list]:
        """Top-k of every bootstrap resample ``idx`` of ``pool``, for each seed whose pool it is."""
        sns = {}
        for s in seeds:
            sn = self._sn(s, epoch, score=score)
            if np.array_equal(np.flatnonzero(np.isfinite(sn) & np.isfinite(g)), pool):
                sns[s] = sn[pool]
        from wsbench.stats.topk_resample import topk_resampled

        per_seed = topk_resampled(list(sns.values()), g[pool], idx, kns, ties)
        return dict(zip(sns, per_seed))

    def bias(self, by: str = "params", epoch: Any = "last", seed: Any = "all", top: str = "10%",
             gt: str = "gt_score", params: str = "params", flag: int = 3, score: str = "supernet",
             ties: str = "random", ci: float | None = None, boot: int = 1000, rng_seed: int = 0) -> Result:
        """Model-size bias (by='params') or operator bias (by='operator'); see docs/statistics.md.

        ``ci``: bootstrap percentile intervals over subnets (``boot`` resamples, the same for every seed) of
        the three taus (by='params') or of each operator's gap (by='operator')."""
        from wsbench.stats import bootstrap as _boot

        level = None if ci is None else _boot.check_level(ci)
        boot, rng_seed = _count(boot, "boot", 10), _count(rng_seed, "rng_seed", 0)
        idx = _boot.resamples(self.n_archs, boot, rng_seed) if level is not None else None
        if by not in ("params", "operator"):
            raise UnknownNameError("bias kind (--by)", by, ("params", "operator"))
        flag = _count(flag, "flag", 0)
        score, ties = self._check_score(score), self._check_ties(ties)
        _topk.parse_percent(top)  # checked whatever --by is, so a typo never passes silently
        if by == "params":
            numeric = [n for n, a in self.reader.meta.arrays.items() if a.dims == ("arch",) and a.kind == "f"]
            if params not in numeric:
                raise UnknownNameError("model-size variable (params)", params, numeric)
        epochs, seeds = self._epochs(epoch), self._seeds(seed)
        g = self._gt(gt)
        if by == "params":
            pv = self._arch_values(params).astype(float)
            mult = _boot.counts(idx, self.n_archs) if idx is not None else None
            rows, dists = [], {}
            for e in epochs:
                for s in seeds:
                    sn = self._sn(s, e, score=score)
                    row = {"seed": s, "epoch": e, **_bias.size_bias(sn, g, pv)}
                    if idx is not None:
                        for key, (x, y) in _bias.size_pairs(sn, g, pv).items():
                            same = (e, seeds[0], key) if key == "tau_params_gt" else None  # no supernet in it
                            d = dists[(e, s, key)] = dists[same] if same in dists else _boot.correlation_draws(
                                x, y, idx, "kendall", multiplicities=mult)
                            row[f"{key}_ci_low"], row[f"{key}_ci_high"] = _boot.percentile_interval(d, level)
                    rows.append(row)
            summary = []
            for e in epochs:
                sel = [r for r in rows if r["epoch"] == e]
                srow: dict[str, Any] = {"epoch": e}
                for key in ("tau_params_gt", "tau_supernet_gt", "tau_supernet_params"):
                    srow[f"{key}_mean"], srow[f"{key}_std"] = _mean_std([r[key] for r in sel])
                    if idx is not None:
                        with np.errstate(all="ignore"):
                            srow[f"{key}_ci_low"], srow[f"{key}_ci_high"] = _boot.percentile_interval(
                                np.nanmean([dists[(e, r["seed"], key)] for r in sel], axis=0), level)
                summary.append(srow)
            notes = ["Kendall tau: (PS,GT) = tau_params_gt, (WS,GT) = tau_supernet_gt, (WS,PS) = tau_supernet_params; "
                     "scores oriented higher-is-better"]
            finite = pv[np.isfinite(pv)]
            if finite.size and np.ptp(finite) == 0:  # e.g. DARTS's recurrent cells: one size for every genotype
                notes.append(f"{params} is {finite[0]:g} for every subnet: no size ranking exists, so tau_params_gt "
                             "and tau_supernet_params are undefined (null); size bias cannot be measured here")
            opts = {"by": by, "epoch": epochs, "seed": seeds, "gt": gt, "params": params, "score": score}
            if level is not None:
                opts.update(ci=level, boot=boot, rng_seed=rng_seed)
                notes.append(_ci_note(level, boot, rng_seed))
            return self._result("bias", opts, rows, summary, notes)
        frac = _topk.parse_percent(top)
        choice = self._arch_values("choice").astype(np.int64)
        n_ops = int(choice.max()) + 1 if choice.size else 0
        decisions = [str(d) for d in self.attrs["decisions"]] + ["any"]
        ops = list(self.attrs["ops"])
        rows = []
        for e in epochs:
            per_seed, gap_draws = [], []  # gap_draws: [seed] -> (resamples, decisions + 1, ops) with ci
            for s in seeds:
                sn = self._sn(s, e, score=score)
                ok = np.isfinite(sn) & np.isfinite(g)
                per_seed.append(_bias.operator_bias(sn[ok], g[ok], choice[ok], frac, ties))
            if idx is not None:  # the same resamples for every seed; NaN subnets dropped from each
                gap_draws = _bias.operator_gap_resampled([self._sn(s, e, score=score) for s in seeds], g, choice,
                                                         idx, n_ops)
            for j, dname in enumerate(decisions):
                for o, op in enumerate(ops):
                    if o >= per_seed[0]["count"].shape[1] or not per_seed[0]["count"][j, o]:
                        continue
                    vals = {key: [p[key][j, o] for p in per_seed] for key in per_seed[0]}
                    gaps = [a - b for a, b in zip(vals["mean_pct_supernet"], vals["mean_pct_gt"])]
                    gm, gsd = _mean_std(gaps)
                    ci_cols = {}
                    if idx is not None:
                        ci_cols["gap_ci_low"], ci_cols["gap_ci_high"] = _boot.percentile_interval(
                            np.mean([d[:, j, o] for d in gap_draws], axis=0), level)
                    rows.append({"epoch": e, "decision": dname, "op": op, "count": int(vals["count"][0]),
                                 "mean_pct_supernet": float(np.mean(vals["mean_pct_supernet"])),
                                 "mean_pct_gt": float(np.mean(vals["mean_pct_gt"])),
                                 "gap_mean": gm, "gap_std": gsd,
                                 "share_top_supernet": float(np.mean(vals["share_top_supernet"])),
                                 "share_top_gt": float(np.mean(vals["share_top_gt"])), **ci_cols, "flag": ""})
        summary = []
        for e in epochs:
            sel = [r for r in rows if r["epoch"] == e and np.isfinite(r["gap_mean"])]
            for r in sorted(sel, key=lambda r: -abs(r["gap_mean"]))[: _count(flag, "flag", 0)]:
                r["flag"] = "overrated" if r["gap_mean"] > 0 else "underrated"
                summary.append({k: r[k] for k in ("epoch", "decision", "op", "gap_mean", "gap_std", "gap_ci_low",
                                                  "gap_ci_high", "mean_pct_supernet", "mean_pct_gt", "flag")
                                if k in r})
        notes = ["mean_pct_*: mean rank percentile (100 = best) of subnets with that op at that decision; "
                 "gap = supernet - GT (> 0: the supernet overrates the op); share_top_*: share of the top "
                 f"{top} under each ranking that has the op; decision 'any' = the op appears anywhere"]
        notes.append(f"the {flag} largest |gap| per epoch are flagged (--flag); shares of a top set count a tie at its "
                     "cut " + ("as the expectation over random tie-breaking" if ties == "random" else "in store order"))
        opts = {"by": by, "epoch": epochs, "seed": seeds, "top": top, "gt": gt, "flag": flag, "score": score,
                "ties": ties}
        if level is not None:
            opts.update(ci=level, boot=boot, rng_seed=rng_seed)
            notes.append(_ci_note(level, boot, rng_seed) + "; gap_ci_* is the interval of the gap's mean over seeds")
        return self._result("bias", opts, rows, summary, notes)

    def prune(self, mode: str = "optimistic", factor: Any = DEFAULT_FACTORS, epoch: Any = "last", seed: Any = "all",
              k: str = "1%", trials: int | None = None, rng_seed: int = 0, source: str = "posthoc",
              gt: str = "gt_score", score: str = "supernet", ties: str = "random") -> Result:
        """Statistics of what remains after pruning a fraction of the space.

        source='posthoc' prunes the recorded subnets after the fact (mode
        optimistic: worst by GT first; random: seeded, averaged over ``trials``,
        default 20). source='retrained' reads stores whose supernets were
        retrained on each pruned space (a ``prune`` dimension).
        """
        if mode not in _prune.MODES:
            raise UnknownNameError("prune mode", mode, _prune.MODES)
        if source not in ("posthoc", "retrained"):
            raise UnknownNameError("prune source", source, ("posthoc", "retrained"))
        if source == "retrained" and not self.has_prune_dim:
            raise OptionError(f"{self.name} has no supernets retrained on pruned spaces (no 'prune' dimension); "
                              "use source='posthoc'")
        if source == "retrained":
            factors = list(self.prune_factors)
        else:
            listed = _as_list(factor, "factor")
            try:
                factors = [float(f) for f in listed]
            except (TypeError, ValueError):
                raise OptionError(f"factor must be numbers in [0, 1), got {factor!r}") from None
            if any(not 0 <= f < 1 for f in factors):
                raise OptionError(f"every prune factor must lie in [0, 1), got {factors}")
        score, ties = self._check_score(score), self._check_ties(ties)
        epochs, seeds = self._epochs(epoch), self._seeds(seed)
        rng_seed = _count(rng_seed, "rng_seed", 0)
        t = (20 if mode == "random" else 1) if trials is None else _count(trials, "trials", 1)
        g = self._gt(gt)
        rows = []
        for e in epochs:
            for s in seeds:
                for f in factors:
                    sn = self._sn(s, e, prune=f if source == "retrained" else None, score=score)
                    pool = self._pool(sn, g, s, e, gt)
                    rng = np.random.default_rng(rng_seed)
                    acc: dict[str, list[float]] = {}
                    for _ in range(t if mode == "random" else 1):
                        if source == "retrained":
                            keep = pool
                        else:
                            keep = pool[_prune.remaining(g[pool], f, mode, rng)]
                        if len(keep) == 0:
                            raise OptionError(f"prune factor {f} removes all {len(pool)} subnets "
                                              f"(round({f} x {len(pool)}) = {len(pool)}); use a factor below "
                                              f"{(len(pool) - 0.5) / len(pool):.6g}")
                        kn = _topk.resolve_k(k, len(keep))
                        res = _topk.topk_sample(sn[keep], g[keep], kn, ties)
                        for key, val in (("remaining", len(keep)), ("mean_gt", g[keep].mean()), ("best_gt", g[keep].max()),
                                         ("supernet_topk_best_gt", res.best_gt), ("random_topk_best_gt", res.random_best_gt),
                                         ("kendall", correlate(sn[keep], g[keep], "kendall")),
                                         ("mean_supernet", sn[keep].mean()), ("best_supernet", sn[keep].max())):
                            acc.setdefault(key, []).append(float(val))
                    if mode == "random" and source == "posthoc":
                        acc.update(_prune.random_expectations(g[pool], f, k))  # exact: no Monte-Carlo needed
                    row: dict[str, Any] = {"seed": s, "epoch": e, "factor": f}
                    for key, vals in acc.items():
                        v = float(np.mean(vals))
                        row[key] = v if key in ("remaining", "kendall") else self._value(v)
                    row["remaining"] = int(round(row.get("remaining", 0)))
                    if mode == "random" and source == "posthoc":
                        for key in _prune.MONTE_CARLO:  # standard error of the mean over trials (NaN for one trial)
                            row[f"{key}_mc_se"] = _mc_se(acc[key])
                    rows.append(row)
        summary = []
        for e in epochs:
            for f in factors:
                sel = [r for r in rows if r["epoch"] == e and r["factor"] == f]
                srow: dict[str, Any] = {"epoch": e, "factor": f, "remaining": sel[0].get("remaining")}
                for key in ("mean_gt", "best_gt", "supernet_topk_best_gt", "random_topk_best_gt", "kendall"):
                    srow[f"{key}_mean"], srow[f"{key}_std"] = _mean_std([r.get(key, np.nan) for r in sel])
                    if f"{key}_mc_se" in sel[0]:  # of the mean over seeds: independent trials per seed
                        srow[f"{key}_mc_se"] = float(np.sqrt(np.sum([r[f"{key}_mc_se"] ** 2 for r in sel]))
                                                     / len(sel))
                summary.append(srow)
        notes = [f"factor = fraction of the subnets removed; top-k uses k={k} of what remains"]
        if mode == "random" and source == "posthoc":
            notes.append("random pruning: mean_gt, best_gt and random_topk_best_gt are exact expectations over "
                         "uniformly random pruning (closed form); supernet_topk_best_gt, kendall and the supernet "
                         f"columns average {t} seeded trials, *_mc_se = their Monte-Carlo standard error "
                         "(std over trials / sqrt(trials)); *_std is the spread over seeds")
        opts = {"mode": mode, "factor": factors, "epoch": epochs, "seed": seeds, "k": k, "trials": t,
                "rng_seed": rng_seed, "source": source, "gt": gt, "score": score, "ties": ties}
        return self._result("prune", opts, rows, summary, notes)

    def stability(self, method: str = "kendall", seed: Any = "all", epoch: Any = "all", score: str = "supernet") -> Result:
        """Correlation of supernet rankings between consecutive recorded epochs and between seed pairs."""
        (m,) = self._methods(method) if len(_as_list(method, "method")) == 1 else (None,)
        if m is None:
            raise OptionError(f"stability takes one method, got {method!r}")
        score = self._check_score(score)
        epochs, seeds = self._epochs(epoch), self._seeds(seed)
        rows = []
        for s in seeds:
            taus = _stab.epoch_stability(np.stack([self._sn(s, e, score=score) for e in epochs]), m)
            for a, b, tau in zip(epochs, epochs[1:], taus):
                rows.append({"kind": "epoch", "seed": s, "epoch": b, "between": f"epoch {a} vs {b}", m: float(tau)})
        for e in epochs:
            for i, j, tau in _stab.seed_stability(np.stack([self._sn(s, e, score=score) for s in seeds]), m):
                rows.append({"kind": "seed", "seed": None, "epoch": e, "between": f"seed {seeds[i]} vs {seeds[j]}",
                             m: tau})
        summary = []
        for kind in ("epoch", "seed"):
            for e in epochs:
                sel = [r[m] for r in rows if r["kind"] == kind and r["epoch"] == e]
                if sel:
                    mean, sd = _mean_std(sel)
                    summary.append({"kind": kind, "epoch": e, "pairs": len(sel), f"{m}_mean": mean, f"{m}_std": sd})
        notes = ["kind=epoch: epoch e vs the previous chosen epoch, per seed; kind=seed: all seed pairs at epoch e"]
        if len(seeds) < 2:
            notes.append("only one seed selected: no seed-to-seed rows")
        return self._result("stability", {"method": m, "seed": seeds, "epoch": epochs, "score": score}, rows, summary,
                            notes)

    def info(self) -> Result:
        """Dimensions, variables and provenance attributes of the store."""
        rows = [{"variable": n, "dims": ",".join(a.dims), "shape": "x".join(map(str, a.shape)), "dtype": a.data_type}
                for n, a in self.reader.meta.arrays.items() if n not in a.dims]
        summary = [{"key": "archs", "value": self.n_archs}, {"key": "epochs", "value": self.epochs},
                   {"key": "seeds", "value": self.seeds}]
        summary += [{"key": k, "value": v} for k, v in self.attrs.items()]
        return Result("info", self.name, {}, rows, summary, [])
