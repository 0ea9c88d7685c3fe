"""Statistics of the study as pure functions on NumPy arrays (docs/statistics.md).

Every function takes *goodness* arrays: the metric oriented so that higher is
better (accuracy as is, perplexity/error negated). :func:`goodness` does that,
so each statistic respects the metric's direction in one place.
"""

from wsbench.stats.ranking import goodness, order_best_first, rank_percentile

__all__ = ["goodness", "order_best_first", "rank_percentile"]
