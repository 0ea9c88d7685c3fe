"""Paired bootstrap of a change in tau (wsbench.stats.paired): by hand, against a plain loop, properties."""

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
    r = paired_delta(x, y, y, y, ci=0.9, boot=50)
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
    r = paired_delta(e16, gt, e32, gt, ci=0.9, boot=100, rng_seed=7)
    loop = [correlate(e32[i], gt[i], "kendall") - correlate(e16[i], gt[i], "kendall")
            for i in resamples(40, 100, 7)]
    assert (r.ci_low, r.ci_high) == pytest.approx(percentile_interval(np.array(loop), 0.9))
    assert r.p_value == pytest.approx(two_sided_p(np.array(loop)))


def test_a_clear_drop_is_found_and_no_change_cannot_be_told():
    rng = np.random.default_rng(0)
    gt = rng.normal(size=300)
    good, bad = gt + 0.3 * rng.normal(size=300), gt + 3 * rng.normal(size=300)
    r = paired_delta(good, gt, bad, gt, boot=200)
    assert r.verdict == "falls" and r.ci_high < 0 and r.p_value < 0.05
    same = paired_delta(good, gt, good, gt, boot=200)
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


def test_seeds_and_nan_subnets():
    rng = np.random.default_rng(3)
    gt = rng.normal(size=50)
    one = gt + rng.normal(size=50)
    alone = paired_delta(one, gt, one * 0.5 + gt * 0.5, gt, boot=100)
    three = np.stack([one] * 3)
    b3 = np.stack([one * 0.5 + gt * 0.5] * 3)
    same_seeds = paired_delta(three, gt, b3, gt, boot=100)  # identical seeds: resampling them changes nothing
    assert same_seeds.seeds == 3
    assert (same_seeds.delta, same_seeds.ci_low, same_seeds.ci_high) == pytest.approx(
        (alone.delta, alone.ci_low, alone.ci_high))
    # a subnet NaN in one seed leaves every tau
    holed = three.copy()
    holed[1, 4] = np.nan
    r = paired_delta(holed, gt, b3, gt, boot=100, over_seeds=False)
    keep = np.arange(50) != 4
    assert r.n == 49 and r.tau_a == pytest.approx(correlate(one[keep], gt[keep], "kendall"))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(5, 30), seeds=st.integers(1, 3), seed=st.integers(0, 2**16), over=st.booleans())
def test_swapping_a_and_b_mirrors_everything(n, seeds, seed, over):
    rng = np.random.default_rng(seed)
    gt = rng.integers(0, 5, n).astype(float)  # ties in the GT
    a = rng.integers(0, 4, (seeds, n)).astype(float)
    b = rng.integers(0, 4, (seeds, n)).astype(float)
    ab = paired_delta(a, gt, b, gt, boot=50, rng_seed=seed, over_seeds=over)
    ba = paired_delta(b, gt, a, gt, boot=50, rng_seed=seed, over_seeds=over)
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
