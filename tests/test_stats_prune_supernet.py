"""Supernet-driven pruning (``prune --mode supernet``): by hand, against brute force over every tie order, through
a tiny store; and the oracle mode's figures set beside k random subnets of the same pruned pool."""

from __future__ import annotations

from itertools import permutations
from pathlib import Path

import numpy as np
import pytest
from factory import make_store

from wsbench.errors import OptionError
from wsbench.stats.prune import supernet_pruning


def _hand() -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(10, 0, -1).astype(float)  # subnet 0 is the GT's best, subnet 9 its worst
    w = np.array([3, 3, 3, 5, 5, 5, 5, 1, 1, 0], dtype=float)  # 3..6 sure; one of the tied 0, 1, 2 survives
    return w, t


def test_supernet_pruning_by_hand():
    w, t = _hand()
    r = supernet_pruning(w, t, 0.5)
    assert r["remaining"] == 5 and r["tie_group"] == 3
    assert r["gt_top10pct_survival"] == pytest.approx(1 / 3)  # top 10% of 10 = subnet 0, kept w.p. 1/3
    assert r["gt_top1pct_survival"] == pytest.approx(1 / 3)  # ceil(0.1) = 1: the same subnet
    assert r["best_gt"] == pytest.approx((10 + 9 + 8) / 3)  # the tied one is the best left
    assert r["best_gt_rank"] == pytest.approx(2.0)
    assert r["mean_gt"] == pytest.approx((7 + 6 + 5 + 4 + 9) / 5)
    # random removal of 5 of 10: the best of 5 uniform draws, C(10-j, 4) / C(10, 5) for rank j
    weights = np.array([126, 70, 35, 15, 5, 1]) / 252
    assert r["random_survival"] == 0.5 and r["random_mean_gt"] == pytest.approx(5.5)
    assert r["random_best_gt"] == pytest.approx(weights @ [10, 9, 8, 7, 6, 5])
    assert r["random_best_gt_rank"] == pytest.approx(weights @ [1, 2, 3, 4, 5, 6])
    store = supernet_pruning(w, t, 0.5, ties="store")  # the lower index (subnet 0) survives
    assert store["gt_top10pct_survival"] == 1.0 and store["best_gt"] == 10.0 and store["best_gt_rank"] == 1.0
    none = supernet_pruning(w, t, 0.0)
    assert none["gt_top10pct_survival"] == 1.0 and none["best_gt"] == 10.0 and none["tie_group"] == 0


def test_supernet_pruning_is_the_mean_over_every_tie_order():
    """Both cuts split ties independently: average over every order of the score and of the GT."""
    from wsbench.stats.bottomtop import gt_ranks

    rng = np.random.default_rng(7)
    for _ in range(25):
        n = int(rng.integers(2, 6))
        w = rng.integers(0, 3, size=n).astype(float)
        t = rng.integers(0, 3, size=n).astype(float)
        f = float(rng.choice([0.2, 0.4, 0.5, 0.6]))
        r = n - round(f * n)
        if r == 0:
            continue
        got = supernet_pruning(w, t, f)
        ranks = gt_ranks(t)
        kc = max(1, int(np.ceil(n * 0.1 - 1e-9)))
        surv, best, rank, mean = [], [], [], []
        for pw in permutations(range(n)):
            kept = np.lexsort((-np.array(pw), w))[::-1][:r]  # best score first, ties by the random key
            best.append(t[kept].max())
            rank.append(ranks[kept].min())
            mean.append(t[kept].mean())
            for pt in permutations(range(n)):
                top = np.lexsort((-np.array(pt), t))[::-1][:kc]
                surv.append(len(set(kept) & set(top)) / kc)
        assert got["gt_top10pct_survival"] == pytest.approx(np.mean(surv))
        assert got["best_gt"] == pytest.approx(np.mean(best))
        assert got["best_gt_rank"] == pytest.approx(np.mean(rank))
        assert got["mean_gt"] == pytest.approx(np.mean(mean))


def test_prune_mode_supernet_through_a_store(tmp_path: Path):
    import wsbench

    b = wsbench.open(make_store(tmp_path / "s.zarr", n=40, epochs=(1, 4), seeds=(0, 1), rng_seed=2))
    res = b.prune(mode="supernet", factor=[0, 0.5], epoch=4)
    gt = b.ds["gt_score"].values
    for row in res.rows:
        want = supernet_pruning(b.ds["supernet_score"].sel(seed=row["seed"], epoch=4).values, gt, row["factor"])
        assert row["gt_top10pct_survival"] == pytest.approx(want["gt_top10pct_survival"])
        assert row["best_gt"] == pytest.approx(want["best_gt"])
        assert row["remaining"] == (40 if row["factor"] == 0 else 20)
    half = res.summary[1]
    assert half["random_survival_mean"] == 0.5 and half["random_survival_std"] == 0.0
    # this store's supernet is the GT plus small noise: it keeps more of the top than random removal
    assert half["gt_top10pct_survival_mean"] > half["random_survival_mean"]
    assert res.options["mode"] == "supernet" and res.options["trials"] == 1
    with pytest.raises(OptionError, match="source='posthoc'"):
        b.prune(mode="supernet", source="retrained")


def test_supernet_pruning_reports_metric_units_for_a_lower_is_better_metric(tmp_path: Path):
    import wsbench

    gt = np.linspace(60, 160, 20)  # perplexity: 60 is the best
    b = wsbench.open(make_store(tmp_path / "p.zarr", space="darts-rnn", n=20, gt=gt, metric="perplexity",
                                direction="min", seeds=(0,), epochs=(1,)))
    row = b.prune(mode="supernet", factor=[0.0, 0.5]).rows[0]
    assert row["best_gt"] == pytest.approx(60.0) and row["random_mean_gt"] == pytest.approx(gt.mean())


def test_oracle_pruning_sets_the_supernet_beside_random_k_of_the_same_pool(tmp_path: Path):
    import wsbench

    b = wsbench.open(make_store(tmp_path / "o.zarr", n=50, epochs=(4,), seeds=(0, 1), rng_seed=4))
    res = b.prune(mode="optimistic", factor=[0, 0.8])
    for row in res.rows:
        assert row["supernet_gain_over_random"] == pytest.approx(row["supernet_topk_best_gt"]
                                                                 - row["random_topk_best_gt"])
    assert any("oracle" in n and "random_topk_best_gt" in n for n in res.notes)
    s = res.summary[-1]
    assert s["supernet_gain_over_random_mean"] == pytest.approx(s["supernet_topk_best_gt_mean"]
                                                                - s["random_topk_best_gt_mean"])
