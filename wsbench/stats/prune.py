"""The ``prune`` statistic: what remains of the space after removing a fraction of it, and does the supernet
find good subnets in what remains?"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats import options as _opt
from wsbench.stats.ranking import to_metric
from wsbench.stats.summary import Table, mc_se, mean_std
from wsbench.stats.summary import pool as finite_pool

if TYPE_CHECKING:
    from wsbench.stats.source import Source

MODES = ("optimistic", "random", "supernet")
#: modes that remove subnets by the ground truth itself: no search can prune so (the report sets their figures beside
#: k random subnets of the same pruned pool, so the oracle's gain is not read as the supernet's)
ORACLE_MODES = ("optimistic",)
#: the GT's top sets whose survival supernet-driven pruning reports (share of the pool, resolved as top-k's k)
SURVIVAL = ("1%", "10%")
SOURCES = ("posthoc", "retrained")
#: modes a retrained store's runs can be read by: each run of one mode, every run ("all", the default), the control
RETRAINED_MODES = ("all", "none", *MODES)
DEFAULT_FACTORS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: what random pruning can only estimate by trials (it depends on the supernet's order inside what remains)
MONTE_CARLO = ("supernet_topk_best_gt", "kendall", "mean_supernet", "best_supernet")


def random_expectations(g: np.ndarray, factor: float, k: str) -> dict[str, list[float]]:
    """Exact expectations over uniformly random pruning of the GT goodness ``g`` (no Monte-Carlo).

    What remains is a uniform r-subset of the n subnets (r = n - round(factor n)), so: its mean GT has
    expectation mean(g); its best GT is the best of r uniform draws without replacement; k random subnets of it
    are k uniform draws from all n (:func:`wsbench.stats.topk.random_best_distribution` for both).
    """
    from wsbench.stats.topk_kernel import random_best_distribution, resolve_k

    n = len(g)
    r = n - round(factor * n)
    desc = np.sort(g)[::-1]
    return {"mean_gt": [float(g.mean())], "best_gt": [float(random_best_distribution(n, r) @ desc)],
            "random_topk_best_gt": [float(random_best_distribution(n, resolve_k(k, r)) @ desc)]}


def remaining(gt: np.ndarray, factor: float, mode: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """Sorted indices kept after removing round(factor * n) subnets.

    optimistic: remove the worst by ground-truth goodness; among equal ground
    truths the lower store index is removed first (stable sort).
    random: remove a uniformly random subset (``rng`` required).
    (mode 'supernet' removes by the score, with exact tie expectations: :func:`supernet_pruning`.)
    """
    n = len(gt)
    drop = int(round(factor * n))
    if mode == "optimistic":
        worst_first = np.argsort(gt, kind="stable")
        return np.sort(worst_first[drop:])
    if mode == "random":
        assert rng is not None
        return np.sort(rng.permutation(n)[drop:])
    from wsbench.errors import UnknownNameError

    raise UnknownNameError("prune mode", mode, MODES)

def survival_key(cut: str) -> str:
    """Row name of the share of the GT's top ``cut`` that survives: '10%' -> 'gt_top10pct_survival'."""
    return f"gt_top{cut.rstrip('%').replace('.', '_')}pct_survival"


def supernet_pruning(w: np.ndarray, t: np.ndarray, factor: float, ties: str = "random") -> dict[str, float]:
    """Remove the estimator's worst round(factor n) of one pool; what of the GT's best survives, beside removing
    as many at random (every figure an exact expectation, no Monte-Carlo).

    ``w``, ``t``: goodness of the estimator and of the GT (finite, one pool). What remains is the top
    r = n - round(factor n) by ``w``; a tie group of ``w`` at the cut is split uniformly at random
    (``ties="random"``: subnet i survives with probability p_i = 1 above the cut, a/m in the group, 0 below) or in
    store order (``"store"``: the lower index survives). With q_i the same for the GT's top k_c (k_c =
    ceil(n c), ``SURVIVAL``), the share of that top set that survives is sum_i p_i q_i / k_c (linearity; random
    removal: r / n). ``best_gt``: E[best GT left] (:func:`wsbench.stats.bottomtop.expected_extreme_in_top`;
    random: the best of r uniform draws), ``best_gt_rank`` its 1-based GT rank (1: the best subnet survived),
    ``mean_gt`` = sum_i p_i t_i / r (random: mean of all). Goodness units; the caller converts.
    """
    from wsbench.stats.bottomtop import expected_extreme_in_top, gt_ranks, random_extreme
    from wsbench.stats.ranking import order_best_first, top_share
    from wsbench.stats.topk_kernel import resolve_k

    n = len(w)
    r = n - int(round(factor * n))
    if ties == "store":
        keep = order_best_first(w)[:r]
        p = np.zeros(n)
        p[keep] = 1.0
        kept = keep
    else:
        p = top_share(w, np.sort(w)[::-1], r)
        kept = None
    ranks = gt_ranks(t).astype(np.float64)
    desc_t = np.sort(t)[::-1]
    out: dict[str, float] = {"remaining": float(r)}
    for cut in SURVIVAL:
        kc = resolve_k(cut, n)
        out[survival_key(cut)] = float(p @ top_share(t, desc_t, kc)) / kc
    if kept is not None:
        out["best_gt"], out["best_gt_rank"] = float(t[kept].max()), float(ranks[kept].min())
    else:
        out["best_gt"] = expected_extreme_in_top(w, t, r)
        out["best_gt_rank"] = expected_extreme_in_top(w, ranks, r, largest=False)
    out["mean_gt"] = float(p @ t) / r
    out["random_survival"] = r / n
    out["random_best_gt"] = random_extreme(t, r)
    out["random_best_gt_rank"] = random_extreme(ranks, r, largest=False)
    out["random_mean_gt"] = float(t.mean())
    if 0 < r < n and ties != "store":
        v = np.sort(w)[::-1][r - 1]
        out["tie_group"] = float((w == v).sum())
    else:
        out["tie_group"] = 1.0 if 0 < r < n else 0.0
    return out


#: supernet mode's row values in goodness units (converted back to metric units), and its summary columns
_SUPERNET_VALUES = ("best_gt", "mean_gt", "random_best_gt", "random_mean_gt")


def supernet_prune_table(sn: Callable[[int, int, float | None], np.ndarray], g: np.ndarray, epochs: list[int],
                         seeds: list[int], factors: list[float], o: Options, direction: str, gt: str = "gt_score",
                         score: str = "supernet") -> Table:
    """Mode 'supernet': per (seed, epoch, factor) :func:`supernet_pruning` of the pool; summary per (epoch,
    factor): mean and std over seeds of every column."""
    rows = []
    for e in epochs:
        for s in seeds:
            x = sn(s, e, None)
            pool = finite_pool(x, g, s, e, gt)
            for f in factors:
                if len(pool) - round(f * len(pool)) == 0:
                    raise OptionError(f"prune factor {f} removes all {len(pool)} subnets "
                                      f"(round({f} x {len(pool)}) = {len(pool)}); use a factor below "
                                      f"{(len(pool) - 0.5) / len(pool):.6g}")
                vals = supernet_pruning(x[pool], g[pool], f, o.ties)
                row: dict[str, Any] = {"seed": s, "epoch": e, "factor": f, "remaining": round(vals.pop("remaining"))}
                for key, v in vals.items():
                    row[key] = to_metric(v, direction) if key in _SUPERNET_VALUES else v
                row["tie_group"] = round(row["tie_group"])
                rows.append(row)
    cols = [c for c in rows[0] if c not in ("seed", "epoch", "factor", "remaining", "tie_group")] if rows else []
    summary = []
    for e in epochs:
        for f in factors:
            sel = [r for r in rows if r["epoch"] == e and r["factor"] == f]
            srow: dict[str, Any] = {"epoch": e, "factor": f, "remaining": sel[0]["remaining"]}
            for key in cols:
                vals = [r[key] for r in sel]
                srow[f"{key}_mean"], srow[f"{key}_std"] = mean_std(vals)
                if len(vals) > 1 and len(set(vals)) == 1:  # one value for every seed (a baseline): std exactly 0
                    srow[f"{key}_mean"], srow[f"{key}_std"] = float(vals[0]), 0.0
            srow["tie_group_max"] = max(r["tie_group"] for r in sel)
            summary.append(srow)
    tie_rule = ("a tie group of scores at the cut split uniformly at random (exact expectation)" if o.ties == "random"
                else "ties at the cut in store order (the lower index survives)")
    notes = [f"supernet-driven pruning: factor = fraction removed, the worst by {score} first ({tie_rule}); "
             "gt_top*pct_survival = share of the GT's top 1% / 10% (of the pool) that survives, best_gt = the best "
             "GT left, best_gt_rank its GT rank (1: the best subnet survived); random_* = removing as many "
             "uniformly at random (exact expectations: survival r/n, best of r uniform draws)",
             f"no top-k of what remains: pruning by {score} keeps its own top-k, so that find would not change"]
    opts = {"mode": o.mode, "factor": factors, "epoch": epochs, "seed": seeds, "k": o.k, "trials": o.trials,
            "rng_seed": o.rng_seed, "source": o.source, "gt": gt, "score": score, "ties": o.ties,
            "survival": list(SURVIVAL)}
    return Table(opts, rows, summary, notes)


class Options(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.4 ms of every start
    mode: str
    source: str
    factors: list[float] | None  # None with source='retrained': the store's prune factors
    k: str
    trials: int  # random draws averaged per row (1 in optimistic mode)
    rng_seed: int
    ties: str


def parse_options(mode: str | None = None, factor: Any = DEFAULT_FACTORS, source: str = "posthoc", k: str = "1%",
                  trials: int | None = None, rng_seed: int = 0, ties: str = "random") -> Options:
    """Every option checked; ``factor`` only for source='posthoc' (retrained stores bring their own factors).
    ``mode`` defaults to optimistic (posthoc) or all (retrained: every run of the store)."""
    _opt.one_of(source, SOURCES, "prune source")
    if source == "retrained":
        mode = "all" if mode is None else mode
        _opt.one_of(mode, RETRAINED_MODES, "prune mode of retrained runs")
        return Options(mode, source, None, k, 1, rng_seed, _opt.ties(ties))
    mode = "optimistic" if mode is None else mode
    if mode in ("all", "none"):
        raise OptionError(f"prune mode {mode!r} reads the runs of a store retrained on pruned spaces: it needs "
                          "source='retrained' (posthoc: optimistic, random or supernet)")
    _opt.one_of(mode, MODES, "prune mode")
    factors = None
    if source == "posthoc":
        listed = _opt.as_list(factor, "factor")
        try:
            factors = [float(f) for f in listed]
        except (TypeError, ValueError):
            raise OptionError(f"factor must be numbers in [0, 1), got {factor!r}") from None
        if any(not 0 <= f < 1 for f in factors):
            raise OptionError(f"every prune factor must lie in [0, 1), got {factors}")
    ties = _opt.ties(ties)
    rng_seed = _opt.count(rng_seed, "rng_seed", 0)
    t = (20 if mode == "random" else 1) if trials is None else _opt.count(trials, "trials", 1)
    if mode == "supernet":
        t = 1  # every figure is an exact expectation
    return Options(mode, source, factors, k, t, rng_seed, ties)


def _kendall_of_subsets(x: np.ndarray, g: np.ndarray, pool: np.ndarray, keeps: list[np.ndarray]) -> np.ndarray:
    """Kendall's tau of x and g over each kept subset of ``pool`` (finite), all at once as 0/1 multiplicities
    (:func:`wsbench.stats.kendall_blocks.tau_b`: the very floats of ``correlate`` on each subset); one subset (no
    trials) directly."""
    if len(keeps) == 1:
        from wsbench.stats.coefficients import correlate

        return np.array([correlate(x[keeps[0]], g[keeps[0]], "kendall")])
    from wsbench.stats.kendall_blocks import tau_b

    where = np.zeros(len(x), dtype=np.int64)
    where[pool] = np.arange(len(pool))
    masks = np.zeros((len(keeps), len(pool)))
    for row, keep in zip(masks, keeps, strict=True):
        row[where[keep]] = 1.0
    return tau_b(masks, x[pool], g[pool])


def prune_table(sn: Callable[[int, int, float | None], np.ndarray], g: np.ndarray, epochs: list[int],
                seeds: list[int], factors: list[float], o: Options, direction: str, gt: str = "gt_score",
                score: str = "supernet") -> Table:
    """Per (seed, epoch, factor): what remains after pruning (``o.mode``: worst by GT first, or at random, averaged
    over ``o.trials`` seeded draws with the exact expectations where they exist), its mean and best GT, the best GT
    of the top-k by score and of k random subnets of it, and Kendall's tau inside it; summary per (epoch, factor).

    ``sn(seed, epoch, factor)``: goodness of every subnet (``factor`` is None unless source='retrained', whose
    supernets were trained on each pruned space); ``direction``: the metric's, to report values in metric units.
    """
    from wsbench.stats.topk import topk_sample
    from wsbench.stats.topk_kernel import resolve_k

    if o.mode == "supernet":
        return supernet_prune_table(sn, g, epochs, seeds, factors, o, direction, gt=gt, score=score)
    mode, source, k, t = o.mode, o.source, o.k, o.trials
    rows = []
    per_trial: dict[tuple, dict[str, list[float]]] = {}  # (epoch, seed, factor) -> each trial's values
    for e in epochs:
        for s in seeds:
            for f in factors:
                x = sn(s, e, f if source == "retrained" else None)
                pool = finite_pool(x, g, s, e, gt)
                if mode == "random":
                    from wsbench.stats.options import within_budget

                    within_budget(f"trials={t:,} random prunings", t, len(pool), "subnets")
                rng = np.random.default_rng(o.rng_seed)
                acc: dict[str, list[float]] = {}
                keeps = [pool if source == "retrained" else pool[remaining(g[pool], f, mode, rng)]
                         for _ in range(t if mode == "random" else 1)]
                if len(keeps[0]) == 0:
                    raise OptionError(f"prune factor {f} removes all {len(pool)} subnets "
                                      f"(round({f} x {len(pool)}) = {len(pool)}); use a factor below "
                                      f"{(len(pool) - 0.5) / len(pool):.6g}")
                taus = _kendall_of_subsets(x, g, pool, keeps)
                for keep, tau in zip(keeps, taus, strict=True):
                    kn = resolve_k(k, len(keep))
                    res = topk_sample(x[keep], g[keep], kn, o.ties)
                    for key, val in (("remaining", len(keep)), ("mean_gt", g[keep].mean()), ("best_gt", g[keep].max()),
                                     ("supernet_topk_best_gt", res.best_gt), ("random_topk_best_gt", res.random_best_gt),
                                     ("kendall", tau),
                                     ("mean_supernet", x[keep].mean()), ("best_supernet", x[keep].max())):
                        acc.setdefault(key, []).append(float(val))
                per_trial[(e, s, f)] = dict(acc)
                if mode == "random" and source == "posthoc":
                    acc.update(random_expectations(g[pool], f, k))  # exact: no Monte-Carlo needed
                row: dict[str, Any] = {"seed": s, "epoch": e, "factor": f}
                for key, vals in acc.items():
                    v = float(np.mean(vals))
                    row[key] = v if key in ("remaining", "kendall") else to_metric(v, direction)
                row["remaining"] = round(row.get("remaining", 0))
                if mode == "random" and source == "posthoc":
                    for key in MONTE_CARLO:  # standard error of the mean over trials (NaN for one trial)
                        row[f"{key}_mc_se"] = mc_se(acc[key])
                # the supernet's find beside k random subnets of the same pruned pool (goodness points, > 0: the
                # supernet's is better): what the supernet adds, whatever the pruning did
                row["supernet_gain_over_random"] = float(np.mean(acc["supernet_topk_best_gt"])
                                                         - np.mean(acc["random_topk_best_gt"]))
                rows.append(row)
    summary = []
    for e in epochs:
        for f in factors:
            sel = [r for r in rows if r["epoch"] == e and r["factor"] == f]
            srow: dict[str, Any] = {"epoch": e, "factor": f, "remaining": sel[0].get("remaining")}
            for key in ("mean_gt", "best_gt", "supernet_topk_best_gt", "random_topk_best_gt", "kendall"):
                srow[f"{key}_mean"], srow[f"{key}_std"] = mean_std([r.get(key, np.nan) for r in sel])
                if f"{key}_mc_se" in sel[0]:  # of the mean over seeds: the same draws serve every seed
                    srow[f"{key}_mc_se"] = mc_se(np.mean([per_trial[(e, r["seed"], f)][key] for r in sel], axis=0))
            key = "supernet_gain_over_random"
            srow[f"{key}_mean"], srow[f"{key}_std"] = mean_std([r[key] for r in sel])
            summary.append(srow)
    notes = [f"factor = fraction of the subnets removed; top-k uses k={k} of what remains"]
    if mode in ORACLE_MODES:
        notes.append("optimistic pruning removes by the ground truth, an oracle no search has: what it adds to "
                     "best_gt and supernet_topk_best_gt is the oracle's; read supernet_topk_best_gt beside "
                     "random_topk_best_gt (k random subnets of the same pruned pool); supernet_gain_over_random = "
                     "their difference in goodness (> 0: the supernet's find is better); --mode supernet prunes by "
                     "the score instead")
    else:
        notes.append("supernet_gain_over_random = supernet_topk_best_gt - random_topk_best_gt in goodness (> 0: the "
                     "supernet's find is better than k random subnets of the same pruned pool)")
    if mode == "random" and source == "posthoc":
        notes.append("random pruning: mean_gt, best_gt and random_topk_best_gt are exact expectations over "
                     "uniformly random pruning (closed form); supernet_topk_best_gt, kendall and the supernet "
                     f"columns average {t} seeded trials, *_mc_se = their Monte-Carlo standard error "
                     "(std over trials / sqrt(trials)); *_std is the spread over seeds")
    opts = {"mode": mode, "factor": factors, "epoch": epochs, "seed": seeds, "k": k, "trials": t,
            "rng_seed": o.rng_seed, "source": source, "gt": gt, "score": score, "ties": o.ties}
    return Table(opts, rows, summary, notes)


def query(store: Source, mode: str | None = None, factor: Any = DEFAULT_FACTORS, epoch: Any = "last",
          seed: Any = "all", k: str = "1%", trials: int | None = None, rng_seed: int = 0, source: str = "posthoc",
          gt: str = "gt_score", score: str = "supernet", ties: str = "random") -> Table:
    """Statistics of what remains after pruning a fraction of the space.

    source='posthoc' prunes the recorded subnets after the fact (mode
    optimistic, the default: worst by GT first, an oracle; random: seeded, averaged over ``trials``,
    default 20; supernet: worst by ``score`` first, beside random removal, exact). source='retrained' reads stores whose supernets were
    retrained on each pruned space (a ``prune`` dimension): every run of ``mode`` (default all), beside the
    control supernet restricted to the same pools (:mod:`wsbench.stats.prune_retrained`).
    """
    o = parse_options(mode, factor, source, k, trials, rng_seed, ties)
    if o.source == "retrained" and not store.has_prune_dim:
        raise OptionError(f"{store.name} has no supernets retrained on pruned spaces (no 'prune' dimension); "
                          "use source='posthoc'")
    if o.source == "retrained":
        from wsbench.stats.prune_retrained import retrained_table

        score = store.check_score(score)
        modes = list(RETRAINED_MODES[1:]) if o.mode == "all" else [o.mode]
        return retrained_table(store.score_fn(score, prune=True), store.gt(gt), list(store.prune_runs), modes,
                               store.select_epochs(epoch), store.select_seeds(seed), o.k, o.ties, store.direction,
                               gt=gt, score=score)
    factors = list(store.prune_factors) if o.factors is None else o.factors
    score = store.check_score(score)
    epochs, seeds = store.select_epochs(epoch), store.select_seeds(seed)
    return prune_table(store.score_fn(score, prune=True), store.gt(gt), epochs, seeds, factors, o, store.direction,
                       gt=gt, score=score)
