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


def _store(tmp_path: Path, sn: np.ndarray, gt: np.ndarray) -> Path:
    return make_store(tmp_path / "s.zarr", n=len(gt), gt=gt, supernet=sn)


def test_a_summary_over_seeds_is_nan_when_a_seed_is_not_a_number(tmp_path: Path):
    rng = np.random.default_rng(4)
    gt = rng.uniform(50, 95, 60)
    sn = np.clip(gt - 20 + rng.normal(0, 8, (3, 3, 60)), 0, 100)
    sn[0, -1, :] = 40.0  # seed 0 scores every subnet alike at the last epoch: no correlation exists
    b = wsbench.open(_store(tmp_path, sn, gt))
    r = b.correlation()
    assert np.isnan(r.rows[0]["kendall"]) and np.isfinite(r.rows[1]["kendall"])
    s = r.summary[0]
    assert s["seeds"] == 3 and np.isnan(s["kendall_mean"])  # not the mean of seeds 1 and 2 under "seeds: 3"
    assert np.isfinite(b.correlation(seed="1,2").summary[0]["kendall_mean"])


def test_monte_carlo_error_of_the_mean_over_seeds_counts_the_shared_draws(tmp_path: Path):
    """With the same draws for every seed, seeds that score alike have errors that are not independent: the error
    of their mean is that of one seed, not one seed's divided by sqrt(3)."""
    rng = np.random.default_rng(5)
    gt = rng.uniform(50, 95, 120)
    one = np.clip(gt - 20 + rng.normal(0, 8, (3, 120)), 0, 100)
    b = wsbench.open(_store(tmp_path, np.stack([one] * 3), gt))  # three seeds with identical scores
    r = b.topk(k="1,10%", samples=40, trials=30)
    for s in r.summary:
        row = next(x for x in r.rows if x["k"] == s["k"] and x["seed"] == 0)
        assert row["best_gt_mc_se"] > 0 and np.isclose(s["best_gt_mc_se"], row["best_gt_mc_se"])
    p = b.prune(mode="random", factor="0.5", trials=10)
    assert p.rows[0]["kendall_mc_se"] > 0 and np.isclose(p.summary[0]["kendall_mc_se"], p.rows[0]["kendall_mc_se"])
