"""Correlation between two score vectors.

Kendall's tau-b and weighted tau come from scipy.stats (imported lazily: it
costs ~1.8 s here). Spearman and Pearson are a few NumPy lines, exactly as
scipy defines them (tests compare on data with ties), because scipy's per-call
overhead (~1 ms) dominates on 1,000 subnets.
"""

from __future__ import annotations

import math

import numpy as np

from wsbench.stats.ranking import average_ranks

METHODS = ("kendall", "spearman", "pearson", "weighted")


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    xc, yc = x - x.mean(), y - y.mean()
    denom = math.sqrt(float(xc @ xc) * float(yc @ yc))
    return float(xc @ yc / denom) if denom else float("nan")


def correlate(x: np.ndarray, y: np.ndarray, method: str) -> float:
    """Correlation of ``x`` and ``y`` over the items where both are finite; NaN if < 3 items or constant.

    kendall = Kendall's tau-b (ties corrected); spearman = Pearson's r of the
    average ranks; pearson = Pearson's r; weighted = Vigna's weighted tau
    (hyperbolic weights, larger values weigh more, so orient both as goodness).
    """
    if method not in METHODS:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("correlation method", method, METHODS)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    if method == "pearson":
        return _pearson(x, y)
    if method == "spearman":
        return _pearson(average_ranks(x), average_ranks(y))
    import scipy.stats as st

    if method == "kendall":
        return float(st.kendalltau(x, y).statistic)
    return float(st.weightedtau(x, y).statistic)
