"""Paired intervals of a change in tau (wsbench.stats.paired, wsbench.stats.jackknife): by hand, against plain loops
(the bootstrap resample by resample, the jackknife subnet by subnet), properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsbench.errors import OptionError, UnknownNameError
from wsbench.stats.bootstrap import percentile_interval, resamples
from wsbench.stats.correlation import correlate
from wsbench.stats.paired import paired_delta, two_sided_p, verdict


def test_point_delta_p_and_verdict_by_hand():
    # a: x = (1, 2, 3, 4), y = (1, 3, 2, 4): 5 concordant, 1 discordant pair -> tau = 4/6
    # b: x = y -> tau = 1; delta = tau(b) - tau(a) = 1/3
    x, y = np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4])
    r = paired_delta(x, y, y, y, ci=0.9, boot=50, interval="bootstrap")
    assert r.tau_a == pytest.approx(4 / 6) and r.tau_b == pytest.approx(1.0)
    assert r.delta == pytest.approx(1 / 3)
    assert (r.n, r.seeds, r.boot, r.level) == (4, 1, 50, 0.9)
    # draws 1, 2, -1, 0.5: one <= 0, three >= 0 -> p = 2 (1 + 1) / (4 + 1) = 0.8
    assert two_sided_p(np.array([1, 2, -1, 0.5])) == pytest.approx(0.8)
    assert two_sided_p(np.array([1.0, 1, 1])) == pytest.approx(0.5)  # the smallest p of 3 draws: 2 / 4
    assert two_sided_p(np.array([0.0, 0.0])) == 1.0 and np.isnan(two_sided_p(np.array([np.nan])))
    assert verdict(0.01, 0.2) == "rises" and verdict(-0.3, -0.1) == "falls"
    assert verdict(-0.1, 0.1) == "cannot tell" and verdict(float("nan"), float("nan")) == "cannot tell"


def test_draws_are_the_same_resamples_for_both_taus():
    """The interval is the percentile interval of tau(b) - tau(a) computed resample by resample in a loop."""
    rng = np.random.default_rng(1)
    gt = rng.normal(size=40)
    e16, e32 = gt + rng.normal(size=40), gt + 2 * rng.normal(size=40)
    r = paired_delta(e16, gt, e32, gt, ci=0.9, boot=100, rng_seed=7, interval="bootstrap")
    loop = [correlate(e32[i], gt[i], "kendall") - correlate(e16[i], gt[i], "kendall")
            for i in resamples(40, 100, 7)]
    assert (r.ci_low, r.ci_high) == pytest.approx(percentile_interval(np.array(loop), 0.9))
    assert r.p_value == pytest.approx(two_sided_p(np.array(loop)))


@pytest.mark.parametrize("interval", ["jackknife", "bootstrap"])
def test_a_clear_drop_is_found_and_no_change_cannot_be_told(interval):
    rng = np.random.default_rng(0)
    gt = rng.normal(size=300)
    good, bad = gt + 0.3 * rng.normal(size=300), gt + 3 * rng.normal(size=300)
    r = paired_delta(good, gt, bad, gt, boot=200, interval=interval)
    assert r.verdict == "falls" and r.ci_high < 0 and r.p_value < 0.05
    same = paired_delta(good, gt, good, gt, boot=200, interval=interval)
    assert (same.delta, same.ci_low, same.ci_high) == (0.0, 0.0, 0.0)
    assert (same.p_value, same.verdict) == (1.0, "cannot tell")


def test_pairs_ws_ps_against_ws_gt():
    # (WS, PS) vs (WS, GT): a shares b's first array; one call, one set of resamples
    rng = np.random.default_rng(2)
    gt = rng.normal(size=100)
    params = rng.normal(size=100)
    ws = gt + params  # as tied to size as to GT
    r = paired_delta(ws, params, ws, gt, method="spearman", boot=100)
    assert r.tau_a == pytest.approx(correlate(ws, params, "spearman"))
    assert r.tau_b == pytest.approx(correlate(ws, gt, "spearman"))


@pytest.mark.parametrize("interval", ["jackknife", "bootstrap"])
def test_seeds_and_nan_subnets(interval):
    rng = np.random.default_rng(3)
    gt = rng.normal(size=50)
    one = gt + rng.normal(size=50)
    alone = paired_delta(one, gt, one * 0.5 + gt * 0.5, gt, boot=100, interval=interval)
    three = np.stack([one] * 3)
    b3 = np.stack([one * 0.5 + gt * 0.5] * 3)
    same_seeds = paired_delta(three, gt, b3, gt, boot=100, interval=interval)  # identical seeds: resampling them changes nothing
    assert same_seeds.seeds == 3
    assert (same_seeds.delta, same_seeds.ci_low, same_seeds.ci_high) == pytest.approx(
        (alone.delta, alone.ci_low, alone.ci_high))
    # a subnet NaN in one seed leaves every tau
    holed = three.copy()
    holed[1, 4] = np.nan
    r = paired_delta(holed, gt, b3, gt, boot=100, over_seeds=False, interval=interval)
    keep = np.arange(50) != 4
    assert r.n == 49 and r.tau_a == pytest.approx(correlate(one[keep], gt[keep], "kendall"))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(5, 30), seeds=st.integers(1, 3), seed=st.integers(0, 2**16), over=st.booleans(),
       interval=st.sampled_from(["jackknife", "bootstrap"]))
def test_swapping_a_and_b_mirrors_everything(n, seeds, seed, over, interval):
    rng = np.random.default_rng(seed)
    gt = rng.integers(0, 5, n).astype(float)  # ties in the GT
    a = rng.integers(0, 4, (seeds, n)).astype(float)
    b = rng.integers(0, 4, (seeds, n)).astype(float)
    ab = paired_delta(a, gt, b, gt, boot=50, rng_seed=seed, over_seeds=over, interval=interval)
    ba = paired_delta(b, gt, a, gt, boot=50, rng_seed=seed, over_seeds=over, interval=interval)
    assert ba.delta == pytest.approx(-ab.delta, abs=1e-12) or (np.isnan(ab.delta) and np.isnan(ba.delta))
    if np.isfinite(ab.ci_low):
        assert (ba.ci_low, ba.ci_high) == pytest.approx((-ab.ci_high, -ab.ci_low), abs=1e-12)
        assert ab.p_value == pytest.approx(ba.p_value)
        assert {ab.verdict, ba.verdict} in ({"cannot tell"}, {"rises", "falls"})


def test_option_errors():
    x = np.arange(5.0)
    with pytest.raises(OptionError, match="same subnets"):
        paired_delta(x, x, x[:4], x[:4])
    with pytest.raises(OptionError, match="same number of seeds"):
        paired_delta(np.stack([x, x]), x, np.stack([x, x, x]), x)
    with pytest.raises(OptionError, match="1-D .* or 2-D"):
        paired_delta(x[None, None], x, x, x)
    with pytest.raises(OptionError, match="at least 3"):
        paired_delta(np.array([1.0, np.nan, 2, np.nan, 3]) * [1, 1, 1, 1, np.nan], x, x, x)
    with pytest.raises(OptionError, match="boot"):
        paired_delta(x, x, x, x, boot=5)
    with pytest.raises(OptionError, match="ci"):
        paired_delta(x, x, x, x, ci=1.5)
    with pytest.raises(UnknownNameError):
        paired_delta(x, x, x, x, method="tau")
    with pytest.raises(UnknownNameError, match="paired interval.*jackknife"):
        paired_delta(x, x, x, x, interval="normal")


def test_the_new_statistics_need_no_scipy_import():
    """Cold start: bottom/top, paired, ceiling, mean score and dedupe run on NumPy alone (no scipy)."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from wsbench.stats.bottomtop import bottom_top\n"
        "from wsbench.stats.ceiling import noise_ceiling\n"
        "from wsbench.stats.dedupe import gt_noise, merge_duplicates\n"
        "from wsbench.stats.meanscore import mean_score\n"
        "from wsbench.stats.paired import paired_delta\n"
        "x = np.arange(40.0); y = x[::-1].copy(); y[:5] = 0\n"
        "bottom_top(x, y, '10%', '20%', ci=0.9, boot=20)\n"
        "paired_delta(x, y, y, x, 'spearman', boot=20)\n"
        "noise_ceiling(x, np.stack([x, y]), boot=20)\n"
        "gt_noise(np.arange(40) // 2, y, boot=20); merge_duplicates(np.arange(40) // 2, x, y)\n"
        "mean_score(x, y)\n"
        "print('scipy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- the jackknife ----------------------------------------------------------------------------------------------


def test_jackknife_by_hand():
    """a: x = (1, 2, 3, 4), y = (1, 3, 2, 4), tau 4/6; without subnet 1 or 4 one pair of three is discordant
    (tau 1/3), without subnet 2 or 3 none is (tau 1). b: x = y, tau 1 without any subnet. So the leave-one-out
    deltas are (2/3, 0, 0, 2/3), mean 1/3; jackknife variance (n-1)/n sum (d_i - mean)^2 = 3/4 * 4 * (1/3)^2 = 1/3;
    interval 1/3 +- 1.959964 * sqrt(1/3); p = erfc((1/3) / (sqrt(1/3) sqrt 2))."""
    import math

    from wsbench.stats import jackknife

    x, y = np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4])
    assert jackknife.loo(x, y, "kendall") == pytest.approx([1 / 3, 1, 1, 1 / 3])
    assert jackknife.variance(np.array([2 / 3, 0, 0, 2 / 3])) == pytest.approx(1 / 3)
    r = paired_delta(x, y, y, y, ci=0.95)
    se = math.sqrt(1 / 3)
    assert (r.interval, r.boot, r.se) == ("jackknife", 0, pytest.approx(se))
    assert (r.ci_low, r.ci_high) == pytest.approx((1 / 3 - 1.959964 * se, 1 / 3 + 1.959964 * se), abs=1e-6)
    assert r.p_value == pytest.approx(math.erfc((1 / 3) / (se * math.sqrt(2))))
    assert r.p_value == pytest.approx(0.5637, abs=1e-4) and r.verdict == "cannot tell"
    assert jackknife.normal_quantile(0.975) == pytest.approx(1.959963985, abs=1e-9)
    assert jackknife.normal_quantile(0.5) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 30), levels_x=st.integers(1, 8), levels_y=st.integers(1, 8), seed=st.integers(0, 2**16),
       method=st.sampled_from(["kendall", "spearman", "pearson", "weighted"]))
def test_leave_one_out_equals_recomputing_without_each_subnet(n, levels_x, levels_y, seed, method):
    """Ties of every size in both (few levels), constant leftovers (NaN), and n below 4 (all NaN)."""
    from wsbench.stats import jackknife

    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels_x, n).astype(float) + (rng.normal(size=n) if levels_x == 8 else 0)
    y = rng.integers(0, levels_y, n).astype(float)
    keep = np.ones(n, dtype=bool)
    brute = []
    for i in range(n):
        keep[i] = False
        brute.append(correlate(x[keep], y[keep], method))
        keep[i] = True
    np.testing.assert_allclose(jackknife.loo(x, y, method), np.array(brute, dtype=float), rtol=0, atol=1e-12)


def test_below_both_counts_strictly_by_brute_force():
    from wsbench.stats.jackknife import below_both

    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 17, 64, 65, 200):
        rx, ry = rng.integers(0, 6, n), rng.integers(0, 9, n)
        brute = [int(((rx < rx[i]) & (ry < ry[i])).sum()) for i in range(n)]
        assert below_both(rx, ry).tolist() == brute


def test_jackknife_se_matches_the_paired_bootstrap_on_one_seed():
    """Both estimate the sampling spread of delta over subnets: on 400 subnets with fixed data their standard errors
    agree within 10% (the bootstrap's own Monte-Carlo error at 2,000 resamples is ~1.6%)."""
    from wsbench.stats import bootstrap as _boot

    rng = np.random.default_rng(11)
    gt = rng.normal(size=400)
    e1, e2 = gt + rng.normal(size=400), gt + 1.5 * rng.normal(size=400)
    jk = paired_delta(e1, gt, e2, gt)
    idx = _boot.resamples(400, 2000, 0)
    draws = np.array([correlate(e2[i], gt[i], "kendall") - correlate(e1[i], gt[i], "kendall") for i in idx])
    assert jk.se == pytest.approx(draws.std(), rel=0.10)


def test_jackknife_with_seeds_adds_their_spread_by_a_loop():
    """se^2 = jackknife variance of the seed-mean delta (each subnet out of every seed at once) + var(per-seed
    deltas, ddof 1) / seeds; without over_seeds only the first term."""
    from wsbench.stats import jackknife

    rng = np.random.default_rng(12)
    gt = rng.normal(size=60)
    a = gt + rng.normal(size=(3, 60))
    b = gt + 2 * rng.normal(size=(3, 60))
    keep = np.ones(60, dtype=bool)
    loo = []
    for i in range(60):
        keep[i] = False
        loo.append(np.mean([correlate(b[s][keep], gt[keep], "kendall") - correlate(a[s][keep], gt[keep], "kendall")
                            for s in range(3)]))
        keep[i] = True
    subnets = jackknife.variance(np.array(loo))
    per_seed = [correlate(b[s], gt, "kendall") - correlate(a[s], gt, "kendall") for s in range(3)]
    both = paired_delta(a, gt, b, gt)
    fixed = paired_delta(a, gt, b, gt, over_seeds=False)
    assert fixed.se ** 2 == pytest.approx(subnets)
    assert both.se ** 2 == pytest.approx(subnets + np.var(per_seed, ddof=1) / 3)
    assert both.delta == pytest.approx(np.mean(per_seed))
