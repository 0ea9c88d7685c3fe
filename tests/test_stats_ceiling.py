"""The noise ceiling (wsbench.stats.ceiling): by hand, against a plain loop, and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsbench.errors import OptionError, UnknownNameError
from wsbench.stats.bootstrap import percentile_interval, resamples
from wsbench.stats.ceiling import gt_pair_taus, gt_seed_tau, noise_ceiling, tau_against_seed
from wsbench.stats.correlation import correlate

# two GT trainings: (1, 2, 3, 4) and (1, 3, 2, 4): 5 concordant pairs, 1 discordant -> tau = 4/6
G2 = np.array([[1.0, 2, 3, 4], [1, 3, 2, 4]])  # gt_seed x arch, the store's layout


def test_gt_vs_gt_by_hand():
    assert gt_pair_taus(G2) == [(0, 1, pytest.approx(4 / 6))]
    # a third training (2, 1, 3, 4): vs the first 4/6 (one discordant pair);
    # vs the second (1, 3, 2, 4): (0,1) d, (0,2) c, (0,3) c, (1,2) d, (1,3) c, (2,3) c -> (4 - 2)/6 = 1/3
    g3 = np.vstack([G2, [2.0, 1, 3, 4]])
    assert [t for _, _, t in gt_pair_taus(g3)] == pytest.approx([4 / 6, 4 / 6, 1 / 3])
    assert gt_seed_tau(g3) == pytest.approx((4 / 6 + 4 / 6 + 1 / 3) / 3)


def test_ratio_by_hand():
    score = np.array([1.0, 2, 3, 4])
    # like for like: mean of tau(score, training 0) = 1 and tau(score, training 1) = 4/6 -> 5/6;
    # ratio (5/6) / (4/6) = 1.25 (above 1: it agrees with each training better than they agree together)
    r = noise_ceiling(score, G2, ci=None)
    assert (r.tau, r.gt_tau, r.ratio) == pytest.approx((5 / 6, 4 / 6, 1.25))
    assert (r.n, r.gt_seeds, r.against) == (4, 2, "each") and math.isnan(r.ci_low)
    # against the mean GT (1, 2.5, 2.5, 4): 5 concordant, 1 pair tied in GT -> tau_b = 5 / sqrt(6 * 5)
    m = noise_ceiling(score, G2, G2.mean(axis=0), ci=None)
    assert m.tau == pytest.approx(5 / math.sqrt(30)) and m.ratio == pytest.approx(5 / math.sqrt(30) / (4 / 6))
    assert m.against == "gt"
    assert tau_against_seed(score, G2, 1) == pytest.approx(4 / 6) == tau_against_seed(score, G2, -1)
    assert tau_against_seed(score, G2, 0) == pytest.approx(1.0)


def test_nan_subnets_and_supernet_seeds():
    g = np.hstack([G2, [[5.0, 6], [np.nan, 6]]])  # the fifth subnet has one training only: left out
    s = np.array([1.0, 2, 3, 4, 9, 5])
    r = noise_ceiling(s, g, ci=None)
    assert r.n == 5
    keep = [0, 1, 2, 3, 5]
    expect = np.mean([correlate(s[keep], g[j, keep], "kendall") for j in (0, 1)])
    assert r.tau == pytest.approx(expect)
    two = noise_ceiling(np.stack([s, s[::-1]]), g, ci=None)  # the mean over supernet seeds
    back = np.mean([correlate(s[::-1][keep], g[j, keep], "kendall") for j in (0, 1)])
    assert two.tau == pytest.approx((expect + back) / 2)


def test_interval_is_that_of_the_ratio_on_each_resample():
    rng = np.random.default_rng(0)
    true = rng.normal(size=60)
    g = true[None, :] + 0.5 * rng.normal(size=(3, 60))
    score = true + rng.normal(size=60)
    r = noise_ceiling(score, g, ci=0.9, boot=60, rng_seed=4)
    loop = []
    for i in resamples(60, 60, 4):
        num = np.mean([correlate(score[i], g[j, i], "kendall") for j in range(3)])
        den = np.mean([correlate(g[a, i], g[b, i], "kendall") for a, b in ((0, 1), (0, 2), (1, 2))])
        loop.append(num / den)
    assert (r.ci_low, r.ci_high) == pytest.approx(percentile_interval(np.array(loop), 0.9))
    assert r.ci_low <= r.ratio <= r.ci_high and 0 < r.ratio < 1


@settings(max_examples=30, deadline=None)
@given(n=st.integers(4, 25), seeds=st.integers(2, 4), seed=st.integers(0, 2**16))
def test_an_estimator_equal_to_one_training_scores_as_that_training(n, seeds, seed):
    """score = training 0 exactly: its tau against each training is (1 + taus of training 0 with the others) /
    seeds, and against training 0 alone it is 1."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 6, (seeds, n)).astype(float)
    r = noise_ceiling(g[0], g, ci=None)
    with_0 = [t for i, _, t in gt_pair_taus(g) if i == 0]
    if all(np.isfinite(with_0)) and np.ptp(g[0]) > 0:
        assert r.tau == pytest.approx((1 + sum(with_0)) / seeds)
        assert tau_against_seed(g[0], g, 0) == pytest.approx(1.0)
    if np.isfinite(r.gt_tau) and r.gt_tau != 0 and np.isfinite(r.tau):
        assert r.ratio == pytest.approx(r.tau / r.gt_tau)


def test_option_errors():
    with pytest.raises(OptionError, match="at least 2 GT training"):
        noise_ceiling(np.arange(4.0), G2[:1])
    with pytest.raises(OptionError, match="gt_seed x arch"):
        gt_pair_taus(np.arange(4.0))
    with pytest.raises(OptionError, match="4 archs"):
        noise_ceiling(np.arange(5.0), G2)
    with pytest.raises(OptionError, match="gt must be 1-D"):
        noise_ceiling(np.arange(4.0), G2, np.arange(3.0))
    with pytest.raises(OptionError, match="at least 3 subnets"):
        noise_ceiling(np.array([1.0, np.nan, np.nan, 4]), G2)
    with pytest.raises(OptionError, match="0..1"):
        tau_against_seed(np.arange(4.0), G2, 2)
    with pytest.raises(OptionError, match="boot"):
        noise_ceiling(np.arange(4.0), G2, boot=0)
    with pytest.raises(UnknownNameError):
        gt_seed_tau(G2, "tau")
