"""Statistics of the study as pure functions on NumPy arrays (docs/statistics.md).

Every function takes *goodness* arrays: the metric oriented so that higher is
better (accuracy as is, perplexity/error negated). :func:`goodness` does that,
so each statistic respects the metric's direction in one place.
"""

from wsbench.stats.ranking import goodness, rank_percentile, order_best_first

__all__ = ["goodness", "rank_percentile", "order_best_first"]
