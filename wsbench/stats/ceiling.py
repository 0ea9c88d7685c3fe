"""The noise ceiling: how close does an estimator come to the ground truth's own repeatability? (NumPy only.)

A ground truth trained twice does not rank subnets identically, so no
estimator can be expected to reach tau = 1 against it. Where a store has
``gt_score_per_seed`` (gt_seed x arch), the tau between GT trainings is the
ceiling, and an estimator's tau over that ceiling says what fraction of the
reachable agreement it reaches. A store whose ground truth is published as a mean
and a std per architecture (``gt_score_std``), with no runs, gets simulated
trainings instead (:func:`implied_trainings`): the ceiling that std implies.
"""

from __future__ import annotations

import numbers
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from wsbench.errors import OptionError

if TYPE_CHECKING:
    from wsbench.stats.source import Source

#: simulated GT trainings drawn where a store records the GT's std per architecture but not its runs: 190 pairs;
#: on di64's published GT their mean tau is 0.723 with sd 0.005 over 30 rng seeds (10 trainings: 0.007, 40: 0.003)
IMPLIED_TRAININGS = 20


def _per_seed(gt_per_seed: np.ndarray, least: int) -> np.ndarray:
    """The store's (gt_seed, arch) array as (arch, gt_seed) columns, checked."""
    g = np.asarray(gt_per_seed, dtype=np.float64)
    if g.ndim != 2 or g.shape[0] < least:
        raise OptionError(f"gt_per_seed must be 2-D (gt_seed x arch, the store's layout) with at least "
                          f"{least} GT training(s), got shape {g.shape}")
    return g.T


def _method(method: str) -> None:
    from wsbench.stats.correlation import METHODS

    if method not in METHODS:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("correlation method", method, METHODS)


def gt_pair_taus(gt_per_seed: np.ndarray, method: str = "kendall") -> list[tuple[int, int, float]]:
    """(i, j, tau between GT trainings i and j) for every pair i < j, each over the subnets finite in both;
    ``gt_per_seed`` is (gt_seed, arch), as the store's ``gt_score_per_seed``."""
    from wsbench.stats.correlation import correlate

    _method(method)
    g = _per_seed(gt_per_seed, 2)
    return [(i, j, correlate(g[:, i], g[:, j], method)) for i, j in combinations(range(g.shape[1]), 2)]


def gt_seed_tau(gt_per_seed: np.ndarray, method: str = "kendall") -> float:
    """The GT's seed-to-seed tau: the mean over pairs of trainings of :func:`gt_pair_taus` (NaN pairs left
    out)."""
    taus = np.array([t for _, _, t in gt_pair_taus(gt_per_seed, method)])
    return float(taus[np.isfinite(taus)].mean()) if np.isfinite(taus).any() else float("nan")


def tau_against_seed(score: np.ndarray, gt_per_seed: np.ndarray, seed: int, method: str = "kendall") -> float:
    """Tau of ``score`` against one GT training (row ``seed`` of ``gt_per_seed``; negative counts from the
    end), over the subnets finite in both."""
    from wsbench.stats.correlation import correlate

    _method(method)
    g = _per_seed(gt_per_seed, 1)
    s = np.asarray(score, dtype=np.float64)
    if s.shape != (g.shape[0],):
        raise OptionError(f"score must be 1-D with one value per arch of gt_per_seed ({g.shape[0]}), "
                          f"got shape {s.shape}")
    if (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
            or not -g.shape[1] <= seed < g.shape[1]):
        raise OptionError(f"seed must be a GT training index in 0..{g.shape[1] - 1}, got {seed!r}")
    return correlate(s, g[:, int(seed)], method)


class Ceiling(NamedTuple):
    tau: float  # the estimator's tau (mean over supernet seeds), against what ``against`` says
    gt_tau: float  # the GT's seed-to-seed tau (mean over pairs of trainings)
    ratio: float  # tau / gt_tau (NaN if gt_tau is 0 or NaN)
    ci_low: float  # percentile interval of the ratio over subnet resamples (NaN without ci)
    ci_high: float
    n: int  # subnets with every value finite
    gt_seeds: int
    against: str


def noise_ceiling(score: np.ndarray, gt_per_seed: np.ndarray, gt: np.ndarray | None = None,
                  method: str = "kendall", *, ci: float | None = 0.95, boot: int = 1000,
                  rng_seed: int = 0) -> Ceiling:
    """tau(estimator) / tau(GT training vs GT training), with a bootstrap interval over subnets.

    ``gt_per_seed`` is (gt_seed, arch), as the store's ``gt_score_per_seed``. ``score`` is 1-D (one per arch)
    or 2-D (supernet seed x arch; the tau is the mean over seeds, as the correlation summary). Without ``gt``
    the numerator is like for like: the mean over GT trainings j of tau(score, training j), one training on
    each side as in the denominator (``against="each"``); with ``gt`` (e.g. the store's ``gt_score``, often
    the mean of the trainings, which is less noisy than one) it is tau(score, gt) (``against="gt"``), the
    figure the correlation summary shows. Only subnets finite in the score (every seed), in every GT training
    and in ``gt`` enter. Each resample of them (:func:`wsbench.stats.bootstrap.resamples`) serves numerator
    and denominator, so the interval is that of the ratio itself.
    """
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats.correlation import correlate

    _method(method)
    g = _per_seed(gt_per_seed, 2)
    s = np.asarray(score, dtype=np.float64)
    s = s[None, :] if s.ndim == 1 else s
    if s.ndim != 2 or s.shape[1] != g.shape[0]:
        raise OptionError(f"score must be 1-D (arch) or 2-D (seed x arch) with {g.shape[0]} archs like "
                          f"gt_per_seed, got shape {np.shape(score)}")
    ok = np.isfinite(s).all(axis=0) & np.isfinite(g).all(axis=1)
    if gt is not None:
        t = np.asarray(gt, dtype=np.float64)
        if t.shape != (g.shape[0],):
            raise OptionError(f"gt must be 1-D with one value per arch ({g.shape[0]}), got shape {t.shape}")
        ok &= np.isfinite(t)
        refs = t[ok][None, :]
    else:
        refs = g[ok].T
    s, g = s[:, ok], g[ok]
    n = int(ok.sum())
    if n < 3:
        raise OptionError(f"the noise ceiling needs at least 3 subnets finite in the score and every GT "
                          f"training, got {n}")
    pairs = list(combinations(range(g.shape[1]), 2))
    tau = float(np.mean([correlate(row, ref, method) for row in s for ref in refs]))
    gt_tau = float(np.mean([correlate(g[:, i], g[:, j], method) for i, j in pairs]))
    ratio = tau / gt_tau if gt_tau != 0 else float("nan")  # NaN also when either tau is NaN
    lo = hi = float("nan")
    if ci is not None:
        level = _boot.check_level(ci)
        boot = _boot.check_boot(boot)
        idx = _boot.resamples(n, boot, rng_seed)
        mult = _boot.counts(idx, n)
        num = np.mean([_boot.correlation_draws(row, ref, idx, method, multiplicities=mult)
                       for row in s for ref in refs], axis=0)
        den = np.mean([_boot.correlation_draws(g[:, i], g[:, j], idx, method, multiplicities=mult)
                       for i, j in pairs], axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            lo, hi = _boot.percentile_interval(num / den, level)
    return Ceiling(tau=tau, gt_tau=gt_tau, ratio=float(ratio), ci_low=lo, ci_high=hi, n=n,
                   gt_seeds=g.shape[1],
                   against="gt" if gt is not None else "each")


def implied_trainings(gt: np.ndarray, std: np.ndarray, trainings: int = IMPLIED_TRAININGS,
                      rng_seed: int = 0) -> np.ndarray:
    """(trainings, arch): ground truths simulated as ``gt + std * N(0, 1)``, independently per subnet and training.

    For a GT published as a mean and std per architecture without its runs: two rows agree as two independent
    trainings would if each training's noise were Gaussian with that std around the mean. The published means
    are themselves noisy (std / sqrt(runs)), which spreads them more than the true means, so simulated trainings
    agree if anything better than real ones: a ceiling from them is an upper estimate, an estimator's share of
    it a lower one. Subnets with a NaN mean stay NaN.
    """
    g = np.asarray(gt, dtype=np.float64)
    sd = np.asarray(std, dtype=np.float64)
    if g.ndim != 1 or sd.shape != g.shape:
        raise OptionError(f"gt and std must be 1-D with one value per arch, got shapes {g.shape} and {sd.shape}")
    known = np.isfinite(g)
    if not (np.isfinite(sd[known]).all() and (sd[known] >= 0).all()):
        raise OptionError("std must be finite and >= 0 wherever gt is known (wsbench validate checks a store's "
                          "gt_score_std)")
    if isinstance(trainings, bool) or not isinstance(trainings, numbers.Integral) or trainings < 2:
        raise OptionError(f"trainings must be an integer >= 2, got {trainings!r}")
    noise = np.random.default_rng(rng_seed).standard_normal((int(trainings), g.size))
    return g[None, :] + np.where(known, sd, 0.0)[None, :] * noise


class Trainings(NamedTuple):
    seeds: list[int]  # the gt_seed values (measured) or 0..k-1 (simulated)
    values: np.ndarray  # (training, arch) goodness
    source: str  # "gt_score_per_seed" (measured) or "gt_score_std" (simulated by implied_trainings)


def store_trainings(store: Source, rng_seed: int = 0) -> Trainings:
    """The GT trainings a ceiling compares with: the store's own (``gt_score_per_seed``) where it has 2 or more,
    else :data:`IMPLIED_TRAININGS` simulated from ``gt_score`` and ``gt_score_std``; an error naming both where
    it has neither."""
    from wsbench.errors import UnknownNameError

    seeds, values, have = [], None, 0
    try:
        seeds, values = store.gt_trainings()
        have = len(values)
    except OptionError:
        pass
    if values is not None and have >= 2:
        return Trainings(list(seeds), values, "gt_score_per_seed")
    try:
        std = np.asarray(store.arch_values("gt_score_std"), dtype=np.float64)
    except UnknownNameError:
        has = "no gt_score_per_seed" if have == 0 else f"{have} GT training (gt_score_per_seed)"
        raise OptionError(f"{store.name} has {has} and no gt_score_std: the GT's noise needs at least 2 GT trainings "
                          "or a per-architecture std of the GT (a table's runs or std attach with python -m builders "
                          "import-gt table FILE --run-cols ... | --std-col ...)") from None
    sim = implied_trainings(store.gt("gt_score"), std, IMPLIED_TRAININGS, rng_seed)
    return Trainings(list(range(len(sim))), sim, "gt_score_std")


def trainings_note(source: str, count: int, rng_seed: int) -> str:
    """What the ``count`` trainings of a ceiling from ``source`` are, for a table's notes and a report's caption."""
    if source == "gt_score_per_seed":
        return f"the store's {count} GT trainings (gt_score_per_seed)"
    return (f"{count} GT trainings simulated from the store's per-architecture std (gt_score + gt_score_std "
            f"x N(0, 1), rng_seed {rng_seed}; the GT's runs are not published): an upper estimate of the GT's "
            "repeatability, since the published means carry noise of their own")
