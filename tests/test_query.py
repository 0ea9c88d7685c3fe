from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from factory import make_store

import wsbench
from wsbench.errors import OptionError, UnknownNameError, WsbenchError


def test_query_each_statistic_returns_explicit_options_and_json_safe_dicts(store_zip: Path):
    for stat in ("correlation", "topk", "bias", "prune", "stability"):
        r = wsbench.query(store_zip, stat)
        d = r.to_dict()
        json.dumps(d, allow_nan=False)  # NaN became None
        assert d["stat"] == stat and d["rows"] and d["options"]
        assert r.to_dataframe().shape[0] == len(r.rows)
        assert stat in repr(r)
    r = wsbench.query(store_zip, "topk")
    assert r.options["epoch"] == [4] and r.options["seed"] == [0, 1, 2]  # defaults: last epoch, all seeds
    assert r.options["samples"] == 60 and r.options["trials"] == 1  # all 60 subnets, so one trial


def test_unknown_names_list_what_is_allowed(store_zip: Path):
    with pytest.raises(UnknownNameError, match="expected one of: bias, bottomtop, correlation, gtnoise, meanscore, paired, prune, stability, topk"):
        wsbench.query(store_zip, "ranking")
    with pytest.raises(UnknownNameError, match="option of topk .kk.; expected one of: boot, ci, dedupe, epoch, gt, k, rng_seed"):
        wsbench.query(store_zip, "topk", kk=3)
    with pytest.raises(UnknownNameError, match="correlation method 'tau'"):
        wsbench.query(store_zip, "correlation", method="tau")
    with pytest.raises(OptionError, match="recorded epochs: \\[1, 2, 4\\]"):
        wsbench.query(store_zip, "correlation", epoch=3)
    with pytest.raises(UnknownNameError, match="dataset"):
        wsbench.open("no-such-dataset")


def test_correlation_matches_scipy_per_seed(store_dir: Path):
    import scipy.stats as st
    import xarray as xr

    b = wsbench.open(store_dir)
    r = b.correlation(epoch="all", method="kendall,spearman")
    ds = xr.open_zarr(store_dir)
    for row in r.rows:
        sn = ds["supernet_score"].sel(seed=row["seed"], epoch=row["epoch"]).values
        assert row["kendall"] == pytest.approx(st.kendalltau(sn, ds["gt_score"].values).statistic)
    s = r.summary[-1]
    vals = [row["kendall"] for row in r.rows if row["epoch"] == 4]
    assert s["kendall_mean"] == pytest.approx(np.mean(vals)) and s["kendall_std"] == pytest.approx(np.std(vals, ddof=1))


def test_correlation_against_params_equals_the_size_bias_tau(store_dir: Path):
    b = wsbench.open(store_dir)
    c = b.correlation(method="kendall", against="params").rows
    z = b.bias(by="params").rows
    assert [r["kendall"] for r in c] == pytest.approx([r["tau_supernet_params"] for r in z])
    with pytest.raises(UnknownNameError, match="variable to correlate against 'colour'.*flops, gt_score"):
        b.correlation(against="colour")


def test_topk_with_subsamples_is_deterministic_and_beats_random_on_a_good_supernet(store_dir: Path):
    b = wsbench.open(store_dir)
    a = b.topk(k="1,10%", samples=30, trials=20, rng_seed=5)
    assert a.to_dict() == b.topk(k="1,10%", samples=30, trials=20, rng_seed=5).to_dict()
    assert a.options["trials"] == 20
    for row in a.summary:
        assert row["best_gt_mean"] >= row["random_best_gt"]  # the synthetic supernet is GT + noise


def _mirror_pair(tmp_path: Path):
    """The same measurements as accuracy (max) and as error = 100 - accuracy (min)."""
    rng = np.random.default_rng(0)
    gt = rng.uniform(50, 95, 40)
    sn = np.clip(gt[None, None] + rng.normal(0, 4, (2, 2, 40)), 0, 100)
    params = rng.uniform(1e5, 1e6, 40)
    acc = make_store(tmp_path / "acc.zarr", n=40, epochs=(1, 2), seeds=(0, 1), gt=gt, supernet=sn, params=params)
    err = make_store(tmp_path / "err.zarr", n=40, epochs=(1, 2), seeds=(0, 1), gt=100 - gt, supernet=100 - sn,
                     params=params, metric="error", direction="min")
    return wsbench.open(acc), wsbench.open(err)


def test_metric_direction_is_respected_by_every_statistic(tmp_path: Path):
    acc, err = _mirror_pair(tmp_path)
    ca, ce = acc.correlation().summary[0], err.correlation().summary[0]
    assert ca["kendall_mean"] == pytest.approx(ce["kendall_mean"])
    ta, te = acc.topk(k="1,5").rows, err.topk(k="1,5").rows
    for x, y in zip(ta, te):
        assert x["best_gt"] == pytest.approx(100 - y["best_gt"], abs=1e-4)
        assert x["best_gt_top_pct"] == y["best_gt_top_pct"]
    ba, be = acc.bias(by="params").rows[0], err.bias(by="params").rows[0]
    assert ba["tau_params_gt"] == pytest.approx(be["tau_params_gt"])
    pa, pe = acc.prune().summary, err.prune().summary
    assert [r["mean_gt_mean"] for r in pa] == pytest.approx([100 - r["mean_gt_mean"] for r in pe], abs=1e-4)
    oa, oe = acc.bias(by="operator").rows, err.bias(by="operator").rows
    assert [r["gap_mean"] for r in oa] == pytest.approx([r["gap_mean"] for r in oe])


def test_optimistic_prune_raises_mean_gt_and_random_prune_keeps_it(store_dir: Path):
    b = wsbench.open(store_dir)
    opt = b.prune(mode="optimistic", factor="0,0.5,0.9").summary
    assert opt[0]["mean_gt_mean"] < opt[1]["mean_gt_mean"] < opt[2]["mean_gt_mean"]
    assert [r["remaining"] for r in opt] == [60, 30, 6]
    rnd = b.prune(mode="random", factor="0,0.5", trials=50).summary
    assert abs(rnd[1]["mean_gt_mean"] - rnd[0]["mean_gt_mean"]) < 3
    with pytest.raises(OptionError, match="no supernets retrained"):
        b.prune(source="retrained")
    with pytest.raises(OptionError, match=r"\[0, 1\)"):
        b.prune(factor="1.5")


def test_retrained_prune_reads_the_prune_dimension(tmp_path: Path):
    from factory import provenance

    from wsbench.spaces import get_space
    from wsbench.store import StoreWriter

    archs = get_space("nb201").sample(20, seed=0)
    gt = np.linspace(50, 90, 20)
    w = StoreWriter.create(tmp_path / "p.zarr", space="nb201", archs=archs, epochs=[1], seeds=[0],
                           prune=[0.0, 0.5], prune_modes=["none", "optimistic"],
                           attrs=provenance(sampler={"prune_runs": [{"mode": "none", "factor": 0.0},
                                                                    {"mode": "optimistic", "factor": 0.5}]}))
    w.write_supernet(0, 1, gt[::-1].copy(), prune=0.0)  # full-space supernet ranks backwards
    w.write_supernet(0, 1, np.where(gt >= np.median(gt), gt, np.nan), prune=0.5)  # retrained: perfect
    for v in ("gt_score", "params", "flops"):
        w.write_arch_values(v, gt)
    b = wsbench.open(w.finalize())
    rows = b.prune(source="retrained", k="1").rows
    assert [r["factor"] for r in rows] == [0.0, 0.5]
    assert rows[0]["remaining"] == 20 and rows[1]["remaining"] == 10
    assert rows[0]["kendall"] == pytest.approx(-1.0) and rows[1]["kendall"] == pytest.approx(1.0)
    assert rows[1]["supernet_topk_best_gt"] == pytest.approx(90.0)


def test_stability_and_operator_bias_shapes(store_dir: Path):
    b = wsbench.open(store_dir)
    st_ = b.stability()
    assert {r["kind"] for r in st_.rows} == {"epoch", "seed"}
    assert len([r for r in st_.rows if r["kind"] == "seed"]) == 3 * 3  # 3 epochs x 3 seed pairs
    ob = b.bias(by="operator", flag=2)
    assert len(ob.summary) == 2 and all(r["flag"] for r in ob.summary)
    assert {r["decision"] for r in ob.rows} == {"1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2", "any"}


def test_open_reads_only_the_slices_it_needs(store_dir: Path):
    b = wsbench.open(store_dir)
    b.topk(epoch=1, seed=0, k="1")
    assert {k for k in b._cache if k[0] == "sn"} == {("sn", 0, 1, None, "supernet")}


@pytest.mark.parametrize(("stat", "options", "says"), [
    ("correlation", {"seed": ""}, "empty item"), ("topk", {"seed": []}, "empty"), ("topk", {"k": ""}, "empty item"),
    ("correlation", {"epoch": "4,4"}, "twice"), ("correlation", {"seed": "0,0,0"}, "twice"),
    ("correlation", {"method": "kendall,kendall"}, "twice"), ("topk", {"samples": "abc"}, "samples"),
    ("topk", {"rng_seed": -1, "samples": 10}, "rng_seed"), ("topk", {"trials": 0}, "trials"),
    ("prune", {"mode": "random", "trials": 0}, "trials"), ("prune", {"factor": None}, "factor"),
    ("prune", {"factor": ""}, "empty item"), ("bias", {"params": "choice"}, "model-size"),
    ("bias", {"by": "operator", "flag": "x"}, "flag"), ("bias", {"seed": True}, "seed"),
])
def test_empty_repeated_and_nonsense_options_are_one_clear_error(store_zip, stat, options, says):
    with pytest.raises(WsbenchError, match=says):
        wsbench.query(store_zip, stat, **options)


def test_score_picks_what_ranks_the_subnets(tmp_path: Path):
    """score='loss' ranks by the negated supernet_loss, 'proxy:NAME' by a proxy; hand-checked with scipy."""
    from factory import provenance
    from scipy.stats import kendalltau

    from wsbench.spaces import get_space
    from wsbench.store import StoreWriter

    rng = np.random.default_rng(5)
    archs = get_space("nb201").sample(40, seed=5)
    gt = rng.uniform(60, 90, 40)
    w = StoreWriter.create(tmp_path / "l.zarr", space="nb201", archs=archs, epochs=[1, 2], seeds=[0, 1], losses=True,
                           attrs=provenance())
    loss = {}
    for s in (0, 1):
        for e in (1, 2):
            loss[s, e] = rng.uniform(0.5, 2.5, 40)
            w.write_supernet(s, e, np.round(rng.uniform(10, 50, 40)), loss=loss[s, e])
    for name, v in (("gt_score", gt), ("params", gt * 1e3), ("flops", gt * 1e4)):
        w.write_arch_values(name, v)
    w.ensure_arch_variable("proxy_synflow")
    proxy = rng.normal(size=40)
    w.write_arch_values("proxy_synflow", proxy)
    store = w.finalize()
    b = wsbench.open(store)
    assert b.scores() == ["supernet", "loss", "params", "flops", "proxy:synflow"]
    r = b.correlation(epoch=2, seed=1, method="kendall", score="loss")
    assert r.options["score"] == "loss"
    assert r.rows[0]["kendall"] == pytest.approx(kendalltau(-loss[1, 2], gt).statistic, abs=1e-12)
    r = b.correlation(epoch=1, seed=0, method="kendall", score="proxy:synflow")
    assert r.rows[0]["kendall"] == pytest.approx(kendalltau(proxy, gt).statistic, abs=1e-12)
    best = b.topk(k="1", epoch=1, seed=0, score="loss").rows[0]["best_gt"]
    assert best == pytest.approx(gt[np.argmin(loss[0, 1])], rel=1e-6)
    with pytest.raises(UnknownNameError, match="ranking"):
        b.topk(score="proxy:nope")


def test_one_seed_has_no_std(store_zip: Path):
    """A single value has no sample std: null in JSON, not 0 (0 would claim perfect agreement)."""
    r = wsbench.query(store_zip, "correlation", seed="1")
    assert r.summary[0]["kendall_std"] != r.summary[0]["kendall_std"]  # NaN
    assert r.to_dict()["summary"][0]["kendall_std"] is None


def test_correlation_ci_is_seeded_brackets_the_estimate_and_is_in_the_options(store_dir):
    import wsbench

    a = wsbench.query(store_dir, "correlation", ci=0.9, boot=200, rng_seed=3, epoch="all")
    b = wsbench.query(store_dir, "correlation", ci=0.9, boot=200, rng_seed=3, epoch="all")
    assert a.to_dict() == b.to_dict() and a.options["ci"] == 0.9 and a.options["boot"] == 200
    for r in a.rows:
        assert r["kendall_ci_low"] <= r["kendall"] <= r["kendall_ci_high"]
    for s in a.summary:
        assert s["kendall_ci_low"] <= s["kendall_mean"] <= s["kendall_ci_high"]
    assert "ci" not in wsbench.query(store_dir, "correlation").options


def test_gt_resolution_rounds_the_ground_truth_before_ranking(tmp_path: Path):
    import wsbench
    from wsbench.stats.correlation import correlate

    store = make_store(tmp_path / "s.zarr", n=40, rng_seed=5)
    b = wsbench.open(store)
    plain = b.correlation(seed=0, method="kendall")
    coarse = b.correlation(seed=0, method="kendall", gt_resolution=2.0)
    sn, gt = b._sn(0, b.epochs[-1]), b._gt("gt_score")
    assert coarse.rows[0]["kendall"] == pytest.approx(correlate(sn, np.round(gt / 2.0) * 2.0, "kendall"))
    assert coarse.rows[0]["kendall"] != plain.rows[0]["kendall"] and coarse.options["gt_resolution"] == 2.0
    for bad in (0, -0.1, "x", float("inf"), True):
        with pytest.raises(OptionError, match="gt_resolution"):
            b.correlation(gt_resolution=bad)
    # a step whose quotient overflows, or one that makes every GT value one tie, would answer NaN: refused
    with pytest.raises(OptionError, match="too small .* overflows"):
        b.correlation(gt_resolution=1e-320)
    with pytest.raises(OptionError, match="every gt_score value one tie"):
        b.correlation(gt_resolution=1e300)
    assert np.isfinite(b.correlation(gt_resolution=1e-300).rows[0]["kendall"])  # tiny but representable: plain tau


def test_within_top_keeps_the_top_share_of_the_ground_truth(tmp_path: Path):
    from wsbench.stats.correlation import correlate

    store = make_store(tmp_path / "s.zarr", n=40, rng_seed=5)
    b = wsbench.open(store)
    r = b.correlation(seed=0, method="kendall", within_top="25%")
    sn, gt = b._sn(0, b.epochs[-1]), b._gt("gt_score")
    top = np.argsort(-gt, kind="stable")[:10]  # 25% of 40, no ties in this GT
    assert r.rows[0]["n"] == 10
    assert r.rows[0]["kendall"] == pytest.approx(correlate(sn[top], gt[top], "kendall"))
    assert r.options["within_top"] == "25%" and any("top 25%" in n for n in r.notes)
    with pytest.raises(OptionError, match="percentage"):
        b.correlation(within_top="10")


def test_topk_reports_precision_and_ndcg_with_their_random_baselines(store_zip: Path):
    r = wsbench.query(store_zip, "topk", k="1,10")
    for row in r.rows:
        assert 0 <= row["precision"] <= 1 and 0 <= row["ndcg"] <= 1
        assert row["random_precision"] == pytest.approx(row["k_count"] / row["samples"])
    assert {"precision_mean", "ndcg_mean", "random_ndcg"} <= set(r.summary[0])


def test_topk_intervals_and_monte_carlo_errors(store_zip: Path):
    b = wsbench.open(store_zip)
    one = b.topk(k="1,5", ci=0.9, boot=200)  # all 60 subnets: one trial, so a bootstrap over subnets
    assert one.options["ci"] == 0.9 and one.options["boot"] == 200 and any("bootstrap" in n for n in one.notes)
    for r in one.rows:
        assert r["best_gt_mc_se"] is None or math.isnan(r["best_gt_mc_se"])  # no Monte-Carlo in one trial
        assert r["best_gt_ci_low"] <= r["best_gt_ci_high"] and 0 <= r["precision_ci_low"] <= r["precision_ci_high"] <= 1
    assert one.to_dict() == b.topk(k="1,5", ci=0.9, boot=200).to_dict()  # seeded
    many = b.topk(k="5", samples=30, trials=40, ci=0.9)
    for r in many.rows:  # the interval is over the 40 trials, the mc_se of their mean
        assert r["best_gt_ci_low"] <= r["best_gt"] <= r["best_gt_ci_high"]
        assert r["best_gt_mc_se"] >= 0 and many.options["boot"] is None
    assert "best_gt_ci_low" not in b.topk(k="5").rows[0]


def test_bias_intervals(store_zip: Path):
    b = wsbench.open(store_zip)
    size = b.bias(ci=0.9, boot=100)
    for r in size.rows + size.summary:
        suffix = "" if "seed" in r else "_mean"
        assert r["tau_supernet_gt_ci_low"] <= r["tau_supernet_gt" + suffix] <= r["tau_supernet_gt_ci_high"] + 0.05
    ops = b.bias(by="operator", ci=0.9, boot=100)
    assert all(r["gap_ci_low"] <= r["gap_ci_high"] for r in ops.rows if r["gap_ci_low"] is not None
               and not math.isnan(r["gap_ci_low"]))
    with pytest.raises(OptionError, match="confidence level"):
        b.bias(ci=2)


def test_random_prune_is_exact_where_a_closed_form_exists(store_zip: Path):
    b = wsbench.open(store_zip)
    r = b.prune(mode="random", factor="0,0.5", trials=5)
    for row in r.rows:  # exact columns do not depend on the trials; Monte-Carlo ones carry a standard error
        assert row["mean_gt"] == pytest.approx(np.nanmean(b._gt("gt_score")))
        assert row["kendall_mc_se"] >= 0 or row["factor"] == 0
    again = b.prune(mode="random", factor="0,0.5", trials=50)
    assert [x["best_gt"] for x in r.rows] == [x["best_gt"] for x in again.rows]
    assert any("exact expectations" in n for n in r.notes)


def test_intervals_of_taus_undefined_for_a_constant_size_are_null_without_a_warning(tmp_path: Path):
    """darts-ptb: every cell has one size, so tau_params_gt is NaN in every bootstrap resample; the interval of its
    mean over seeds is null, and nothing is printed (it was a 'Mean of empty slice' RuntimeWarning)."""
    import subprocess
    import sys
    import warnings

    store = make_store(tmp_path / "flat.zarr", n=40, params=np.full(40, 5e5))
    b = wsbench.open(store)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        by_size = b.bias(by="params", ci=0.95, boot=30).summary[0]
        against = b.correlation(against="params", method="kendall", ci=0.95, boot=30).summary[0]
    assert math.isnan(by_size["tau_params_gt_ci_low"]) and math.isnan(by_size["tau_supernet_params_ci_high"])
    assert by_size["tau_supernet_gt_ci_low"] < by_size["tau_supernet_gt_ci_high"]  # the defined one still has one
    assert math.isnan(against["kendall_ci_low"]) and math.isnan(against["kendall_mean"])
    cli = subprocess.run([sys.executable, "-m", "wsbench", "bias", "--space", str(store), "--by", "params", "--ci",
                          "0.95", "--boot", "30", "--json"], capture_output=True, text=True, timeout=120, check=False)
    assert cli.returncode == 0 and cli.stderr == "", cli.stderr
    assert json.loads(cli.stdout)["summary"][0]["tau_params_gt_ci_low"] is None
