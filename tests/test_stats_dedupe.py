"""Merging duplicate subnets and the GT noise they reveal (wsbench.stats.dedupe): by hand and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsbench.errors import OptionError, UnknownNameError
from wsbench.stats.correlation import correlate
from wsbench.stats.dedupe import duplicate_pairs, gt_noise, merge_duplicates

NAN = float("nan")


def test_merge_by_hand():
    # classes by first appearance: a = subnets 0, 2, 5; b = 1, 4; c = 3
    # score (1, 2, 3, 4, 5, NaN): a = (1 + 3)/2 = 2 (the NaN member adds nothing), b = (2 + 5)/2 = 3.5, c = 4
    # gt (10, 20, NaN, 40, 22, 14): a = (10 + 14)/2 = 12 (its member 2 has no GT), b = 21, c = 40
    ids = np.array(["a", "b", "a", "c", "b", "a"])
    m = merge_duplicates(ids, np.array([1.0, 2, 3, 4, 5, NAN]), np.array([10.0, 20, NAN, 40, 22, 14]))
    assert m.ids.tolist() == ["a", "b", "c"] and m.n_classes == 3
    assert m.inverse.tolist() == [0, 1, 0, 2, 1, 0] and m.members.tolist() == [3, 2, 1]
    assert m.score.tolist() == [2.0, 3.5, 4.0] and m.gt.tolist() == [12.0, 21.0, 40.0]


def test_merge_keeps_leading_axes_and_all_nan_classes():
    ids = np.array([7, 3, 7, 3])  # int ids; class 7 first
    score = np.array([[[1.0, NAN, 3, NAN]], [[2.0, 4, 6, 8]]])  # seed x epoch x arch
    m = merge_duplicates(ids, score)
    assert m.ids.tolist() == [7, 3] and m.score.shape == (2, 1, 2) and m.gt is None
    assert m.score[0, 0, 0] == 2.0 and np.isnan(m.score[0, 0, 1])  # class 3 has no finite score at seed 0
    assert m.score[1, 0].tolist() == [4.0, 6.0]


def test_merge_without_duplicates_is_the_identity():
    score, gt = np.array([0.3, 0.1, 0.2]), np.array([1.0, 2.0, NAN])
    m = merge_duplicates(np.array(["x", "y", "z"]), score, gt)
    np.testing.assert_array_equal(m.score, score)
    np.testing.assert_array_equal(m.gt, gt)


def test_gt_noise_by_hand():
    # three pairs of equal GT, a singleton and a class whose second member has no GT (both left out):
    # whatever the random order, first = second -> tau = 1 over the 3 classes
    ids = np.array(["a", "a", "b", "b", "c", "c", "d", "e", "e"])
    gt = np.array([1.0, 1, 2, 2, 3, 3, 9, 5, NAN])
    r = gt_noise(ids, gt, ci=None)
    assert (r.tau, r.classes, r.pairings, r.method) == (pytest.approx(1.0), 3, 1, "kendall")
    # classes that do not overlap: a = {1, 1.5}, b = {2, 2.5}, c = {3, 3.5}, f = {4, 4.5}:
    # every order gives tau 1 (members listed in either order)
    ids = np.array(list("aabbccff"))
    r = gt_noise(ids, np.array([1, 1.5, 2.5, 2, 3, 3.5, 4.5, 4]), pairings=5, ci=0.9, boot=50)
    assert r.tau == pytest.approx(1.0) and (r.ci_low, r.ci_high) == pytest.approx((1.0, 1.0))


def _pairs_by_loop(ids, gt, keys):
    """Each class's members with a finite GT sorted by their random key, the first two taken; classes in
    order of first appearance."""
    seen = list(dict.fromkeys(ids.tolist()))
    xs, ys = [], []
    for c in seen:
        members = [i for i in range(len(ids)) if ids[i] == c and np.isfinite(gt[i])]
        members.sort(key=lambda i: keys[i])
        if len(members) >= 2:
            xs.append(gt[members[0]])
            ys.append(gt[members[1]])
    return np.array(xs), np.array(ys)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 30), classes=st.integers(1, 8), seed=st.integers(0, 2**16))
def test_pairs_equal_a_plain_loop(n, classes, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, classes, n)
    gt = np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 5, n).astype(float))
    x, y = duplicate_pairs(ids, gt, np.random.default_rng(seed + 1))
    ex, ey = _pairs_by_loop(ids, gt, np.random.default_rng(seed + 1).random(n))
    np.testing.assert_array_equal(x, ex)
    np.testing.assert_array_equal(y, ey)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 40), classes=st.integers(1, 10), seed=st.integers(0, 2**16))
def test_merged_means_equal_a_plain_loop(n, classes, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, classes, n).astype(str)
    score = np.where(rng.random((2, n)) < 0.2, np.nan, rng.normal(size=(2, n)))
    m = merge_duplicates(ids, score)
    for j, c in enumerate(m.ids):
        for s in range(2):
            v = score[s, ids == c]
            v = v[np.isfinite(v)]
            assert (m.score[s, j] == pytest.approx(v.mean())) if v.size else np.isnan(m.score[s, j])
    assert m.members.sum() == n and m.n_classes == len(set(ids.tolist()))


def test_noise_of_a_noisy_gt_and_its_interval():
    rng = np.random.default_rng(0)
    true = rng.normal(size=80)
    ids = np.repeat(np.arange(80), 2)
    gt = true[ids] + 0.3 * rng.normal(size=160)  # two trainings of each function
    r = gt_noise(ids, gt, boot=200, rng_seed=1)
    assert r == gt_noise(ids, gt, boot=200, rng_seed=1)
    assert r.ci_low <= r.tau <= r.ci_high and 0.5 < r.tau < 0.95
    # one pairing of 2-member classes: tau of (first, second) in the random order drawn by default_rng(1)
    x, y = duplicate_pairs(ids, gt, np.random.default_rng(1))
    assert r.tau == pytest.approx(correlate(x, y, "kendall"))


def test_option_errors():
    with pytest.raises(OptionError, match="one id per subnet"):
        merge_duplicates(np.array([["a"]]), np.zeros(1))
    with pytest.raises(OptionError, match="empty id"):
        merge_duplicates(np.array(["a", ""]), np.zeros(2))
    with pytest.raises(OptionError, match="NaN"):
        merge_duplicates(np.array([1.0, NAN]), np.zeros(2))
    with pytest.raises(OptionError, match=r"last axis \(3\)"):
        merge_duplicates(np.array([1, 2, 3]), np.zeros(2))
    with pytest.raises(OptionError, match="gt must be 1-D"):
        merge_duplicates(np.array([1, 2, 3]), np.zeros(3), np.zeros(2))
    with pytest.raises(OptionError, match="at least 3 classes"):
        gt_noise(np.array([1, 1, 2, 2, 3]), np.arange(5.0))
    with pytest.raises(OptionError, match="pairings"):
        gt_noise(np.array([1, 1]), np.arange(2.0), pairings=0)
    with pytest.raises(UnknownNameError):
        gt_noise(np.array([1, 1]), np.arange(2.0), method="tau")
