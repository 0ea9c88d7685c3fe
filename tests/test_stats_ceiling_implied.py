"""The noise ceiling a published GT std implies (wsbench.stats.ceiling.implied_trainings): by hand, and end to end
from a table imported with `import-gt table --std-col` (no runs)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_groundtruth_table import ARCHS, ARGS, scored_store, write_csv

from builders.__main__ import main as builders_main
from wsbench.errors import OptionError
from wsbench.stats.ceiling import (
    IMPLIED_TRAININGS,
    gt_seed_tau,
    implied_trainings,
    noise_ceiling,
    store_trainings,
)
from wsbench.stats.correlation import correlate


def phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_expected_tau_between_two_simulated_trainings_by_hand():
    """Means 0, 1, 2 with std 1/sqrt(2) each: a pair's difference has variance 1 in each training, so it keeps
    the means' order with p = Phi(gap) and two trainings order it alike with p^2 + (1 - p)^2; Kendall's tau between
    them is the mean over pairs of (2p - 1)^2 = (0.6827^2 + 0.6827^2 + 0.9545^2) / 3 = 0.6144."""
    by_hand = np.mean([(2 * phi(1) - 1) ** 2, (2 * phi(1) - 1) ** 2, (2 * phi(2) - 1) ** 2])
    assert by_hand == pytest.approx(0.6144, abs=1e-4)
    sim = implied_trainings(np.array([0.0, 1, 2]), np.full(3, 1 / math.sqrt(2)), trainings=40_000, rng_seed=1)
    a, b = sim[0::2], sim[1::2]  # 20,000 independent pairs of trainings
    da, db = a[:, :, None] - a[:, None, :], b[:, :, None] - b[:, None, :]
    iu = np.triu_indices(3, 1)
    taus = (np.sign(da) * np.sign(db))[:, iu[0], iu[1]].mean(axis=1)  # no ties in continuous draws: tau-a = tau-b
    assert taus.mean() == pytest.approx(by_hand, abs=4 * taus.std() / math.sqrt(taus.size))
    assert correlate(a[0], b[0], "kendall") == pytest.approx(taus[0])


def test_zero_std_gives_the_means_themselves_and_nan_means_stay_nan():
    g = np.array([3.0, np.nan, 1, 2])
    sim = implied_trainings(g, np.array([0.0, np.nan, 0, 0]), trainings=3)
    assert sim.shape == (3, 4) and np.isnan(sim[:, 1]).all()
    np.testing.assert_array_equal(sim[:, [0, 2, 3]], np.tile([3.0, 1, 2], (3, 1)))
    assert gt_seed_tau(sim) == pytest.approx(1.0)


def test_seeded_and_independent_per_training():
    g, sd = np.arange(30.0), np.full(30, 5.0)
    one = implied_trainings(g, sd, rng_seed=3)
    np.testing.assert_array_equal(one, implied_trainings(g, sd, rng_seed=3))
    assert one.shape == (IMPLIED_TRAININGS, 30) and not np.array_equal(one[0], one[1])
    assert not np.array_equal(one, implied_trainings(g, sd, rng_seed=4))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(5, 40), scale=st.floats(0.01, 10), seed=st.integers(0, 2**16))
def test_more_noise_never_raises_the_ceiling_on_the_same_draws(n, scale, seed):
    """The same standard-normal draws scaled by a larger std order no pair more alike: for every pair of
    subnets and trainings, a larger std can only flip more pairs away from the means' order (tau between the
    simulated trainings and the means falls)."""
    rng = np.random.default_rng(seed)
    g = rng.permutation(n).astype(float)
    small = implied_trainings(g, np.full(n, scale), trainings=2, rng_seed=seed)
    large = implied_trainings(g, np.full(n, 2 * scale), trainings=2, rng_seed=seed)
    for j in range(2):
        assert correlate(large[j], g, "kendall") <= correlate(small[j], g, "kendall") + 1e-12


def test_bad_input():
    with pytest.raises(OptionError, match="finite and >= 0"):
        implied_trainings(np.arange(3.0), np.array([1.0, -1, 1]))
    with pytest.raises(OptionError, match="finite and >= 0"):
        implied_trainings(np.arange(3.0), np.array([1.0, np.nan, 1]))
    with pytest.raises(OptionError, match="shapes"):
        implied_trainings(np.arange(3.0), np.ones(4))
    with pytest.raises(OptionError, match=">= 2"):
        implied_trainings(np.arange(3.0), np.ones(3), trainings=1)


STD = [0.5, 1.25, 0.75, 2.0]
MEAN = [70.5, 71.25, 72.0, 73.0]  # close means: the std matters


@pytest.fixture
def mean_std_store(tmp_path):
    """A store whose GT came as a table of mean and std, no runs (as di64-cifar10's)."""
    store = scored_store(tmp_path / "s.zarr")
    csv = write_csv(tmp_path / "gt.csv", [[a, m, s] for a, m, s in zip(ARCHS, MEAN, STD)], header=("arch", "mean", "std"))
    assert builders_main(["import-gt", "table", str(csv), *ARGS, "--unit", "percent", "--store", str(store)]) == 0
    return store


def test_a_mean_and_std_store_gets_the_implied_ceiling_everywhere(mean_std_store):
    import wsbench

    b = wsbench.open(mean_std_store)
    t = store_trainings(b, rng_seed=0)
    assert t.source == "gt_score_std" and t.values.shape == (IMPLIED_TRAININGS, 4)
    np.testing.assert_array_equal(t.values, implied_trainings(np.array(MEAN), np.array(STD), rng_seed=0))
    expect = gt_seed_tau(t.values)
    assert 0 < expect < 1

    row = b.correlation(ceiling=True, method="kendall").summary[0]
    assert row["kendall_gt_vs_gt"] == pytest.approx(expect)
    # the store's supernet scores rise with the arch index, as the means do: tau 1 with gt_score
    assert row["kendall_mean"] == pytest.approx(1.0) and row["kendall_ratio"] == pytest.approx(1 / expect)
    table = b.correlation(ceiling=True, method="kendall")
    assert table.options["ceiling_from"] == "gt_score_std"
    assert any("simulated from the store's per-architecture std" in n for n in table.notes)
    assert noise_ceiling(np.linspace(20, 60, 4), t.values, np.array(MEAN), ci=None).ratio == pytest.approx(1 / expect)

    noise = b.gtnoise(ci=None)
    implied = [r for r in noise.summary if r["source"] == "implied by gt_score_std"]
    assert len(implied) == 1 and implied[0]["kendall"] == pytest.approx(expect)
    assert implied[0]["pairs"] == IMPLIED_TRAININGS * (IMPLIED_TRAININGS - 1) // 2


def test_a_store_with_neither_runs_nor_std_says_what_is_missing(tmp_path):
    import wsbench

    store = scored_store(tmp_path / "s.zarr")
    csv = write_csv(tmp_path / "gt.csv", [[a, m] for a, m in zip(ARCHS, MEAN)], header=("arch", "mean"))
    assert builders_main(["import-gt", "table", str(csv), "--arch-col", "arch", "--mean-col", "mean", "--metric",
                          "accuracy", "--unit", "percent", "--store", str(store)]) == 0
    with pytest.raises(OptionError, match="gt_score_per_seed.*gt_score_std"):
        wsbench.open(store).correlation(ceiling=True)


def test_the_report_draws_the_implied_ceiling_and_says_it_is_simulated(mean_std_store):
    import wsbench
    from wsbench.report import figures
    from wsbench.report.sections import ceiling

    b = wsbench.open(mean_std_store)
    sec = ceiling(b, [1], [0], boot=50)
    assert sec.skipped is None
    assert sec.data["trainings_from"] == "gt_score_std"
    assert sec.finding.startswith("The GT's published std implies") and "simulated" in sec.caption
    assert sec.data["gt"][-1]["gt_tau"] == pytest.approx(gt_seed_tau(store_trainings(b).values))
    assert figures.ceiling(sec)[:8] == b"\x89PNG\r\n\x1a\n"
