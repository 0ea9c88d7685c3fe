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

from wsbench.stats.ranking import average_ranks

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


def inversions(a: np.ndarray) -> int:
    """Pairs i < j with a[i] > a[j] (strictly) of an integer array, by a bottom-up merge sort done level by level
    in NumPy (per level: two searchsorted calls and one stable sort; no Python loop over items)."""
    a = np.asarray(a, dtype=np.int64)
    n = len(a)
    if n < 2:
        return 0
    a = a - a.min()
    span = int(a.max()) + 1
    idx = np.arange(n, dtype=np.int64)
    total, width = 0, 1
    while width < n:
        pair = idx // (2 * width)
        right = (idx % (2 * width)) >= width
        key = pair * span + a  # runs of width are sorted; keys keep pairs apart
        left_keys, right_keys = key[~right], key[right]
        # for each right element: left elements of its pair greater than it
        above = np.searchsorted(left_keys, right_keys, side="right")
        end = np.searchsorted(left_keys, (pair[right] + 1) * span, side="left")
        total += int((end - above).sum())
        a = np.sort(key, kind="stable") - pair * span
        width *= 2
    return total


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b (Knight's O(n log n) method): (concordant - discordant) / sqrt((n0 - n1)(n0 - n2)), with n1,
    n2 the pairs tied in x, in y. Sorted by (x, y), the discordant pairs are the strict inversions of y."""
    n = len(x)
    order = np.lexsort((y, x))
    xs, ys = x[order], y[order]
    n0 = n * (n - 1) // 2
    x_changed, y_sorted = xs[1:] != xs[:-1], np.sort(ys)
    n1 = _pairs_tied(x_changed)
    n2 = _pairs_tied(y_sorted[1:] != y_sorted[:-1])
    n3 = _pairs_tied(x_changed | (ys[1:] != ys[:-1]))  # tied in both: equal runs of the (x, y)-sorted pairs
    dense = np.unique(ys, return_inverse=True)[1].ravel()
    dis = inversions(dense)
    con_minus_dis = n0 - n1 - n2 + n3 - 2 * dis
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
