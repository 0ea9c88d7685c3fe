"""Duplicates: subnets that compute one function, merged, and the GT noise they reveal. (NumPy only.)

NAS-Bench-201's 15,625 cells compute 6,466 distinct functions: a sample of
cells holds the same network several times, and a correlation or top-k over it
counts that network as often. Merging subnets with one function id (one value
per class) removes that weight. The duplicates also measure the ground truth's
own noise for free: equivalent cells trained separately should score alike, so
the tau between members of one class is the GT's repeatability where no second
training exists.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from wsbench.errors import OptionError


class Merged(NamedTuple):
    ids: np.ndarray  # the function id of each class, in order of first appearance
    inverse: np.ndarray  # (arch,) class index of each subnet
    members: np.ndarray  # (class,) subnets per class
    score: np.ndarray  # (..., class): mean over the members with a finite score; NaN if none
    gt: np.ndarray | None  # (class,): mean over the members with a finite GT; NaN if none
    n_classes: int


def _classes(function_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ids in order of first appearance, class index of each subnet)."""
    ids = np.asarray(function_id)
    if ids.ndim != 1 or ids.size == 0:
        raise OptionError(f"function_id must be 1-D with one id per subnet, got shape {ids.shape}")
    if ids.dtype.kind in "fc" and not np.isfinite(ids).all():
        raise OptionError("function_id holds NaN: every subnet needs a function id (its own for a unique "
                          "function)")
    if ids.dtype.kind in "OUT" and any(v is None or str(v) == "" for v in ids.tolist()):
        raise OptionError("function_id holds an empty id: every subnet needs one (its own for a unique "
                          "function)")
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # classes by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return ids[first[order]], rank[inverse.ravel()]


def _class_means(values: np.ndarray, inverse: np.ndarray, classes: int) -> np.ndarray:
    """Mean over each class's members with a finite value, along the last axis; NaN where a class has none."""
    lead = values.shape[:-1]
    v = values.reshape(-1, values.shape[-1])
    ok = np.isfinite(v)
    flat = (inverse[None, :] + classes * np.arange(v.shape[0])[:, None]).ravel()
    sums = np.bincount(flat, weights=np.where(ok, v, 0.0).ravel(), minlength=v.shape[0] * classes)
    counts = np.bincount(flat, weights=ok.ravel().astype(np.float64), minlength=v.shape[0] * classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(counts > 0, sums / counts, np.nan)
    return out.reshape(*lead, classes)


def classes(function_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the id of each class in order of first appearance, each subnet's class index): the classes of
    :func:`merge_duplicates`, for callers that merge many arrays with :func:`class_means`."""
    return _classes(function_id)


def class_means(values: np.ndarray, inverse: np.ndarray, n_classes: int) -> np.ndarray:
    """(..., class): the mean over each class's members with a finite value along the last axis (NaN where a
    class has none), as :func:`merge_duplicates` merges a score."""
    return _class_means(np.asarray(values, dtype=np.float64), inverse, n_classes)


def merge_duplicates(function_id: np.ndarray, score: np.ndarray, gt: np.ndarray | None = None) -> Merged:
    """One value per function: the mean supernet score and the mean GT of each class of subnets with one id.

    ``function_id`` (arch,) holds one id per subnet (str or int; the space's ``function_id``); ``score`` has
    shape (..., arch), e.g. (seed, epoch, arch); ``gt`` (arch,). NaN rule: each mean is over the members whose
    value is finite, separately for the score (per seed and epoch) and the GT, so a member without a GT still
    adds its score; a class with no finite value is NaN and leaves the pool as any NaN subnet does.
    ``n_classes`` is the number of classes (distinct ids), NaN ones included.
    """
    ids, inverse = _classes(function_id)
    s = np.asarray(score, dtype=np.float64)
    if s.ndim < 1 or s.shape[-1] != len(inverse):
        raise OptionError(f"score must have one value per subnet on its last axis ({len(inverse)}), got "
                          f"shape {s.shape}")
    c = len(ids)
    merged_gt = None
    if gt is not None:
        t = np.asarray(gt, dtype=np.float64)
        if t.shape != (len(inverse),):
            raise OptionError(f"gt must be 1-D with one value per subnet ({len(inverse)}), got shape "
                              f"{t.shape}")
        merged_gt = _class_means(t, inverse, c)
    return Merged(ids=ids, inverse=inverse, members=np.bincount(inverse, minlength=c),
                  score=_class_means(s, inverse, c), gt=merged_gt, n_classes=c)


class GtNoise(NamedTuple):
    tau: float  # tau between a class's first and second member, over classes (mean over pairings)
    ci_low: float  # percentile interval over resamples of the classes (NaN without ci)
    ci_high: float
    classes: int  # classes with >= 2 members of finite GT: the pairs
    pairings: int
    method: str


def duplicate_pairs(function_id: np.ndarray, gt: np.ndarray,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(first member's GT, second member's GT), one pair per class with >= 2 members of finite GT: each
    class's members with a finite GT in a uniformly random order (one ``rng.random`` key per subnet), the
    first two taken. Classes in order of first appearance."""
    _, inverse = _classes(function_id)
    t = np.asarray(gt, dtype=np.float64)
    if t.shape != inverse.shape:
        raise OptionError(f"gt must be 1-D with one value per subnet ({len(inverse)}), got shape {t.shape}")
    key = rng.random(len(t))
    ok = np.flatnonzero(np.isfinite(t))
    order = ok[np.lexsort((key[ok], inverse[ok]))]  # by class, then random
    cls = inverse[order]
    first = np.flatnonzero(np.concatenate(([True], cls[1:] != cls[:-1])))  # first member of each class
    has_second = (first + 1 < len(order)) & (np.append(first[1:], len(order)) - first >= 2)
    first = first[has_second]
    return t[order[first]], t[order[first + 1]]


def gt_noise(function_id: np.ndarray, gt: np.ndarray, method: str = "kendall", *, pairings: int = 1,
             rng_seed: int = 0, ci: float | None = 0.95, boot: int = 1000) -> GtNoise:
    """The GT's own noise from duplicates: tau between two separately trained members of each class.

    For each class with >= 2 members of finite GT, its members are put in a random order and the first two
    paired (:func:`duplicate_pairs`); tau is taken between the first and the second members over the classes.
    ``pairings`` > 1 repeats that with further random orders and averages the taus (less dependent on which
    two members a large class lends). Orders come from ``numpy.random.default_rng(rng_seed)``, one draw per
    pairing in turn. With ``ci``, the classes are resampled ``boot`` times
    (:func:`wsbench.stats.bootstrap.resamples`, the same resamples for every pairing) and the percentile
    interval of the mean tau is given.
    """
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats.correlation import METHODS, correlate

    if method not in METHODS:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("correlation method", method, METHODS)
    if isinstance(pairings, bool) or not isinstance(pairings, numbers.Integral) or pairings < 1:
        raise OptionError(f"pairings must be a positive integer (random pairings averaged), got {pairings!r}")
    from wsbench.stats.options import within_budget

    within_budget(f"pairings={pairings:,}", int(pairings), len(function_id), "subnets")
    rng = np.random.default_rng(rng_seed)
    pairs = [duplicate_pairs(function_id, gt, rng) for _ in range(int(pairings))]
    c = len(pairs[0][0])
    if c < 3:
        raise OptionError(f"GT noise from duplicates needs at least 3 classes with 2 or more members of "
                          f"finite GT, got {c}")
    tau = float(np.mean([correlate(x, y, method) for x, y in pairs]))
    lo = hi = float("nan")
    if ci is not None:
        level = _boot.check_level(ci)
        boot = _boot.check_boot(boot)
        idx = _boot.resamples(c, boot, rng_seed)
        mult = _boot.counts(idx, c)
        draws = np.mean([_boot.correlation_draws(x, y, idx, method, multiplicities=mult) for x, y in pairs],
                        axis=0)
        lo, hi = _boot.percentile_interval(draws, level)
    return GtNoise(tau=tau, ci_low=lo, ci_high=hi, classes=c, pairings=int(pairings), method=method)
