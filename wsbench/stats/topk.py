"""Top-k: does ranking by supernet score find good architectures? (NumPy only.)

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
from dataclasses import dataclass, field

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.ranking import (
    order_best_first,
    percentiles_with_counts,
    rank_percentile,
    tie_groups,
    top_share,
)

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


@dataclass(frozen=True)
class TopKSample:
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


def _group_means(values: np.ndarray, s_sorted: np.ndarray) -> np.ndarray:
    """Each position's expected ``values`` under random tie-breaking: the mean over its group of equal scores."""
    starts = np.flatnonzero(np.concatenate(([True], s_sorted[1:] != s_sorted[:-1])))
    sizes = np.diff(np.append(starts, len(s_sorted)))
    return np.repeat(np.add.reduceat(values, starts) / sizes, sizes)


def _cut_outcomes(s_sorted: np.ndarray, prefix_max: np.ndarray, gt_ord: np.ndarray, k: int,
                  ties: str, bounds: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(possible best GTs of the top-k, their probabilities, tie group size, members taken) for one k.

    With c subnets strictly better than the score v at place k and m subnets
    scoring exactly v, the top-k is those c plus a uniform a-subset of the m
    (a = k - c). Its best GT is max(best of the c, best of the a-subset); the
    best of the a-subset is the r-th best of the group with probability
    C(m-r, a-1) / C(m, a) (:func:`random_best_distribution`).
    """
    if bounds is None:
        v = s_sorted[k - 1]
        bounds = int(np.searchsorted(-s_sorted, -v, side="left")), int(np.searchsorted(-s_sorted, -v, side="right"))
    lo, hi = bounds
    m, a = hi - lo, k - lo
    if ties == "store" or m == 1 or a == m:
        return np.array([prefix_max[k - 1]]), np.array([1.0]), m, a
    above = prefix_max[lo - 1] if lo > 0 else -np.inf
    group = np.sort(gt_ord[lo:hi])[::-1]
    return np.maximum(above, group), random_best_distribution(m, a), m, a


@dataclass(frozen=True)
class GtSide:
    """What top-k needs from the ground truth of one sample alone: computed once, shared by every seed, epoch and
    score that ranks the same sample."""
    gt: np.ndarray
    desc: np.ndarray  # GT best first
    asc: np.ndarray
    tie_rank: np.ndarray  # rank (1 + #strictly better) of each position of ``desc``
    gain: np.ndarray  # NDCG gain of each item: GT rank percentile in [0, 1]
    disc: np.ndarray  # 1 / log2(position + 1), positions 1..n
    ideal: np.ndarray  # ideal DCG@k for k = 1..n
    store_order: np.ndarray  # items best first, ties by store order
    memo: dict = field(default_factory=dict, compare=False)  # top-k memberships by (k, ties)


def gt_side(gt: np.ndarray) -> GtSide:
    gt = np.asarray(gt, dtype=np.float64)
    n = len(gt)
    store_order = order_best_first(gt)
    desc = gt[store_order]
    gain = rank_percentile(gt) / 100.0
    disc = 1.0 / np.log2(np.arange(2, n + 2))
    return GtSide(gt, desc, desc[::-1], np.searchsorted(-desc, -desc, side="left") + 1, gain, disc,
                  np.cumsum(gain[store_order] * disc), store_order)


def _gt_membership(side: GtSide, k: int, ties: str) -> np.ndarray:
    """P(item in the GT's top ``k``): 1 above the k-th value, 0 below; a/m for the m items equal to it (random
    tie-breaking) or store order."""
    if (k, ties) in side.memo:
        return side.memo[(k, ties)]
    side.memo[(k, ties)] = w = _membership(side, k, ties)
    return w


def _membership(side: GtSide, k: int, ties: str) -> np.ndarray:
    if ties == "store":
        w = np.zeros(len(side.gt))
        w[side.store_order[:k]] = 1.0
        return w
    return top_share(side.gt, side.desc, k)


def topk_many(sn: np.ndarray, gt: np.ndarray | None, ks: list[int], ties: str = "random",
              side: GtSide | None = None) -> list[TopKSample]:
    """Top-k of one sample for several k at once (arrays already restricted to the sample, in store order).

    One sort by supernet score serves every k: the best GT among the first k is
    the running maximum of GT along that order (stable: store order inside ties).
    ``side`` = :func:`gt_side` of ``gt``, when the caller ranks the same sample several times.
    """
    if ties not in TIES:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("tie rule (ties)", ties, TIES)
    side = gt_side(gt) if side is None else side
    gt = side.gt
    n = len(gt)
    sn = np.asarray(sn, dtype=np.float64)
    order = order_best_first(sn)
    s_sorted, gt_ord = sn[order], gt[order]
    prefix_max = np.maximum.accumulate(gt_ord)
    # NDCG: inside a tie group of scores every position expects the group's mean gain (random tie-breaking)
    gain_ord = side.gain[order] if ties == "store" else _group_means(side.gain[order], s_sorted)
    dcg = np.cumsum(gain_ord * side.disc)
    mean_gain = float(side.gain.mean())
    out = []
    for k in ks:
        p = random_best_distribution(n, k)
        values, probs, m, a = _cut_outcomes(s_sorted, prefix_max, gt_ord, k, ties)
        ranks = n - np.searchsorted(side.asc, values, side="right") + 1
        # P(random best >= v) = P(random best is among the items >= v) = sum of p over the first #(gt >= v) ranks
        at_least = n - np.searchsorted(side.asc, values, side="left")
        cdf = _random_best_cdf(n, k)
        # precision: the score's top-k holds positions < k - a surely and a of the m tied positions at random
        in_gt = _gt_membership(side, k, ties)[order]
        lo = k - a
        overlap = in_gt[:lo].sum() + (a / m * in_gt[lo:lo + m].sum() if ties == "random" else in_gt[lo:k].sum())
        ideal = side.ideal[k - 1]
        out.append(TopKSample(
            best_gt=float(probs @ values),
            best_rank=float(probs @ ranks),
            random_best_gt=float(p @ side.desc),
            random_best_rank=float(p @ side.tie_rank),
            sample_best_gt=float(side.desc[0]),
            tie_group=m, tie_in_topk=a,
            p_random_at_least=float(min(1.0, probs @ cdf[at_least])),
            precision=float(overlap / k),
            ndcg=float(dcg[k - 1] / ideal) if ideal > 0 else float("nan"),
            random_ndcg=float(mean_gain * side.disc[:k].sum() / ideal) if ideal > 0 else float("nan"),
        ))
    return out


def topk_sample(sn: np.ndarray, gt: np.ndarray, k: int, ties: str = "random") -> TopKSample:
    """Top-k of one sample for one k."""
    return topk_many(sn, gt, [k], ties)[0]


def draw_samples(pool: int, n: int, trials: int, rng_seed: int) -> list[np.ndarray]:
    """``trials`` sorted index sets of size ``n`` from ``range(pool)``; one set of all if n == pool."""
    if n > pool:
        raise OptionError(f"samples={n} exceeds the {pool} subnets with both scores; use at most {pool}")
    if n == pool:
        return [np.arange(pool)]
    rng = np.random.default_rng(rng_seed)
    return [np.sort(rng.choice(pool, size=n, replace=False)) for _ in range(trials)]


def topk_resampled(scores: list[np.ndarray], gt: np.ndarray, idx: np.ndarray, ks: list[int],
                   ties: str = "random") -> list[list[list[TopKSample]]]:
    """:func:`topk_many` of every bootstrap resample ``idx`` (rows of indices into one sample) for each score
    vector in ``scores`` (seeds), sharing what depends on the GT alone: ``[score][resample][k]``.

    With random tie-breaking the result does not depend on the order of a resample's items, so each resample is
    laid out from multiplicities: the sample's score order (sorted once) with item i repeated c_i times, and the
    GT order likewise, so no resample is sorted again. Store order (``ties="store"``) depends on the resample's
    own order and is computed one resample at a time.
    """
    n = len(gt)
    gt = np.asarray(gt, dtype=np.float64)
    out: list[list[list[TopKSample]]] = [[] for _ in scores]
    if ties == "store":
        for i in idx:
            side = gt_side(gt[i])
            for j, s in enumerate(scores):
                out[j].append(topk_many(np.asarray(s)[i], None, ks, ties, side))
        return out
    order_g = order_best_first(gt)
    groups = tie_groups(gt)
    orders = [order_best_first(s) for s in scores]
    scores = [np.asarray(s, dtype=np.float64) for s in scores]
    disc = 1.0 / np.log2(np.arange(2, n + 2))
    for i in idx:
        c = np.bincount(i, minlength=n)
        desc = np.repeat(gt[order_g], c[order_g])
        gain = percentiles_with_counts(groups, c) / 100.0 if n > 1 else np.ones(n)  # GT rank percentile
        ideal = np.cumsum(np.repeat(gain[order_g], c[order_g]) * disc)
        member = [top_share(gt, desc, k) for k in ks]  # per original item; its copies share it
        for j, (s, order) in enumerate(zip(scores, orders)):
            expanded = np.repeat(order, c[order])  # the resample's items, best score first
            out[j].append(_lean(s[expanded], gt[expanded], gain[expanded], disc, ideal, ks,
                                [m[expanded] for m in member]))
    return out


def _lean(s_sorted: np.ndarray, gt_ord: np.ndarray, gain_ord: np.ndarray, disc: np.ndarray, ideal: np.ndarray,
          ks: list[int], member_ord: list[np.ndarray]) -> list[TopKSample]:
    """best_gt, precision and NDCG@k of one resample laid out best score first (random ties); the rest NaN."""
    prefix_max = np.maximum.accumulate(gt_ord)
    dcg = np.cumsum(_group_means(gain_ord, s_sorted) * disc)
    neg, cut = -s_sorted, -s_sorted[np.asarray(ks) - 1]
    los, his = np.searchsorted(neg, cut, side="left"), np.searchsorted(neg, cut, side="right")  # every k at once
    out = []
    for k, in_gt, lo_k, hi_k in zip(ks, member_ord, los.tolist(), his.tolist()):
        values, probs, m, a = _cut_outcomes(s_sorted, prefix_max, gt_ord, k, "random", (lo_k, hi_k))
        lo = k - a
        overlap = in_gt[:lo].sum() + a / m * in_gt[lo:lo + m].sum()
        nan = float("nan")
        out.append(TopKSample(float(probs @ values), nan, nan, nan, nan, m, a, nan, float(overlap / k),
                              float(dcg[k - 1] / ideal[k - 1]) if ideal[k - 1] > 0 else nan, nan))
    return out
