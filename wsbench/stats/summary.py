"""What every statistic returns (:class:`Table`) and the helpers that summarise over supernet seeds."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from wsbench.errors import WsbenchError

#: goodness (higher = better) of every subnet at (seed, epoch): how a statistic reads the supernet's scores. The
#: caller reads each pair once, when the statistic asks for it (a 1M-subnet store is never loaded whole)
ScoreFn = Callable[[int, int], np.ndarray]


class Table(NamedTuple):
    """A statistic's answer before it becomes a :class:`wsbench.result.Result`: options as resolved, rows,
    summary over seeds, notes (the store's metric note is added by the caller)."""
    options: dict[str, Any]
    rows: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    notes: list[str]


class NothingToRank(WsbenchError, ValueError):
    """No subnet has both a finite score and a finite GT: a problem of the store (the caller names it)."""


def pool(sn: np.ndarray, g: np.ndarray, seed: int, epoch: int, gt: str) -> np.ndarray:
    """Indices of the subnets with both a finite score and a finite GT; none is an error (no top-k or pruning)."""
    ok = np.flatnonzero(np.isfinite(sn) & np.isfinite(g))
    if ok.size == 0:
        why = f"no subnet has both a finite supernet score (seed {seed}, epoch {epoch}) and a finite {gt}"
        raise NothingToRank(why + ": nothing to rank")
    return ok


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample std over the seeds; NaN if any seed's value is NaN (leaving it out would average fewer seeds
    than the summary says); a single value has no sample std (NaN, shown as null in JSON), never 0."""
    if len(values) == 1:  # one seed (every proxy, every user's ranking): NumPy's answer without its call costs
        one = float(values[0])
        return (one + 0.0, float("nan")) if math.isfinite(one) else (float("nan"), float("nan"))
    v = np.asarray(values, dtype=float)
    if v.size == 0 or not np.isfinite(v).all():
        return float("nan"), float("nan")
    return float(v.mean()), float(v.std(ddof=1))


def mean(values: Sequence[float] | np.ndarray) -> float:
    """``float(np.mean(values))`` of a 1-D sequence; one value costs no NumPy call (``v + 0.0``: the same number,
    -0.0 included, as NumPy's sum from 0 divided by 1). A statistic takes hundreds of such means per query."""
    if len(values) == 1:
        return float(values[0]) + 0.0
    return float(np.mean(values))


def mc_se(values: Sequence[float]) -> float:
    """Monte-Carlo standard error of a mean over trials: sample std / sqrt(trials); NaN for one trial."""
    v = np.asarray(values, dtype=float)
    return float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else float("nan")


def mean_of_draws(draws: Sequence[np.ndarray]) -> np.ndarray:
    """Per resample, the mean over seeds of their bootstrap draws, NaN draws left out (a resample where every
    seed's statistic is undefined, e.g. a tau against a constant size, stays NaN): ``np.nanmean(axis=0)`` without
    its "Mean of empty slice" warning."""
    a = np.asarray(draws, dtype=float)
    known = ~np.isnan(a)
    count = known.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.where(known, a, 0.0).sum(axis=0) / count, np.nan)


def ci_note(level: float, boot: int, rng_seed: int) -> str:
    return (f"*_ci_low/high: {level:.0%} bootstrap percentile interval over subnets ({boot} resamples with "
            f"replacement, rng_seed {rng_seed}, the same for every seed); it shows sampling of subnets, not of seeds")
