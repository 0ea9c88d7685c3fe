"""Statistics of the study as pure functions on NumPy arrays (docs/statistics.md).

Every function takes *goodness* arrays: the metric oriented so that higher is
better (accuracy as is, perplexity/error negated). :func:`goodness` does that,
so each statistic respects the metric's direction in one place.

The public array API (:mod:`wsbench.stats.arrays`, loaded on first use): :func:`kendall`, :func:`spearman`,
:func:`pearson`, :func:`weighted_tau`, :func:`precision_at`, :func:`precision_at_bottom`, :func:`br_at_k`,
:func:`wr_at_k`, :func:`best_in_top`, :func:`ndcg_at`, :func:`bootstrap_ci` — the commands' own kernels.
"""

from typing import TYPE_CHECKING, Any

from wsbench.stats.ranking import goodness, order_best_first, rank_percentile

__all__ = ["best_in_top", "bootstrap_ci", "br_at_k", "goodness", "kendall", "ndcg_at", "order_best_first", "pearson",
           "precision_at", "precision_at_bottom", "rank_percentile", "spearman", "weighted_tau", "wr_at_k"]
_ARRAYS = frozenset(__all__) - {"goodness", "order_best_first", "rank_percentile"}

if TYPE_CHECKING:
    from wsbench.stats.arrays import (
        best_in_top,
        bootstrap_ci,
        br_at_k,
        kendall,
        ndcg_at,
        pearson,
        precision_at,
        precision_at_bottom,
        spearman,
        weighted_tau,
        wr_at_k,
    )


def __getattr__(name: str) -> Any:
    if name in _ARRAYS:
        from wsbench.stats import arrays

        return getattr(arrays, name)
    raise AttributeError(f"module 'wsbench.stats' has no attribute {name!r}")
