"""Post-hoc pruning of the space: which subnets remain after removing a fraction p?"""

from __future__ import annotations

import numpy as np

MODES = ("optimistic", "random")
#: what random pruning can only estimate by trials (it depends on the supernet's order inside what remains)
MONTE_CARLO = ("supernet_topk_best_gt", "kendall", "mean_supernet", "best_supernet")


def random_expectations(g: np.ndarray, factor: float, k: str) -> dict[str, list[float]]:
    """Exact expectations over uniformly random pruning of the GT goodness ``g`` (no Monte-Carlo).

    What remains is a uniform r-subset of the n subnets (r = n - round(factor n)), so: its mean GT has
    expectation mean(g); its best GT is the best of r uniform draws without replacement; k random subnets of it
    are k uniform draws from all n (:func:`wsbench.stats.topk.random_best_distribution` for both).
    """
    from wsbench.stats.topk import random_best_distribution, resolve_k

    n = len(g)
    r = n - round(factor * n)
    desc = np.sort(g)[::-1]
    return {"mean_gt": [float(g.mean())], "best_gt": [float(random_best_distribution(n, r) @ desc)],
            "random_topk_best_gt": [float(random_best_distribution(n, resolve_k(k, r)) @ desc)]}


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
