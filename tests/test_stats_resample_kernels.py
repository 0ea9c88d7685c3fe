"""The batched bootstrap kernels equal a straightforward computation on every resample (hypothesis, with ties).

kendall_blocks computes Kendall's tau-b of many resamples from multiplicities by blocks of the pair-sign matrix;
bottomtop_resample computes bottom-vs-top of many resamples the same way. Each is compared with the plain
definition on the resample itself (the pair loop, or the statistic of the resampled arrays), including tie
groups larger than a block, NaN subnets, constant resamples and tiny pools.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsbench.stats.bootstrap import bootstrap, correlation_draws, counts, resamples
from wsbench.stats.correlation import correlate
from wsbench.stats.kendall_blocks import kendall_parts


def _pairs_reference(x: np.ndarray, y: np.ndarray) -> tuple[int, int, int]:
    """(concordant - discordant, tied in x, tied in y) over every pair of a resampled data set, by the
    definition: a pair's sign is sign(dx) sign(dy)."""
    n = len(x)
    cmd = tx = ty = 0
    for i in range(n):
        for j in range(i + 1, n):
            cmd += int(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]))
            tx += int(x[i] == x[j])
            ty += int(y[i] == y[j])
    return cmd, tx, ty


values = st.integers(1, 6).flatmap(
    lambda levels: st.lists(st.integers(0, levels), min_size=2, max_size=40))


@settings(max_examples=120, deadline=None)
@given(xs=values, data=st.data(), block=st.integers(1, 12), boot=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_kendall_parts_equal_the_pair_loop(xs, data, block, boot, seed):
    """Every part of every resample equals the pair loop on the resample, for any block size (ties span
    blocks when the block is smaller than a tie group: the kernel must keep groups whole)."""
    n = len(xs)
    ys = data.draw(st.lists(st.integers(0, data.draw(st.integers(0, 8))), min_size=n, max_size=n))
    x, y = np.array(xs, dtype=float), np.array(ys, dtype=float)
    idx = resamples(n, boot, seed)
    p = kendall_parts(counts(idx, n), x, y, block)
    for b, i in enumerate(idx):
        cmd, tx, ty = _pairs_reference(x[i], y[i])
        assert (p.con_minus_dis[b], p.tied_x[b], p.tied_y[b], p.total[b]) == (cmd, tx, ty, n)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(3, 400), levels=st.integers(1, 400), seed=st.integers(0, 2**16))
def test_kendall_draws_equal_correlate_bit_for_bit(n, levels, seed):
    """tau-b of each resample from the kernel is the very float correlate() gives on the resample (both divide
    the same integers by the same square roots), on pools larger than a block, NaN subnets left out."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels, n).astype(float)
    y = np.where(rng.random(n) < 0.5, x, rng.integers(0, levels, n))
    x[rng.random(n) < 0.05] = np.nan
    idx = resamples(n, 12, seed)
    fast = correlation_draws(x, y, idx, "kendall")
    slow = bootstrap(lambda i: correlate(x[i], y[i], "kendall"), idx)
    assert np.array_equal(fast, slow, equal_nan=True)


def test_kendall_parts_by_hand():
    # x = (1, 2, 2), y = (1, 1, 3), resample counts (2, 1, 1): copies 0,0,1,2
    # pairs: (0,0') tie both; (0,1) x2: dx<0, dy=0 -> 0, tied in y; (0,2) x2: concordant; (1,2): tied in x
    # -> concordant - discordant = 2; tied in x: (0,0'), (1,2) = 2; tied in y: (0,0'), (0,1) x2 = 3
    p = kendall_parts(np.array([[2.0, 1, 1]]), np.array([1.0, 2, 2]), np.array([1.0, 1, 3]), block=1)
    assert (p.con_minus_dis[0], p.tied_x[0], p.tied_y[0], p.total[0]) == (2, 2, 3, 4)


@pytest.mark.parametrize("n", [4000, 12000])
def test_kendall_draws_on_a_bundled_sized_pool_equal_correlate(n):
    """4,000 subnets (blocks of 64) and 12,000 (blocks of sqrt(n), above the old dense limit of 4,096), with a tie
    group larger than any block: the blocks, the grid and the tie sums together."""
    rng = np.random.default_rng(7)
    x = np.round(rng.normal(size=n), 1)  # ~60 distinct values, groups of up to ~160
    x[:300] = 5.0  # one tie group of 300
    y = x + rng.normal(size=n)
    idx = resamples(n, 8, 3)
    fast = correlation_draws(x, y, idx, "kendall")
    slow = bootstrap(lambda i: correlate(x[i], y[i], "kendall"), idx)
    assert np.array_equal(fast, slow)


def _bottomtop_reference(w, t, k, x, within_by, idx):
    from wsbench.stats.bottomtop import precision_at, within_cut

    out = []
    for i in idx:
        wr, tr = w[i], t[i]
        ref = tr if within_by == "gt" else wr
        top, bottom = within_cut(ref, x, False), within_cut(ref, x, True)
        out.append((precision_at(-wr, -tr, k) - precision_at(wr, tr, k),
                    correlate(wr[bottom], tr[bottom], "kendall") - correlate(wr[top], tr[top], "kendall")))
    return np.array(out)


@settings(max_examples=80, deadline=None)
@given(n=st.integers(3, 60), levels=st.integers(1, 8), data=st.data(), seed=st.integers(0, 2**16),
       within_by=st.sampled_from(["gt", "estimator"]))
def test_bottomtop_draws_equal_the_loop(n, levels, data, seed, within_by):
    """p_bottom - p_top (to 1e-12: one sum in another order) and kendall_bottom - kendall_top (exactly) of each
    resample equal the statistic computed on the resampled arrays, ties at both cuts."""
    from wsbench.stats.bottomtop_resample import diff_draws_batched

    k, x = data.draw(st.integers(1, n)), data.draw(st.integers(1, n))
    rng = np.random.default_rng(seed)
    w = rng.integers(0, levels, n).astype(float)
    t = w + rng.integers(0, levels, n)
    idx = resamples(n, 15, seed)
    fast = diff_draws_batched(w, t, k, x, within_by, idx)
    slow = _bottomtop_reference(w, t, k, x, within_by, idx)
    assert np.allclose(fast[:, 0], slow[:, 0], rtol=0, atol=1e-12)
    assert np.array_equal(fast[:, 1], slow[:, 1], equal_nan=True)


def test_bottomtop_draws_by_hand():
    """w = t = (1, 2, 3, 4), k = x = 2, the resample (0, 0, 3, 3): the top 2 copies are both 3s and the bottom 2
    both 0s in either ranking, so both precisions are 1 and the difference 0; inside each cut every copy ties:
    tau is NaN on both sides."""
    from wsbench.stats.bottomtop_resample import diff_draws_batched

    v = np.array([1.0, 2, 3, 4])
    d = diff_draws_batched(v, v, 2, 2, "gt", np.array([[0, 0, 3, 3]]))
    assert d[0, 0] == 0.0 and math.isnan(d[0, 1])
    ref = _bottomtop_reference(v, v, 2, 2, "gt", np.array([[0, 0, 3, 3]]))
    assert ref[0, 0] == 0.0 and math.isnan(ref[0, 1])
