"""Top-k of one large sample without sorting its scores (NumPy only).

Above :data:`SELECT_FROM` subnets (a full-pool query on a large store), sorting every seed's scores dominates
top-k; a partial selection finds the cut instead and only the subnets at or above it are looked at again. The
results equal :func:`wsbench.stats.topk_kernel.topk_batch`'s (property-tested).
"""

from __future__ import annotations

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.topk_kernel import (
    GtSide,
    TopKRows,
    _gt_membership,
    _random_best_cdf,
    _run_means,
    _runs,
    random_best_distribution,
)

#: from this many subnets in one sample, top-k selects (np.partition) instead of sorting all scores
SELECT_FROM = 20_000


def topk_selected(sn: np.ndarray, side: GtSide, ks: list[int], ties: str = "random") -> list[TopKRows]:
    """:func:`topk_batch` of one sample (``side`` = its :func:`gt_side`, sorted once and shared by every seed and
    epoch) without sorting the scores: per k, a partial selection finds the score v at place k, one pass finds
    the c subnets above it and the m tied with it, and only those c + m are looked at again (sorted, for
    NDCG@k). Best GT, its rank and P(random >= it) come from item-level GT ranks; precision from the few items
    of the GT's own top k; the random baselines depend on the GT alone and are kept in ``side``."""
    sn = np.asarray(sn, dtype=np.float64)
    n = len(sn)
    g, gain, rank_of, atl_of = side.gt[0], side.gain[0], side.rank[0], side.at_least[0]
    cuts = np.partition(sn, sorted({n - k for k in ks}))
    out = []
    for k in ks:
        if not 1 <= k <= n:
            raise OptionError(f"k must lie in 1..{n}, got {k}")
        v = cuts[n - k]
        top = np.flatnonzero(sn >= v)  # store order
        s_top = sn[top]
        top = top[np.argsort(-s_top, kind="stable")]  # best score first, store order inside ties
        s_top = sn[top]
        c = int(np.searchsorted(-s_top, -v, side="left"))
        m = len(top) - c
        a = k - c
        cdf = _random_best_cdf(n, k)
        best, rank, atl = -np.inf, n + 1, n + 1
        if c:
            best, rank, atl = float(g[top[:c]].max()), int(rank_of[top[:c]].min()), int(atl_of[top[:c]].min())
        group = top[c:]
        member_share = np.zeros(len(top))  # P(each of these items is in the score's top k)
        member_share[:c] = 1.0
        if ties == "store" or a == m:
            member_share[c:k] = 1.0
            taken = group[:a]
            best = max(best, float(g[taken].max()))
            rank, atl = min(rank, int(rank_of[taken].min())), min(atl, int(atl_of[taken].min()))
            p_at_least = float(cdf[atl])
        else:  # the best of a uniform a-subset of the group is its r-th best with P(m, a)(r)
            member_share[c:] = a / m
            by_gt = group[np.argsort(-g[group], kind="stable")]
            probs = random_best_distribution(m, a)
            best = float(probs @ np.maximum(best, g[by_gt]))
            p_at_least = float(probs @ cdf[np.minimum(atl, atl_of[by_gt])])
            rank = float(probs @ np.minimum(rank, rank_of[by_gt]))
        overlap = float(member_share @ _gt_membership(side, k, ties)[0][top])
        gains = gain[top]
        if ties == "random":  # every position of a tie group expects the group's mean gain
            start, end = _runs(s_top[None])
            gains = _run_means(gains[None], start, end)[0]
        dcg = float(gains[:k] @ side.disc[:k])
        random_gt, random_rank, random_ndcg, ideal = _random_side(side, k)
        out.append(TopKRows(*(np.array([x]) for x in (
            best, rank, random_gt, random_rank, float(side.desc[0, 0]), m, a, min(1.0, p_at_least), overlap / k,
            dcg / ideal if ideal > 0 else float("nan"), random_ndcg))))
    return out


def _random_side(side: GtSide, k: int) -> tuple[float, float, float, float]:
    """(random best GT, its rank, random NDCG@k, ideal DCG@k) of a one-sample ``side``: GT alone, kept in memo."""
    if ("random", k) not in side.memo:
        p = random_best_distribution(side.gt.shape[1], k)
        ideal = float(side.ideal[0, k - 1])
        side.memo[("random", k)] = (float(side.desc[0] @ p), float(side.tie_rank[0] @ p),
                                    float(side.gain[0].mean()) * float(side.disc[:k].sum()) / ideal
                                    if ideal > 0 else float("nan"), ideal)
    return side.memo[("random", k)]
