"""Tiny stores for tests and benchmarks, written with the real writer (no mocks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from wsbench.spaces import get_space
from wsbench.store import StoreWriter


def provenance(**over: Any) -> dict[str, Any]:
    """Attributes that say plainly this is synthetic test data."""
    attrs: dict[str, Any] = {
        "metric": "accuracy",
        "metric_direction": "max",
        "dataset": {"name": "synthetic", "notes": "random numbers written by the test-suite; not a benchmark"},
        "scale_preset": "test",
        "sampler": {"kind": "uniform", "seed": 0},
        "supernet_recipe": {"kind": "synthetic"},
        "evaluation_protocol": {"bn": "none", "split": "synthetic", "size": 0},
        "gt_source": {"kind": "synthetic"},
        "gt_noise": {"kendall_tau_between_gt_seeds": None, "why_missing": "synthetic"},
        "software": {"wsbench": "test"},
        "builder": {"name": "tests.factory", "version": "1"},
        "license": "CC0-1.0",
        "citation": "none (synthetic)",
    }
    attrs.update(over)
    return attrs


def make_store(
    path: Path,
    *,
    space: str = "nb201",
    n: int = 50,
    epochs: tuple[int, ...] = (1, 2, 4),
    seeds: tuple[int, ...] = (0, 1, 2),
    rng_seed: int = 0,
    noise: float = 5.0,
    gt: np.ndarray | None = None,
    supernet: np.ndarray | None = None,
    params: np.ndarray | None = None,
    metric: str = "accuracy",
    direction: str = "max",
    zip_path: Path | None = None,
    gt_seeds: tuple[int, ...] | None = None,
    archs: list[str] | None = None,
    function_ids: bool = True,
    losses: bool = False,
    gt_std: np.ndarray | None = None,
    **attrs: Any,
) -> Path:
    """A complete store: GT uniform in [50, 95], supernet = GT + noise (grows less noisy with epochs); ``losses``:
    with a supernet_loss that falls as the score rises."""
    rng = np.random.default_rng(rng_seed)
    archs = get_space(space).sample(n, seed=rng_seed) if archs is None else archs
    n = len(archs)
    if gt is None:
        gt = rng.uniform(50, 95, size=n)
    if params is None:
        params = gt * 1e4 + rng.normal(0, 5e4, size=n)
        params = np.abs(params)
    w = StoreWriter.create(path, space=space, archs=archs, epochs=epochs, seeds=seeds, gt_seeds=gt_seeds,
                           function_ids=function_ids, losses=losses, attrs=provenance(metric=metric, metric_direction=direction, **attrs))
    for si, s in enumerate(seeds):
        for ei, e in enumerate(epochs):
            if supernet is not None:
                vals = supernet[si, ei]
            else:
                vals = np.clip(gt - 20 + rng.normal(0, noise / (1 + ei), size=n), 0, 100)
            w.write_supernet(s, e, vals, loss=(100 - np.asarray(vals)) / 40 if losses else None)
    w.write_arch_values("gt_score", gt)
    if gt_std is not None:  # a published per-architecture std (import-gt table --std-col)
        w.ensure_arch_variable("gt_score_std")
        w.write_arch_values("gt_score_std", gt_std)
    w.write_arch_values("params", params)
    w.write_arch_values("flops", params * 30)
    if gt_seeds is not None:
        for g in gt_seeds:
            w.write_gt_seed(g, np.clip(gt + rng.normal(0, 1, size=n), 0, 100))
    return w.finalize(zip_path=zip_path)
