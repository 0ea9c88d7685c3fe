"""Stability of supernet rankings across recorded epochs and across supernet seeds."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from wsbench.stats.correlation import correlate


def epoch_stability(sn: np.ndarray, method: str = "kendall") -> np.ndarray:
    """``sn`` of shape (epochs, archs) -> correlation between consecutive epochs, length epochs-1."""
    return np.array([correlate(sn[i], sn[i + 1], method) for i in range(len(sn) - 1)])


def seed_stability(sn: np.ndarray, method: str = "kendall") -> list[tuple[int, int, float]]:
    """``sn`` of shape (seeds, archs) -> (i, j, correlation) for every pair of seeds i < j."""
    return [(i, j, correlate(sn[i], sn[j], method)) for i, j in combinations(range(len(sn)), 2)]
