"""Bootstrap confidence intervals over subnets (percentile method).

A dataset holds a sample of subnets; a statistic computed on another sample
of the same size from the same space would differ. Resampling the subnets with
replacement (the same draws for every seed, so the mean over seeds gets one
interval too) shows how much. Seeded: the same ``rng_seed`` gives the same
interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from wsbench.errors import OptionError


def check_level(level: object) -> float:
    if isinstance(level, bool):
        raise OptionError(f"ci must be a confidence level in (0, 1) such as 0.95, got {level!r}")
    try:
        value = float(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise OptionError(f"ci must be a confidence level in (0, 1) such as 0.95, got {level!r}") from None
    if not 0 < value < 1:
        raise OptionError(f"ci must be a confidence level in (0, 1) such as 0.95, got {level!r}")
    return value


def check_boot(boot: object) -> int:
    """The number of bootstrap resamples, refused unless an integer >= 10."""
    import numbers

    if isinstance(boot, bool) or not isinstance(boot, numbers.Integral) or boot < 10:
        raise OptionError(f"boot must be an integer >= 10 (bootstrap resamples), got {boot!r}")
    return int(boot)


def resamples(n: int, boot: int, rng_seed: int) -> np.ndarray:
    """``(boot, n)`` indices drawn with replacement by ``numpy.random.default_rng(rng_seed)`` (refused before
    allocating when larger than the memory budget)."""
    from wsbench.stats.options import within_budget

    # 56 bytes per index: the draws and what is computed from them peak at ~7x the int64 indices (measured, peak
    # RSS for boot=20,000 x 1,000 subnets: 1.14 GB correlation --method spearman, 0.67 GB kendall/bias/paired)
    within_budget(f"boot={boot:,} resamples", boot, n, "subnets", itemsize=56)
    return np.random.default_rng(rng_seed).integers(0, n, size=(boot, n))


def percentile_interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` interval of the bootstrap distribution (NaN draws ignored; NaN if none is finite)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(v, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def bootstrap(stat: Callable[[np.ndarray], float], idx: np.ndarray) -> np.ndarray:
    """``stat`` evaluated on every resample (``stat`` takes an index array)."""
    return np.array([stat(i) for i in idx])


#: above this many subnets Kendall's draws are computed one resample at a time (the blocked kernel's cost grows as
#: n^1.5 per resample, and its float32 products stay exact only while a resample holds < 2^24 items)
DENSE_KENDALL_MAX = 65536


def counts(idx: np.ndarray, n: int) -> np.ndarray:
    """``(boot, n)`` multiplicities: how often each of the ``n`` items is drawn in each resample."""
    b = idx.shape[0]
    flat = (idx + n * np.arange(b)[:, None]).ravel()
    return np.bincount(flat, minlength=b * n).reshape(b, n).astype(np.float64)


def _group_totals(c: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per resample, the total multiplicity of each group of equal ``v`` (boot, groups; groups in ascending order
    of v), and the group of each item."""
    from wsbench.stats.ranking import tie_groups

    order, starts, sizes = tie_groups(v)
    group_of = np.empty(len(v), dtype=np.int64)
    group_of[order] = np.repeat(np.arange(len(starts)), sizes)
    return np.add.reduceat(c[:, order], starts, axis=1), group_of


def _spearman(c: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Spearman's rho, constant) of every resample from the multiplicities: Pearson's r of the average ranks
    1..N (a group's rank = copies strictly below + (its copies + 1) / 2). Ranks are multiples of 1/2 and the
    multiplicities integers, so the raw sums (of c r_x r_y, c r_x^2, c r_y^2) are exact in float64 while
    N^3 < 2^50, and the rank sums are N(N+1)/2 in every resample: the centred sums are the raw ones minus
    N(N+1)^2/4, with one rounding in the final quotient."""
    total = c.sum(axis=1)
    ranks, squares, constant = [], [], np.zeros(len(c), dtype=bool)
    for v in (x, y):
        t, group_of = _group_totals(c, v)
        r = np.cumsum(t, axis=1) - t + (t + 1) / 2  # (boot, groups)
        squares.append(np.einsum("bg,bg->b", t * r, r))
        ranks.append(r[:, group_of])
        constant |= t.max(axis=1) == total  # one distinct value drawn: NaN, as correlate
    mean_sq = total * (total + 1) ** 2 / 4
    sxy = np.einsum("bn,bn->b", c * ranks[0], ranks[1]) - mean_sq
    sxx, syy = squares[0] - mean_sq, squares[1] - mean_sq
    with np.errstate(invalid="ignore", divide="ignore"):
        return sxy / np.sqrt(sxx * syy), constant


def _weighted_pearson(c: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson's r per resample: x, y are (boot, n) or (n,) values, c the multiplicities."""
    total = c.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = (c * x).sum(axis=1) / total
        my = (c * y).sum(axis=1) / total
        dx = x - mx[:, None]
        dy = y - my[:, None]
        sxy, sxx, syy = (c * dx * dy).sum(axis=1), (c * dx * dx).sum(axis=1), (c * dy * dy).sum(axis=1)
        r = sxy / np.sqrt(sxx * syy)
    return np.where((sxx > 0) & (syy > 0), r, np.nan)


#: while :func:`memoized` is active: correlation draws already computed, by what determines them
_MEMO: dict[tuple, np.ndarray] | None = None
#: while :func:`memoized` is active: the digest of each resample array seen, by identity (the array is kept, so
#: its id is not reused): one report passes the same (boot, n) indices to dozens of calls, and hashing 32 MB
#: each time cost more than the draws it saved
_DIGESTS: dict[int, tuple[np.ndarray, str]] = {}


@contextmanager
def memoized() -> Iterator[None]:
    """Inside this block, :func:`correlation_draws` of the same values, resamples and method are computed once.

    A page of figures (``wsbench report``) asks for the same draws several times: the interval of tau at the last
    epoch, each paired test that has that epoch on one side, the noise ceiling's numerator. Outside the block
    nothing is kept."""
    global _MEMO
    outer = _MEMO
    _MEMO = {} if outer is None else outer
    try:
        yield
    finally:
        _MEMO = outer
        if outer is None:
            _DIGESTS.clear()


def _digest(a: np.ndarray) -> str:
    import hashlib

    a = np.ascontiguousarray(a)
    h = hashlib.blake2b(digest_size=16)
    h.update(str((a.dtype, a.shape)).encode())
    h.update(a.tobytes())
    return h.hexdigest()


def _memo_key(x: np.ndarray, y: np.ndarray, idx: np.ndarray, method: str, weigh_by: str) -> tuple:
    seen = _DIGESTS.get(id(idx))
    if seen is None or seen[0] is not idx:
        seen = _DIGESTS[id(idx)] = (idx, _digest(idx))
    return (method, weigh_by, _digest(x), _digest(y), seen[1])


def correlation_draws(x: np.ndarray, y: np.ndarray, idx: np.ndarray, method: str,
                      weigh_by: str = "both", multiplicities: np.ndarray | None = None) -> np.ndarray:
    """The draws of :func:`_correlation_draws`, from the memo inside :func:`memoized`."""
    if _MEMO is None:
        return _correlation_draws(x, y, idx, method, weigh_by, multiplicities)
    key = _memo_key(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), np.asarray(idx), method,
                    weigh_by)
    if key not in _MEMO:
        _MEMO[key] = _correlation_draws(x, y, idx, method, weigh_by, multiplicities)
    return _MEMO[key].copy()


def _correlation_draws(x: np.ndarray, y: np.ndarray, idx: np.ndarray, method: str,
                       weigh_by: str = "both", multiplicities: np.ndarray | None = None) -> np.ndarray:
    """:func:`wsbench.stats.coefficients.correlate` of every resample ``x[i], y[i]`` (``i`` = a row of ``idx``),
    computed at once from the multiplicities (property-tested equal to the loop): Kendall's tau-b from blocks of
    the pair-sign matrix (:mod:`wsbench.stats.kendall_blocks`; a copy of an item ties with itself in both scores,
    so it adds tied pairs only); Spearman
    from ranks with multiplicities (rank = items below + (group total + 1) / 2); Pearson from weighted moments.
    Weighted tau, and Kendall above :data:`DENSE_KENDALL_MAX` items, loop over the resamples.
    ``multiplicities`` = :func:`counts` of ``idx``, when the caller reuses them for several seeds and methods."""
    from wsbench.stats.coefficients import correlate

    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if method == "weighted" or (method == "kendall" and len(x) > DENSE_KENDALL_MAX):
        return bootstrap(lambda i: correlate(x[i], y[i], method, weigh_by), idx)
    c = counts(idx, len(x)) if multiplicities is None else multiplicities
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.all():
        c, x, y = c[:, ok], x[ok], y[ok]
    total = c.sum(axis=1)
    if method == "kendall":
        from wsbench.stats.kendall_blocks import tau_b

        return tau_b(c, x, y)
    if method == "spearman":
        out, constant = _spearman(c, x, y)
    elif method == "pearson":
        tx, ty = _group_totals(c, x)[0], _group_totals(c, y)[0]
        constant = (tx.max(axis=1) == total) | (ty.max(axis=1) == total)  # one distinct value drawn: NaN
        out = _weighted_pearson(c, x - x.mean(), y - y.mean())
    else:
        from wsbench.errors import UnknownNameError
        from wsbench.stats.coefficients import METHODS

        raise UnknownNameError("correlation method", method, METHODS)
    return np.where(constant | (total < 3), np.nan, out)
