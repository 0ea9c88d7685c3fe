"""The report's statistics sections (mean score vs epoch, paired verdicts, bottom vs top, the noise ceiling,
supernet-driven pruning): each checked against the pure function it calls, on stores built so that the verdict is
known, and each drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from factory import make_store

pytest.importorskip("matplotlib")

import wsbench
from wsbench.report import figures, sections
from wsbench.stats.bootstrap import memoized

N = 80


def _open(path: Path, supernet: np.ndarray, gt: np.ndarray, epochs=(1, 2, 4), **kw):
    return wsbench.open(make_store(path, n=len(gt), epochs=epochs, seeds=tuple(range(supernet.shape[0])), gt=gt,
                                   supernet=supernet, **kw))


def _drawn(sec) -> bytes:
    png = figures.DRAW[sec.key](sec)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    return png


@pytest.fixture(scope="module")
def peaked(tmp_path_factory):
    """tau rises to 1 at epoch 2 and falls clearly by epoch 4, on every seed."""
    rng = np.random.default_rng(0)
    gt = rng.uniform(50, 95, N)
    sn = np.stack([np.stack([gt - 30 + rng.normal(0, 30, N), gt - 20, gt - 10 + rng.normal(0, 12, N)])
                   for _ in range(3)])
    return _open(tmp_path_factory.mktemp("pk") / "s.zarr", np.clip(sn, 0, 100), gt, gt_seeds=(0, 1, 2))


def test_the_first_section_is_mean_score_vs_epoch(peaked):
    from wsbench.stats.meanscore import mean_score

    assert sections.BUILDERS[0] == "meanscore"
    b = peaked
    sec = sections.meanscore(b, b.epochs, b.seeds)
    sn = b.ds["supernet_score"].values  # (seed, epoch, arch)
    ms = mean_score(sn, b.ds["gt_score"].values)
    assert np.allclose(sec.data["mean"], ms.mean) and np.allclose(sec.data["seed_mean"], sn.mean(axis=2).mean(axis=0))
    assert sec.data["mean_gt"] == pytest.approx(b.ds["gt_score"].values.mean())
    last = sn[:, -1].mean(axis=1)
    assert f"{last.mean():.1f} ± {last.std(ddof=1):.1f}% at epoch 4" in sec.finding
    assert "scores them worse than they score trained alone" in sec.finding  # supernet = GT - 10 at the end
    _drawn(sec)


def test_peak_vs_last_verdict_is_the_paired_interval(peaked):
    from wsbench.stats.paired import paired_delta

    b = peaked
    with memoized():
        sec = sections.correlation(b, b.epochs, b.seeds, boot=200)
    g = b.gt("gt_score")
    x = b.ds["supernet_score"].values
    want = paired_delta(x[:, 1], g, x[:, 2], g, "kendall", ci=0.95)  # wsbench paired's default: the jackknife
    got = sec.data["paired"]
    assert (got["epoch_a"], got["epoch_b"]) == (2, 4)
    assert got["delta"] == pytest.approx(want.delta) and got["ci_high"] == pytest.approx(want.ci_high)
    assert want.verdict == "falls" and "peaks at epoch 2" in sec.finding and "and falls by epoch 4" in sec.finding
    assert f"paired Δτ {want.delta:+.3f} [{want.ci_low:+.3f}, {want.ci_high:+.3f}]" in sec.finding
    p = "p < 0.001" if want.p_value < 0.001 else f"p = {want.p_value:.3f}"
    assert f"paired Δτ {want.delta:+.3f} [{want.ci_low:+.3f}, {want.ci_high:+.3f}], {p}" in sec.finding
    assert got["interval"] == "jackknife" and "paired jackknife" in sec.caption
    assert "seeds fixed" in sec.finding


def test_a_last_epoch_peak_is_tested_against_the_best_earlier_epoch(tmp_path):
    rng = np.random.default_rng(1)
    gt = rng.uniform(50, 95, N)
    scale = np.array([40.0, 4.0, 0.0])[None, :, None]  # tau: low, ~0.9, exactly 1 at the last epoch
    sn = np.clip(gt - 20 + rng.normal(0, 1, (2, 3, N)) * scale, 0, 100)
    b = _open(tmp_path / "l.zarr", sn, gt)
    with memoized():
        sec = sections.correlation(b, b.epochs, b.seeds, boot=100)
    assert (sec.data["paired"]["epoch_a"], sec.data["paired"]["epoch_b"]) == (2, 4)
    assert sec.data["paired"]["verdict"] == "rises" and sec.data["paired"]["delta"] > 0
    assert "highest at the last epoch, 4" in sec.finding and "and rises from the best earlier epoch, 2" in sec.finding


def test_bottom_vs_top_finds_a_supernet_that_only_knows_the_bad(tmp_path):
    from wsbench.stats.bottomtop import bottom_top

    rng = np.random.default_rng(2)
    gt = np.linspace(50, 95, N)
    good = gt > np.quantile(gt, 0.5)
    sn = np.stack([np.where(good, 60 + rng.uniform(0, 1, N), gt - 20) for _ in range(2)])[:, None, :]
    b = _open(tmp_path / "bt.zarr", np.repeat(sn, 2, axis=1), gt, epochs=(1, 2))
    sec = sections.bottomtop(b, b.epochs, b.seeds, boot=100)
    want = bottom_top(b.ds["supernet_score"].values[0, -1], gt, "10%", "10%", ci=0.95, boot=100)
    assert sec.data["p_bottom"][0, -1] == pytest.approx(want.p_bottom) == 1.0
    assert sec.data["last"][0]["p_diff_ci"] == pytest.approx(want.p_diff_ci)
    assert "P@bottom-10% = 1.00" in sec.finding and "better at spotting bad subnets than good ones" in sec.finding
    _drawn(sec)


def test_the_noise_ceiling_where_the_gt_was_trained_twice_and_its_absence_elsewhere(peaked, tmp_path):
    from wsbench.stats.ceiling import noise_ceiling

    b = peaked
    sec = sections.ceiling(b, b.epochs, b.seeds, boot=100)
    per = b.ds["gt_score_per_seed"].values
    x = b.ds["supernet_score"].values[:, -1]
    want = noise_ceiling(x, per, b.ds["gt_score"].values, ci=0.95, boot=100)
    got = sec.data["gt"][-1]
    assert got["ratio"] == pytest.approx(want.ratio) and got["ci_low"] == pytest.approx(want.ci_low)
    assert f"is {want.ratio:.0%} of that ceiling" in sec.finding
    _drawn(sec)
    one = make_store(tmp_path / "one.zarr", n=30)
    skipped = sections.ceiling(wsbench.open(one), [4], [0])
    assert skipped.skipped and "gt_score_per_seed" in skipped.skipped


def test_supernet_driven_pruning_section_and_the_oracle_beside_random_k(peaked):
    b = peaked
    sec = sections.prune_supernet(b, 4, b.seeds)
    r = b.prune(mode="supernet", epoch=4)
    half = next(s for s in r.summary if s["factor"] == 0.5)
    assert sec.data["summary"] == r.summary
    assert f"removing its worst 50% keeps {half['gt_top10pct_survival_mean']:.0%} of the GT's top 10%" in sec.finding
    assert "more of the GT's top 10% than chance" in sec.finding  # tau ~ 0.6 here
    _drawn(sec)
    oracle = sections.pruning(b, 4, b.seeds)
    opt = b.prune(mode="optimistic", epoch=4).summary[-1]
    assert f"random subnets of the same pruned pool find {opt['random_topk_best_gt_mean']:.2f}" in oracle.finding
    assert "an oracle no search has" in oracle.finding


def test_size_and_proxy_verdicts_are_paired(tmp_path):
    from wsbench.stats.paired import paired_delta

    rng = np.random.default_rng(3)
    gt = rng.uniform(50, 95, N)
    params = np.abs(rng.normal(1e6, 1e5, N))
    sn = np.clip(gt - 20 + rng.normal(0, 3, (2, 2, N)), 0, 100)  # ranks by GT, not by size
    b = _open(tmp_path / "p.zarr", sn, gt, epochs=(1, 2), params=params)
    with memoized():
        sec = sections.scatter(b, 2, b.seeds)
        ranks = sections.rankings(b, b.epochs, b.seeds)
    x = b.ds["supernet_score"].values[:, -1]
    want = paired_delta(x, gt, x, params, "kendall", ci=0.95)
    assert sec.data["paired"]["delta"] == pytest.approx(want.delta) and want.verdict == "falls"
    assert "agrees more with the ground truth than with size" in sec.finding
    assert ranks.data["paired"]["rival"] in ("params", "flops") and ranks.data["paired"]["verdict"] == "rises"
    assert "the supernet ranks better than" in ranks.finding


@pytest.mark.parametrize("paper_scale, bars", [(1.0, False), (3.0, True)])
def test_sizes_at_the_paper_scale_equal_to_the_stores_are_one_bar(tmp_path, paper_scale, bars):
    """di64-cifar10 is built at its paper's scale: params_paper equals params, the same ranking twice."""
    from wsbench.store import StoreWriter

    rng = np.random.default_rng(4)
    gt = rng.uniform(50, 95, N)
    params = np.abs(rng.normal(1e6, 1e5, N)).round()
    path = make_store(tmp_path / "s.zarr", n=N, epochs=(1, 2), seeds=(0, 1), gt=gt, params=params,
                      supernet=np.clip(gt - 20 + rng.normal(0, 5, (2, 2, N)), 0, 100))
    w = StoreWriter.resume(path)
    w.ensure_arch_variable("params_paper")
    w.write_arch_values("params_paper", params * paper_scale + rng.normal(0, 1e5, N) * (paper_scale != 1))
    w.finalize()
    with memoized():
        sec = sections.rankings(wsbench.open(path), [1, 2], [0, 1])
    names = [n for n, _, _ in sec.data["bars"]]
    assert "params" in names and ("params_paper" in names) == bars, names


def test_memoized_draws_equal_fresh_ones_and_are_computed_once(monkeypatch):
    from wsbench.stats import bootstrap as bs

    rng = np.random.default_rng(4)
    x, y = rng.normal(size=40), rng.normal(size=40)
    idx = bs.resamples(40, 50, 0)
    fresh = bs.correlation_draws(x, y, idx, "kendall")
    calls = []
    real = bs._correlation_draws
    monkeypatch.setattr(bs, "_correlation_draws", lambda *a, **k: calls.append(1) or real(*a, **k))
    with memoized():
        one = bs.correlation_draws(x, y, idx, "kendall")
        one[:] = 0  # a caller changing its copy leaves the memo alone
        two = bs.correlation_draws(x, y, idx, "kendall")
        bs.correlation_draws(x, y, idx, "spearman")
    assert np.array_equal(two, fresh) and len(calls) == 2
    bs.correlation_draws(x, y, idx, "kendall")  # outside the block nothing is kept
    assert len(calls) == 3


def test_the_cards_statistics_v3_tables(peaked, tmp_path):
    """benchmarks/dataset_report.py --new-only: every new table, its numbers from the same functions."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "dataset_report.py"
    res = subprocess.run([sys.executable, str(script), str(peaked.path), "--new-only"], capture_output=True,
                         text=True, check=False)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for head in ("## Mean supernet score vs epoch", "## Bottom vs top", "## Paired verdicts", "## Noise ceiling",
                 "## Supernet-driven pruning"):
        assert head in out, head
    assert "| epoch 2 → 4 (peak vs last) |" in out and "| falls |" in out
    half = next(s for s in peaked.prune(mode="supernet").summary if s["factor"] == 0.5)
    assert f"| 0.5 | {half['remaining']} | {half['gt_top10pct_survival_mean']:.2f} ± " in out


def test_the_cards_noise_ceiling_from_a_published_std(tmp_path):
    """A store with gt_score_std and no GT runs (di64-cifar10's case): the ceiling table is there, from simulated
    trainings, and says so; its tau(GT, GT) is the mean over the simulated pairs."""
    import subprocess
    import sys

    from wsbench.stats.ceiling import gt_seed_tau, store_trainings

    rng = np.random.default_rng(1)
    gt = rng.uniform(70, 85, N)
    sn = np.stack([np.stack([gt - 30 + rng.normal(0, 9, N), gt - 20 + rng.normal(0, 6, N), gt - 10 + rng.normal(0, 3, N)])
                   for _ in range(3)])
    b = _open(tmp_path / "s.zarr", np.clip(sn, 0, 100), gt, gt_std=rng.uniform(0.2, 0.9, N))
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "dataset_report.py"
    res = subprocess.run([sys.executable, str(script), str(b.path), "--new-only"], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("## Noise ceiling"))
    assert "190 pairs of 20 GT trainings simulated from the store's per-architecture std" in lines[at]
    row = next(line for line in lines[at:] if line.startswith("| 4 |"))
    assert f"| {gt_seed_tau(store_trainings(b).values):.3f} |" in row


def test_the_cards_tables_for_a_store_with_one_recorded_epoch(tmp_path):
    """One epoch: nothing earlier to test the last epoch against, so no peak-vs-last verdict (it crashed before);
    the size verdict and every other table are still written."""
    import subprocess
    import sys

    rng = np.random.default_rng(2)
    gt = rng.uniform(50, 95, N)
    b = _open(tmp_path / "one.zarr", np.clip(gt - 20 + rng.normal(0, 8, (3, 1, N)), 0, 100), gt, epochs=(4,))
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "dataset_report.py"
    res = subprocess.run([sys.executable, str(script), str(b.path), "--new-only"], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stderr
    assert "## Paired verdicts" in res.stdout and "## Supernet-driven pruning" in res.stdout
    assert "vs last)" not in res.stdout and "| (WS, GT) → (WS, PS), epoch 4 |" in res.stdout


def test_operators_finding_when_the_supernet_orders_as_the_gt(tmp_path):
    """Supernet = GT on every seed: every operator gap is 0, and the finding says so in a sentence (it read "the
    supernet ." before); a supernet that prefers one op names it as overrated."""
    rng = np.random.default_rng(3)
    gt = rng.uniform(50, 95, N)
    same = _open(tmp_path / "same.zarr", np.stack([np.stack([gt] * 3)] * 2), gt)
    sec = sections.operators(same, same.epochs[-1], same.seeds)
    assert np.nanmax(np.abs(sec.data["gap"])) == 0
    assert sec.finding == "The supernet rates no operator differently from the ground truth: every gap is 0."
    noisy = _open(tmp_path / "noisy.zarr", np.clip(gt - 20 + rng.normal(0, 15, (2, 3, N)), 0, 100), gt)
    sec = sections.operators(noisy, noisy.epochs[-1], noisy.seeds)
    top = max((r for r in noisy.bias(by="operator", epoch=noisy.epochs[-1]).summary if r["gap_mean"] > 0),
              key=lambda r: r["gap_mean"])
    assert sec.finding.startswith("The largest gap is ") and f"overrates '{top['op']}' at {top['decision']}" in sec.finding


def test_a_ranking_held_for_few_subnets_is_named_apart_not_crowned(tmp_path):
    """A proxy imported for 12 of 80 subnets (nb201-cifar10-paper's NASLib proxies: 27 of 1,000) that ranks those
    12 exactly as the GT: its tau of 1 is over other subnets than the supernet's, so it is not the "best ranker";
    the finding names it apart with its count, the paired verdict (on the common subnets) still runs, and the bar
    says how many subnets it covers."""
    from wsbench.store import StoreWriter

    rng = np.random.default_rng(4)
    gt = rng.uniform(50, 95, N)
    params = np.abs(rng.normal(1e6, 1e5, N))
    path = make_store(tmp_path / "f.zarr", n=N, epochs=(1, 2), seeds=(0, 1), gt=gt, params=params,
                      supernet=np.clip(gt - 20 + rng.normal(0, 12, (2, 2, N)), 0, 100))
    w = StoreWriter.resume(path)
    w.ensure_arch_variable("proxy_few")
    few = np.full(N, np.nan, dtype=np.float32)
    few[:12] = gt[:12]
    w.write_arch_values("proxy_few", few)
    w.finalize()
    b = wsbench.open(path)
    with memoized():
        sec = sections.rankings(b, b.epochs, b.seeds)
    assert sec.data["subnets"]["proxy:few"] == 12 and sec.data["subnets"]["supernet (epoch 2)"] == N
    assert not sec.finding.startswith("Best ranker: proxy:few")
    assert f"Held for fewer subnets (12 of the supernet's {N}), so their τ is not comparable with it: proxy:few." \
        in sec.finding
    _drawn(sec)
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "dataset_report.py"
    res = subprocess.run([sys.executable, str(script), str(path), "--new-only"], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stderr
    assert "| params → supernet, epoch 2 (best ranking not from the supernet) |" in res.stdout  # not proxy:few
