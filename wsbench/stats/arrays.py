"""The statistics on plain NumPy arrays: a public API for people's own rankings (``wsbench.stats.kendall`` ...).

Each function wraps the kernel the commands use, so the numbers, tie rules and directions are the CLI's
(tests/test_stats_arrays.py checks them against every bundled dataset). Arrays hold one value per architecture,
**oriented so that higher is better** (:func:`wsbench.stats.goodness` negates an error or a perplexity); an item
where either array is NaN is left out. ``k`` is a count (``10``) or a share (``"10%"``, ``0.1``) of the items
kept, a share rounded up. Ties in the score at a cut are split uniformly at random, and every value is the exact
expectation over that split (no random numbers are drawn).

>>> import numpy as np
>>> from wsbench import stats
>>> score = np.array([0.1, 0.4, 0.35, 0.8])
>>> gt = np.array([60.0, 70.0, 80.0, 90.0])
>>> round(stats.kendall(score, gt), 6)  # 5 concordant pairs, 1 discordant, of 6: (5 - 1) / 6
0.666667
>>> round(stats.spearman(score, gt), 6)  # rank differences 0, 1, 1, 0: 1 - 6 * 2 / (4 * 15)
0.8
>>> stats.precision_at(score, gt, 2)  # top 2 by score {0.8, 0.4} vs by GT {90, 80}: one shared
0.5
>>> stats.br_at_k(score, gt, 2), stats.wr_at_k(score, gt, 2)  # best and worst GT rank in the score's top 2
(1.0, 3.0)
>>> stats.best_in_top(score, gt, 1)["best_gt"], stats.best_in_top(score, gt, 1)["random_best_gt"]
(90.0, 75.0)
>>> stats.precision_at(np.array([1.0, 1.0, 0.0]), np.array([3.0, 2.0, 1.0]), 1)  # a tie at the cut: 1/2
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["best_in_top", "bootstrap_ci", "br_at_k", "kendall", "ndcg_at", "pearson", "precision_at",
           "precision_at_bottom", "spearman", "weighted_tau", "wr_at_k"]


def _pair(score: Any, gt: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both as float64 1-D arrays of one length, items where either is NaN left out; one clear error otherwise."""
    from wsbench.errors import OptionError

    w, t = np.asarray(score, dtype=np.float64), np.asarray(gt, dtype=np.float64)
    if w.ndim != 1 or w.shape != t.shape:
        raise OptionError(f"score and gt must be 1-D arrays of one length (one value per architecture), got "
                          f"shapes {w.shape} and {t.shape}")
    if np.isinf(w).any() or np.isinf(t).any():
        raise OptionError("score and gt must be finite or NaN (NaN = unknown, left out); got +-inf")
    ok = ~(np.isnan(w) | np.isnan(t))
    return w[ok], t[ok]


def _cut(k: float | str, n: int) -> int:
    from wsbench.stats.bottomtop import resolve_cut

    return resolve_cut(k, n)


def kendall(score: Any, gt: Any) -> float:
    """Kendall's tau-b (ties corrected; scipy.stats.kendalltau's value); NaN under 3 items or a constant array."""
    from wsbench.stats.coefficients import correlate

    return correlate(*_pair(score, gt), "kendall")


def spearman(score: Any, gt: Any) -> float:
    """Spearman's rho: Pearson's r of the average ranks (scipy.stats.spearmanr's value)."""
    from wsbench.stats.coefficients import correlate

    return correlate(*_pair(score, gt), "spearman")


def pearson(score: Any, gt: Any) -> float:
    """Pearson's r of the values themselves."""
    from wsbench.stats.coefficients import correlate

    return correlate(*_pair(score, gt), "pearson")


def weighted_tau(score: Any, gt: Any, weigh_by: str = "both") -> float:
    """Vigna's weighted tau, hyperbolic weights (scipy.stats.weightedtau): ``both`` symmetrised, ``supernet``
    weighs pairs by the score's ranks, ``gt`` by the ground truth's."""
    from wsbench.stats.coefficients import correlate

    return correlate(*_pair(score, gt), "weighted", weigh_by)


def precision_at(score: Any, gt: Any, k: float | str) -> float:
    """P@top-k: E|top k by score ∩ top k by gt| / k (a random ranking: k/n). ``correlation``'s and ``topk``'s
    precision, ``bottom-top``'s p_top."""
    from wsbench.stats.bottomtop import precision_at as kernel

    w, t = _pair(score, gt)
    return kernel(w, t, _cut(k, len(w)))


def precision_at_bottom(score: Any, gt: Any, k: float | str) -> float:
    """P@bottom-k: the same at the bottom (``bottom-top``'s p_bottom): does the score spot the bad ones?"""
    from wsbench.stats.bottomtop import precision_at as kernel

    w, t = _pair(score, gt)
    return kernel(-w, -t, _cut(k, len(w)))


def _rank_extreme(score: Any, gt: Any, k: float | str, largest: bool) -> float:
    from wsbench.stats.bottomtop import expected_extreme_in_top, gt_ranks

    w, t = _pair(score, gt)
    return expected_extreme_in_top(w, gt_ranks(t).astype(np.float64), _cut(k, len(w)), largest=largest)


def br_at_k(score: Any, gt: Any, k: float | str) -> float:
    """BR@k (Ning et al.): the best ground-truth rank (1 = best; equal values share a rank) among the score's top
    k, expected over random tie-breaking."""
    return _rank_extreme(score, gt, k, largest=False)


def wr_at_k(score: Any, gt: Any, k: float | str) -> float:
    """WR@k: the worst ground-truth rank among the score's top k."""
    return _rank_extreme(score, gt, k, largest=True)


def best_in_top(score: Any, gt: Any, k: float | str, ties: str = "random") -> dict[str, float]:
    """``topk`` on one sample (every item): ``best_gt`` (the best gt among the score's top k),
    ``best_gt_top_pct`` (its rank as a percentage, 1 = the top 1%), ``random_best_gt`` and ``random_top_pct`` (k
    random items, exact), ``p_random_at_least``, ``precision``, ``ndcg``, ``random_ndcg``, ``tie_group``,
    ``tie_in_topk``. ``ties="store"`` breaks ties at the cut by position instead."""
    from wsbench.stats.topk import topk_many
    from wsbench.stats.topk_kernel import resolve_k

    w, t = _pair(score, gt)
    kk = resolve_k(str(k), len(w)) if not isinstance(k, float) else _cut(k, len(w))
    r = topk_many(w, t, [kk], ties)[0]
    n = len(w)
    return {"k": kk, "n": n, "best_gt": float(r.best_gt), "best_gt_top_pct": float(100.0 * r.best_rank / n),
            "random_best_gt": float(r.random_best_gt), "random_top_pct": float(100.0 * r.random_best_rank / n),
            "p_random_at_least": float(r.p_random_at_least), "precision": float(r.precision),
            "ndcg": float(r.ndcg), "random_ndcg": float(r.random_ndcg), "tie_group": float(r.tie_group),
            "tie_in_topk": float(r.tie_in_topk)}


def ndcg_at(score: Any, gt: Any, k: float | str) -> float:
    """NDCG@k with the ground truth's rank percentile (0..1) as gain and discount 1/log2(1 + position)."""
    return best_in_top(score, gt, k)["ndcg"]


_CORRELATIONS = {kendall: "kendall", spearman: "spearman", pearson: "pearson"}


def bootstrap_ci(stat: Callable[..., float], score: Any, gt: Any, level: float = 0.95, boot: int = 1000,
                 rng_seed: int = 0) -> tuple[float, float]:
    """Percentile interval of ``stat(score, gt)`` over ``boot`` resamples of the items with replacement
    (``numpy.random.default_rng(rng_seed)``): the interval ``--ci`` gives (kendall, spearman, pearson: the
    commands' own exact multiplicity method; any other function of (score, gt): called on each resample)."""
    from wsbench.stats import bootstrap as _boot

    level, boot = _boot.check_level(level), _boot.check_boot(boot)
    w, t = np.asarray(score, dtype=np.float64), np.asarray(gt, dtype=np.float64)
    _pair(w, t)  # the same checks
    idx = _boot.resamples(len(w), boot, int(rng_seed))
    if stat in _CORRELATIONS:
        draws = _boot.correlation_draws(w, t, idx, _CORRELATIONS[stat], multiplicities=_boot.counts(idx, len(w)))
    else:
        draws = np.array([stat(w[i], t[i]) for i in idx], dtype=np.float64)
    return _boot.percentile_interval(draws, level)
