"""A store seen with duplicates merged: one item per function (``dedupe=True`` of every statistic).

Subnets that compute one function (NAS-Bench-201's isomorphic cells) carry one function id. :class:`Deduped`
wraps a :class:`~wsbench.benchmark.Benchmark` and answers the :class:`~wsbench.stats.source.Source` interface with
every per-subnet array merged by :func:`wsbench.stats.dedupe.class_means`: per class, the mean over its members
with a finite value (scores per seed and epoch, each ground truth, each GT training, sizes and proxies), one item
per class in order of first appearance. Integer per-subnet variables (op ``choice``) are those of the class's
first member. Every statistic then runs unchanged on the merged arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.stats.dedupe import class_means, classes

if TYPE_CHECKING:
    from wsbench.benchmark import Benchmark


class Deduped:
    """The :class:`~wsbench.stats.source.Source` of ``bench`` with duplicates merged (built by
    ``Benchmark.deduped()``, cached there)."""

    def __init__(self, bench: Benchmark):
        self.base = bench
        self.name, self.direction, self.attrs = bench.name, bench.direction, bench.attrs
        self.has_prune_dim, self.prune_factors = bench.has_prune_dim, bench.prune_factors
        self.prune_runs = bench.prune_runs
        self.memo: dict[Any, Any] = {}  # its own: the base's memo holds the unmerged arrays' derived values
        ids, self.id_source = bench.function_ids()
        self.ids, self.inverse = classes(ids)
        self.n_archs, self.n_classes = len(self.inverse), len(self.ids)
        self.members = np.bincount(self.inverse, minlength=self.n_classes)
        self.first = np.unique(self.inverse, return_index=True)[1]  # first member of each class

    def note(self) -> str:
        shared = int((self.members > 1).sum())
        return (f"dedupe: the {self.n_archs} subnets merged into {self.n_classes} function classes ({shared} with "
                f"more than one member, up to {int(self.members.max())}) by {self.id_source}; each class is one "
                "item: the mean score (per seed and epoch) and the mean GT over its members with a finite value "
                "(sizes and proxies likewise; op choices are its first member's)")

    def _merge(self, values: np.ndarray) -> np.ndarray:
        return class_means(values, self.inverse, self.n_classes)

    def _cached(self, key: Any, make: Callable[[], np.ndarray]) -> np.ndarray:
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def select_epochs(self, epoch: Any) -> list[int]:
        return self.base.select_epochs(epoch)

    def select_seeds(self, seed: Any) -> list[int]:
        return self.base.select_seeds(seed)

    def check_score(self, score: str) -> str:
        return self.base.check_score(score)

    def score_fn(self, score: str, prune: bool = False) -> Callable[..., np.ndarray]:
        fn = self.base.score_fn(score, prune)
        return lambda *at: self._cached(("sn", score, *at), lambda: self._merge(fn(*at)))

    def gt(self, name: str) -> np.ndarray:
        return self._cached(("gt", name), lambda: self._merge(self.base.gt(name)))

    def gt_trainings(self) -> tuple[list[int], np.ndarray]:
        seeds, values = self.base.gt_trainings()
        return seeds, self._cached(("gt_trainings",), lambda: self._merge(values))

    def against(self, name: str) -> np.ndarray:
        return self._cached(("against", name), lambda: self._merge(self.base.against(name)))

    def arch_values(self, name: str) -> np.ndarray:
        def make() -> np.ndarray:
            v = self.base.arch_values(name)
            return self._merge(v) if v.dtype.kind == "f" else v[self.first]
        return self._cached(("var", name), make)

    def numeric_arch_variables(self) -> list[str]:
        return self.base.numeric_arch_variables()

    def function_ids(self) -> tuple[np.ndarray, str]:
        return np.asarray(self.ids, dtype=object), f"{self.id_source}, merged"
