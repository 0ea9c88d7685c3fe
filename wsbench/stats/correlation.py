"""The ``correlation`` statistic: rank correlation of a score with the ground truth per (seed, epoch), with its
summary over seeds. The coefficients themselves are in :mod:`wsbench.stats.coefficients` (re-exported here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

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


class Options(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.4 ms of every start
    methods: list[str]
    weigh_by: str
    level: float | None  # confidence level of the bootstrap interval; None: no interval
    boot: int
    rng_seed: int
    gt_resolution: float | None
    within_top: str | None
    ceiling: bool = False  # the summary's tau over the GT's seed-to-seed tau (needs >= 2 GT trainings)


def parse_options(method: Any = DEFAULT_METHODS, weigh_by: str = "both", ci: float | None = None,
                  boot: int = 1000, rng_seed: int = 0, gt_resolution: float | None = None,
                  within_top: str | None = None, ceiling: bool = False) -> Options:
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
    if not isinstance(ceiling, bool):
        raise OptionError(f"ceiling must be True or False, got {ceiling!r}")
    if ceiling and (within_top is not None or res is not None):
        raise OptionError("ceiling compares with the GT's seed-to-seed correlation over all subnets at full "
                          "resolution: it cannot be combined with within_top or gt_resolution")
    return Options(methods, weigh_by, level, boot, rng_seed, res, within_top, ceiling)


def _round_to(g: np.ndarray, res: float, against: str) -> np.ndarray:
    """``g`` rounded to steps of ``res``: values within one step become ties (NASLib's kt at 0.1). A step so small
    that the quotient overflows, or so large that every value becomes one tie, would answer NaN without a word:
    both are refused."""
    finite = g[np.isfinite(g)]
    with np.errstate(over="ignore"):
        steps = np.round(g / res)
    if not np.isfinite(steps[np.isfinite(g)]).all():
        raise OptionError(f"gt_resolution {res!r} is too small for {against} (values up to {np.abs(finite).max():g}):"
                          " the number of steps overflows; expected a resolution in metric units such as 0.1")
    out = steps * res
    if np.unique(finite).size > 1 and np.unique(out[np.isfinite(out)]).size < 2:
        raise OptionError(f"gt_resolution {res!r} makes every {against} value one tie (they span "
                          f"{finite.max() - finite.min():g}): nothing is left to rank against; expected a resolution "
                          "smaller than that span, in metric units such as 0.1")
    return out


def correlation_table(sn: ScoreFn, g: np.ndarray, epochs: list[int], seeds: list[int], o: Options,
                      against: str = "gt_score", score: str = "supernet",
                      trainings: np.ndarray | None = None, trainings_source: str = "gt_score_per_seed") -> Table:
    """Correlation of ``sn(seed, epoch)`` with ``g`` (goodness of ``against``) for every selected (seed, epoch);
    summary per epoch = mean ± std over seeds (and, with ``o.level``, the interval of that mean: the same
    bootstrap resamples of the subnets serve every seed). With ``o.ceiling``, ``trainings`` (gt_seed x arch, one
    GT per training, >= 2) gives each method's GT seed-to-seed value and the summary's ratio to it;
    ``trainings_source`` says whether they are measured (``gt_score_per_seed``) or simulated from the GT's std
    (``gt_score_std``, :func:`wsbench.stats.ceiling.implied_trainings`)."""
    from wsbench.stats import bootstrap as _boot

    methods, level = o.methods, o.level
    if o.within_top is not None:
        finite = np.sort(g[np.isfinite(g)])[::-1]
        if finite.size == 0:
            raise OptionError(f"{against} has no finite values to take a top {o.within_top} of")
        cut = finite[resolve_k(o.within_top, finite.size) - 1]
        g = np.where(g >= cut, g, np.nan)  # the whole tie group at the cut stays (no arbitrary split)
    if o.gt_resolution is not None:
        g = _round_to(g, o.gt_resolution, against)
    idx = _boot.resamples(len(g), o.boot, o.rng_seed) if level is not None else None
    mult = _boot.counts(idx, len(g)) if idx is not None else None
    ceiling = _ceiling(trainings, methods, idx, mult) if o.ceiling else None
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
        if ceiling is not None:
            for m in methods:
                gt_value, gt_draws = ceiling[m]
                srow[f"{m}_gt_vs_gt"] = gt_value
                srow[f"{m}_ratio"] = srow[f"{m}_mean"] / gt_value if gt_value != 0 else float("nan")
                if idx is not None:
                    with np.errstate(invalid="ignore", divide="ignore"):
                        srow[f"{m}_ratio_ci_low"], srow[f"{m}_ratio_ci_high"] = _boot.percentile_interval(
                            mean_of_draws(draws[m]) / gt_draws, level)
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
    if ceiling is not None:
        from wsbench.stats.ceiling import trainings_note

        opts["ceiling"] = True
        opts["ceiling_from"] = trainings_source
        pairs = len(trainings) * (len(trainings) - 1) // 2
        what = trainings_note(trainings_source, len(trainings), o.rng_seed)
        notes.append(f"*_gt_vs_gt: the GT's own seed-to-seed value of each method, the mean over the {pairs} "
                     f"pair(s) of {what}, each pair over the subnets finite in both; *_ratio: the summary's mean over seeds against {against} divided by it, the "
                     "share of the agreement a ranking can reach (above 1 is possible)" + (
                         "; *_ratio_ci_low/high: its interval, numerator and denominator computed on the same "
                         "resamples of the subnets" if level is not None else ""))
    if "weighted" in methods:
        opts["weigh_by"] = o.weigh_by
        notes.append("weighted: Vigna's weighted tau, hyperbolic weights; " + (
            "symmetrised (mean of the forms weighted by supernet ranks and by GT ranks)" if o.weigh_by == "both"
            else f"pairs weighted by the {o.weigh_by} ranking's ranks (one-sided)"))
    return Table(opts, rows, summary, notes)


def _ceiling(trainings: np.ndarray, methods: list[str], idx: np.ndarray | None,
             mult: np.ndarray | None) -> dict[str, tuple[float, np.ndarray | None]]:
    """Per method: the GT's seed-to-seed value (:func:`wsbench.stats.ceiling.gt_seed_tau`) and, with resamples
    ``idx``, its draws (the mean over pairs of trainings, resample by resample)."""
    from itertools import combinations

    from wsbench.stats import bootstrap as _boot
    from wsbench.stats.ceiling import gt_seed_tau

    out: dict[str, tuple[float, np.ndarray | None]] = {}
    for m in methods:
        draws = None
        if idx is not None:
            draws = mean_of_draws([_boot.correlation_draws(trainings[i], trainings[j], idx, m, multiplicities=mult)
                                   for i, j in combinations(range(len(trainings)), 2)])
        out[m] = (gt_seed_tau(trainings, m), draws)
    return out


def query(store: Source, epoch: Any = "last", seed: Any = "all", method: Any = DEFAULT_METHODS,
          against: str = "gt_score", score: str = "supernet", weigh_by: str = "both", ci: float | None = None,
          boot: int = 1000, rng_seed: int = 0, gt_resolution: float | None = None,
          within_top: str | None = None, ceiling: bool = False) -> Table:
    """Correlation of supernet scores with ground truth per (seed, epoch); summary = mean ± std over seeds.

    ``against`` picks the other variable: ``gt_score`` (default), another
    ``gt_score_<name>``, ``gt_score_per_seed:N`` (one GT training, gt_seed N), or a per-subnet size such as
    ``params``/``flops``. ``ceiling``: the summary adds each method's GT seed-to-seed value and the ratio of its
    mean to it (with ``ci``: an interval), from the store's GT trainings (``gt_score_per_seed``, >= 2) or, where it
    has none but a per-architecture std (``gt_score_std``), from trainings simulated with that std.
    """
    score = store.check_score(score)
    epochs, seeds = store.select_epochs(epoch), store.select_seeds(seed)
    o = parse_options(method, weigh_by, ci, boot, rng_seed, gt_resolution, within_top, ceiling)
    trainings = None
    if o.ceiling:
        from wsbench.stats.ceiling import store_trainings

        if not against.startswith("gt_score"):
            raise OptionError(f"ceiling compares a correlation with the ground truth to the GT's own seed-to-seed "
                              f"value: against must be a ground truth, got {against!r}")
        trainings = store_trainings(store, o.rng_seed)
    return correlation_table(store.score_fn(score), store.against(against), epochs, seeds, o, against=against,
                             score=score, trainings=None if trainings is None else trainings.values,
                             trainings_source="gt_score_per_seed" if trainings is None else trainings.source)
