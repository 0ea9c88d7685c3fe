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
from dataclasses import dataclass

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.ranking import order_best_first, rank_percentile

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


def membership(values_desc: np.ndarray, g: np.ndarray, k: int) -> np.ndarray:
    """P(item in the top ``k`` by ``g``) under uniformly random tie-breaking: 1 above the k-th value, 0 below,
    a/m for the m items equal to it when a of them fit (``values_desc`` = ``g`` sorted best first)."""
    v = values_desc[k - 1]
    above = np.count_nonzero(values_desc > v)
    tied = g == v
    w = (g > v).astype(np.float64)
    w[tied] = (k - above) / np.count_nonzero(tied)
    return w


def _group_means(values: np.ndarray, s_sorted: np.ndarray) -> np.ndarray:
    """Each position's expected ``values`` under random tie-breaking: the mean over its group of equal scores."""
    starts = np.flatnonzero(np.concatenate(([True], s_sorted[1:] != s_sorted[:-1])))
    sizes = np.diff(np.append(starts, len(s_sorted)))
    return np.repeat(np.add.reduceat(values, starts) / sizes, sizes)


def _cut_outcomes(s_sorted: np.ndarray, prefix_max: np.ndarray, gt_ord: np.ndarray, k: int,
                  ties: str) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(possible best GTs of the top-k, their probabilities, tie group size, members taken) for one k.

    With c subnets strictly better than the score v at place k and m subnets
    scoring exactly v, the top-k is those c plus a uniform a-subset of the m
    (a = k - c). Its best GT is max(best of the c, best of the a-subset); the
    best of the a-subset is the r-th best of the group with probability
    C(m-r, a-1) / C(m, a) (:func:`random_best_distribution`).
    """
    v = s_sorted[k - 1]
    lo = int(np.searchsorted(-s_sorted, -v, side="left"))
    hi = int(np.searchsorted(-s_sorted, -v, side="right"))
    m, a = hi - lo, k - lo
    if ties == "store" or m == 1 or a == m:
        return np.array([prefix_max[k - 1]]), np.array([1.0]), m, a
    above = prefix_max[lo - 1] if lo > 0 else -np.inf
    group = np.sort(gt_ord[lo:hi])[::-1]
    return np.maximum(above, group), random_best_distribution(m, a), m, a


def topk_many(sn: np.ndarray, gt: np.ndarray, ks: list[int], ties: str = "random") -> list[TopKSample]:
    """Top-k of one sample for several k at once (arrays already restricted to the sample, in store order).

    One sort by supernet score serves every k: the best GT among the first k is
    the running maximum of GT along that order (stable: store order inside ties).
    """
    if ties not in TIES:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("tie rule (ties)", ties, TIES)
    n = len(gt)
    order = order_best_first(sn)
    s_sorted, gt_ord = np.asarray(sn)[order], gt[order]
    prefix_max = np.maximum.accumulate(gt_ord)
    gt_desc = np.sort(gt)[::-1]
    gt_asc = gt_desc[::-1]
    # rank with ties: the item at sorted position r has rank 1 + #strictly better
    tie_rank = np.searchsorted(-gt_desc, -gt_desc, side="left") + 1
    # NDCG: gain = GT rank percentile in [0, 1] (1 = best; ties averaged), discount 1 / log2(position + 1)
    gain = rank_percentile(gt) / 100.0
    disc = 1.0 / np.log2(np.arange(2, n + 2))
    gain_ord = gain[order] if ties == "store" else _group_means(gain[order], s_sorted)
    dcg, ideal = np.cumsum(gain_ord * disc), np.cumsum(np.sort(gain)[::-1] * disc)
    random_dcg = gain.mean() * np.cumsum(disc)
    s_desc = np.asarray(sn, dtype=np.float64)[order]
    gt_store = order_best_first(gt) if ties == "store" else None
    out = []
    for k in ks:
        if ties == "store":
            in_sn, in_gt = np.zeros(n), np.zeros(n)
            in_sn[order[:k]], in_gt[gt_store[:k]] = 1.0, 1.0
        else:
            in_sn, in_gt = membership(s_desc, np.asarray(sn, dtype=np.float64), k), membership(gt_desc, gt, k)
        p = random_best_distribution(n, k)
        values, probs, m, a = _cut_outcomes(s_sorted, prefix_max, gt_ord, k, ties)
        ranks = n - np.searchsorted(gt_asc, values, side="right") + 1
        # P(random best >= v) = P(random best is among the items >= v) = sum of p over the first #(gt >= v) ranks
        at_least = n - np.searchsorted(gt_asc, values, side="left")
        cdf = np.concatenate(([0.0], np.cumsum(p)))
        out.append(TopKSample(
            best_gt=float(probs @ values),
            best_rank=float(probs @ ranks),
            random_best_gt=float(p @ gt_desc),
            random_best_rank=float(p @ tie_rank),
            sample_best_gt=float(gt_desc[0]),
            tie_group=m, tie_in_topk=a,
            p_random_at_least=float(min(1.0, probs @ cdf[at_least])),
            precision=float(in_sn @ in_gt / k),
            ndcg=float(dcg[k - 1] / ideal[k - 1]) if ideal[k - 1] > 0 else float("nan"),
            random_ndcg=float(random_dcg[k - 1] / ideal[k - 1]) if ideal[k - 1] > 0 else float("nan"),
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
