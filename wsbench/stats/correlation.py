"""The ``correlation`` statistic: rank correlation of a score with the ground truth per (seed, epoch), with its
summary over seeds. The coefficients themselves are in :mod:`wsbench.stats.coefficients` (re-exported here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats import options as _opt
from wsbench.stats.coefficients import (  # noqa: F401  (re-exported: the public home of the coefficients)
    METHODS,
    SCIPY_KENDALL_ABOVE,
    WEIGH_BY,
    correlate,
    inversions,
    kendall_tau_b,
)
from wsbench.stats.summary import ScoreFn, Table, mean_of_draws, mean_std
from wsbench.stats.topk_kernel import parse_percent, resolve_k

if TYPE_CHECKING:
    from wsbench.stats.source import Source

DEFAULT_METHODS = ("kendall", "spearman")


@dataclass(frozen=True)
class Options:
    methods: list[str]
    weigh_by: str
    level: float | None  # confidence level of the bootstrap interval; None: no interval
    boot: int
    rng_seed: int
    gt_resolution: float | None
    within_top: str | None


def parse_options(method: Any = DEFAULT_METHODS, weigh_by: str = "both", ci: float | None = None,
                  boot: int = 1000, rng_seed: int = 0, gt_resolution: float | None = None,
                  within_top: str | None = None) -> Options:
    """Every option of the statistic checked (no data needed)."""
    from wsbench.stats import bootstrap as _boot

    methods = _opt.methods(method)
    _opt.one_of(weigh_by, WEIGH_BY, "weighted tau's weighting (weigh_by)")
    level = None if ci is None else _boot.check_level(ci)
    boot = _opt.count(boot, "boot", 10)
    rng_seed = _opt.count(rng_seed, "rng_seed", 0)
    if within_top is not None:
        parse_percent(within_top)  # a share, not a count
    res = None if gt_resolution is None else _opt.resolution(gt_resolution)
    return Options(methods, weigh_by, level, boot, rng_seed, res, within_top)


def correlation_table(sn: ScoreFn, g: np.ndarray, epochs: list[int], seeds: list[int], o: Options,
                      against: str = "gt_score", score: str = "supernet") -> Table:
    """Correlation of ``sn(seed, epoch)`` with ``g`` (goodness of ``against``) for every selected (seed, epoch);
    summary per epoch = mean ± std over seeds (and, with ``o.level``, the interval of that mean: the same
    bootstrap resamples of the subnets serve every seed)."""
    from wsbench.stats import bootstrap as _boot

    methods, level = o.methods, o.level
    if o.within_top is not None:
        finite = np.sort(g[np.isfinite(g)])[::-1]
        if finite.size == 0:
            raise OptionError(f"{against} has no finite values to take a top {o.within_top} of")
        cut = finite[resolve_k(o.within_top, finite.size) - 1]
        g = np.where(g >= cut, g, np.nan)  # the whole tie group at the cut stays (no arbitrary split)
    if o.gt_resolution is not None:
        res = o.gt_resolution
        g = np.round(g / res) * res  # values within one resolution step become ties (NASLib's kt at 0.1)
    idx = _boot.resamples(len(g), o.boot, o.rng_seed) if level is not None else None
    mult = _boot.counts(idx, len(g)) if idx is not None else None
    rows, summary = [], []
    for e in epochs:
        per_seed, draws = [], {m: [] for m in methods}
        for s in seeds:
            x = sn(s, e)
            ok = np.isfinite(x) & np.isfinite(g)
            row = {"seed": s, "epoch": e, "n": int(ok.sum())}
            row.update({m: correlate(x, g, m, o.weigh_by) for m in methods})
            if idx is not None:
                for m in methods:
                    d = _boot.correlation_draws(x, g, idx, m, o.weigh_by, mult)
                    draws[m].append(d)
                    row[f"{m}_ci_low"], row[f"{m}_ci_high"] = _boot.percentile_interval(d, level)
            rows.append(row)
            per_seed.append(row)
        srow: dict[str, Any] = {"epoch": e, "seeds": len(seeds)}
        for m in methods:
            srow[f"{m}_mean"], srow[f"{m}_std"] = mean_std([r[m] for r in per_seed])
            if idx is not None:  # the same subnet draws for every seed: an interval for the mean over seeds
                srow[f"{m}_ci_low"], srow[f"{m}_ci_high"] = _boot.percentile_interval(
                    mean_of_draws(draws[m]), level)
        summary.append(srow)
    opts: dict[str, Any] = {"epoch": epochs, "seed": seeds, "method": methods, "against": against, "score": score}
    notes = []
    if o.within_top is not None:
        opts["within_top"] = o.within_top
        notes.append(f"only the subnets in the top {o.within_top} by {against} (ties at the cut all kept; n per "
                     "row): how well the ranking orders the good subnets among themselves")
    if o.gt_resolution is not None:
        opts["gt_resolution"] = o.gt_resolution
        notes.append(f"{against} rounded to multiples of {o.gt_resolution:g} before ranking: differences below the "
                     "benchmark's resolution count as ties")
    if level is not None:
        opts.update(ci=level, boot=o.boot, rng_seed=o.rng_seed)
        notes.append(f"*_ci_low/high: {level:.0%} bootstrap percentile interval over subnets ({o.boot} resamples "
                     f"with replacement, rng_seed {o.rng_seed}; the same draws for every seed, so the summary's "
                     "interval is that of the mean over seeds); it shows sampling of subnets, not of seeds")
    if "weighted" in methods:
        opts["weigh_by"] = o.weigh_by
        notes.append("weighted: Vigna's weighted tau, hyperbolic weights; " + (
            "symmetrised (mean of the forms weighted by supernet ranks and by GT ranks)" if o.weigh_by == "both"
            else f"pairs weighted by the {o.weigh_by} ranking's ranks (one-sided)"))
    return Table(opts, rows, summary, notes)


def query(store: Source, epoch: Any = "last", seed: Any = "all", method: Any = DEFAULT_METHODS,
          against: str = "gt_score", score: str = "supernet", weigh_by: str = "both", ci: float | None = None,
          boot: int = 1000, rng_seed: int = 0, gt_resolution: float | None = None,
          within_top: str | None = None) -> Table:
    """Correlation of supernet scores with ground truth per (seed, epoch); summary = mean ± std over seeds.

    ``against`` picks the other variable: ``gt_score`` (default), another
    ``gt_score_<name>``, or a per-subnet size such as ``params``/``flops``.
    """
    score = store.check_score(score)
    epochs, seeds = store.select_epochs(epoch), store.select_seeds(seed)
    o = parse_options(method, weigh_by, ci, boot, rng_seed, gt_resolution, within_top)
    return correlation_table(store.score_fn(score), store.against(against), epochs, seeds, o, against=against,
                             score=score)
