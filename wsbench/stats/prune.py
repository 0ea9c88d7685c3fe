"""Post-hoc pruning of the space: which subnets remain after removing a fraction p?"""

from __future__ import annotations

import numpy as np

MODES = ("optimistic", "random")


def remaining(gt: np.ndarray, factor: float, mode: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """Sorted indices kept after removing round(factor * n) subnets.

    optimistic: remove the worst by ground-truth goodness; among equal ground
    truths the lower store index is removed first (stable sort).
    random: remove a uniformly random subset (``rng`` required).
    """
    n = len(gt)
    drop = int(round(factor * n))
    if mode == "optimistic":
        worst_first = np.argsort(gt, kind="stable")
        return np.sort(worst_first[drop:])
    if mode == "random":
        assert rng is not None
        return np.sort(rng.permutation(n)[drop:])
    from wsbench.errors import UnknownNameError

    raise UnknownNameError("prune mode", mode, MODES)
