"""Each statistic against numbers worked out by hand, plus property tests of its invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from wsbench.errors import OptionError
from wsbench.stats.bias import operator_bias, size_bias
from wsbench.stats.correlation import correlate
from wsbench.stats.prune import remaining
from wsbench.stats.ranking import average_ranks, goodness, order_best_first, rank_percentile
from wsbench.stats.stability import epoch_stability, seed_stability
from wsbench.stats.topk import draw_samples, random_best_distribution, resolve_k, topk_sample


# ---- by hand -----------------------------------------------------------------------------
def test_average_ranks_and_percentiles_by_hand():
    assert average_ranks(np.array([3, 1, 3, 2])).tolist() == [3.5, 1.0, 3.5, 2.0]
    assert rank_percentile(np.array([10.0, 30.0, 20.0])).tolist() == [0.0, 100.0, 50.0]
    assert order_best_first(np.array([1.0, 5.0, 5.0, 2.0])).tolist() == [1, 2, 3, 0]  # tie: lower index first


def test_correlations_by_hand():
    x, y = np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4])
    # 6 pairs: 5 concordant, 1 discordant -> (5 - 1) / 6
    assert correlate(x, y, "kendall") == pytest.approx(4 / 6)
    # d = (0, 1, 1, 0): 1 - 6 * 2 / (4 * (16 - 1)) = 0.8
    assert correlate(x, y, "spearman") == pytest.approx(0.8)
    assert correlate(x, y, "pearson") == pytest.approx(0.8)
    # NaN rows are dropped; fewer than 3 items -> NaN
    assert correlate(np.array([1.0, np.nan, 3, 4, 2]), np.array([1.0, 9, 3, 4, 2]), "kendall") == pytest.approx(1.0)
    assert math.isnan(correlate(np.array([1.0, 2]), np.array([1.0, 2]), "kendall"))


def test_weighted_tau_of_identical_rankings_is_one_and_reversal_minus_one():
    x = np.arange(10.0)
    assert correlate(x, x, "weighted") == pytest.approx(1.0)
    assert correlate(x, -x, "weighted") == pytest.approx(-1.0)


def test_resolve_k():
    assert resolve_k("10", 100) == 10
    assert resolve_k("1%", 1000) == 10
    assert resolve_k("1%", 50) == 1  # ceil(0.5)
    assert resolve_k("10%", 15625) == 1563
    for bad in ("0", "abc", "150%", "-1", "2.5"):
        with pytest.raises(OptionError):
            resolve_k(bad, 100)
    with pytest.raises(OptionError, match="exceeds"):
        resolve_k("200", 100)


def test_topk_by_hand():
    sn = np.array([0.9, 0.8, 0.1, 0.5])
    gt = np.array([70.0, 90.0, 95.0, 80.0])
    r1 = topk_sample(sn, gt, 1)
    assert (r1.best_gt, r1.best_rank) == (70.0, 4)  # the supernet's favourite is the worst
    assert r1.random_best_gt == pytest.approx(83.75)  # mean of the four
    assert r1.random_best_rank == pytest.approx(2.5)
    r2 = topk_sample(sn, gt, 2)
    assert (r2.best_gt, r2.best_rank) == (90.0, 2)
    # best of 2 random: P(rank 1) = 3/6, P(rank 2) = 2/6, P(rank 3) = 1/6
    assert r2.random_best_gt == pytest.approx(95 * 3 / 6 + 90 * 2 / 6 + 80 / 6)
    assert r2.random_best_rank == pytest.approx(1 * 3 / 6 + 2 * 2 / 6 + 3 / 6)
    assert r2.sample_best_gt == 95.0


def test_random_best_distribution_matches_combinatorics():
    n, k = 12, 4
    expected = [math.comb(n - r, k - 1) / math.comb(n, k) for r in range(1, n + 1)]
    assert random_best_distribution(n, k) == pytest.approx(expected)


def test_draw_samples_all_or_seeded_subsets():
    assert [d.tolist() for d in draw_samples(5, 5, 100, 0)] == [[0, 1, 2, 3, 4]]
    a, b = draw_samples(100, 10, 3, 7), draw_samples(100, 10, 3, 7)
    assert len(a) == 3 and all((x == y).all() and len(set(x)) == 10 for x, y in zip(a, b))
    with pytest.raises(OptionError):
        draw_samples(5, 6, 1, 0)


def test_size_bias_by_hand():
    gt = np.array([1.0, 2, 3, 4])
    params = np.array([10.0, 20, 30, 40])
    sn = np.array([4.0, 3, 2, 1])
    out = size_bias(sn, gt, params)
    assert out == {"tau_params_gt": pytest.approx(1.0), "tau_supernet_gt": pytest.approx(-1.0),
                   "tau_supernet_params": pytest.approx(-1.0)}


def test_operator_bias_by_hand():
    choice = np.array([[0], [1], [0], [1]])
    sn = np.array([4.0, 3, 2, 1])  # percentiles 100, 66.7, 33.3, 0
    gt = np.array([1.0, 2, 3, 4])  # percentiles 0, 33.3, 66.7, 100
    out = operator_bias(sn, gt, choice, top_fraction=0.25)
    assert out["count"][0].tolist() == [2, 2]
    assert out["mean_pct_supernet"][0] == pytest.approx([200 / 3, 100 / 3])
    assert out["mean_pct_gt"][0] == pytest.approx([100 / 3, 200 / 3])
    assert out["share_top_supernet"][0].tolist() == [1.0, 0.0]  # supernet's top-1 is arch 0 (op 0)
    assert out["share_top_gt"][0].tolist() == [0.0, 1.0]  # GT's top-1 is arch 3 (op 1)
    assert out["mean_pct_supernet"][1] == pytest.approx(out["mean_pct_supernet"][0])  # 'any' row = only decision
    # a tie at the cut: the supernet scores archs 0 and 1 equally; its top-1 is either, each with probability 1/2
    tied = operator_bias(np.array([4.0, 4, 2, 1]), gt, choice, top_fraction=0.25)
    assert tied["share_top_supernet"][0].tolist() == [0.5, 0.5]
    assert operator_bias(np.array([4.0, 4, 2, 1]), gt, choice, 0.25, ties="store")["share_top_supernet"][0].tolist() \
        == [1.0, 0.0]


def test_top_membership_is_the_mean_over_all_tie_orders():
    from wsbench.stats.bias import top_membership

    g = np.array([3.0, 2, 2, 2, 1])
    assert top_membership(g, 2).tolist() == [1, 1 / 3, 1 / 3, 1 / 3, 0]
    assert top_membership(g, 2, "store").tolist() == [1, 1, 0, 0, 0]
    assert top_membership(g, 4).tolist() == [1, 1, 1, 1, 0] and top_membership(g, 5).sum() == 5


def test_prune_remaining_by_hand():
    gt = np.array([5.0, 1, 3, 2])
    assert remaining(gt, 0.5, "optimistic").tolist() == [0, 2]
    assert remaining(gt, 0.0, "optimistic").tolist() == [0, 1, 2, 3]
    r = remaining(gt, 0.5, "random", np.random.default_rng(0))
    assert len(r) == 2 and (np.diff(r) > 0).all()


def test_stability_by_hand():
    sn = np.array([[1.0, 2, 3, 4], [1.0, 3, 2, 4], [4.0, 3, 2, 1]])
    assert epoch_stability(sn) == pytest.approx([4 / 6, -4 / 6])
    pairs = seed_stability(sn)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1), (0, 2), (1, 2)]
    assert pairs[1][2] == pytest.approx(-1.0)


def test_goodness_orientation():
    assert goodness(np.array([1.0, 2]), "min").tolist() == [-1.0, -2.0]
    with pytest.raises(ValueError):
        goodness(np.array([1.0]), "up")


# ---- properties ----------------------------------------------------------------------------
distinct = st.lists(st.integers(-10**6, 10**6), min_size=3, max_size=60, unique=True).map(lambda v: np.array(v, float) / 7)


@given(distinct, st.integers(1, 10))
@settings(max_examples=60, deadline=None)
def test_perfect_supernet_has_correlation_one_and_finds_the_best(gt, k):
    sn = 3 * gt + 7  # any increasing transform is a perfect ranker
    for m in ("kendall", "spearman", "weighted"):
        assert correlate(sn, gt, m) == pytest.approx(1.0)
    r = topk_sample(sn, gt, min(k, len(gt)))
    assert r.best_gt == r.sample_best_gt == gt.max()
    assert r.best_rank == 1


@given(distinct, st.data())
@settings(max_examples=60, deadline=None)
def test_random_baseline_ignores_supernet_scores(gt, data):
    n = len(gt)
    k = data.draw(st.integers(1, n))
    sn1 = data.draw(arrays(np.float64, n, elements=st.floats(-10, 10)))
    sn2 = data.draw(arrays(np.float64, n, elements=st.floats(-10, 10)))
    a, b = topk_sample(sn1, gt, k), topk_sample(sn2, gt, k)
    assert a.random_best_gt == b.random_best_gt and a.random_best_rank == b.random_best_rank
    assert gt.min() - 1e-9 <= a.random_best_gt <= gt.max() + 1e-9


@given(arrays(np.float64, st.integers(1, 80), elements=st.floats(-100, 100)), st.floats(0, 0.99))
@settings(max_examples=80, deadline=None)
def test_optimistic_pruning_never_lowers_mean_gt(gt, p):
    keep = remaining(gt, p, "optimistic")
    if len(keep):
        assert gt[keep].mean() >= gt.mean() - 1e-9
        assert gt[keep].max() == gt.max()


@given(distinct, distinct)
@settings(max_examples=60, deadline=None)
def test_reversing_the_metric_direction_flips_signs_consistently(a, b):
    n = min(len(a), len(b))
    sn_raw, gt_raw, params = a[:n], b[:n], np.arange(n, dtype=float)
    # the same measurements reported as accuracy (max) or as error = -accuracy (min)
    sn_max, gt_max = goodness(sn_raw, "max"), goodness(gt_raw, "max")
    sn_min, gt_min = goodness(-sn_raw, "min"), goodness(-gt_raw, "min")
    assert correlate(sn_max, gt_max, "kendall") == pytest.approx(correlate(sn_min, gt_min, "kendall"))
    # but reading one raw vector with the opposite direction flips every size-bias sign
    hi, lo = size_bias(sn_raw, goodness(gt_raw, "max"), params), size_bias(sn_raw, goodness(gt_raw, "min"), params)
    assert hi["tau_params_gt"] == pytest.approx(-lo["tau_params_gt"])
    assert hi["tau_supernet_gt"] == pytest.approx(-lo["tau_supernet_gt"])
    assert hi["tau_supernet_params"] == pytest.approx(lo["tau_supernet_params"])


tied = arrays(np.float64, st.integers(3, 40), elements=st.integers(0, 4).map(float))


@given(tied, st.data())
@settings(max_examples=100, deadline=None)
def test_numpy_spearman_and_pearson_equal_scipy_with_ties(x, data):
    import scipy.stats as sst

    y = data.draw(arrays(np.float64, len(x), elements=st.integers(0, 4).map(float)))
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        assert math.isnan(correlate(x, y, "spearman"))
        return
    assert correlate(x, y, "spearman") == pytest.approx(sst.spearmanr(x, y).statistic, abs=1e-12)
    assert correlate(x, y, "pearson") == pytest.approx(sst.pearsonr(x, y).statistic, abs=1e-12)
    assert correlate(x, y, "kendall") == pytest.approx(sst.kendalltau(x, y).statistic, abs=1e-12)


# ---- ties at the top-k cut ------------------------------------------------------------------
def test_topk_ties_by_hand():
    # scores: one clear favourite (gt 80), then a tie of three (gt 70, 95, 85), then the rest
    sn = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    gt = np.array([80.0, 70.0, 95.0, 85.0, 99.0])
    store = topk_sample(sn, gt, 2, ties="store")
    assert (store.best_gt, store.best_rank) == (80.0, 4)  # store order takes gt 70 from the tie
    r = topk_sample(sn, gt, 2)  # the tie contributes one of its three at random: 70, 95 or 85
    assert (r.tie_group, r.tie_in_topk) == (3, 1)
    assert r.best_gt == pytest.approx((80 + 95 + 85) / 3)
    assert r.best_rank == pytest.approx((4 + 2 + 3) / 3)
    # k=3 takes two of the three: best is 95 unless the pair is (70, 85): 2/3 * 95 + 1/3 * 85
    r3 = topk_sample(sn, gt, 3)
    assert r3.best_gt == pytest.approx(2 / 3 * 95 + 1 / 3 * 85) and r3.tie_in_topk == 2
    assert topk_sample(sn, gt, 4).tie_group == 3 and topk_sample(sn, gt, 4).best_gt == 95.0  # all three in
    # p: 2 random of the 5 fall short of 80 only if both are below it (one item is: never);
    # of 95 if both come from the 3 below it: 1 - C(3,2)/C(5,2) = 0.7; of 85: 1 - C(2,2)/10 = 0.9
    assert r.p_random_at_least == pytest.approx((1.0 + 0.7 + 0.9) / 3)


def _brute_force_topk(sn, gt, k):
    """Average over every order consistent with the scores (ties broken every possible way)."""
    import itertools

    n = len(sn)
    bests, ranks, ps = [], [], []
    subsets = list(itertools.combinations(range(n), k))
    for perm in itertools.permutations(range(n)):
        if any(sn[perm[i]] < sn[perm[i + 1]] for i in range(n - 1)):
            continue
        best = max(gt[list(perm[:k])])
        bests.append(best)
        ranks.append(1 + int(np.sum(gt > best)))
        ps.append(np.mean([max(gt[list(s)]) >= best for s in subsets]))
    return np.mean(bests), np.mean(ranks), np.mean(ps)


@given(st.data())
@settings(max_examples=80, deadline=None)
def test_tie_expectations_equal_brute_force_over_all_tie_orders(data):
    n = data.draw(st.integers(1, 6))
    sn = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), float)
    gt = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), float)
    k = data.draw(st.integers(1, n))
    best, rank, p = _brute_force_topk(sn, gt, k)
    r = topk_sample(sn, gt, k)
    assert r.best_gt == pytest.approx(best) and r.best_rank == pytest.approx(rank)
    assert r.p_random_at_least == pytest.approx(p)
    assert 1 <= r.tie_in_topk <= r.tie_group


def test_unknown_tie_rule_is_refused():
    from wsbench.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="store"):
        topk_sample(np.array([1.0, 2.0]), np.array([1.0, 2.0]), 1, ties="first")


@given(arrays(np.int64, st.integers(0, 300), elements=st.integers(-3, 12)))
@settings(max_examples=100, deadline=None)
def test_inversions_equal_counting_every_pair(a):
    from wsbench.stats.correlation import inversions

    n = len(a)
    assert inversions(a) == sum(int(a[i] > a[j]) for i in range(n) for j in range(i + 1, n))


@given(st.integers(3, 400), st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_numpy_kendall_equals_scipy_with_many_ties(n, vx, vy, seed):
    import scipy.stats as sst

    from wsbench.stats.correlation import kendall_tau_b

    rng = np.random.default_rng(seed)
    x, y = rng.integers(0, vx + 1, n).astype(float), rng.integers(0, vy + 1, n).astype(float)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return
    assert kendall_tau_b(x, y) == pytest.approx(sst.kendalltau(x, y).statistic, abs=1e-12)


@given(st.integers(2, 130), st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_kendall_by_pairs_equals_the_merge_sort_exactly(n, vx, vy, seed):
    """Small pools compare every pair; both ways count the same integers, so the same float, ties of every size."""
    from wsbench.stats import coefficients

    rng = np.random.default_rng(seed)
    x, y = rng.integers(0, vx + 1, n).astype(float), rng.integers(0, vy + 1, n).astype(float)
    by_pairs = coefficients._kendall_by_pairs(x, y)
    small, coefficients.SMALL_N = coefficients.SMALL_N, 0
    try:
        merged = coefficients.kendall_tau_b(x, y)
    finally:
        coefficients.SMALL_N = small
    assert by_pairs == merged or (math.isnan(by_pairs) and math.isnan(merged))


def test_ranks_are_remembered_by_content_and_cannot_be_changed():
    """The GT of a pool is ranked once for every ranking compared with it: the same bytes give the same (read-only)
    answer; other bytes (one value changed, another dtype) are ranked afresh."""
    from wsbench.stats import coefficients

    coefficients._dense.cache_clear()
    v = np.array([3.0, 1.0, 2.0, 1.0])
    first = coefficients._dense(v)
    assert coefficients._dense(v.copy()) is first
    assert [first[0].tolist(), first[1], first[2]] == [[2, 0, 1, 0], 3, 1]
    with pytest.raises(ValueError):
        first[0][0] = 7
    w = v.copy()
    w[0] = 0.0
    assert coefficients._dense(w)[0].tolist() == [0, 1, 2, 1]
    assert average_ranks(v).tolist() == [4.0, 1.5, 3.0, 1.5]
    assert average_ranks(v.astype(np.float32)).tolist() == [4.0, 1.5, 3.0, 1.5]


@given(st.floats(allow_nan=True, allow_infinity=True))
@settings(max_examples=200, deadline=None)
def test_one_seeds_mean_is_numpys_to_the_bit(v):
    """One value: no NumPy call, the same number as NumPy's (-0.0 becomes 0.0 there too), NaN std, NaN if not
    finite; several: NumPy's own."""
    from wsbench.stats.summary import mean, mean_std

    want = float(np.mean([v]))
    assert math.copysign(1, mean([v])) == math.copysign(1, want) and (mean([v]) == want or math.isnan(want))
    assert mean(np.array([v])) == want or math.isnan(want)
    m, sd = mean_std([v])
    if math.isfinite(v):
        assert m == want and math.copysign(1, m) == math.copysign(1, want) and math.isnan(sd)
    else:
        assert math.isnan(m) and math.isnan(sd)
    with np.errstate(over="ignore", invalid="ignore"):  # (a std of values near the float limit overflows)
        several = mean_std([v, 1.0, 2.0])
        want_several = (float(np.mean([v, 1.0, 2.0])), float(np.std([v, 1.0, 2.0], ddof=1)))
    if math.isfinite(v):
        assert several == want_several or (math.isinf(several[1]) and math.isinf(want_several[1]))
    else:
        assert all(math.isnan(x) for x in several)


def test_the_rank_memo_is_bounded_in_bytes(monkeypatch):
    """A large array is ranked afresh each time (never kept); many small ones keep the memo within its budget."""
    from wsbench.stats import ranking

    monkeypatch.setattr(ranking, "MEMO_BYTES", 64_000)
    remembered = ranking.memo_by_content(lambda v: np.sort(v))
    big = np.arange(4_000, dtype=np.float64)  # 32 kB > a quarter of the budget
    assert remembered(big) is not remembered(big)
    small = [np.full(100, float(i)) for i in range(200)]  # 800 B each, and as much again for each answer
    answers = [remembered(v) for v in small]
    assert remembered(small[-1]) is answers[-1]  # the newest are kept
    assert remembered(small[0]) is not answers[0]  # the oldest went (200 x 1.6 kB > 64 kB)


def test_correlation_needs_no_scipy_import():
    import subprocess
    import sys

    code = ("import sys, numpy as np; from wsbench.stats.correlation import correlate; "
            "x = np.arange(50.0); correlate(x, x[::-1], 'kendall'); correlate(x, x, 'spearman'); "
            "print('scipy' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() \
        == "False"


def test_weighted_tau_one_sided_forms_equal_the_brute_force_sum():
    import itertools

    rng = np.random.default_rng(1)
    x = rng.normal(size=9)
    y = x + rng.normal(size=9)

    def by_hand(weigh):
        r = np.empty(9, int)
        r[np.argsort(-weigh)] = np.arange(9)
        num = den = 0.0
        for i, j in itertools.combinations(range(9), 2):
            w = 1 / (r[i] + 1) + 1 / (r[j] + 1)
            num += w * np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])
            den += w
        return num / den

    assert correlate(x, y, "weighted", "supernet") == pytest.approx(by_hand(x), abs=1e-12)
    assert correlate(x, y, "weighted", "gt") == pytest.approx(by_hand(y), abs=1e-12)
    assert correlate(x, y, "weighted") == pytest.approx((by_hand(x) + by_hand(y)) / 2, abs=1e-12)
    from wsbench.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="weigh_by"):
        correlate(x, y, "weighted", "both-ways")


# ---- bootstrap confidence intervals ----------------------------------------------------------
def test_bootstrap_interval_covers_the_known_population_tau():
    """Bivariate normal with correlation rho has Kendall tau = 2/pi arcsin(rho); a 90% interval must cover it in
    most of 40 independent samples (expected 36; P(fewer than 30) < 1e-3 under correct coverage)."""
    from wsbench.stats.bootstrap import bootstrap, percentile_interval, resamples

    rho = 0.6
    true_tau = 2 / np.pi * np.arcsin(rho)
    rng = np.random.default_rng(0)
    covered = 0
    for rep in range(40):
        x = rng.normal(size=150)
        y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=150)
        draws = bootstrap(lambda i, x=x, y=y: correlate(x[i], y[i], "kendall"), resamples(150, 200, rep))
        lo, hi = percentile_interval(draws, 0.90)
        covered += lo <= true_tau <= hi
    assert covered >= 30


def test_bootstrap_interval_by_hand_and_options():
    from wsbench.stats.bootstrap import check_level, percentile_interval, resamples

    assert percentile_interval(np.arange(101.0), 0.9) == pytest.approx((5.0, 95.0))  # 5th/95th pct of 0..100
    assert all(math.isnan(v) for v in percentile_interval(np.array([np.nan, np.nan]), 0.9))
    assert (resamples(10, 5, 3) == resamples(10, 5, 3)).all() and resamples(10, 5, 3).shape == (5, 10)
    for bad in (0, 1, 1.5, "x", True):
        with pytest.raises(OptionError, match="confidence level"):
            check_level(bad)


def test_vectorised_bootstrap_by_hand():
    from wsbench.stats.bootstrap import correlation_draws

    x, y = np.array([1.0, 2, 3]), np.array([1.0, 3, 2])
    # resample (0, 0, 1, 2): pairs between copies of item 0 tie in both; the other 5 pairs: (0,1) x2 and (0,2) x2
    # concordant, (1,2) discordant -> 4 - 1 = 3; n0 = 6, tied in x = tied in y = 1 -> 3 / sqrt(5 * 5) = 0.6
    idx = np.array([[0, 0, 1, 2], [0, 1, 2, 2], [1, 1, 1, 1]])
    tau = correlation_draws(x, y, idx, "kendall")
    assert tau[0] == pytest.approx(0.6)
    assert math.isnan(tau[2])  # one item drawn four times: constant, as correlate says
    assert tau[1] == pytest.approx(correlate(x[idx[1]], y[idx[1]], "kendall"))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(3, 40), levels=st.integers(2, 8), seed=st.integers(0, 2**16),
       method=st.sampled_from(["kendall", "spearman", "pearson"]))
def test_vectorised_bootstrap_equals_the_loop(n, levels, seed, method):
    """Every resample's value, computed at once from multiplicities, equals correlate() on that resample
    (ties from coarse values, duplicates from resampling, NaN items dropped)."""
    from wsbench.stats.bootstrap import bootstrap, correlation_draws, resamples

    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, n).astype(float)
    y = x + rng.integers(0, levels, n)
    x[rng.random(n) < 0.1] = np.nan
    idx = resamples(n, 30, seed)
    fast = correlation_draws(x, y, idx, method)
    slow = bootstrap(lambda i: correlate(x[i], y[i], method), idx)
    assert np.array_equal(np.isnan(fast), np.isnan(slow))
    assert np.allclose(fast[~np.isnan(fast)], slow[~np.isnan(slow)], atol=1e-12)


# ---- precision@k and NDCG@k -------------------------------------------------------------------
def test_precision_and_ndcg_by_hand():
    from wsbench.stats.topk import topk_many

    # score order: item 0, then items 1 and 2 tied, then 3, 4. GT gains (rank percentile / 100):
    # item 0 worst (0), 1 best (1), 2 0.75, 3 0.5, 4 0.25
    sn, gt = np.array([5.0, 4, 4, 3, 1]), np.array([1.0, 5, 4, 3, 2])
    d1, d2 = 1.0, 1 / math.log2(3)
    k1, k2, k3 = topk_many(sn, gt, [1, 2, 3], "random")
    assert (k1.precision, k1.ndcg, k1.random_ndcg) == (0.0, 0.0, pytest.approx(0.5))  # item 0 is GT's worst
    assert k2.precision == pytest.approx(0.5)  # {0, one of 1|2} vs GT top-2 {1, 2}: one overlap either way
    # position 2 holds item 1 or 2 with probability 1/2 each: expected gain (1 + 0.75) / 2
    assert k2.ndcg == pytest.approx(0.875 * d2 / (1 + 0.75 * d2))
    assert k2.random_ndcg == pytest.approx(0.5 * (d1 + d2) / (1 + 0.75 * d2))  # mean gain is 0.5
    assert k3.precision == pytest.approx(2 / 3)  # {0, 1, 2} vs {1, 2, 3}
    s2 = topk_many(sn, gt, [2], "store")[0]
    assert s2.ndcg == pytest.approx(1.0 * d2 / (1 + 0.75 * d2))  # store order puts item 1 second
    # a tie in the GT at its cut: GT top-1 is item 1 or 2 (both 5) -> precision of top-1 {1} is 1/2
    assert topk_many(np.array([0.0, 9, 1]), np.array([0.0, 5, 5]), [1])[0].precision == pytest.approx(0.5)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 4), levels=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_precision_and_ndcg_random_ties_equal_brute_force_over_all_orders(n, levels, seed):
    """The closed forms equal brute force: every strict order inside the score's tie groups (a tiny offset per
    permutation), and independently every strict order inside the GT's for precision (NDCG's gains are the
    GT's tie-averaged percentiles, so only the score's ties matter there); a perfect ranking scores 1."""
    import itertools

    from wsbench.stats.topk import topk_many

    rng = np.random.default_rng(seed)
    sn = rng.integers(0, levels, n).astype(float)
    gt = rng.integers(0, levels + 1, n).astype(float)  # ties in the GT too
    ks = sorted({1, max(1, n // 2), n})
    exact = topk_many(sn, gt, ks, "random")
    perms = [np.array(p) * 1e-3 for p in itertools.permutations(range(n))]
    precision = np.mean([[r.precision for r in topk_many(sn + p, gt + q, ks)] for p in perms for q in perms], axis=0)
    ndcg = np.mean([[r.ndcg for r in topk_many(sn + p, gt, ks)] for p in perms], axis=0)
    for j, r in enumerate(exact):
        assert 0 <= r.precision <= 1
        assert r.precision == pytest.approx(precision[j], abs=1e-12)
        assert r.ndcg == pytest.approx(ndcg[j], abs=1e-12) or (math.isnan(r.ndcg) and math.isnan(ndcg[j]))
    distinct = rng.permutation(n).astype(float)  # ties broken independently on both sides, so only without ties
    assert all(r.precision == pytest.approx(1.0) and r.ndcg == pytest.approx(1.0)
               for r in topk_many(distinct, distinct, ks))
    assert topk_many(sn, gt, [n])[0].precision == pytest.approx(1.0)  # k = n: everything overlaps


def test_random_pruning_expectations_by_hand_and_against_simulation():
    from wsbench.stats.prune import random_expectations

    g = np.array([1.0, 2, 3, 4])
    ex = random_expectations(g, 0.5, "1")  # 2 of 4 remain
    # best of 2 of 4: rank 1 w.p. 3/6, rank 2 w.p. 2/6, rank 3 w.p. 1/6 (pairs {4,x}, {3,<3}, {2,1})
    assert ex["best_gt"][0] == pytest.approx(4 * 3 / 6 + 3 * 2 / 6 + 2 * 1 / 6)
    assert ex["mean_gt"][0] == pytest.approx(2.5) and ex["random_topk_best_gt"][0] == pytest.approx(2.5)
    rng = np.random.default_rng(0)
    g = rng.normal(size=50)
    ex = random_expectations(g, 0.7, "10%")  # 15 remain, k = 2
    sims = [np.sort(rng.permutation(g)[:15]) for _ in range(20000)]
    assert ex["best_gt"][0] == pytest.approx(np.mean([s[-1] for s in sims]), abs=0.01)
    assert ex["random_topk_best_gt"][0] == pytest.approx(np.mean([max(rng.choice(s, 2, replace=False)) for s in
                                                                   sims[:5000]]), abs=0.03)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 30), levels=st.integers(1, 5), seed=st.integers(0, 2**16),
       ties=st.sampled_from(["random", "store"]))
def test_resampled_topk_equals_topk_of_each_resample(n, levels, seed, ties):
    """The bootstrap path (resamples laid out from multiplicities, GT parts shared by seeds) gives the same
    best_gt, precision and NDCG@k as topk_many on each resample."""
    from wsbench.stats.topk import topk_many
    from wsbench.stats.topk_resample import topk_resampled

    rng = np.random.default_rng(seed)
    gt = rng.integers(0, levels + 1, n).astype(float)
    scores = [rng.integers(0, levels, n).astype(float) for _ in range(2)]
    idx = rng.integers(0, n, (8, n))
    ks = sorted({1, max(1, n // 3), n})
    fast = topk_resampled(scores, gt, idx, ks, ties)
    for j, s in enumerate(scores):
        for b, i in enumerate(idx):
            for got, want in zip(fast[j][b], topk_many(s[i], gt[i], ks, ties)):
                for f in ("best_gt", "precision", "ndcg"):
                    assert getattr(got, f) == pytest.approx(getattr(want, f), abs=1e-12) or (
                        math.isnan(getattr(got, f)) and math.isnan(getattr(want, f)))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(3, 25), levels=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_resampled_operator_gaps_equal_operator_bias_of_each_resample(n, levels, seed):
    from wsbench.stats.bias import operator_gap_resampled

    rng = np.random.default_rng(seed)
    gt = rng.integers(0, levels + 1, n).astype(float)
    sn = rng.integers(0, levels, n).astype(float)
    sn[0] = np.nan  # dropped, as the statistic drops it
    choice = rng.integers(0, 3, (n, 2))
    idx = rng.integers(0, n, (6, n))
    (gaps,) = operator_gap_resampled([sn], gt, choice, idx, 3)
    for b, i in enumerate(idx):
        i = i[np.isfinite(sn[i])]
        want = operator_bias(sn[i], gt[i], choice[i], 0.5, n_ops=3)
        expect = want["mean_pct_supernet"] - want["mean_pct_gt"]
        assert np.allclose(gaps[b], expect, equal_nan=True, atol=1e-9)


@given(st.integers(1, 7), st.integers(1, 30), st.integers(0, 2**32 - 1), st.sampled_from(["random", "store"]))
@settings(max_examples=60, deadline=None)
def test_a_batch_of_samples_equals_each_sample_ranked_alone(rows, n, seed, ties):
    """topk_batch handles every row whose cut falls in a tie group together (padded rows of probabilities);
    no row may see another's items, and each equals the same sample ranked alone."""
    from wsbench.stats.topk import topk_batch

    rng = np.random.default_rng(seed)
    sn = rng.integers(0, rng.integers(1, 6), (rows, n)).astype(float)  # coarse scores: many ties at the cut
    gt = rng.integers(0, 8, (rows, n)).astype(float)
    ks = sorted({1, n, int(rng.integers(1, n + 1))})
    batch = topk_batch(sn, gt, ks, ties)
    for i in range(rows):
        alone = topk_batch(sn[i:i + 1], gt[i:i + 1], ks, ties)
        for b, a in zip(batch, alone):
            assert b.row(i) == pytest.approx(a.row(0), nan_ok=True)


def test_draws_split_into_memory_bounded_chunks_give_the_same_rows(monkeypatch):
    from wsbench.stats import topk

    rng = np.random.default_rng(3)
    sn, g = rng.integers(0, 20, 500).astype(float), rng.normal(size=500)
    draws = np.stack(topk.draw_samples(500, 40, 25, 0))
    whole, _ = topk.topk_draws(sn, g, draws, [1, 4, 40], "random")
    monkeypatch.setattr(topk, "_chunks", lambda rows, n, cells=7 * 40: [slice(i, min(i + 7, rows))
                                                                          for i in range(0, rows, 7)])
    chunked, sides = topk.topk_draws(sn, g, draws, [1, 4, 40], "random")
    assert len(sides) == 4
    for a, b in zip(whole, chunked):  # equal up to the BLAS's summation order of desc @ p
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-15)


@given(st.integers(1, 60), st.integers(0, 2**32 - 1), st.sampled_from(["random", "store"]))
@settings(max_examples=80, deadline=None)
def test_selection_without_sorting_equals_the_sorted_top_k(n, seed, ties):
    """The large-sample path (partial selection, counting) gives what sorting every score gives."""
    from wsbench.stats.topk import gt_side, topk_batch
    from wsbench.stats.topk_select import topk_selected

    rng = np.random.default_rng(seed)
    sn = rng.integers(0, rng.integers(1, 8), n).astype(float)
    gt = rng.integers(0, rng.integers(1, 10), n).astype(float)
    ks = sorted({1, n, int(rng.integers(1, n + 1)), int(rng.integers(1, n + 1))})
    side = gt_side(gt)
    for sel, full in zip(topk_selected(sn, side, ks, ties), topk_batch(sn[None], None, ks, ties, side)):
        assert sel.row(0) == pytest.approx(full.row(0), rel=1e-12, abs=1e-12, nan_ok=True)


def test_a_full_pool_answer_is_the_same_with_selection_or_sorting(store_dir, monkeypatch):
    """wsbench.open(...).topk over every subnet (one sample) takes the selection path above SELECT_FROM
    subnets; forced on a 60-subnet store, every row equals the sorting path's."""
    import wsbench
    from wsbench.stats import topk_select

    def rows(select_from: int) -> list[dict]:
        monkeypatch.setattr(topk_select, "SELECT_FROM", select_from)
        return wsbench.open(store_dir).topk(k="1,3,10%,60", samples=60, epoch="all", ties=ties).rows

    for ties in ("random", "store"):
        selected, sorted_ = rows(1), rows(10**9)
        assert len(selected) == len(sorted_) == 4 * 3 * 3
        for a, b in zip(selected, sorted_):
            assert a.pop("k") == b.pop("k") and a == pytest.approx(b, rel=1e-12, nan_ok=True)
