"""Mean supernet score vs epoch (wsbench.stats.meanscore): by hand and against numpy's nan-functions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from wsbench.errors import OptionError
from wsbench.stats.meanscore import mean_score, over_seeds

NAN = float("nan")


def test_mean_spread_and_quartiles_by_hand():
    # (10, 20, 30, 40): mean 25; std = sqrt((15^2 + 5^2 + 5^2 + 15^2) / 3) = sqrt(500 / 3);
    # quartiles at positions 0.75, 1.5, 2.25 of the sorted values: 17.5, 25, 32.5
    # (10, NaN, 30, 50): n = 3, mean 30, std = sqrt((400 + 0 + 400) / 2) = 20;
    #                   quartiles at positions 0.5, 1, 1.5: 20, 30, 40
    r = mean_score(np.array([[10.0, 20, 30, 40], [10, NAN, 30, 50]]))
    assert r.n.tolist() == [4, 3]
    assert r.mean.tolist() == [25.0, 30.0]
    assert r.std == pytest.approx([math.sqrt(500 / 3), 20.0])
    assert (r.q25.tolist(), r.median.tolist(), r.q75.tolist()) == ([17.5, 20.0], [25.0, 30.0], [32.5, 40.0])
    assert (r.min.tolist(), r.max.tolist()) == ([10.0, 10.0], [40.0, 50.0])
    assert np.isnan(r.mean_gt).all()


def test_mean_gt_covers_the_same_subnets():
    # GT NaN at the last subnet: it leaves both means. Scores (10, 20, 30), GT (1, 2, 3) -> 20 and 2
    r = mean_score(np.array([10.0, 20, 30, 40]), np.array([1.0, 2, 3, NAN]))
    assert (int(r.n), float(r.mean), float(r.mean_gt)) == (3, 20.0, 2.0)


def test_seed_by_epoch_shape_and_summary_over_seeds():
    score = np.arange(2 * 3 * 5, dtype=float).reshape(2, 3, 5)  # seed x epoch x arch
    r = mean_score(score)
    assert r.mean.shape == (2, 3) and r.mean[1, 2] == score[1, 2].mean()
    # over seeds: (1, NaN) and (3, 5) -> means (2, 5); std sqrt(2) and NaN (one seed has no sample std)
    mean, std = over_seeds(np.array([[1.0, NAN], [3.0, 5.0]]))
    assert mean.tolist() == [2.0, 5.0] and std[0] == pytest.approx(math.sqrt(2)) and np.isnan(std[1])


def test_no_subnet_is_nan_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = mean_score(np.array([[NAN, NAN], [1.0, NAN]]))
        mean, std = over_seeds(np.array([[NAN], [NAN]]))
    assert r.n.tolist() == [0, 1] and np.isnan(r.mean[0]) and np.isnan(r.q25[0]) and np.isnan(r.std[1])
    assert r.median[1] == 1.0 and np.isnan(mean[0]) and np.isnan(std[0])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 9)),
              elements=st.one_of(st.floats(-100, 100), st.just(NAN))))
def test_equals_numpy_nan_functions(a):
    r = mean_score(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expect = {"mean": np.nanmean(a, axis=-1), "q25": np.nanquantile(a, 0.25, axis=-1),
                  "median": np.nanmedian(a, axis=-1), "q75": np.nanquantile(a, 0.75, axis=-1),
                  "min": np.nanmin(a, axis=-1), "max": np.nanmax(a, axis=-1)}
        std = np.nanstd(a, axis=-1, ddof=1)
    for name, value in expect.items():
        np.testing.assert_allclose(getattr(r, name), value, rtol=1e-12, atol=1e-9, err_msg=name)
    n = np.isfinite(a).sum(axis=-1)
    np.testing.assert_allclose(r.std[n > 1], std[n > 1], rtol=1e-9, atol=1e-9)
    assert np.isnan(r.std[n <= 1]).all() and (r.n == n).all()


def test_option_errors():
    with pytest.raises(OptionError, match="last axis"):
        mean_score(np.float64(3.0))
    with pytest.raises(OptionError, match="one value per subnet"):
        mean_score(np.zeros((2, 4)), np.zeros(3))
    with pytest.raises(OptionError, match="first axis"):
        over_seeds(np.zeros(0))
