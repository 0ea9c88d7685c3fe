"""Top-k: does ranking by supernet score find good architectures? (NumPy only.)

For one sample of ``n`` subnets: order by supernet goodness (ties: lower store
index first), take the first ``k``, report the best ground truth among them and
that subnet's rank in the sample by ground truth. The random baseline is the
exact expectation of the same quantities for ``k`` subnets drawn uniformly
without replacement from the same sample (no supernet score involved).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.ranking import order_best_first

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


@dataclass(frozen=True)
class TopKSample:
    best_gt: float  # goodness of the best GT among the supernet's top-k
    best_rank: int  # its rank in the sample by GT (1 = best)
    random_best_gt: float  # expected goodness of the best GT among k random subnets
    random_best_rank: float  # expected rank of that subnet
    sample_best_gt: float  # best GT goodness of the whole sample (the oracle)


def topk_many(sn: np.ndarray, gt: np.ndarray, ks: list[int]) -> list[TopKSample]:
    """Top-k of one sample for several k at once (arrays already restricted to the sample, in store order).

    One sort by supernet score serves every k: the best GT among the first k is
    the running maximum of GT along that order.
    """
    n = len(gt)
    best_so_far = np.maximum.accumulate(gt[order_best_first(sn)])
    gt_desc = np.sort(gt)[::-1]
    gt_asc = gt_desc[::-1]
    # rank with ties: the item at sorted position r has rank 1 + #strictly better
    tie_rank = np.searchsorted(-gt_desc, -gt_desc, side="left") + 1
    out = []
    for k in ks:
        p = random_best_distribution(n, k)
        best = float(best_so_far[k - 1])
        out.append(TopKSample(
            best_gt=best,
            best_rank=int(n - np.searchsorted(gt_asc, best, side="right")) + 1,
            random_best_gt=float(p @ gt_desc),
            random_best_rank=float(p @ tie_rank),
            sample_best_gt=float(gt_desc[0]),
        ))
    return out


def topk_sample(sn: np.ndarray, gt: np.ndarray, k: int) -> TopKSample:
    """Top-k of one sample for one k."""
    return topk_many(sn, gt, [k])[0]


def draw_samples(pool: int, n: int, trials: int, rng_seed: int) -> list[np.ndarray]:
    """``trials`` sorted index sets of size ``n`` from ``range(pool)``; one set of all if n == pool."""
    if n > pool:
        raise OptionError(f"samples={n} exceeds the {pool} subnets with both scores; use at most {pool}")
    if n == pool:
        return [np.arange(pool)]
    rng = np.random.default_rng(rng_seed)
    return [np.sort(rng.choice(pool, size=n, replace=False)) for _ in range(trials)]
