"""What a statistic sees of a store (:class:`Source`; :class:`wsbench.benchmark.Benchmark` implements it).

Each statistic module has a ``query(store, **options)`` that resolves the names depending on the store (epochs,
seeds, what ranks the subnets, which ground truth) through this interface and passes plain arrays to its pure
``*_table`` function. ``Benchmark`` turns every module of ``Benchmark.STATS`` into a method of that name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np


class Source(Protocol):
    name: str  # the dataset, for messages
    direction: str  # the metric's: 'max' or 'min'
    attrs: dict[str, Any]  # the store's attributes (decisions, ops, ...)
    has_prune_dim: bool
    prune_factors: list[float]
    prune_runs: list[tuple[str, float]]  # (mode, factor) of each prune run, in store order
    memo: dict[Any, Any]  # kept for the life of the store object: what a statistic may reuse between calls

    def select_epochs(self, epoch: Any) -> list[int]:
        """'last', 'all' or a comma list resolved against the recorded epochs."""

    def select_seeds(self, seed: Any) -> list[int]:
        """'all' or a comma list resolved against the recorded supernet seeds."""

    def check_score(self, score: str) -> str:
        """``score`` if the store can rank the subnets by it (supernet, loss, finetune, params, proxy:NAME, ...)."""

    def score_fn(self, score: str, prune: bool = False) -> Callable[..., np.ndarray]:
        """Goodness of every subnet at (seed, epoch) under ``score`` (with ``prune``: at (seed, epoch, factor))."""

    def gt(self, name: str) -> np.ndarray:
        """Ground truth ``name`` as goodness (higher = better); ``gt_score_per_seed:N``: GT training N."""

    def gt_trainings(self) -> tuple[list[int], np.ndarray]:
        """(gt_seed values, ``gt_score_per_seed`` as goodness, shape (gt_seed, arch)); an error if the store has
        none."""

    def against(self, name: str) -> np.ndarray:
        """A ground truth as goodness, or a per-subnet float variable such as params."""

    def arch_values(self, name: str) -> np.ndarray:
        """A per-subnet variable as stored (choice, params, ...)."""

    def function_ids(self) -> tuple[np.ndarray, str]:
        """(one function id per subnet, where they come from: the store's function_id or computed by the space)."""

    def numeric_arch_variables(self) -> list[str]:
        """Names of the per-subnet float variables."""
