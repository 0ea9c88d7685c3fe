"""A dataset seen through a user's scores: the :class:`~wsbench.stats.source.Source` the statistics already read.

:class:`Subset` is a store restricted to the subnets the user scored (store order kept, so draws, tie rules and
the order of equal items are the store's); :class:`Estimator` adds the user's ranking as one more score, with its
own epochs and seeds. Every statistic then runs unchanged, by the same code as ``wsbench correlation``/``topk``/...,
on exactly the same subnets for the user's ranking and for the dataset's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import OptionError, UnknownNameError
from wsbench.stats import options as _opt

if TYPE_CHECKING:
    from wsbench.benchmark import Benchmark


class Subset:
    """``bench`` restricted to the subnets ``idx`` (sorted store indices)."""

    def __init__(self, bench: Benchmark, idx: np.ndarray):
        self.base, self.idx = bench, np.asarray(idx, dtype=np.intp)
        self.name, self.direction, self.attrs = bench.name, bench.direction, bench.attrs
        self.has_prune_dim, self.prune_factors = False, []  # retrained pruned spaces are not the user's subnets
        self.prune_runs: list[tuple[str, float]] = []
        self.epochs, self.seeds = bench.epochs, bench.seeds
        self.n_archs = len(self.idx)
        self.whole = self.n_archs == bench.n_archs  # every subnet: the arrays are the store's own
        self.memo: dict[Any, Any] = {}

    def _take(self, values: np.ndarray) -> np.ndarray:
        return values if self.whole else values[self.idx]

    def select_epochs(self, epoch: Any) -> list[int]:
        return self.base.select_epochs(epoch)

    def select_seeds(self, seed: Any) -> list[int]:
        return self.base.select_seeds(seed)

    def scores(self) -> list[str]:
        return self.base.scores()

    def check_score(self, score: str) -> str:
        return self.base.check_score(score)

    def score_fn(self, score: str, prune: bool = False) -> Callable[..., np.ndarray]:
        fn = self.base.score_fn(score)
        return lambda seed, epoch: self._take(fn(seed, epoch))

    def gt(self, name: str) -> np.ndarray:
        return self._take(self.base.gt(name))

    def gt_variables(self) -> list[str]:
        return self.base.gt_variables()

    def gt_trainings(self) -> tuple[list[int], np.ndarray]:
        seeds, values = self.base.gt_trainings()
        return seeds, values if self.whole else values[:, self.idx]

    def against(self, name: str) -> np.ndarray:
        return self._take(self.base.against(name))

    def arch_values(self, name: str) -> np.ndarray:
        return self._take(self.base.arch_values(name))

    def numeric_arch_variables(self) -> list[str]:
        return self.base.numeric_arch_variables()

    def function_ids(self) -> tuple[np.ndarray, str]:
        ids, why = self.base.function_ids()
        return self._take(np.asarray(ids)), why


class Estimator(Subset):
    """:class:`Subset` whose ranking ``label`` is the user's: ``values[(seed, epoch)]`` are its goodness (higher =
    better) for the subset's subnets (NaN where a checkpoint did not score one), with its own epochs and seeds.
    The dataset's rankings stay reachable (``score="supernet"`` etc.) at the dataset's epochs and seeds."""

    def __init__(self, bench: Benchmark, idx: np.ndarray, label: str, values: dict[tuple[int, int], np.ndarray]):
        super().__init__(bench, idx)
        self.label, self.values = label, values
        self.epochs = sorted({e for _, e in values})
        self.seeds = sorted({s for s, _ in values})

    def select_epochs(self, epoch: Any) -> list[int]:
        return _opt.pick(epoch, self.epochs, "epoch of the scores",
                         {"last": [self.epochs[-1]], "all": list(self.epochs)})

    def select_seeds(self, seed: Any) -> list[int]:
        return _opt.pick(seed, self.seeds, "seed of the scores", {"all": list(self.seeds)})

    def scores(self) -> list[str]:
        return [self.label]

    def check_score(self, score: str) -> str:
        if score != self.label:
            raise UnknownNameError("ranking (score)", score, [self.label])
        return score

    def score_fn(self, score: str, prune: bool = False) -> Callable[..., np.ndarray]:
        if score != self.label:
            raise OptionError(f"the scores' view ranks by {self.label!r} only, not {score!r}")

        def fn(seed: int, epoch: int) -> np.ndarray:
            if (seed, epoch) not in self.values:
                have = sorted(self.values)
                raise OptionError(f"the scores have no rows for seed {seed} at epoch {epoch}; they have (seed, "
                                  f"epoch) {have[:8]}{' …' if len(have) > 8 else ''}: choose others with --seed/--epoch")
            return self.values[(seed, epoch)]
        return fn
