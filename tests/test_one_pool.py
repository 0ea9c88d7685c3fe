"""Statistics that compare several correlations take them over one pool of subnets (docs/statistics.md, bias)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from factory import make_store

import wsbench
from wsbench.stats.correlation import correlate


def test_size_bias_takes_all_three_taus_over_the_same_subnets(tmp_path: Path):
    rng = np.random.default_rng(3)
    n, gt = 80, rng.uniform(50, 95, 80)
    params = np.abs(gt * 1e4 + rng.normal(0, 1e5, n))
    sn = np.clip(gt - 20 + rng.normal(0, 8, (3, 3, n)), 0, 100)
    sn[0, :, :25] = np.nan  # seed 0's score is missing for some subnets; seeds 1 and 2 have every one
    store = make_store(tmp_path / "s.zarr", n=n, gt=gt, params=params, supernet=sn)
    b = wsbench.open(store)
    pool = np.arange(25, n)
    row = b.bias(by="params", epoch="last", seed=0).rows[0]
    assert row["tau_params_gt"] == correlate(params[pool], gt[pool], "kendall")  # not over all 80 subnets
    assert row["tau_params_gt"] != correlate(params, gt, "kendall")
    assert row["tau_supernet_gt"] == correlate(sn[0, -1, pool], gt[pool], "kendall")
    rows = b.bias(by="params", epoch="last", ci=0.9, boot=50).rows  # seeds 0, 1, 2
    assert rows[0]["tau_params_gt"] == row["tau_params_gt"] != rows[1]["tau_params_gt"] == rows[2]["tau_params_gt"]
    interval = [(r["tau_params_gt_ci_low"], r["tau_params_gt_ci_high"]) for r in rows]
    assert interval[0] != interval[1] == interval[2]  # each seed's interval is over its own pool
