"""The ``topk`` statistic: does ranking by supernet score find good architectures? (NumPy only.)

For each (seed, epoch): draw samples of the subnets, take the top-k of each by score, and report the best ground
truth among them against k random subnets (exact expectations; the kernels, tie rules and random baselines are
in :mod:`wsbench.stats.topk_kernel`, whose names are re-exported here). A large single sample is answered by
partial selection (:mod:`wsbench.stats.topk_select`), bootstrap intervals of one sample by
:mod:`wsbench.stats.topk_resample`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats import options as _opt
from wsbench.stats import topk_select
from wsbench.stats.ranking import to_metric
from wsbench.stats.summary import ScoreFn, Table, mc_se, mean, mean_std
from wsbench.stats.summary import pool as finite_pool
from wsbench.stats.topk_kernel import (  # noqa: F401  (re-exported: the public home of the top-k kernels)
    TIES,
    GtSide,
    TopKRows,
    TopKSample,
    _chunks,
    gt_side,
    parse_percent,
    random_best_distribution,
    resolve_k,
    topk_batch,
)

if TYPE_CHECKING:
    from wsbench.stats.source import Source

DEFAULT_K = ("1", "10", "1%", "10%")


def topk_many(sn: np.ndarray, gt: np.ndarray | None, ks: list[int], ties: str = "random",
              side: GtSide | None = None) -> list[TopKSample]:
    """Top-k of one sample for several k at once (arrays already restricted to the sample, in store order)."""
    return [rows.row(0) for rows in topk_batch(np.asarray(sn)[None], None if gt is None else np.asarray(gt)[None],
                                                ks, ties, side)]


def topk_sample(sn: np.ndarray, gt: np.ndarray, k: int, ties: str = "random") -> TopKSample:
    """Top-k of one sample for one k."""
    return topk_many(sn, gt, [k], ties)[0]


def draw_samples(pool: int, n: int, trials: int, rng_seed: int) -> list[np.ndarray]:
    """``trials`` sorted index sets of size ``n`` from ``range(pool)``; one set of all if n == pool."""
    if n > pool:
        raise OptionError(f"samples={n} exceeds the {pool} subnets with both scores; use at most {pool}")
    if n == pool:
        return [np.arange(pool)]
    from wsbench.stats.options import within_budget

    within_budget(f"trials={trials:,} draws", trials, n, "samples", itemsize=32)  # the kernel keeps ~4 such arrays
    rng = np.random.default_rng(rng_seed)
    return [np.sort(rng.choice(pool, size=n, replace=False)) for _ in range(trials)]


def topk_draws(sn: np.ndarray, g: np.ndarray, draws: np.ndarray, ks: list[int], ties: str,
               sides: list[GtSide] | None = None) -> tuple[list[TopKRows], list[GtSide]]:
    """Top-k of every draw (rows of ``draws``: index sets into ``sn`` and ``g``), batched in memory-bounded
    chunks; returns per k the rows of all draws, and the GT sides (pass them back for another score of the same
    draws)."""
    chunks = _chunks(len(draws), draws.shape[1])
    if sides is None:
        sides = [gt_side(g[draws[c]]) for c in chunks]
    if len(draws) == 1 and draws.shape[1] >= topk_select.SELECT_FROM:  # one large sample: no full sort by score
        return topk_select.topk_selected(sn[draws[0]], sides[0], ks, ties), sides
    parts = [topk_batch(sn[draws[c]], None, ks, ties, side) for c, side in zip(chunks, sides)]
    if len(parts) == 1:
        return parts[0], sides
    return [TopKRows(*(np.concatenate(column) for column in zip(*(p[j] for p in parts)))) for j in range(len(ks))], sides


class Options(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.4 ms of every start
    ks: list[str]
    samples: int | None  # None: min(1000, the pool)
    trials: int | None  # None: 100 if a sample is smaller than the pool, else 1
    rng_seed: int
    ties: str
    level: float | None
    boot: int


def parse_options(k: Any = DEFAULT_K, samples: int | None = None, trials: int | None = None, rng_seed: int = 0,
                  ties: str = "random", ci: float | None = None, boot: int = 1000) -> Options:
    """Every option of the statistic checked (no data needed; k is resolved against each sample's size later)."""
    from wsbench.stats import bootstrap as _boot

    ties = _opt.ties(ties)
    level = None if ci is None else _boot.check_level(ci)
    boot = _opt.count(boot, "boot", 10)
    ks = [str(x) for x in _opt.as_list(k, "k")]
    rng_seed = _opt.count(rng_seed, "rng_seed", 0)
    samples = None if samples is None else _opt.count(samples, "samples", 1)
    trials = None if trials is None else _opt.count(trials, "trials", 1)
    return Options(ks, samples, trials, rng_seed, ties, level, boot)


def topk_table(sn: ScoreFn, g: np.ndarray, epochs: list[int], seeds: list[int], o: Options, direction: str,
               gt: str = "gt_score", score: str = "supernet", memo: dict | None = None) -> Table:
    """Best GT among the top-k by ``sn(seed, epoch)`` of ``samples`` subnets, vs k random subnets, over ``trials``
    draws, for every selected (seed, epoch); summary per (epoch, k) over seeds.

    ``g``: GT goodness; ``direction``: the metric's ('max'/'min'), to report GT values in metric units. The same
    index draws serve every seed and epoch. ``memo``: a dict kept by the caller across calls, where the GT side of
    each set of draws is kept (GT and draws never change). With ``o.level``, a percentile interval of best_gt,
    precision and ndcg: over the trials when there are several, else over ``o.boot`` bootstrap resamples of the
    subnets (the same resamples for every seed).
    """
    from wsbench.stats import bootstrap as _boot

    memo = {} if memo is None else memo
    ks, ties, level, boot, rng_seed = o.ks, o.ties, o.level, o.boot, o.rng_seed
    n_archs = len(g)
    rows, notes = [], []
    dists: dict[tuple, np.ndarray] = {}
    per_trial: dict[tuple, np.ndarray] = {}  # (epoch, seed, k) -> best GT of each trial
    drawn: dict[tuple, list[np.ndarray]] = {}
    resampled: dict[tuple, dict[int, list]] = {}
    resolved_n = resolved_trials = None
    for e in epochs:
        for s in seeds:
            x = sn(s, e)
            pool = finite_pool(x, g, s, e, gt)
            n = min(1000, len(pool)) if o.samples is None else int(o.samples)
            if n < 1:
                raise OptionError(f"samples must be >= 1, got {n}")
            t = (100 if n < len(pool) else 1) if o.trials is None else int(o.trials)
            if t < 1:
                raise OptionError(f"trials must be >= 1, got {t}")
            if (len(pool), n, t) not in drawn:  # the same draws for every seed and epoch: drawn once
                drawn[(len(pool), n, t)] = draw_samples(len(pool), n, t, rng_seed)
            draws = drawn[(len(pool), n, t)]
            resolved_n, resolved_trials = n, len(draws)
            kns = [resolve_k(kk, n) for kk in ks]
            # the GT side of each draw serves every seed, epoch and later call (GT and draws never change)
            which = "all" if len(pool) == n_archs else pool.tobytes()  # a sorted subset: exact
            key = ("topk_sides", gt, which, n, len(draws), rng_seed)
            at = pool[np.stack(draws)]
            per_k, memo[key] = topk_draws(x, g, at, kns, ties, memo.get(key))
            spread = None
            if level is not None and len(draws) == 1:  # one sample: resample its subnets
                bkey = (e, pool.tobytes())
                if bkey not in resampled:  # every seed with this pool at once: each resample's GT side once
                    resampled[bkey] = _resampled(sn, e, seeds, pool, g, kns, ties, _boot.resamples(n, boot, rng_seed))
                spread = resampled[bkey][s]
            for j, (kk, kn) in enumerate(zip(ks, kns)):
                res = per_k[j]
                per_trial[(e, s, kk)] = res.best_gt
                mc = {f"{name}_mc_se": mc_se(getattr(res, attr) * scale) for name, attr, scale in
                      (("best_gt", "best_gt", 1.0), ("best_gt_top_pct", "best_rank", 100.0 / n),
                       ("random_best_gt", "random_best_gt", 1.0), ("precision", "precision", 1.0),
                       ("ndcg", "ndcg", 1.0))}
                if level is not None:
                    for name in ("best_gt", "precision", "ndcg"):
                        d = getattr(res, name) if spread is None else np.array([getattr(r[j], name) for r in spread])
                        dists[(e, s, kk, name)] = d
                        lo, hi = _boot.percentile_interval(d, level)
                        if name == "best_gt":
                            lo, hi = sorted((to_metric(lo, direction), to_metric(hi, direction)))
                        mc[f"{name}_ci_low"], mc[f"{name}_ci_high"] = lo, hi
                rows.append({
                    "seed": s, "epoch": e, "k": kk, "k_count": kn, "samples": n, "trials": len(draws),
                    "best_gt": to_metric(mean(res.best_gt), direction),
                    "best_gt_top_pct": mean(100.0 * res.best_rank / n),
                    "random_best_gt": to_metric(mean(res.random_best_gt), direction),
                    "random_top_pct": mean(100.0 * res.random_best_rank / n),
                    "sample_best_gt": to_metric(mean(res.sample_best_gt), direction),
                    "p_random_at_least": float(mean(res.p_random_at_least)),
                    "precision": float(mean(res.precision)), "random_precision": kn / n,
                    "ndcg": float(mean(res.ndcg)),
                    "random_ndcg": float(mean(res.random_ndcg)),
                    "tie_group": float(mean(res.tie_group)),
                    "tie_in_topk": float(mean(res.tie_in_topk)),
                    **mc,
                })
    summary = []
    for e in epochs:
        for kk in ks:
            sel = [r for r in rows if r["epoch"] == e and r["k"] == kk]
            m, sd = mean_std([r["best_gt"] for r in sel])
            pm, psd = mean_std([r["best_gt_top_pct"] for r in sel])
            summary.append({"epoch": e, "k": kk, "k_count": sel[0]["k_count"], "best_gt_mean": m, "best_gt_std": sd,
                            "best_gt_top_pct_mean": pm, "best_gt_top_pct_std": psd,
                            "random_best_gt": mean([r["random_best_gt"] for r in sel]),
                            "random_top_pct": mean([r["random_top_pct"] for r in sel]),
                            "sample_best_gt": mean([r["sample_best_gt"] for r in sel]),
                            "p_random_max": float(np.max([r["p_random_at_least"] for r in sel])),
                            **dict(zip(("precision_mean", "precision_std"), mean_std([r["precision"] for r in sel]))),
                            "random_precision": sel[0]["random_precision"],
                            **dict(zip(("ndcg_mean", "ndcg_std"), mean_std([r["ndcg"] for r in sel]))),
                            "random_ndcg": mean([r["random_ndcg"] for r in sel]),
                            "tie_group_max": float(np.max([r["tie_group"] for r in sel])),
                            # the same draws serve every seed: the error of the mean over seeds is that of
                            # the per-trial means over seeds (the seeds' errors are not independent)
                            "best_gt_mc_se": mc_se(np.mean([per_trial[(e, r["seed"], kk)] for r in sel], axis=0))})
            if level is not None:  # the same trials / resamples for every seed: interval of the mean over seeds
                for name in ("best_gt", "precision", "ndcg"):
                    lo, hi = _boot.percentile_interval(
                        np.mean([dists[(e, r["seed"], kk, name)] for r in sel], axis=0), level)
                    if name == "best_gt":
                        lo, hi = sorted((to_metric(lo, direction), to_metric(hi, direction)))
                    summary[-1][f"{name}_ci_low"], summary[-1][f"{name}_ci_high"] = lo, hi
    notes.append("best_gt_top_pct: rank of the found subnet among the sample by GT, as a percentage "
                 "(1% = it is in the sample's top 1%); random_* are exact expectations for k random subnets; "
                 "p_random_at_least: exact probability that k random subnets find a GT at least as good "
                 "(p_random_max: the largest over seeds); sample_best_gt: the best GT of the sample (the oracle); precision = |top-k by score ∩ top-k by GT| / k "
                 "(random: k/n); ndcg = NDCG@k with the GT rank percentile (0..1) as gain, discount "
                 "1/log2(1 + position) (random_ndcg: a uniformly random order)")
    notes.append("ties at the k-th place (tie_group subnets share that score): " + (
        "exact expectation over uniformly random tie-breaking" if ties == "random"
        else "broken by store order (--ties store), as wsbench 0.1 did"))
    if resolved_trials == 1 and resolved_n is not None and o.trials not in (None, 1):
        notes.append(f"samples = every subnet with both scores ({resolved_n}): one sample, so one trial "
                     f"(trials={o.trials} would repeat it)")
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
    return Table(opts, rows, summary, notes)


def _resampled(sn: ScoreFn, epoch: int, seeds: list[int], pool: np.ndarray, g: np.ndarray, kns: list[int],
               ties: str, idx: np.ndarray) -> dict[int, list]:
    """Top-k of every bootstrap resample ``idx`` of ``pool``, for each seed whose pool it is."""
    sns = {}
    for s in seeds:
        x = sn(s, epoch)
        if np.array_equal(np.flatnonzero(np.isfinite(x) & np.isfinite(g)), pool):
            sns[s] = x[pool]
    from wsbench.stats.topk_resample import topk_resampled

    per_seed = topk_resampled(list(sns.values()), g[pool], idx, kns, ties)
    return dict(zip(sns, per_seed))


def query(store: Source, k: Any = DEFAULT_K, epoch: Any = "last", seed: Any = "all", samples: int | None = None,
          trials: int | None = None, rng_seed: int = 0, gt: str = "gt_score", score: str = "supernet",
          ties: str = "random", ci: float | None = None, boot: int = 1000) -> Table:
    """Best GT among the supernet's top-k of ``samples`` subnets, vs k random subnets, over ``trials`` draws.

    Defaults: samples = min(1000, subnets with both scores); trials = 100 if
    samples < that pool, else 1. The same index draws serve every seed and epoch. ``ci``: a percentile
    interval of best_gt, precision and ndcg: over the trials when there are several, else over ``boot``
    bootstrap resamples of the subnets (the same resamples for every seed).
    """
    score = store.check_score(score)
    o = parse_options(k, samples, trials, rng_seed, ties, ci, boot)
    epochs, seeds = store.select_epochs(epoch), store.select_seeds(seed)
    return topk_table(store.score_fn(score), store.gt(gt), epochs, seeds, o, store.direction, gt=gt, score=score,
                      memo=store.memo)
