"""Correlation between two score vectors.

Kendall's tau-b, Spearman and Pearson are NumPy, exactly as scipy defines
them (property tests compare on data with ties): importing ``scipy.stats``
costs more than half a second, several times a whole cold ``wsbench
correlation``, and its per-call overhead dominates on 1,000 subnets. Weighted
tau, and Kendall on more than 100,000 items, come from scipy.stats (imported
lazily, when asked for).
"""

from __future__ import annotations

import math

import numpy as np

from wsbench.stats.ranking import average_ranks, memo_by_content

METHODS = ("kendall", "spearman", "pearson", "weighted")
#: above this many items Kendall's tau uses scipy (measured: NumPy 0.7 ms vs scipy 0.6 ms at 1,000 items,
#: 1.6-3 s vs 0.75 s at 1M, while the import costs ~0.6 s); both are exact and property-tested equal
SCIPY_KENDALL_ABOVE = 100_000


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    xc, yc = x - x.mean(), y - y.mean()
    denom = math.sqrt(float(xc @ xc) * float(yc @ yc))
    return float(xc @ yc / denom) if denom else float("nan")


def _pairs_tied(changed: np.ndarray) -> int:
    """Pairs inside runs of equal items of a sorted array, given ``changed[i]`` = item i+1 differs from item i:
    sum of t(t-1)/2 over runs of length t."""
    starts = np.flatnonzero(np.concatenate(([True], changed)))
    t = np.diff(np.append(starts, len(changed) + 1))
    return int((t * (t - 1) // 2).sum())


#: the merge sort's first levels are replaced by comparing every pair inside blocks of this many items (32 x 32
#: booleans a block: one NumPy call instead of five levels of several each, ~2x faster at 1,000 items)
BASE = 32
_UPPER = np.triu(np.ones((BASE, BASE), dtype=bool), 1)  # pairs i < j inside a block


def inversions(a: np.ndarray) -> int:
    """Pairs i < j with a[i] > a[j] (strictly) of an integer array, by a bottom-up merge sort done level by level
    in NumPy (per level: one stable argsort of nearly sorted keys and one cumulative sum; no Python loop over
    items).

    First, blocks of :data:`BASE` items count their inversions by comparing every pair and are sorted (the array
    padded at its end with a value above every item, which adds none). At each level after, sorted runs of
    ``width`` are merged pairwise. A right-half item is inverted with every left-half item of its pair except
    those the stable merge places before it (value <= its own), and those are counted by a running sum of "is
    left" along the merged order: inversions = right items x width - that count (earlier pairs' left halves,
    full, subtracted).
    """
    a = np.asarray(a, dtype=np.int64)
    n = len(a)
    if n < 2:
        return 0
    a = a - a.min()
    top = int(a.max()) + 1
    blocks = np.full((-(-n // BASE), BASE), top, dtype=np.int64)
    blocks.reshape(-1)[:n] = a
    total = int(np.count_nonzero((blocks[:, :, None] > blocks[:, None, :]) & _UPPER))
    a = np.sort(blocks, axis=1).reshape(-1)
    n = len(a)
    span = top + 1
    idx = np.arange(n, dtype=np.int64)
    width = BASE
    while width < n:
        pair = idx // (2 * width)
        is_right = (idx - pair * (2 * width)) >= width
        key = pair * span + a  # runs of width are sorted; keys keep pairs apart
        order = np.argsort(key, kind="stable")
        right_at = np.flatnonzero(is_right[order])
        lefts_before = np.cumsum(~is_right[order])[right_at]
        total += len(right_at) * width - int(lefts_before.sum()) + int(pair[order[right_at]].sum()) * width
        a = key[order] - pair * span
        width *= 2
    return total


@memo_by_content
def _dense(v: np.ndarray) -> tuple[np.ndarray, int, int]:
    """(dense rank 0..u-1 of each item, u distinct values, pairs tied) from one stable sort (read-only: remembered
    by content, :func:`wsbench.stats.ranking.memo_by_content`)."""
    order = np.argsort(v, kind="stable")
    vs = v[order]
    changed = vs[1:] != vs[:-1]
    rank = np.empty(len(v), dtype=np.int64)
    rank[order] = np.concatenate(([0], np.cumsum(changed)))
    return rank, int(changed.sum()) + 1, _pairs_tied(changed)


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b (Knight's O(n log n) method): (concordant - discordant) / sqrt((n0 - n1)(n0 - n2)), with n1,
    n2 the pairs tied in x, in y. Sorted by (x, y), the discordant pairs are the strict inversions of y.

    Both vectors become dense integer ranks first (one float sort each), so ordering by (x, y) is one integer
    sort of a combined key, several times faster than a float lexsort."""
    n = len(x)
    if n <= SMALL_N:
        return _kendall_by_pairs(x, y)
    rx, _, n1 = _dense(x)
    ry, uy, n2 = _dense(y)
    pair_key = rx * uy + ry
    order = np.argsort(pair_key, kind="stable")
    sorted_key = pair_key[order]
    n3 = _pairs_tied(sorted_key[1:] != sorted_key[:-1])  # tied in both
    n0 = n * (n - 1) // 2
    dis = inversions(ry[order])
    con_minus_dis = n0 - n1 - n2 + n3 - 2 * dis
    denom = math.sqrt(n0 - n1) * math.sqrt(n0 - n2)
    return float(con_minus_dis / denom) if denom else float("nan")


#: at most this many items, Kendall's tau-b compares every pair at once (the sign of each difference; 100 items:
#: ~3x faster than the merge sort's calls, whose fixed costs dominate there; above ~120 the n x n arrays cost more)
SMALL_N = 100


def _kendall_by_pairs(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b from every pair's signs: the same integer counts as the merge sort, so the same number."""
    n = len(x)
    sx, sy = np.sign(x[:, None] - x), np.sign(y[:, None] - y)  # (each pair twice, the diagonal 0)
    con_minus_dis = int((sx * sy).sum()) // 2
    n1 = (int(np.count_nonzero(sx == 0)) - n) // 2
    n2 = (int(np.count_nonzero(sy == 0)) - n) // 2
    n0 = n * (n - 1) // 2
    denom = math.sqrt(n0 - n1) * math.sqrt(n0 - n2)
    return float(con_minus_dis / denom) if denom else float("nan")


WEIGH_BY = ("both", "supernet", "gt")


def correlate(x: np.ndarray, y: np.ndarray, method: str, weigh_by: str = "both") -> float:
    """Correlation of ``x`` and ``y`` over the items where both are finite; NaN if < 3 items or constant.

    kendall = Kendall's tau-b (ties corrected); spearman = Pearson's r of the
    average ranks; pearson = Pearson's r; weighted = Vigna's weighted tau
    (hyperbolic weights, larger values weigh more, so orient both as goodness): ``weigh_by="both"`` is scipy's
    default, the mean of the two one-sided forms; ``"supernet"`` weighs pairs by the ranks of ``x``, ``"gt"`` by the
    ranks of ``y``.
    """
    if method not in METHODS or weigh_by not in WEIGH_BY:
        from wsbench.errors import UnknownNameError

        if weigh_by not in WEIGH_BY:
            raise UnknownNameError("weighted tau's weighting (weigh_by)", weigh_by, WEIGH_BY)
        raise UnknownNameError("correlation method", method, METHODS)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    if method == "pearson":
        return _pearson(x, y)
    if method == "spearman":
        return _pearson(average_ranks(x), average_ranks(y))
    if method == "kendall":
        if len(x) > SCIPY_KENDALL_ABOVE:  # its compiled merge sort: ~2-4x faster at 1M, import paid off there
            import scipy.stats as st

            return float(st.kendalltau(x, y).statistic)
        return kendall_tau_b(x, y)
    import scipy.stats as st

    if weigh_by == "supernet":
        return float(st.weightedtau(x, y, rank=None).statistic)
    if weigh_by == "gt":
        return float(st.weightedtau(y, x, rank=None).statistic)
    return float(st.weightedtau(x, y).statistic)
