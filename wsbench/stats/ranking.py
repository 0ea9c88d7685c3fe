"""Ranking helpers shared by the statistics (NumPy only: top-k must not import scipy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

_F = TypeVar("_F", bound=Callable[..., Any])

#: bytes of keys and answers kept per memoised function (a statistic ranks each ranking and the GT of one pool many
#: times: every method, statistic, seed and ranking side by side in ``wsbench evaluate``); the oldest go first, and
#: an array of more than a quarter of it (~500,000 float64) is not kept at all (a 1M-subnet store stays unbloated)
MEMO_BYTES = 16 << 20


def memo_by_content(fn: _F) -> _F:
    """``fn(array)`` remembered by the array's dtype, shape and bytes: the GT vector of a pool is sorted once, not
    once per ranking and statistic. Keys are the exact bytes (no hash collision can return another array's
    answer); the answers' arrays are made read-only, so a caller cannot change what the next caller gets."""
    cache: dict[tuple[str, tuple[int, ...], bytes], tuple[Any, int]] = {}
    held = [0]  # bytes of the keys and answers kept

    def remembered(v: np.ndarray) -> Any:
        a = np.asarray(v)
        if a.nbytes > MEMO_BYTES // 4:
            return fn(a)
        key = (a.dtype.str, a.shape, a.tobytes())
        hit = cache.get(key)
        if hit is not None:
            return hit[0]
        answer = fn(a)
        arrays = [x for x in (answer if isinstance(answer, tuple) else (answer,)) if isinstance(x, np.ndarray)]
        for x in arrays:
            x.flags.writeable = False
        size = a.nbytes + sum(x.nbytes for x in arrays)
        while cache and held[0] + size > MEMO_BYTES:
            held[0] -= cache.pop(next(iter(cache)))[1]
        cache[key] = (answer, size)
        held[0] += size
        return answer

    def cache_clear() -> None:
        cache.clear()
        held[0] = 0

    remembered.__doc__, remembered.__name__ = fn.__doc__, fn.__name__
    remembered.__wrapped__ = fn  # type: ignore[attr-defined]
    remembered.cache_clear = cache_clear  # type: ignore[attr-defined]
    return remembered  # type: ignore[return-value]


def goodness(values: np.ndarray, direction: str) -> np.ndarray:
    """``values`` oriented so that higher is better (``direction`` is 'max' or 'min')."""
    v = np.asarray(values, dtype=np.float64)
    if direction == "max":
        return v
    if direction == "min":
        return -v
    raise ValueError(f"direction must be 'max' or 'min', got {direction!r}")


def order_best_first(g: np.ndarray) -> np.ndarray:
    """Indices sorted by goodness, best first; ties keep the lower index first (stable)."""
    return np.argsort(-np.asarray(g), kind="stable")


@memo_by_content
def ascending(v: np.ndarray) -> np.ndarray:
    """``np.sort(v)`` (read-only, remembered by content: a pool's GT is sorted by several statistics per ranking)."""
    return np.sort(v)


@memo_by_content
def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n in ascending order of ``x``; tied values share their average rank (read-only: remembered by
    content, :func:`memo_by_content`)."""
    x = np.asarray(x)
    n = len(x)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.concatenate(([True], xs[1:] != xs[:-1])))
    ends = np.append(starts[1:], n)
    avg = (starts + ends + 1) / 2.0  # mean of 1-based ranks start+1 .. end
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def rank_percentile(g: np.ndarray) -> np.ndarray:
    """Percentile of each item by goodness: 100 = best, 0 = worst, ties averaged."""
    n = len(g)
    if n == 1:
        return np.array([100.0])
    return (average_ranks(g) - 1.0) / (n - 1) * 100.0


def rank_from_top(g_sample: np.ndarray, value: float) -> int:
    """1 + number of items strictly better than ``value`` (1 = the best of the sample)."""
    return int(np.count_nonzero(np.asarray(g_sample) > value)) + 1


def tie_groups(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ascending order, start of each run of equal values in it, run lengths): what
    :func:`percentiles_with_counts` needs, computed once for many resamples of the same items."""
    order = np.argsort(values, kind="stable")
    vs = np.asarray(values)[order]
    starts = np.flatnonzero(np.concatenate(([True], vs[1:] != vs[:-1])))
    return order, starts, np.diff(np.append(starts, len(vs)))


def percentiles_with_counts(groups: tuple[np.ndarray, np.ndarray, np.ndarray], counts: np.ndarray) -> np.ndarray:
    """Rank percentile (0..100, 100 = largest, ties averaged) of each item among a resample that holds item i
    ``counts[i]`` times: (copies strictly below + (copies tied - 1) / 2) / (copies - 1), with no sorting."""
    order, starts, sizes = groups
    total = np.add.reduceat(np.asarray(counts)[order], starts)  # copies per run of equal values
    below = np.cumsum(total) - total
    pct = np.empty(len(order))
    pct[order] = np.repeat((below + (total - 1) / 2.0) / max(int(total.sum()) - 1, 1) * 100.0, sizes)
    return pct


def top_share(g: np.ndarray, desc: np.ndarray, k: int) -> np.ndarray:
    """P(each item is in the top ``k`` by ``g``) under uniformly random tie-breaking: 1 above the k-th value, 0
    below, a/m for the m items equal to it when a of them fit (``desc`` = the values of ``g``'s sample sorted best
    first; it may hold repeated copies, as a bootstrap resample does)."""
    if k <= 0 or k >= len(desc):  # nothing or everything is in
        return np.full(len(g), 1.0 if k > 0 else 0.0)
    v = desc[k - 1]
    lo = int(np.searchsorted(-desc, -v, side="left"))
    hi = int(np.searchsorted(-desc, -v, side="right"))
    return np.where(g > v, 1.0, np.where(g == v, (k - lo) / (hi - lo), 0.0))


def to_metric(g: float, direction: str) -> float:
    """A goodness value back in metric units (the inverse of :func:`goodness` for one value)."""
    return float(g) if direction == "max" else -float(g)
