"""Rank correlation between two score vectors (scipy.stats, imported lazily)."""

from __future__ import annotations

import numpy as np

METHODS = ("kendall", "spearman", "pearson", "weighted")


def correlate(x: np.ndarray, y: np.ndarray, method: str) -> float:
    """Correlation of ``x`` and ``y`` over the items where both are finite; NaN if < 3 items or constant.

    kendall = Kendall's tau-b (ties corrected); spearman = Spearman's rho;
    pearson = Pearson's r; weighted = Vigna's weighted tau (hyperbolic weights,
    larger values weigh more, so orient both as goodness).
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
        return float(np.corrcoef(x, y)[0, 1])
    import scipy.stats as st

    if method == "kendall":
        return float(st.kendalltau(x, y).statistic)
    if method == "spearman":
        return float(st.spearmanr(x, y).statistic)
    return float(st.weightedtau(x, y).statistic)
