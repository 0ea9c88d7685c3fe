"""Ground truth keyed by canonical architecture string, ready to align with any store."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from builders.core.files import sha256_file  # noqa: F401  (re-exported for the importers)


@dataclass
class GroundTruth:
    """Scores of architectures trained from scratch: ``scores[arch]`` holds one value per GT seed (NaN = missing).

    Keys are canonical strings of ``wsbench.spaces.get_space(space)``, so a
    store aligns by architecture, never by index or position.
    """

    space: str
    metric: str
    seeds: list[int]
    scores: dict[str, np.ndarray]
    source: dict[str, Any]
    params: dict[str, float] = field(default_factory=dict)
    flops: dict[str, float] = field(default_factory=dict)
    #: the network scale ``params``/``flops`` were counted at: only a source's own "paper"-scale sizes may fill a
    #: store's ``params_paper``/``flops_paper`` (a GT trained here at the mini scale must not overwrite them)
    sizes_scale: str = "paper"
    #: other per-architecture rankings from the same source (zero-cost proxies): ``proxies[name][arch]``
    proxies: dict[str, dict[str, float]] = field(default_factory=dict)
    #: a source's own per-architecture mean (a table's mean column, possibly over more runs than ``scores``
    #: holds): used instead of the mean of ``scores`` where given
    reported_mean: dict[str, float] = field(default_factory=dict)
    #: a source's own per-architecture standard deviation (same unit as the scores): the store's ``gt_score_std``
    reported_std: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_runs(cls, space: str, runs: dict[str, dict[int, float]], source: dict[str, Any],
                  params: dict[str, float] | None = None, flops: dict[str, float] | None = None,
                  metric: str = "accuracy", sizes_scale: str = "paper") -> GroundTruth:
        """From ``runs[arch][seed] = score``; seeds missing for an architecture become NaN."""
        seeds = sorted({s for v in runs.values() for s in v})
        table = {a: np.array([v.get(s, np.nan) for s in seeds], dtype=float) for a, v in runs.items()}
        return cls(space=space, metric=metric, seeds=seeds, scores=table, source=source,
                   params=dict(params or {}), flops=dict(flops or {}), sizes_scale=sizes_scale)

    def __len__(self) -> int:
        return len(self.scores)

    def mean(self, arch: str) -> float:
        if arch in self.reported_mean:
            return self.reported_mean[arch]
        v = self.scores.get(arch)
        if v is None or not np.isfinite(v).any():
            return float("nan")
        return float(np.nanmean(v))

    def align(self, archs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(mean over seeds, per seed of shape (seeds, archs)) for ``archs``; NaN where unknown."""
        per_seed = np.full((len(self.seeds), len(archs)), np.nan)
        for j, a in enumerate(archs):
            v = self.scores.get(a)
            if v is not None:
                per_seed[:, j] = v
        with np.errstate(invalid="ignore"):
            counts = np.isfinite(per_seed).sum(axis=0)
            mean = np.where(counts > 0, np.nansum(per_seed, axis=0) / np.maximum(counts, 1), np.nan)
        if self.reported_mean:
            mean = np.array([self.reported_mean.get(a, m) for a, m in zip(archs, mean, strict=True)], dtype=float)
        return mean, per_seed

    def align_std(self, archs: list[str]) -> np.ndarray:
        """The source's own std for ``archs``; NaN where it gives none."""
        return np.array([self.reported_std.get(a, np.nan) for a in archs], dtype=float)

    def noise(self) -> dict[str, Any]:
        """Agreement of GT seeds with each other: mean pairwise Kendall tau and mean |difference|; with the
        source's own per-architecture std summarised beside it when it gives one."""
        out = self._seed_noise()
        std = np.array([v for v in self.reported_std.values() if np.isfinite(v)])
        if std.size:
            out["reported_std"] = {"variable": "gt_score_std", "archs": int(std.size), "mean": float(std.mean()),
                                   "median": float(np.median(std)), "max": float(std.max())}
        return out

    def _seed_noise(self) -> dict[str, Any]:
        if len(self.seeds) < 2:
            return {"kendall_tau_between_gt_seeds": None, "mean_abs_diff_between_gt_seeds": None,
                    "why_missing": f"{len(self.seeds)} GT seed(s) in the source"}
        from scipy.stats import kendalltau

        mat = np.array(list(self.scores.values())).T  # (seeds, archs)
        taus, diffs, ns = [], [], []
        for i, j in combinations(range(len(self.seeds)), 2):
            ok = np.isfinite(mat[i]) & np.isfinite(mat[j])
            if ok.sum() >= 3:
                taus.append(kendalltau(mat[i][ok], mat[j][ok]).statistic)
                diffs.append(float(np.mean(np.abs(mat[i][ok] - mat[j][ok]))))
                ns.append(int(ok.sum()))
        if not taus:
            return {"kendall_tau_between_gt_seeds": None, "mean_abs_diff_between_gt_seeds": None,
                    "why_missing": "fewer than 3 architectures have two GT seeds"}
        return {"kendall_tau_between_gt_seeds": float(np.mean(taus)),
                "mean_abs_diff_between_gt_seeds": float(np.mean(diffs)),
                "pairs_of_seeds": len(taus), "archs_per_pair_min": min(ns)}
