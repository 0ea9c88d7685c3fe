"""Bottom and top side by side: is an estimator better at spotting bad subnets than good ones? (NumPy only.)

The study argues for pruning with the supernet because it finds the worst
subnets more reliably than the best; Ning et al. (NeurIPS 2021, *Evaluating
Efficient Performance Estimators of Neural Architectures*) measure exactly that
with P@top-K / P@bottom-K, BR@K / WR@K and Kendall's tau inside a subset. This
module computes those figures for one pool of subnets, each as the **exact
expectation over uniformly random tie-breaking** (wsbench's rule: no answer
decided by store order), each beside the exact value of a uniformly random
ranking, and the difference bottom - top with a bootstrap interval over subnets.

Definitions, against Ning et al.'s evaluation code (``walkerning/aw_nas``,
``examples/research/surgery/evaluation.py``: ``p_at_tb_k``, ``minmax_n_at_k``):

* K from a fraction: theirs is ``int(N * ratio)`` (floor, ratios with K < 1
  skipped); ours is ``rounding="ceil"`` by default (wsbench's ``resolve_k``:
  ``ceil(N x)``, at least 1), ``rounding="floor"`` reproduces theirs. The two
  agree whenever ``N x`` is a whole number.
* P@top-K = |estimator's top K ∩ GT's top K| / K, P@bottom-K the same with
  both bottoms: as theirs (they rank by ``argsort``, which splits ties
  arbitrarily; here both cuts are split uniformly at random, independently).
* BR@K / WR@K = the best / worst GT rank among the estimator's top K, **ranks
  1-based** (1 = best GT), as theirs (``min/max(true_ranks) + 1``); also given
  as a fraction of N (``br_frac = BR / N``, their second number). A GT rank is
  ``1 + #(subnets with strictly better GT)``: equal GT values share a rank (as
  wsbench's top-k ``best_rank``), where their argsort would number them apart.
* Kendall within: theirs is tau inside the *estimator's* predicted top/bottom K
  (``within="estimator"``); the default ``within="gt"`` takes the GT's top/bottom
  x%, the mirror of wsbench's ``correlation --within-top``. Either way the whole
  tie group at the cut is kept (no arbitrary split), so no expectation is needed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.ranking import ascending, goodness, top_share
from wsbench.stats.summary import Table

if TYPE_CHECKING:
    from wsbench.stats.source import Source

ROUNDINGS = ("ceil", "floor")
WITHIN = ("gt", "estimator")


def resolve_cut(k: float | str, n: int, rounding: str = "ceil") -> int:
    """A cut as a count of subnets: ``10`` or ``"10"`` (a count), ``0.1`` or ``"10%"`` (a share of ``n``).

    A share ``x`` becomes ``ceil(n x)`` (``rounding="ceil"``, wsbench's rule) or
    ``floor(n x)`` (``"floor"``, Ning et al.'s ``int(N * ratio)``); at least 1 subnet.
    """
    if rounding not in ROUNDINGS:
        raise OptionError(f"rounding must be one of {', '.join(ROUNDINGS)}, got {rounding!r}")
    if n < 1:
        raise OptionError(f"a cut needs at least one subnet with both scores finite, got {n}")
    share: float | None = None
    bad = f"k must be a count like 10 or '10', or a share like 0.1 or '10%', got {k!r}"
    if isinstance(k, bool):
        raise OptionError(bad)
    if isinstance(k, numbers.Integral):
        count = int(k)
    elif isinstance(k, numbers.Real):
        share = float(k)
        if not 0 < share < 1:
            raise OptionError(f"a share k must lie in (0, 1) (or write a count as an int), got {k!r}")
        count = -1
    else:
        text = str(k).strip()
        try:
            share, count = (float(text[:-1]) / 100, -1) if text.endswith("%") else (None, int(text))
        except ValueError:
            raise OptionError(bad) from None
        if share is not None and not 0 < share <= 1:
            raise OptionError(f"a percentage k must lie in (0, 100], got {k!r}")
    if share is not None:
        exact = n * share
        count = math.ceil(exact - 1e-9) if rounding == "ceil" else math.floor(exact + 1e-9)
        if count < 1:
            raise OptionError(f"k={k!r} of {n} subnets is {exact:g} subnets, which floors to 0 "
                              "(Ning et al. skip such a K); raise k or use rounding='ceil'")
        return min(count, n)
    if not 1 <= count <= n:
        raise OptionError(f"a count k must lie in 1..{n} (the subnets with both scores finite), got {k!r}")
    return count


def gt_ranks(t: np.ndarray) -> np.ndarray:
    """1-based GT rank of each subnet: 1 + #(subnets with strictly better goodness); ties share a rank."""
    asc = ascending(t)
    return 1 + (len(t) - np.searchsorted(asc, t, side="right"))


def precision_at(w: np.ndarray, t: np.ndarray, k: int) -> float:
    """E|top k by ``w`` ∩ top k by ``t``| / k, both cuts split uniformly at random and independently: by
    linearity the sum of P(i in one) P(i in the other), each P = 1 above its cut, a/m in its tie group, 0
    below."""
    pw = top_share(w, ascending(w)[::-1], k)
    pt = top_share(t, ascending(t)[::-1], k)
    return float(pw @ pt) / k


def expected_extreme_in_top(w: np.ndarray, v: np.ndarray, k: int, largest: bool = True) -> float:
    """E[max (or min) of ``v`` over the top ``k`` by ``w``], the k-th place's tie group split at random.

    The top k is the c subnets strictly above the cut value plus a uniform a-subset of the m tied at it; the
    best of that subset is the r-th best of the group with probability C(m-r, a-1) / C(m, a)
    (:func:`wsbench.stats.topk.random_best_distribution`), so E = sum_r max(M, v_(r)) C(m-r, a-1) / C(m, a)
    with M the extreme over the c sure members (-inf if none).
    """
    from wsbench.stats.topk import random_best_distribution

    x = np.asarray(v, dtype=np.float64) * (1.0 if largest else -1.0)
    cut = ascending(w)[::-1][k - 1]
    above, group = w > cut, w == cut
    m, a = int(group.sum()), k - int(above.sum())
    sure = float(x[above].max()) if above.any() else -np.inf
    tied = np.sort(x[group])[::-1]
    if a == m:
        value = max(sure, float(tied[0]))
    else:
        value = float(random_best_distribution(m, a) @ np.maximum(sure, tied))
    return value if largest else -value


def random_extreme(v: np.ndarray, k: int, largest: bool = True) -> float:
    """E[max (or min) of ``v`` over k subnets drawn uniformly without replacement]:
    sum_r v_(r) C(n-r, k-1) / C(n, k)."""
    from wsbench.stats.topk import random_best_distribution

    x = np.sort(np.asarray(v, dtype=np.float64))
    x = x[::-1] if largest else x
    return float(random_best_distribution(len(x), k) @ x)


def within_cut(ref: np.ndarray, x: int, bottom: bool) -> np.ndarray:
    """Mask of the subnets in the top (or bottom) ``x`` by ``ref``, the whole tie group at the cut kept."""
    if bottom:
        return ref <= np.sort(ref)[x - 1]
    return ref >= np.sort(ref)[::-1][x - 1]


class BottomTop(NamedTuple):
    """The figures of one pool; ``*_random`` = the exact expectation under a uniformly random ranking."""
    n: int  # subnets with both scores finite
    k: int  # the cut as a count
    p_top: float  # P@top-k (expected over random tie-breaking)
    p_bottom: float  # P@bottom-k
    p_random: float  # k / n, for either
    br: float  # BR@k: best GT rank (1 = best) among the estimator's top k
    wr: float  # WR@k: worst GT rank among the estimator's top k
    br_random: float
    wr_random: float
    x: int  # the within-cut as a count
    kendall_top: float  # Kendall tau-b inside the top x (by ``within``)
    kendall_bottom: float  # ... inside the bottom x
    n_top: int  # subnets inside the top x (ties at the cut kept)
    n_bottom: int
    kendall_random: float  # 0: a uniformly random order is as often concordant as discordant
    p_diff: float  # p_bottom - p_top
    p_diff_ci: tuple[float, float]  # bootstrap percentile interval (NaN without ci)
    kendall_diff: float  # kendall_bottom - kendall_top
    kendall_diff_ci: tuple[float, float]

    @property
    def br_frac(self) -> float:
        """BR@k / n, Ning et al.'s second number."""
        return self.br / self.n

    @property
    def wr_frac(self) -> float:
        return self.wr / self.n


def _check_pair(score: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w, t = np.asarray(score, dtype=np.float64), np.asarray(gt, dtype=np.float64)
    if w.ndim != 1 or w.shape != t.shape:
        raise OptionError(f"score and gt must be 1-D arrays of one length (one value per subnet), got shapes "
                          f"{w.shape} and {t.shape}")
    return w, t


def _kendall_inside(w: np.ndarray, t: np.ndarray, mask: np.ndarray) -> float:
    from wsbench.stats.correlation import correlate

    return correlate(w[mask], t[mask], "kendall")


def _p_and_kendall(w: np.ndarray, t: np.ndarray, k: int, x: int,
                   within: str) -> tuple[float, float, float, float]:
    ref = t if within == "gt" else w
    return (precision_at(w, t, k), precision_at(-w, -t, k),
            _kendall_inside(w, t, within_cut(ref, x, False)), _kendall_inside(w, t, within_cut(ref, x, True)))


def diff_draws(w: np.ndarray, t: np.ndarray, k: int, x: int, within_by: str, boot: int,
               rng_seed: int) -> np.ndarray:
    """(boot, 2) bootstrap draws of (p_bottom - p_top, kendall_bottom - kendall_top) over ``boot`` resamples of
    the pool (``w``, ``t`` finite goodness; ``k``, ``x`` the counts resolved on the pool), from
    :func:`wsbench.stats.bootstrap.resamples`; computed at once from multiplicities
    (:mod:`wsbench.stats.bottomtop_resample`, property-tested equal to :func:`_p_and_kendall` of each resample)."""
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats.bottomtop_resample import diff_draws_batched

    return diff_draws_batched(w, t, k, x, within_by, _boot.resamples(len(w), boot, rng_seed))


def bottom_top(score: np.ndarray, gt: np.ndarray, k: float | str = "10%", within: float | str = "10%", *,
               within_by: str = "gt", direction: str = "max", rounding: str = "ceil",
               ci: float | None = None, boot: int = 1000, rng_seed: int = 0) -> BottomTop:
    """P@top-k, P@bottom-k, BR@k, WR@k and Kendall tau inside the top and bottom ``within`` of one pool.

    ``score`` and ``gt`` hold one value per subnet in store order; ``direction`` (the store's
    ``metric_direction``) orients both (pass another ranking, e.g. a loss, already as goodness with
    ``direction="max"``). Subnets where either is NaN are left out. ``within_by="gt"`` cuts by the GT (mirror
    of ``--within-top``), ``"estimator"`` by the score (Ning et al.). With ``ci`` (e.g. 0.95) the differences
    bottom - top get a percentile interval over ``boot`` resamples of the subnets
    (:func:`wsbench.stats.bootstrap.resamples`; copies of a subnet tie in both scores, so the tie rule
    applies).
    """
    from wsbench.stats import bootstrap as _boot

    if within_by not in WITHIN:
        raise OptionError(f"within_by must be one of {', '.join(WITHIN)}, got {within_by!r}")
    w, t = _check_pair(score, gt)
    try:
        w, t = goodness(w, direction), goodness(t, direction)
    except ValueError as e:
        raise OptionError(str(e)) from None
    ok = np.isfinite(w) & np.isfinite(t)
    w, t = w[ok], t[ok]
    n = len(w)
    kk, xx = resolve_cut(k, n, rounding), resolve_cut(within, n, rounding)
    p_top, p_bottom, k_top, k_bottom = _p_and_kendall(w, t, kk, xx, within_by)
    ranks = gt_ranks(t).astype(np.float64)
    ref = t if within_by == "gt" else w
    nan2 = (float("nan"), float("nan"))
    p_ci, k_ci = nan2, nan2
    if ci is not None:
        level = _boot.check_level(ci)
        boot = _boot.check_boot(boot)
        draws = diff_draws(w, t, kk, xx, within_by, boot, rng_seed)
        p_ci = _boot.percentile_interval(draws[:, 0], level)
        k_ci = _boot.percentile_interval(draws[:, 1], level)
    return BottomTop(
        n=n, k=kk, p_top=p_top, p_bottom=p_bottom, p_random=kk / n,
        br=expected_extreme_in_top(w, ranks, kk, largest=False), wr=expected_extreme_in_top(w, ranks, kk),
        br_random=random_extreme(ranks, kk, largest=False), wr_random=random_extreme(ranks, kk),
        x=xx, kendall_top=k_top, kendall_bottom=k_bottom,
        n_top=int(within_cut(ref, xx, False).sum()), n_bottom=int(within_cut(ref, xx, True).sum()),
        kendall_random=0.0,
        p_diff=p_bottom - p_top, p_diff_ci=p_ci, kendall_diff=k_bottom - k_top, kendall_diff_ci=k_ci)


# -- the statistic: rows per (seed, epoch), summary over seeds (Benchmark.bottomtop, `wsbench bottom-top`) --------

DEFAULT_CUT = "10%"


class Options(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.4 ms of every start
    k: str | float
    within: str | float
    within_by: str
    rounding: str
    level: float | None  # confidence level of the intervals of the differences; None: none
    boot: int
    rng_seed: int


def parse_options(k: str | float = DEFAULT_CUT, within: str | float = DEFAULT_CUT, within_by: str = "gt",
                  rounding: str = "ceil", ci: float | None = None, boot: int = 1000,
                  rng_seed: int = 0) -> Options:
    """Every option checked without data (a count larger than a pool is refused when the pool is known)."""
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats import options as _opt

    _opt.one_of(within_by, WITHIN, "cut of the Kendall subsets (within_by)")
    _opt.one_of(rounding, ROUNDINGS, "rounding of a share to a count (rounding)")
    for name, v in (("k", k), ("within", within)):
        try:
            resolve_cut(v, 1 << 62, "ceil")
        except OptionError:
            raise OptionError(f"{name} must be a count >= 1 such as 10, or a share such as '10%' or 0.1, "
                              f"got {v!r}") from None
    level = None if ci is None else _boot.check_level(ci)
    return Options(k, within, within_by, rounding, level, _opt.count(boot, "boot", 10),
                   _opt.count(rng_seed, "rng_seed", 0))


def _same(values: list) -> float | int:
    """The seeds' common value (an int stays an int), or their mean where they differ."""
    return values[0] if all(v == values[0] for v in values) else float(np.mean(values))


def bottomtop_table(sn: Callable[[int, int], np.ndarray], g: np.ndarray, epochs: list[int], seeds: list[int],
                    o: Options, gt: str = "gt_score", score: str = "supernet") -> Table:
    """:func:`bottom_top` of ``sn(seed, epoch)`` (goodness) against ``g`` (goodness) for every selected (seed,
    epoch); summary per epoch = mean ± std over seeds, and with ``o.level`` the interval of the mean over seeds of
    each difference (the same resamples of the pool serve every seed)."""
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats.summary import mean_of_draws, mean_std, pool

    rows, summary = [], []
    mixed_pools = False
    for e in epochs:
        per_seed, draws, masks = [], [], []
        for s in seeds:
            x = sn(s, e)
            ok = np.zeros(len(x), dtype=bool)
            ok[pool(x, g, s, e, gt)] = True
            r = bottom_top(x, g, o.k, o.within, within_by=o.within_by, direction="max", rounding=o.rounding)
            row: dict[str, Any] = {"seed": s, "epoch": e, "n": r.n, "k": r.k, "p_bottom": r.p_bottom,
                                   "p_top": r.p_top, "p_random": r.p_random, "p_diff": r.p_diff}
            d = None
            if o.level is not None:
                d = diff_draws(x[ok], g[ok], r.k, r.x, o.within_by, o.boot, o.rng_seed)
                row["p_diff_ci_low"], row["p_diff_ci_high"] = _boot.percentile_interval(d[:, 0], o.level)
            row.update(kendall_bottom=r.kendall_bottom, kendall_top=r.kendall_top, kendall_diff=r.kendall_diff)
            if d is not None:
                row["kendall_diff_ci_low"], row["kendall_diff_ci_high"] = _boot.percentile_interval(d[:, 1],
                                                                                                    o.level)
                draws.append(d)
            row.update(br=r.br, wr=r.wr, br_random=r.br_random, wr_random=r.wr_random, br_frac=r.br_frac,
                       wr_frac=r.wr_frac, within=r.x, n_bottom=r.n_bottom, n_top=r.n_top)
            rows.append(row)
            per_seed.append(row)
            masks.append(ok)
        srow: dict[str, Any] = {"epoch": e, "seeds": len(seeds), "n": _same([r["n"] for r in per_seed]),
                                "k": _same([r["k"] for r in per_seed])}
        one_pool = all(np.array_equal(m, masks[0]) for m in masks)
        mixed_pools |= not one_pool
        for name in ("p_bottom", "p_top", "p_random", "p_diff", "kendall_bottom", "kendall_top", "kendall_diff",
                     "br", "wr", "br_random", "wr_random"):
            if name in ("p_random", "br_random", "wr_random"):
                srow[name] = _same([r[name] for r in per_seed])
            else:
                srow[f"{name}_mean"], srow[f"{name}_std"] = mean_std([r[name] for r in per_seed])
            if name in ("p_diff", "kendall_diff") and o.level is not None:
                j = 0 if name == "p_diff" else 1
                srow[f"{name}_ci_low"], srow[f"{name}_ci_high"] = (
                    _boot.percentile_interval(mean_of_draws([d[:, j] for d in draws]), o.level) if one_pool
                    else (float("nan"), float("nan")))
        summary.append(srow)
    by = gt if o.within_by == "gt" else score
    opts: dict[str, Any] = {"epoch": epochs, "seed": seeds, "k": o.k, "within": o.within, "within_by": o.within_by,
                            "rounding": o.rounding, "gt": gt, "score": score}
    cut = "ceil(n x)" if o.rounding == "ceil" else "floor(n x) (Ning et al.'s int(N * ratio))"
    notes = [
        (f"p_bottom: P@bottom-k, the expected share of the {gt}'s bottom k among the {score} ranking's bottom k; "
         f"p_top: the same at the top (P@top-k); p_random: k/n, either for a uniformly random ranking; "
         f"p_diff = p_bottom - p_top (> 0: better at spotting bad subnets than good ones); ties at either cut "
         f"are broken uniformly at random (the exact expectation); k = {o.k!s} of the n subnets with both values "
         f"finite, a share rounded as {cut}"),
        (f"kendall_bottom: Kendall tau-b inside the bottom {o.within!s} by {by} (within and n_bottom say how many; "
         f"the whole tie group at the cut is kept); kendall_top: inside the top {o.within!s}; "
         "kendall_diff = kendall_bottom - kendall_top; a random ranking has 0"),
        (f"br: BR@k, the best {gt} rank (1 = best; equal values share a rank) among the ranking's top k; wr: WR@k, "
         "the worst (Ning et al., NeurIPS 2021); br_random/wr_random: their exact expectation for k random "
         "subnets; br_frac/wr_frac: rank / n"),
    ]
    if o.level is not None:
        opts.update(ci=o.level, boot=o.boot, rng_seed=o.rng_seed)
        notes.append(f"*_ci_low/high: {o.level:.0%} bootstrap percentile interval of the difference bottom - top "
                     f"over the subnets ({o.boot} resamples with replacement of the pool, rng_seed {o.rng_seed}; the "
                     "same draws for every seed, so the summary's interval is that of the mean over seeds; k and "
                     "within stay the counts of the pool); it shows sampling of subnets, not of seeds")
        if mixed_pools:
            notes.append("the seeds' pools differ (NaN scores in some seeds): no interval of the mean over seeds")
    return Table(opts, rows, summary, notes)


def query(store: Source, k: str | float = DEFAULT_CUT, within: str | float = DEFAULT_CUT, epoch: Any = "last",
          seed: Any = "all", gt: str = "gt_score", score: str = "supernet", within_by: str = "gt",
          rounding: str = "ceil", ci: float | None = None, boot: int = 1000, rng_seed: int = 0) -> Table:
    """Bottom vs top: P@bottom-k vs P@top-k, BR@k and WR@k, Kendall tau inside the bottom and top ``within``,
    per (seed, epoch), each an exact expectation over random tie-breaking beside a random ranking's value.

    ``k`` and ``within``: a count (``10``) or a share (``"10%"``, ``0.1``) of the subnets with both values
    finite; ``within_by``: ``gt`` (cut the Kendall subsets by the GT, as ``correlation --within-top``) or
    ``estimator`` (by the score, Ning et al.); ``rounding``: ``ceil`` (wsbench) or ``floor`` (Ning et al.).
    ``ci``: bootstrap intervals of p_bottom - p_top and kendall_bottom - kendall_top.
    """
    score = store.check_score(score)
    o = parse_options(k, within, within_by, rounding, ci, boot, rng_seed)
    epochs, seeds = store.select_epochs(epoch), store.select_seeds(seed)
    return bottomtop_table(store.score_fn(score), store.gt(gt), epochs, seeds, o, gt=gt, score=score)
