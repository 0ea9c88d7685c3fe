"""Bootstrap confidence intervals over subnets (percentile method).

A dataset holds a sample of subnets; a statistic computed on another sample
of the same size from the same space would differ. Resampling the subnets with
replacement (the same draws for every seed, so the mean over seeds gets one
interval too) shows how much. Seeded: the same ``rng_seed`` gives the same
interval.
"""

from __future__ import annotations

from collections.abc import Callable

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


def resamples(n: int, boot: int, rng_seed: int) -> np.ndarray:
    """``(boot, n)`` indices drawn with replacement by ``numpy.random.default_rng(rng_seed)``."""
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
