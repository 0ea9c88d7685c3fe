"""Top-k kernels: what :mod:`wsbench.stats.topk`, :mod:`~wsbench.stats.topk_select` and
:mod:`~wsbench.stats.topk_resample` share (NumPy only; imports no other top-k module).

For one sample of ``n`` subnets: order by supernet goodness, take the first
``k``, report the best ground truth among them and that subnet's rank in the
sample by ground truth. Where the k-th place falls inside a group of equal
scores (a finite held-out set makes many), ``ties="random"`` (default) gives the
exact expectation over uniformly random tie-breaking: the strictly better
subnets are always in, and a uniform subset of the tie group fills the rest
(closed form below); ``ties="store"`` breaks ties by store order (v1). The
random baseline is the exact expectation for ``k`` subnets drawn uniformly
without replacement from the same sample (no supernet score involved), and
``p_random_at_least`` the exact probability that such ``k`` do at least as well.
"""

from __future__ import annotations

import functools
import math
import re
from typing import NamedTuple

import numpy as np

from wsbench.errors import OptionError

_K = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


def parse_percent(value: str) -> float:
    """``"10%"`` -> 0.10; anything else is an OptionError."""
    m = _K.match(str(value))
    if not m or not m.group(2) or not 0 < float(m.group(1)) <= 100:
        raise OptionError(f"expected a percentage in (0, 100] like '10%', got {value!r}")
    return float(m.group(1)) / 100.0


def resolve_k(k: str | int, n: int) -> int:
    """``k`` as a count: ``"10"`` -> 10, ``"1%"`` -> ceil(n/100) (at least 1, at most n)."""
    m = _K.match(str(k))
    if not m:
        raise OptionError(f"k must be a count like '10' or a percentage like '1%', got {k!r}")
    value, pct = float(m.group(1)), m.group(2)
    if pct:
        if not 0 < value <= 100:
            raise OptionError(f"a percentage k must lie in (0, 100], got {k!r}")
        return max(1, min(n, math.ceil(n * value / 100 - 1e-9)))
    if value != int(value) or value < 1:
        raise OptionError(f"a count k must be a positive integer, got {k!r}")
    if value > n:
        raise OptionError(f"k={int(value)} exceeds the {n} subnets in each sample; lower k or raise samples")
    return int(value)


@functools.lru_cache(maxsize=256)
def random_best_distribution(n: int, k: int) -> np.ndarray:
    """P(the best of k uniform draws without replacement has rank r), r = 1..n (rank 1 = best).

    P(r) = C(n-r, k-1) / C(n, k): the item of rank r is drawn and the other
    k-1 come from the n-r items below it. Computed by the ratio
    P(r+1)/P(r) = (n-r-k+1)/(n-r), starting from P(1) = k/n.
    """
    if not 1 <= k <= n:
        raise OptionError(f"k must lie in 1..{n}, got {k}")
    r = np.arange(1, n)
    ratio = np.clip((n - r - k + 1) / (n - r), 0.0, None)
    p = (k / n) * np.concatenate(([1.0], np.cumprod(ratio)))
    p.setflags(write=False)
    return p


@functools.lru_cache(maxsize=256)
def _random_best_cdf(n: int, k: int) -> np.ndarray:
    """0 followed by the cumulative sums of :func:`random_best_distribution` (P(rank <= r), r = 0..n)."""
    cdf = np.concatenate(([0.0], np.cumsum(random_best_distribution(n, k))))
    cdf.setflags(write=False)
    return cdf


TIES = ("random", "store")


class TopKSample(NamedTuple):
    best_gt: float  # goodness of the best GT among the supernet's top-k (expected over random tie-breaking)
    best_rank: float  # its rank in the sample by GT (1 = best; expected over random tie-breaking)
    random_best_gt: float  # expected goodness of the best GT among k random subnets
    random_best_rank: float  # expected rank of that subnet
    sample_best_gt: float  # best GT goodness of the whole sample (the oracle)
    tie_group: int = 1  # subnets sharing the score at the k-th place (1 = no tie at the cut)
    tie_in_topk: int = 1  # how many of them the top-k takes
    p_random_at_least: float = float("nan")  # P(best GT of k random subnets >= the supernet's), exact
    precision: float = float("nan")  # |top-k by score ∩ top-k by GT| / k (expected over random tie-breaking)
    ndcg: float = float("nan")  # NDCG@k with GT rank percentiles as gains (expected over random tie-breaking)
    random_ndcg: float = float("nan")  # expected NDCG@k of a uniformly random order


def _runs(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted either way: the first index and one past the last of each position's run of equal
    values, shape of ``v`` (row by row, no Python loop)."""
    t, n = v.shape
    idx = np.broadcast_to(np.arange(n), (t, n))
    new = np.ones((t, n), dtype=bool)
    new[:, 1:] = v[:, 1:] != v[:, :-1]
    start = np.maximum.accumulate(np.where(new, idx, 0), axis=1)
    last = np.ones((t, n), dtype=bool)
    last[:, :-1] = new[:, 1:]
    end = np.minimum.accumulate(np.where(last, idx + 1, n)[:, ::-1], axis=1)[:, ::-1]
    return start, end


def _flat(order: np.ndarray) -> np.ndarray:
    """Row-wise positions ``order`` ([rows, n]) as indices into the raveled array: one 1-D take per gather,
    several times faster than take_along_axis's broadcast fancy indexing."""
    return order + (np.arange(order.shape[0]) * order.shape[1])[:, None]


def _run_means(values: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Each position's mean of ``values`` over its run [start, end): its expectation under random tie-breaking."""
    c = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=c[:, 1:])
    w = c.shape[1]
    rows = (np.arange(c.shape[0]) * w)[:, None]
    return (c.take(end + rows) - c.take(start + rows)) / (end - start)


def _cut_outcomes(s_sorted: np.ndarray, prefix_max: np.ndarray, gt_ord: np.ndarray, k: int,
                  ties: str, bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(possible best GTs of the top-k, their probabilities, tie group size, members taken) for one k of one
    sample, whose score group at place k spans ``bounds`` = [lo, hi) of the best-first order.

    With c subnets strictly better than the score v at place k and m subnets
    scoring exactly v, the top-k is those c plus a uniform a-subset of the m
    (a = k - c). Its best GT is max(best of the c, best of the a-subset); the
    best of the a-subset is the r-th best of the group with probability
    C(m-r, a-1) / C(m, a) (:func:`random_best_distribution`).
    """
    lo, hi = bounds
    m, a = hi - lo, k - lo
    if ties == "store" or m == 1 or a == m:
        return np.array([prefix_max[k - 1]]), np.array([1.0]), m, a
    above = prefix_max[lo - 1] if lo > 0 else -np.inf
    group = np.sort(gt_ord[lo:hi])[::-1]
    return np.maximum(above, group), random_best_distribution(m, a), m, a


class GtSide(NamedTuple):
    """What top-k needs from the ground truth of a batch of samples alone (one row per sample, all of one size):
    computed once, shared by every seed, epoch and score that ranks the same samples."""
    gt: np.ndarray  # [sample, item] in store order
    desc: np.ndarray  # GT best first
    tie_rank: np.ndarray  # rank (1 + #strictly better) of each position of ``desc``
    desc_end: np.ndarray  # one past the last position of each position's run of equal GT in ``desc``
    gain: np.ndarray  # NDCG gain of each item: GT rank percentile in [0, 1]
    disc: np.ndarray  # 1 / log2(position + 1), positions 1..n
    ideal: np.ndarray  # ideal DCG@k for k = 1..n
    store_order: np.ndarray  # items best first, ties by store order
    rank: np.ndarray  # each item's rank in its sample (1 + #strictly better)
    at_least: np.ndarray  # each item's #(items at least as good), itself included
    flat_order: np.ndarray  # ``store_order`` as indices into the raveled rows
    memo: dict  # filled on demand: top-k memberships by (k, ties); one-sample random baselines by ("random", k)


def gt_side(gt: np.ndarray) -> GtSide:
    """:class:`GtSide` of one sample (1-D ``gt``) or of a batch of samples (2-D, one per row)."""
    gt = np.atleast_2d(np.asarray(gt, dtype=np.float64))
    t, n = gt.shape
    store_order = np.argsort(-gt, axis=1, kind="stable")
    flat_order = _flat(store_order)
    desc = gt.take(flat_order)
    start, end = _runs(desc)
    if n > 1:  # rank percentile, ties averaged: item at desc position p has (n - 1 - p) items below it
        pct_desc = 1.0 - (start + end - 1) / 2.0 / (n - 1)
    else:
        pct_desc = np.ones((t, n))
    gain, rank, at_least = np.empty((t, n)), np.empty((t, n), dtype=np.intp), np.empty((t, n), dtype=np.intp)
    for item, at_pos in ((gain, pct_desc), (rank, start + 1), (at_least, end)):
        item.put(flat_order, at_pos)
    disc = 1.0 / np.log2(np.arange(2, n + 2))
    return GtSide(gt, desc, start + 1, end, gain, disc, np.cumsum(pct_desc * disc, axis=1), store_order, rank,
                  at_least, flat_order, {})


def _gt_membership(side: GtSide, k: int, ties: str) -> np.ndarray:
    """P(item in the GT's top ``k``) per row: 1 above the k-th value, 0 below; a/m for the m items equal to it
    (random tie-breaking) or store order."""
    if (k, ties) not in side.memo:
        side.memo[(k, ties)] = _membership(side, k, ties)
    return side.memo[(k, ties)]


def _membership(side: GtSide, k: int, ties: str) -> np.ndarray:
    w = np.zeros(side.gt.shape)
    if ties == "store":
        w.put(side.flat_order[:, :k], 1.0)
        return w
    v = side.desc[:, k - 1:k]
    lo, hi = side.tie_rank[:, k - 1:k] - 1, side.desc_end[:, k - 1:k]
    return np.where(side.gt > v, 1.0, np.where(side.gt == v, (k - lo) / (hi - lo), 0.0))


class TopKRows(NamedTuple):
    """The fields of :class:`TopKSample` for one k, each an array over the samples of a batch."""
    best_gt: np.ndarray
    best_rank: np.ndarray
    random_best_gt: np.ndarray
    random_best_rank: np.ndarray
    sample_best_gt: np.ndarray
    tie_group: np.ndarray
    tie_in_topk: np.ndarray
    p_random_at_least: np.ndarray
    precision: np.ndarray
    ndcg: np.ndarray
    random_ndcg: np.ndarray

    def row(self, i: int) -> TopKSample:
        return TopKSample(*(int(v[i]) if f in ("tie_group", "tie_in_topk") else float(v[i])
                            for f, v in zip(self._fields, self)))


def _tie_rows(m: np.ndarray, a: np.ndarray, width: int) -> np.ndarray:
    """Per row, P(the best of a uniform ``a``-subset of ``m`` tied items is the j-th best), j = 1..width
    (0 beyond m): :func:`random_best_distribution` for every row at once, by the same ratio recursion."""
    r = np.arange(1, width)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(r < m[:, None], np.clip((m[:, None] - r - a[:, None] + 1) / (m[:, None] - r), 0.0, None), 0.0)
    return (a / m)[:, None] * np.concatenate((np.ones((len(m), 1)), np.cumprod(ratio, axis=1)), axis=1)


def topk_batch(sn: np.ndarray, gt: np.ndarray | None, ks: list[int], ties: str = "random",
               side: GtSide | None = None) -> list[TopKRows]:
    """Top-k of a batch of samples (``sn``, ``gt``: one sample per row, store order) for several k at once.

    One row-wise sort by supernet score serves every k: the best GT among the first k is the running maximum
    of GT along that order, and its rank the running minimum of GT ranks. With ``ties="store"`` ties keep
    store order; with ``"random"`` they are ordered by GT (best first), which changes nothing the random
    expectation depends on and puts each tie group's GT values in order, so the closed form of
    :func:`_cut_outcomes` is evaluated for every row whose cut falls inside a tie group at once (a row of
    probabilities per row). ``side`` = :func:`gt_side` of ``gt``, when the caller ranks the same samples again.
    """
    if ties not in TIES:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("tie rule (ties)", ties, TIES)
    side = gt_side(gt) if side is None else side
    g = side.gt
    t, n = g.shape
    sn = np.asarray(sn, dtype=np.float64).reshape(t, n)
    if ties == "store":
        flat = _flat(np.argsort(-sn, axis=1, kind="stable"))
    else:  # score best first, ties by GT best first: GT order, then a stable sort by score
        by_gt = side.flat_order
        flat = by_gt.take(_flat(np.argsort(-sn.take(by_gt), axis=1, kind="stable")))
    s_sorted, gt_ord = sn.take(flat), g.take(flat)
    prefix_max = np.maximum.accumulate(gt_ord, axis=1)
    rank_ord, atl_ord = side.rank.take(flat), side.at_least.take(flat)
    prefix_rank, prefix_atl = np.minimum.accumulate(rank_ord, axis=1), np.minimum.accumulate(atl_ord, axis=1)
    s_start, s_end = _runs(s_sorted)
    gain_ord = side.gain.take(flat)
    if ties == "random":  # inside a tie group of scores every position expects the group's mean gain
        gain_ord = _run_means(gain_ord, s_start, s_end)
    dcg = np.cumsum(gain_ord * side.disc, axis=1)
    mean_gain = side.gain.mean(axis=1)
    rows = np.arange(t)
    out = []
    for k in ks:
        if not 1 <= k <= n:
            raise OptionError(f"k must lie in 1..{n}, got {k}")
        p, cdf = random_best_distribution(n, k), _random_best_cdf(n, k)
        lo, hi = s_start[:, k - 1], s_end[:, k - 1]
        m, a = hi - lo, k - lo
        best, rank = prefix_max[:, k - 1].copy(), prefix_rank[:, k - 1].astype(np.float64)
        # P(random best >= v) = P(random best is among the #(gt >= v) best ranks)
        p_at_least = cdf[prefix_atl[:, k - 1]]
        tie = np.flatnonzero((m > 1) & (a < m)) if ties == "random" else np.empty(0, dtype=np.intp)
        if tie.size:  # best of (the subnets above the group, a uniform a-subset of the group)
            lo_t = lo[tie]
            probs = _tie_rows(m[tie], a[tie], int(m[tie].max()))
            cols = np.minimum(lo_t[:, None] + np.arange(probs.shape[1]), n - 1)
            has_above = lo_t > 0
            above_at = np.maximum(lo_t - 1, 0)
            above = np.where(has_above, prefix_max[tie, above_at], -np.inf)[:, None]
            above_rank = np.where(has_above, prefix_rank[tie, above_at], n + 1)[:, None]
            above_atl = np.where(has_above, prefix_atl[tie, above_at], n + 1)[:, None]
            best[tie] = (probs * np.maximum(above, gt_ord[tie[:, None], cols])).sum(axis=1)
            rank[tie] = (probs * np.minimum(above_rank, rank_ord[tie[:, None], cols])).sum(axis=1)
            p_at_least[tie] = (probs * cdf[np.minimum(above_atl, atl_ord[tie[:, None], cols])]).sum(axis=1)
        # precision: the score's top-k holds positions < lo surely and a of the m tied positions at random
        in_gt = np.zeros((t, n + 1))
        np.cumsum(_gt_membership(side, k, ties).take(flat), axis=1, out=in_gt[:, 1:])
        if ties == "random":
            c_lo, c_hi = in_gt[rows, lo], in_gt[rows, hi]
            overlap = c_lo + a / m * (c_hi - c_lo)
        else:
            overlap = in_gt[:, k]
        ideal = side.ideal[:, k - 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            ndcg = np.where(ideal > 0, dcg[:, k - 1] / ideal, np.nan)
            random_ndcg = np.where(ideal > 0, mean_gain * side.disc[:k].sum() / ideal, np.nan)
        out.append(TopKRows(best, rank, side.desc @ p, side.tie_rank @ p, side.desc[:, 0], m, a,
                            np.minimum(1.0, p_at_least), overlap / k, ndcg, random_ndcg))
    return out


def _chunks(rows: int, n: int, cells: int = 1 << 21) -> list[slice]:
    """Consecutive slices of ``rows`` rows of ``n`` items, each holding at most ~``cells`` items (memory bound)."""
    step = max(1, cells // max(n, 1))
    return [slice(i, min(i + step, rows)) for i in range(0, rows, step)]
