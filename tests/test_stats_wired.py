"""The statistics of issue 24 wired into Benchmark, wsbench.query and the CLI, checked by hand on tiny stores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_invoke import invoke

import wsbench
from wsbench.errors import OptionError

sys.path.insert(0, str(Path(__file__).parent))
from factory import make_store

GT = np.array([90.0, 85, 80, 75, 70, 65, 60, 55, 50, 45])  # arch 0 is the best
# (seed, epoch, arch): seed 0 ranks arch 7 second; seed 1 ties archs 0, 1, 2 at the top
SN = np.array([[[50.0, 20, 45, 40, 35, 30, 25, 48, 10, 15]],
               [[50.0, 50, 50, 40, 35, 30, 25, 20, 15, 10]]])


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hand")
    return make_store(d / "hand.zarr", n=10, epochs=(1,), seeds=(0, 1), gt=GT, supernet=SN, zip_path=d / "hand.zip")


def cli_json(*args: str) -> dict:
    res = invoke([*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wsbench", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def assert_user_error(*args: str, says: str) -> None:
    p = run(*args)
    assert p.returncode == 1, (args, p.stderr)
    assert p.stderr.startswith("error:") and "Traceback" not in p.stderr and says in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


# -- bottomtop -----------------------------------------------------------------------------------------------------

def test_bottomtop_by_hand(hand: Path):
    r = wsbench.query(hand, "bottomtop", k="20%", within="50%")
    s0, s1 = r.rows
    # seed 0: top 2 by the supernet = {0, 7}, by GT = {0, 1}: 1 of 2; bottom 2 = {8, 9} both ways
    assert (s0["k"], s0["p_top"], s0["p_bottom"], s0["p_diff"]) == (2, 0.5, 1.0, 0.5)
    assert (s0["br"], s0["wr"]) == (1, 8)  # GT ranks of archs 0 and 7
    # seed 1: archs 0, 1, 2 tie at the cut, 2 of 3 taken: E|K ∩ {0, 1}| = 2/3 + 2/3
    assert s1["p_top"] == pytest.approx(2 / 3) and s1["p_bottom"] == 1.0
    # the 3 equally likely pairs of ranks {1,2}, {1,3}, {2,3}: best 1, 1, 2; worst 2, 3, 3
    assert s1["br"] == pytest.approx(4 / 3) and s1["wr"] == pytest.approx(8 / 3)
    # k random draws of ranks 1..n: E[min] = (n+1)/(k+1), E[max] = k(n+1)/(k+1)
    assert s0["br_random"] == pytest.approx(11 / 3) and s0["wr_random"] == pytest.approx(22 / 3)
    assert s0["p_random"] == 0.2
    from scipy.stats import kendalltau

    top = np.arange(5)  # GT's top 50%
    assert s0["kendall_top"] == pytest.approx(kendalltau(SN[0, 0, top], GT[top])[0])
    assert s0["kendall_bottom"] == pytest.approx(kendalltau(SN[0, 0, 5:], GT[5:])[0])
    (sm,) = r.summary
    assert sm["p_top_mean"] == pytest.approx(7 / 12) and sm["p_diff_mean"] == pytest.approx(5 / 12)
    assert sm["p_diff_std"] == pytest.approx(np.std([0.5, 1 / 3], ddof=1))
    assert r.options["k"] == "20%" and r.options["score"] == "supernet"
    assert any(n.startswith("p_bottom: P@bottom-k") for n in r.notes)


def test_bottomtop_interval_and_other_estimators(hand: Path):
    b = wsbench.open(hand)
    r = b.bottomtop(k=2, within=5, ci=0.9, boot=50)
    from wsbench.stats.bottomtop import bottom_top

    one = bottom_top(SN[0, 0], GT, 2, 5, ci=0.9, boot=50)
    assert (r.rows[0]["p_diff_ci_low"], r.rows[0]["p_diff_ci_high"]) == one.p_diff_ci
    assert r.summary[0]["p_diff_ci_low"] <= r.summary[0]["p_diff_mean"] <= r.summary[0]["p_diff_ci_high"]
    p = b.bottomtop(k=2, score="params")
    assert p.options["score"] == "params" and p.summary[0]["p_top_std"] == 0  # the same ranking at every seed


def test_bottomtop_cli(hand: Path):
    out = cli_json("bottom-top", "--space", str(hand), "--k", "20%", "--within", "50%", "--ci", "0.9", "--boot", "20")
    assert out == wsbench.query(hand, "bottomtop", k="20%", within="50%", ci=0.9, boot=20).to_dict()
    res = invoke(["bottom-top", "--space", str(hand), "--k", "2"])
    assert res.exit_code == 0 and "p_bottom" in res.stdout and "p_top" in res.stdout
    assert_user_error("bottom-top", "--space", str(hand), "--k", "0", says="k must be a count >= 1")
    assert_user_error("bottom-top", "--space", str(hand), "--k", "11", says="a count k must lie in 1..10")
    assert_user_error("bottom-top", "--space", str(hand), "--within-by", "oracle", says="within_by")


# -- meanscore -----------------------------------------------------------------------------------------------------

def test_meanscore_by_hand(hand: Path, tmp_path: Path):
    r = wsbench.query(hand, "meanscore")
    s0, s1 = r.rows
    assert (s0["n"], s0["mean"], s0["median"], s0["min"], s0["max"]) == (10, 31.8, 32.5, 10, 50)
    assert s0["spread"] == pytest.approx(np.std(SN[0, 0], ddof=1)) and s0["mean_gt"] == 67.5
    assert s0["q25"] == pytest.approx(21.25)  # sorted 10,15,20,25,...: position 2.25 -> 20 + 0.25 * 5
    assert s1["mean"] == 32.5
    (sm,) = r.summary
    assert sm["mean_mean"] == pytest.approx(32.15) and sm["mean_std"] == pytest.approx(np.std([31.8, 32.5], ddof=1))
    assert sm["mean_gt"] == 67.5 and r.options == {"epoch": [1], "seed": [0, 1], "score": "supernet", "gt": "gt_score"}
    # a metric where lower is better stays in its units (no negation)
    ppl = make_store(tmp_path / "ppl.zarr", n=10, epochs=(1,), seeds=(0, 1), gt=GT + 100, supernet=SN + 100,
                     metric="perplexity", direction="min")
    rp = wsbench.query(ppl, "meanscore")
    assert rp.rows[0]["mean"] == pytest.approx(131.8) and rp.rows[0]["min"] == 110 and rp.rows[0]["mean_gt"] == 167.5
    assert wsbench.query(hand, "meanscore", score="params").summary[0]["mean_std"] == 0


def test_meanscore_cli(hand: Path):
    assert cli_json("mean-score", "--space", str(hand)) == wsbench.query(hand, "meanscore").to_dict()
    res = invoke(["mean-score", "--space", str(hand)])
    assert res.exit_code == 0 and "mean_gt" in res.stdout and "spread" in res.stdout
    assert_user_error("mean-score", "--space", str(hand), "--score", "proxy:nope", says="proxy:nope")


# -- noise ceiling -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_gts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("gts") / "g.zarr", n=40, gt_seeds=(3, 5), rng_seed=4)


def test_against_one_gt_training(two_gts: Path):
    import zarr
    from scipy.stats import kendalltau

    g = zarr.open_group(str(two_gts), mode="r")
    row = np.asarray(g["gt_score_per_seed"][1])  # gt_seed 5
    r = wsbench.query(two_gts, "correlation", against="gt_score_per_seed:5", method="kendall", seed="0")
    assert r.rows[0]["kendall"] == pytest.approx(kendalltau(np.asarray(g["supernet_score"][0, -1]), row)[0])
    assert r.options["against"] == "gt_score_per_seed:5"
    t = wsbench.query(two_gts, "topk", gt="gt_score_per_seed:3", k="1")  # any statistic's gt= takes one too
    assert t.options["gt"] == "gt_score_per_seed:3"
    with pytest.raises(OptionError, match="recorded GT training .*3, 5; got '4'"):
        wsbench.query(two_gts, "correlation", against="gt_score_per_seed:4")


def test_ceiling_is_the_ratio_to_the_gt_seed_to_seed_tau(two_gts: Path):
    from wsbench.stats.ceiling import gt_seed_tau, noise_ceiling

    b = wsbench.open(two_gts)
    _, G = b.gt_trainings()
    r = b.correlation(ceiling=True, ci=0.9, boot=200, method="kendall")
    (sm,) = r.summary
    assert sm["kendall_gt_vs_gt"] == gt_seed_tau(G)
    assert sm["kendall_ratio"] == sm["kendall_mean"] / gt_seed_tau(G)
    sn = np.stack([b.score_fn("supernet")(s, 4) for s in b.seeds])
    ref = noise_ceiling(sn, G, b.gt("gt_score"), ci=0.9, boot=200)  # every value finite: the same pool
    assert sm["kendall_ratio"] == pytest.approx(ref.ratio)
    assert (sm["kendall_ratio_ci_low"], sm["kendall_ratio_ci_high"]) == pytest.approx((ref.ci_low, ref.ci_high))
    assert r.options["ceiling"] is True and any(n.startswith("*_gt_vs_gt") for n in r.notes)
    assert "ceiling" not in b.correlation().options  # the default result is the one it always was


def test_ceiling_cli_and_errors(two_gts: Path, hand: Path):
    out = cli_json("correlation", "--space", str(two_gts), "--ceiling", "--epoch", "all")
    assert out == wsbench.query(two_gts, "correlation", ceiling=True, epoch="all").to_dict()
    assert "spearman_ratio" in out["summary"][0]
    assert_user_error("correlation", "--space", str(hand), "--ceiling", says="has no gt_score_per_seed")
    assert_user_error("correlation", "--space", str(two_gts), "--ceiling", "--within-top", "10%", says="within_top")
    assert_user_error("correlation", "--space", str(two_gts), "--ceiling", "--against", "params",
                      says="against must be a ground truth")
    assert_user_error("correlation", "--space", str(hand), "--against", "gt_score_per_seed:0",
                      says="has no gt_score_per_seed")


# -- dedupe and gt-noise -------------------------------------------------------------------------------------------

def _dup_archs() -> list[str]:
    from wsbench.spaces import get_space

    cl = [v for v in get_space("nb201").function_classes().values() if len(v) >= 2]
    a, b, c, d, e = cl[0], cl[1], cl[2], cl[3], cl[4]
    return [a[0], b[0], a[1], c[0], d[0], b[1], c[1], e[0]]  # classes A B A C D B C E


DUP_GT = np.array([80.0, 70, 84, 60, 50, 72, 62, 90])  # per class: A 82, B 71, C 61, D 50, E 90
DUP_SN = np.array([[[40.0, 30, 44, 20, 10, 36, 22, 35]],  # A 42, B 33, C 21, D 10, E 35: (A, E) discordant
                   [[40.0, 30, 44, 20, 10, 36, 22, 50]]])  # E 50: every pair concordant


@pytest.fixture(scope="module", params=[True, False], ids=["function_id", "computed"])
def dups(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("dups")
    return make_store(d / "d.zarr", archs=_dup_archs(), epochs=(1,), seeds=(0, 1), gt=DUP_GT, supernet=DUP_SN,
                      function_ids=request.param, zip_path=d / "d.zip")


def test_dedupe_merges_classes_by_hand(dups: Path):
    plain = wsbench.query(dups, "correlation", method="kendall")
    r = wsbench.query(dups, "correlation", method="kendall", dedupe=True)
    assert [row["n"] for row in r.rows] == [5, 5]
    assert [row["kendall"] for row in r.rows] == pytest.approx([0.8, 1.0])  # 1 of 10 pairs discordant, then none
    assert r.summary[0]["kendall_mean"] == pytest.approx(0.9)
    assert r.options["dedupe"] is True and "dedupe" not in plain.options
    (note,) = [n for n in r.notes if n.startswith("dedupe:")]
    assert "8 subnets merged into 5 function classes (3 with more than one member, up to 2)" in note
    computed = "the store has no function_id" in note
    assert computed == ("function_id" not in wsbench.open(dups).reader.meta.arrays)
    m = wsbench.query(dups, "meanscore", dedupe=True)
    assert m.rows[0]["n"] == 5 and m.rows[0]["mean_gt"] == pytest.approx((82 + 71 + 61 + 50 + 90) / 5)
    assert m.rows[0]["mean"] == pytest.approx((42 + 33 + 21 + 10 + 35) / 5)
    t = wsbench.query(dups, "topk", k="1", dedupe=True, seed="0")
    assert t.rows[0]["best_gt"] == 82  # the supernet's best class is A, whose mean GT is 82
    for stat in ("bias", "prune", "stability", "bottomtop"):  # every statistic runs on the merged view
        assert wsbench.query(dups, stat, dedupe=True).options["dedupe"] is True


def test_gt_noise_from_duplicates(dups: Path):
    r = wsbench.query(dups, "gtnoise")
    (row,) = r.rows  # no GT trainings in this store
    assert row["source"] == "duplicates" and row["pairs"] == 3
    assert row["kendall"] == pytest.approx(1.0)  # A > B > C either way
    from wsbench.stats.dedupe import gt_noise

    ids = wsbench.open(dups).function_ids()[0]
    assert row["kendall_ci_low"] == gt_noise(ids, DUP_GT).ci_low
    with pytest.raises(wsbench.errors.UnknownNameError):
        wsbench.query(dups, "gtnoise", dedupe=True)  # merging first would leave no duplicates


def test_gt_noise_beside_gt_trainings_and_when_nothing_measures_it(two_gts: Path, tmp_path: Path):
    r = wsbench.query(two_gts, "gtnoise")
    assert [x["source"] for x in r.summary] == ["duplicates", "gt trainings"]
    from wsbench.stats.ceiling import gt_seed_tau

    assert r.summary[1]["kendall"] == gt_seed_tau(wsbench.open(two_gts).gt_trainings()[1])
    one = make_store(tmp_path / "one.zarr", space="darts", n=10, epochs=(1,), seeds=(0,))
    assert_user_error("gt-noise", "--space", str(one), says="cannot be measured here")


def test_dedupe_and_gt_noise_cli(dups: Path):
    for args, stat, opts in ((["correlation", "--epoch", "all"], "correlation", {"epoch": "all"}),
                             (["bottom-top", "--k", "2"], "bottomtop", {"k": "2"}),
                             (["stability"], "stability", {})):
        assert cli_json(*args, "--space", str(dups), "--dedupe") == wsbench.query(dups, stat, dedupe=True,
                                                                                 **opts).to_dict()
    assert cli_json("gt-noise", "--space", str(dups)) == wsbench.query(dups, "gtnoise").to_dict()
    res = invoke(["gt-noise", "--space", str(dups)])
    assert res.exit_code == 0 and "duplicates" in res.stdout
    assert_user_error("gt-noise", "--space", str(dups), "--method", "kendall,spearman", says="one method")


# -- paired --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def improving(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 subnets: at epoch 2 the supernet ranks as the GT; at epoch 1 with much noise."""
    rng = np.random.default_rng(7)
    gt = rng.uniform(50, 95, 80)
    sn = np.stack([np.stack([np.clip(gt - 30 + rng.normal(0, 15, 80), 0, 100), gt - 30]) for _ in range(2)])
    return make_store(tmp_path_factory.mktemp("imp") / "i.zarr", n=80, epochs=(1, 2), seeds=(0, 1), gt=gt,
                      supernet=sn)


def test_paired_two_epochs(improving: Path):
    from scipy.stats import kendalltau

    from wsbench.stats.paired import paired_delta

    b = wsbench.open(improving)
    r = b.paired(a="epoch=1", b="epoch=2", boot=200, interval="bootstrap")
    g = b.gt("gt_score")
    x1 = np.stack([b.score_fn("supernet")(s, 1) for s in (0, 1)])
    x2 = np.stack([b.score_fn("supernet")(s, 2) for s in (0, 1)])
    for j, row in enumerate(r.rows):
        assert row["kendall_a"] == pytest.approx(kendalltau(x1[j], g)[0]) and row["kendall_b"] == pytest.approx(1.0)
    (sm,) = r.summary
    ref = paired_delta(x1, g, x2, g, boot=200, interval="bootstrap")
    assert (sm["delta"], sm["delta_ci_low"], sm["delta_ci_high"], sm["p_value"]) == (ref.delta, ref.ci_low,
                                                                                     ref.ci_high, ref.p_value)
    assert sm["verdict"] == "rises" and sm["p_value"] == pytest.approx(2 / 201) and (sm["a"], sm["b"]) == ("epoch=1",
                                                                                                         "epoch=2")
    assert r.options["a"] == {"epoch": 1, "score": "supernet", "against": "gt_score"} and r.options["over_seeds"]
    assert any("the subnets and the supernet seeds" in n for n in r.notes)
    fixed = b.paired(a="epoch=1", b="epoch=2", boot=200, over_seeds=False, interval="bootstrap")
    assert fixed.summary[0]["delta_ci_low"] == paired_delta(x1, g, x2, g, boot=200, over_seeds=False,
                                                            interval="bootstrap").ci_low
    assert any("the subnets only" in n for n in fixed.notes)
    jk = b.paired(a="epoch=1", b="epoch=2")  # the default: the jackknife, no resamples
    ref = paired_delta(x1, g, x2, g)
    assert (jk.summary[0]["delta_ci_low"], jk.summary[0]["p_value"]) == (ref.ci_low, ref.p_value)
    assert jk.options["interval"] == "jackknife" and "boot" not in jk.options
    assert any("paired jackknife interval" in n and "per-seed deltas" in n for n in jk.notes)
    back = b.paired(a="epoch=2", b="epoch=1")  # swapping the sides mirrors the change
    assert back.summary[0]["delta"] == pytest.approx(-sm["delta"]) and back.summary[0]["verdict"] == "falls"


def test_paired_two_scores_and_two_pairs(improving: Path):
    b = wsbench.open(improving)
    r = b.paired(a="score=params", b="score=supernet")
    assert r.summary[0]["a"] == "score=params" and r.options["b"]["epoch"] == 2
    p = b.paired(a={"against": "params"}, b={"against": "gt_score"})  # (WS, PS) vs (WS, GT)
    assert p.summary[0]["a"] == "against=params"
    with pytest.raises(OptionError, match="one epoch"):
        b.paired(a="epoch=all", b="epoch=2")
    with pytest.raises(OptionError, match=r"boot=50 set the bootstrap's resamples.*interval='bootstrap'"):
        b.paired(a="epoch=1", b="epoch=2", boot=50)  # not silently ignored


def test_paired_cli(improving: Path):
    out = cli_json("paired", "--space", str(improving), "--a", "epoch=1", "--b", "epoch=2", "--interval", "bootstrap",
                   "--boot", "50", "--subnets-only")
    assert out == wsbench.query(improving, "paired", a="epoch=1", b="epoch=2", boot=50, over_seeds=False,
                                interval="bootstrap").to_dict()
    assert cli_json("paired", "--space", str(improving), "--a", "epoch=1", "--b", "epoch=2") == \
        wsbench.query(improving, "paired", a="epoch=1", b="epoch=2").to_dict()
    res = invoke(["paired", "--space", str(improving), "--a", "epoch=1", "--b", "epoch=2"])
    assert res.exit_code == 0 and "rises" in res.stdout
    assert_user_error("paired", "--space", str(improving), "--a", "epoch=1", "--b", "epoch=2", "--boot", "50",
                      says="--interval bootstrap")
    assert_user_error("paired", "--space", str(improving), "--a", "epoch=1", "--b", "epoch=2", "--interval", "exact",
                      says="paired interval")
    assert_user_error("paired", "--space", str(improving), "--a", "colour=1", "--b", "epoch=2", says="key of a")
    assert_user_error("paired", "--space", str(improving), "--a", "epoch=3", "--b", "epoch=2", says="epoch 3")
    assert_user_error("paired", "--space", str(improving), "--a", "epoch", "--b", "epoch=2", says="key=value")
    assert run("paired", "--space", str(improving), "--a", "epoch=1").returncode == 2  # --b is required


def test_dedupe_where_the_id_is_the_canonical_string(tmp_path: Path):
    """darts (like nb101 and macro) has no equivalence beyond its canonical string, which a store holds once:
    every subnet is its own class, and the merged view answers exactly as the store."""
    d = make_store(tmp_path / "darts.zarr", space="darts", n=12, epochs=(1,), seeds=(0, 1), function_ids=False)
    plain, merged = wsbench.query(d, "correlation"), wsbench.query(d, "correlation", dedupe=True)
    assert merged.rows == plain.rows and merged.summary == plain.summary
    assert any("12 subnets merged into 12 function classes" in n and "own class" in n for n in merged.notes)
