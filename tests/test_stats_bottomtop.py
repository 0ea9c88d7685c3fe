"""Bottom vs top (wsbench.stats.bottomtop): by hand, brute force over every tie order, random baselines."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsbench.errors import OptionError
from wsbench.stats.bottomtop import bottom_top, gt_ranks, precision_at, resolve_cut


# ---- by hand -----------------------------------------------------------------------------
def test_figures_by_hand_without_ties():
    # w = (0.9, 0.8, 0.1, 0.5), t = (70, 90, 95, 80); GT ranks (1 = best): 4, 2, 1, 3
    # k = 2: estimator top {0, 1}, GT top {2, 1} -> overlap {1}: P@top = 1/2
    #        estimator bottom {2, 3}, GT bottom {0, 3} -> overlap {3}: P@bottom = 1/2
    #        ranks of the estimator's top {0, 1}: 4, 2 -> BR = 2, WR = 4
    # random: best of 2 of ranks 1..4 is rank 1, 2, 3 w.p. 3/6, 2/6, 1/6 -> 10/6; worst likewise 20/6
    r = bottom_top([0.9, 0.8, 0.1, 0.5], [70, 90, 95, 80], 2, 3)
    assert (r.n, r.k, r.p_top, r.p_bottom, r.p_random) == (4, 2, 0.5, 0.5, 0.5)
    assert (r.br, r.wr) == (2.0, 4.0)
    assert r.br_random == pytest.approx(10 / 6) and r.wr_random == pytest.approx(20 / 6)
    assert r.br_frac == 0.5 and r.wr_frac == 1.0


def test_figures_by_hand_with_a_tie_at_the_cut():
    # w = (0.9, 0.5, 0.5, 0.5, 0.1), t = (80, 70, 95, 85, 99); GT ranks 4, 5, 2, 3, 1
    # top 2 = item 0 + one of {1, 2, 3} (1/3 each): BR = E min(4, r) = (4 + 2 + 3)/3 = 3,
    #   WR = E max(4, r) = (5 + 4 + 4)/3 = 13/3
    # GT top 2 = {4, 2}: only item 2 can overlap, P = 1/3 -> P@top = (1/3)/2 = 1/6
    # bottom 2 = item 4 + one of {1, 2, 3}; GT bottom 2 = {1, 0}: item 1 w.p. 1/3 -> P@bottom = 1/6
    r = bottom_top([0.9, 0.5, 0.5, 0.5, 0.1], [80, 70, 95, 85, 99], 2, 3)
    assert r.br == pytest.approx(3.0) and r.wr == pytest.approx(13 / 3)
    assert r.p_top == pytest.approx(1 / 6) and r.p_bottom == pytest.approx(1 / 6)
    # random: best of 2 of ranks 1..5 is rank 1..4 w.p. 4/10, 3/10, 2/10, 1/10 -> 2.0;
    #         worst: 5*.4 + 4*.3 + 3*.2 + 2*.1 = 4.0
    assert r.br_random == pytest.approx(2.0) and r.wr_random == pytest.approx(4.0)


def test_kendall_within_bottom_and_top_by_hand():
    # t = 1..6, w = (3, 1, 2, 4, 6, 5), within 3:
    # GT bottom 3 = items 0, 1, 2 with w (3, 1, 2): (0,1) disc, (0,2) disc, (1,2) conc -> (1 - 2)/3 = -1/3
    # GT top 3 = items 3, 4, 5 with w (4, 6, 5): (3,4) conc, (3,5) conc, (4,5) disc -> +1/3
    # k = 2: estimator top {4, 5} = GT top {5, 4}: P@top = 1; estimator bottom {1, 2}, GT bottom {0, 1}: 1/2
    r = bottom_top([3, 1, 2, 4, 6, 5], [1, 2, 3, 4, 5, 6], 2, "50%")
    assert r.x == 3 and (r.n_top, r.n_bottom) == (3, 3)
    assert r.kendall_bottom == pytest.approx(-1 / 3) and r.kendall_top == pytest.approx(1 / 3)
    assert r.kendall_diff == pytest.approx(-2 / 3) and r.kendall_random == 0.0
    assert (r.p_top, r.p_bottom, r.p_diff) == (1.0, 0.5, -0.5)
    # cut by the estimator (Ning et al.): its bottom 3 by w = items 1, 2, 0 -> the same set here
    assert bottom_top([3, 1, 2, 4, 6, 5], [1, 2, 3, 4, 5, 6], 2, 3, within_by="estimator").kendall_bottom \
        == pytest.approx(-1 / 3)


def test_within_keeps_the_whole_tie_group_at_the_cut():
    # GT bottom 2 of t = (1, 2, 2, 2, 5): the value 2 at the cut is shared by three: four subnets enter
    r = bottom_top([1, 2, 3, 4, 5], [1, 2, 2, 2, 5], 1, 2)
    assert r.n_bottom == 4 and r.n_top == 4  # top 2: 5 and the three 2s


def test_direction_min_and_nan_rows():
    w, t = np.array([0.9, 0.8, 0.1, 0.5]), np.array([70.0, 90, 95, 80])
    a = bottom_top(w, t, 2, 3)
    b = bottom_top(-w, -t, 2, 3, direction="min")  # perplexity-like: lower is better
    assert _same(a, b)
    c = bottom_top(np.append(w, [np.nan, 0.3]), np.append(t, [60.0, np.nan]), 2, 3)  # rows with a NaN dropped
    assert _same(c, a)


def _same(a, b) -> bool:
    return repr(a) == repr(b)  # NaN fields (no interval asked) compare equal by their text


def test_resolve_cut_rules_and_errors():
    assert resolve_cut(10, 100) == 10 and resolve_cut("10", 100) == 10
    assert resolve_cut(0.1, 100) == 10 and resolve_cut("10%", 100) == 10
    # ceil(1.5) vs Ning et al.'s int(1.5)
    assert resolve_cut("1%", 150) == 2 and resolve_cut("1%", 150, "floor") == 1
    assert resolve_cut("100%", 7) == 7
    with pytest.raises(OptionError, match="floors to 0"):
        resolve_cut(0.001, 500, "floor")
    for bad in (0, 101, "abc", "0%", "150%", 1.5, True, "x%"):
        with pytest.raises(OptionError):
            resolve_cut(bad, 100)
    with pytest.raises(OptionError, match="rounding"):
        resolve_cut(1, 10, "round")


def test_option_errors_say_what_was_expected():
    with pytest.raises(OptionError, match="shapes"):
        bottom_top([1, 2, 3], [1, 2], 1, 1)
    with pytest.raises(OptionError, match="direction"):
        bottom_top([1, 2, 3], [1, 2, 3], 1, 1, direction="up")
    with pytest.raises(OptionError, match="within_by"):
        bottom_top([1, 2, 3], [1, 2, 3], 1, 1, within_by="supernet")
    with pytest.raises(OptionError, match="ci"):
        bottom_top([1, 2, 3], [1, 2, 3], 1, 1, ci=95)
    with pytest.raises(OptionError, match="boot"):
        bottom_top([1, 2, 3], [1, 2, 3], 1, 1, ci=0.9, boot=3)
    with pytest.raises(OptionError, match="1..2"):
        bottom_top([1, np.nan, 3], [1, 2, 3], 3, 1)


def test_bootstrap_interval_is_seeded_and_brackets_the_difference():
    rng = np.random.default_rng(0)
    t = rng.normal(size=200)
    # the bottom half ranked almost exactly, the top half at random (but kept above the bottom half)
    w = np.where(t < 0, t + 0.01 * rng.normal(size=200), rng.uniform(0, 3, size=200))
    r = bottom_top(w, t, "10%", "20%", ci=0.9, boot=200, rng_seed=3)
    assert _same(r, bottom_top(w, t, "10%", "20%", ci=0.9, boot=200, rng_seed=3))
    lo, hi = r.p_diff_ci
    assert lo <= r.p_diff <= hi and lo > 0  # the bottom is found better, and the interval says so
    assert 0 < r.kendall_diff_ci[0] <= r.kendall_diff <= r.kendall_diff_ci[1]


# ---- brute force over every tie order ----------------------------------------------------------
def _orders(n):
    """Offsets that break the ties of integer scores every possible way (one strict order per permutation)."""
    return [np.array(p) * 1e-3 for p in itertools.permutations(range(n))]


def _top(v, k):
    return set(np.argsort(-v, kind="stable")[:k].tolist())


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_precisions_equal_the_mean_over_every_tie_order_of_both_rankings(data):
    n = data.draw(st.integers(1, 4))
    w = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), float)
    t = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), float)
    k = data.draw(st.integers(1, n))
    orders = _orders(n)
    top = np.mean([len(_top(w + a, k) & _top(t + b, k)) / k for a in orders for b in orders])
    bottom = np.mean([len(_top(-(w + a), k) & _top(-(t + b), k)) / k for a in orders for b in orders])
    r = bottom_top(w, t, k, 1)
    assert r.p_top == pytest.approx(top, abs=1e-12) and r.p_bottom == pytest.approx(bottom, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_best_and_worst_rank_equal_the_mean_over_every_tie_order(data):
    n = data.draw(st.integers(1, 6))
    w = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), float)
    t = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), float)
    k = data.draw(st.integers(1, n))
    rank = gt_ranks(t)
    sets = [sorted(_top(w + a, k)) for a in _orders(n)]
    r = bottom_top(w, t, k, 1)
    assert r.br == pytest.approx(np.mean([rank[s].min() for s in sets]), abs=1e-12)
    assert r.wr == pytest.approx(np.mean([rank[s].max() for s in sets]), abs=1e-12)
    assert 1 - 1e-12 <= r.br <= r.wr + 1e-12 <= n + 2e-12


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_baselines_equal_the_mean_over_every_ranking(data):
    """A uniformly random ranking: every permutation of distinct estimator scores, equally likely."""
    n = data.draw(st.integers(1, 6))
    t = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), float)
    k = data.draw(st.integers(1, n))
    x = data.draw(st.integers(1, n))
    rank = gt_ranks(t)
    perms = [np.array(p, float) for p in itertools.permutations(range(n))]
    r = bottom_top(np.zeros(n), t, k, x)
    assert r.p_random == pytest.approx(np.mean([precision_at(p, t, k) for p in perms]), abs=1e-12)
    assert r.p_random == pytest.approx(np.mean([precision_at(-p, -t, k) for p in perms]), abs=1e-12)
    assert r.br_random == pytest.approx(np.mean([rank[sorted(_top(p, k))].min() for p in perms]), abs=1e-12)
    assert r.wr_random == pytest.approx(np.mean([rank[sorted(_top(p, k))].max() for p in perms]), abs=1e-12)
    for by in ("gt", "estimator"):
        taus = [bottom_top(p, t, k, x, within_by=by) for p in perms]
        for field in ("kendall_top", "kendall_bottom"):
            vals = [getattr(q, field) for q in taus]
            if not any(math.isnan(v) for v in vals):
                assert np.mean(vals) == pytest.approx(r.kendall_random, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_agrees_with_topk_and_bottom_mirrors_top(data):
    from wsbench.stats.topk import topk_sample

    n = data.draw(st.integers(1, 12))
    w = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), float)
    t = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), float)
    k = data.draw(st.integers(1, n))
    r, flipped = bottom_top(w, t, k, 1), bottom_top(-w, -t, k, 1)
    s = topk_sample(w, t, k)
    assert r.br == pytest.approx(s.best_rank) and r.p_top == pytest.approx(s.precision)
    assert r.p_bottom == pytest.approx(flipped.p_top) and r.p_top == pytest.approx(flipped.p_bottom)
    assert 0 <= r.p_bottom <= 1 and r.p_diff == pytest.approx(r.p_bottom - r.p_top)
