"""The ``stability`` statistic: agreement of supernet rankings across recorded epochs and across supernet seeds."""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats import options as _opt
from wsbench.stats.coefficients import correlate
from wsbench.stats.summary import ScoreFn, Table, mean_std

if TYPE_CHECKING:
    from wsbench.stats.source import Source


def epoch_stability(sn: np.ndarray, method: str = "kendall") -> np.ndarray:
    """``sn`` of shape (epochs, archs) -> correlation between consecutive epochs, length epochs-1."""
    return np.array([correlate(sn[i], sn[i + 1], method) for i in range(len(sn) - 1)])


def seed_stability(sn: np.ndarray, method: str = "kendall") -> list[tuple[int, int, float]]:
    """``sn`` of shape (seeds, archs) -> (i, j, correlation) for every pair of seeds i < j."""
    return [(i, j, correlate(sn[i], sn[j], method)) for i, j in combinations(range(len(sn)), 2)]


def parse_method(method: Any = "kendall") -> str:
    """Exactly one correlation method."""
    if len(_opt.as_list(method, "method")) != 1:
        raise OptionError(f"stability takes one method, got {method!r}")
    return _opt.methods(method)[0]


def stability_table(sn: ScoreFn, epochs: list[int], seeds: list[int], method: str,
                    score: str = "supernet") -> Table:
    """Correlation of ``sn(seed, epoch)`` between consecutive selected epochs (per seed) and between every pair of
    selected seeds (per epoch); summary per kind and epoch."""
    m = method
    rows = []
    for s in seeds:
        taus = epoch_stability(np.stack([sn(s, e) for e in epochs]), m)
        for a, b, tau in zip(epochs, epochs[1:], taus):
            rows.append({"kind": "epoch", "seed": s, "epoch": b, "between": f"epoch {a} vs {b}", m: float(tau)})
    for e in epochs:
        for i, j, tau in seed_stability(np.stack([sn(s, e) for s in seeds]), m):
            rows.append({"kind": "seed", "seed": None, "epoch": e, "between": f"seed {seeds[i]} vs {seeds[j]}",
                         m: tau})
    summary = []
    for kind in ("epoch", "seed"):
        for e in epochs:
            sel = [r[m] for r in rows if r["kind"] == kind and r["epoch"] == e]
            if sel:
                mean, sd = mean_std(sel)
                summary.append({"kind": kind, "epoch": e, "pairs": len(sel), f"{m}_mean": mean, f"{m}_std": sd})
    notes = ["kind=epoch: epoch e vs the previous chosen epoch, per seed; kind=seed: all seed pairs at epoch e"]
    if len(seeds) < 2:
        notes.append("only one seed selected: no seed-to-seed rows")
    return Table({"method": m, "seed": seeds, "epoch": epochs, "score": score}, rows, summary, notes)


def query(store: Source, method: str = "kendall", seed: Any = "all", epoch: Any = "all",
          score: str = "supernet") -> Table:
    """Correlation of supernet rankings between consecutive recorded epochs and between seed pairs."""
    m = parse_method(method)
    score = store.check_score(score)
    epochs, seeds = store.select_epochs(epoch), store.select_seeds(seed)
    return stability_table(store.score_fn(score), epochs, seeds, m, score=score)
