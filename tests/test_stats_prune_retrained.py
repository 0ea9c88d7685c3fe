"""``prune --source retrained`` on a store of prune runs (issue 30): the study's figure checked by hand, the control
supernet on the same pools, the schema's prune_mode checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wsbench
from wsbench.errors import OptionError, SchemaError
from wsbench.spaces import get_space
from wsbench.store import StoreWriter

NAN = np.nan
GT = np.array([40.0, 50.0, 60.0, 70.0, 80.0, 90.0])
RUNS = [("none", 0.0), ("optimistic", 0.5), ("random", 0.5)]
#: supernet_score per run and seed (epoch 1); NaN: outside the run's pruned pool
SCORES = {
    ("none", 0.0): [GT, GT[::-1]],  # the control: seed 0 ranks perfectly, seed 1 backwards
    ("optimistic", 0.5): [[NAN, NAN, NAN, 2, 1, 3], [NAN, NAN, NAN, 1, 3, 2]],  # kept: GT 70, 80, 90
    ("random", 0.5): [[3, NAN, 2, NAN, 1, NAN], [1, NAN, 2, NAN, 3, NAN]],  # kept: GT 40, 60, 80
}


def runs_attr(runs=RUNS) -> dict:
    return {"kind": "synthetic", "prune_runs": [{"mode": m, "factor": f} for m, f in runs]}


def write(path: Path, runs=RUNS, modes=None, sampler=None, scores=SCORES) -> StoreWriter:
    from factory import provenance

    archs = get_space("nb201").sample(6, seed=0)
    w = StoreWriter.create(path, space="nb201", archs=archs, epochs=[1], seeds=[0, 1], prune=[f for _, f in runs],
                           prune_modes=modes or [m for m, _ in runs],
                           attrs=provenance(sampler=sampler or runs_attr(runs)))
    for i, run in enumerate(runs):
        for s in (0, 1):
            if modes is None and runs.count(run) == 1:
                w.write_supernet(s, 1, np.asarray(scores[run][s], dtype=float), prune=run)
            else:  # runs the writer cannot name: by position
                w.group["supernet_score"][i, s, 0] = np.asarray(scores[run][s], dtype=np.float32)
    for v in ("gt_score", "params", "flops"):
        w.write_arch_values(v, GT)
    return w


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("runs") / "runs.zarr").finalize()


def test_each_run_beside_the_control_on_the_same_pool_by_hand(store):
    r = wsbench.open(store).prune(source="retrained", k="1")
    rows = {(x["mode"], x["seed"]): x for x in r.rows}
    assert [(x["mode"], x["factor"]) for x in r.summary] == RUNS
    opt0, opt1 = rows[("optimistic", 0)], rows[("optimistic", 1)]
    # seed 0 ranks (70, 80, 90) as (2, 1, 3): top-1 is GT 90; pairs 70-80 discordant, the others concordant
    assert opt0["remaining"] == 3 and opt0["supernet_topk_best_gt"] == 90 and opt0["kendall"] == pytest.approx(1 / 3)
    assert opt0["random_topk_best_gt"] == pytest.approx(80)  # one random subnet of (70, 80, 90): the mean
    assert opt0["control_topk_best_gt"] == 90 and opt0["control_kendall"] == pytest.approx(1)
    assert opt0["retrained_minus_control"] == 0 and opt0["supernet_gain_over_random"] == pytest.approx(10)
    # seed 1: (1, 3, 2): top-1 GT 80, tau 1/3; the control (backwards) picks GT 70 in the same pool, tau -1
    assert opt1["supernet_topk_best_gt"] == 80 and opt1["kendall"] == pytest.approx(1 / 3)
    assert opt1["control_topk_best_gt"] == 70 and opt1["control_kendall"] == pytest.approx(-1)
    assert opt1["retrained_minus_control"] == pytest.approx(10)
    s = next(x for x in r.summary if x["mode"] == "optimistic")
    assert s["seeds"] == 2 and s["supernet_topk_best_gt_mean"] == pytest.approx(85)
    assert s["supernet_topk_best_gt_std"] == pytest.approx(np.sqrt(50))  # sample std of (90, 80)
    assert s["kendall_mean"] == pytest.approx(1 / 3) and s["kendall_std"] == pytest.approx(0)
    assert s["retrained_minus_control_mean"] == pytest.approx(5) and s["retrained_minus_control_std"] == pytest.approx(
        np.sqrt(50))
    assert s["control_topk_best_gt_mean"] == pytest.approx(80) and s["control_kendall_mean"] == pytest.approx(0)
    # the random run's pool (40, 60, 80): seed 0 ranks it backwards (top-1 GT 40), seed 1 perfectly
    rnd0 = rows[("random", 0)]
    assert rnd0["supernet_topk_best_gt"] == 40 and rnd0["kendall"] == pytest.approx(-1)
    assert rnd0["random_topk_best_gt"] == pytest.approx(60) and rnd0["control_topk_best_gt"] == 80
    assert rnd0["retrained_minus_control"] == pytest.approx(-40)  # 40 vs the control's 80
    assert rows[("random", 1)]["retrained_minus_control"] == pytest.approx(40)  # 80 vs the backwards control's 40
    # the control's own row: the whole pool of 6, no comparison with itself
    c0 = rows[("none", 0)]
    assert c0["remaining"] == 6 and c0["random_topk_best_gt"] == pytest.approx(65) and np.isnan(c0["control_kendall"])


def test_retrained_minus_control_over_every_pool_and_seed_by_hand(store):
    from wsbench.stats.prune_retrained import pooled

    r = wsbench.open(store).prune(source="retrained", k="1")
    rows = {(x["mode"], x["seed"]): x for x in r.rows}
    # tau - control tau: optimistic 1/3 - 1, 1/3 + 1; random -1 - 1, 1 + 1
    assert rows[("optimistic", 0)]["retrained_minus_control_kendall"] == pytest.approx(-2 / 3)
    assert rows[("random", 1)]["retrained_minus_control_kendall"] == pytest.approx(2)
    p = pooled(r.rows, 1)
    # best GT: 0, +10, -40, +40 -> 2 better, 1 equal, 1 worse; p = 2 (C(3,0) + C(3,1)) / 2^3 = 1
    assert (p["best_gt_pairs"], p["best_gt_wins"], p["best_gt_ties"], p["best_gt_losses"]) == (4, 2, 1, 1)
    assert p["best_gt_delta_mean"] == pytest.approx(2.5) and p["best_gt_p"] == 1
    # tau: -2/3, +4/3, -2, +2 -> mean 1/6, 2 better, 2 worse
    assert p["kendall_delta_mean"] == pytest.approx(1 / 6) and (p["kendall_wins"], p["kendall_losses"]) == (2, 2)
    assert any("over all 4 (pool, seed) pairs" in n and "better in 2, equal in 1, worse in 1" in n for n in r.notes)


@pytest.mark.parametrize("deltas, expected", [
    ([1, 1, 1, 1, 1], (5, 0, 0, 2 / 32)),                # all five better: 2 * (1/2)^5
    ([1, 1, 1, 1, 1, -1], (5, 0, 1, 2 * 7 / 64)),        # 2 * (C(6,0) + C(6,1)) / 2^6
    ([0.5, 0.0, -2.0], (1, 1, 1, 1.0)),                  # the tie dropped: 1 of 2, p capped at 1
    ([0.0, 0.0], (0, 2, 0, 1.0)),                        # nothing but ties: no evidence
])
def test_sign_test_by_hand(deltas, expected):
    from wsbench.stats.prune_retrained import sign_test

    w, t, losses, p = sign_test(deltas)
    assert (w, t, losses) == expected[:3] and p == pytest.approx(expected[3])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([-2.0, -1.0, 0.0, 1.0, 3.0]), max_size=30))
def test_the_sign_test_is_blind_to_the_direction_and_a_probability(deltas):
    from wsbench.stats.prune_retrained import sign_test

    w, t, losses, p = sign_test(deltas)
    assert w + t + losses == len(deltas) and 0 < p <= 1
    assert sign_test([-d for d in deltas]) == (losses, t, w, p)


def test_the_report_pairs_the_controls_fine_tuned_scores_in_a_store_of_runs(tmp_path):
    """A merged store records fine-tuned regions as (factor, seed, epoch): the report reads the control's."""
    from wsbench.report import sections

    w = write(tmp_path / "ft.zarr")
    w.ensure_finetune()
    for s in (0, 1):
        tuned = GT + np.array([3.0, -3.0, 3.0, -3.0, 3.0, -3.0]) * (s + 1)  # a noisier ranking than the control's
        w.write_finetune(s, 1, tuned, np.full(6, 0.5), prune=("none", 0.0))
    w.update_attrs(finetune={"batches": 10, "subnets": 6, "regions": [[0.0, 0, 1], [0.0, 1, 1]]})
    b = wsbench.open(w.finalize())
    sec = sections.finetune(b, [0, 1])
    assert not sec.skipped and [r["epoch"] for r in sec.data["rows"]] == [1]
    want = b.paired(a="score=supernet,epoch=1", b="score=finetune,epoch=1", seed="0,1").summary[0]
    assert sec.data["rows"][0]["delta"] == pytest.approx(want["delta"]) and sec.data["rows"][0]["seeds"] == [0, 1]


def test_the_random_expectation_of_k_subnets_is_exact(store):
    r = wsbench.open(store).prune(source="retrained", mode="random", k="2")
    row = next(x for x in r.rows if x["seed"] == 0)
    # best of 2 of (40, 60, 80) drawn without replacement: pairs give 60, 80, 80
    assert row["random_topk_best_gt"] == pytest.approx(220 / 3)
    assert row["supernet_topk_best_gt"] == 60  # top-2 of the backwards ranking: GT 40 and 60
    assert [x["mode"] for x in r.summary] == ["random"]


def test_mode_picks_runs_and_posthoc_still_reads_the_control(store):
    b = wsbench.open(store)
    assert {x["mode"] for x in b.prune(source="retrained", mode="optimistic", k="1").rows} == {"optimistic"}
    post = b.prune(mode="optimistic", factor="0.5", k="1", seed="0").rows[0]  # the control pruned after the fact
    assert post["remaining"] == 3 and post["supernet_topk_best_gt"] == 90
    with pytest.raises(OptionError, match="needs source='retrained'"):
        b.prune(mode="all")  # posthoc has no runs to read


def test_the_cli_answers_the_figure_as_json(store):
    p = subprocess.run([sys.executable, "-m", "wsbench", "prune", "--space", str(store), "--source", "retrained",
                        "--k", "1", "--json"], capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    s = {(x["mode"], x["factor"]): x for x in out["summary"]}
    assert s[("optimistic", 0.5)]["retrained_minus_control_mean"] == pytest.approx(5)
    assert set(s) == {("none", 0.0), ("optimistic", 0.5), ("random", 0.5)}  # no --mode: every run (library default)
    table = subprocess.run([sys.executable, "-m", "wsbench", "prune", "--space", str(store), "--source",
                            "retrained", "--k", "1"], capture_output=True, text=True, timeout=120, check=False)
    assert table.returncode == 0 and "optimistic" in table.stdout and "random" in table.stdout


@pytest.mark.parametrize("runs, modes, sampler, says", [
    ([("none", 0.0), ("optimistic", 0.5)], ["none", "greedy"], None, "prune_mode must be one of"),
    ([("none", 0.0), ("optimistic", 0.5)], ["optimistic", "optimistic"], None, "factor 0 is the control"),
    ([("optimistic", 0.5), ("optimistic", 0.5)], None, None, "repeat a (mode, factor)"),
    ([("none", 0.0), ("optimistic", 0.5)], None, {"kind": "synthetic"}, "sampler.prune_runs"),
    ([("none", 0.0), ("optimistic", 0.5)], None, runs_attr([("none", 0.0), ("random", 0.5)]), "sampler.prune_runs"),
])
def test_validate_refuses_runs_without_a_clear_mode(runs, modes, sampler, says, tmp_path):
    scores = {r: SCORES[("none", 0.0)] for r in runs}
    w = write(tmp_path / "bad.zarr", runs=runs, modes=modes, sampler=sampler, scores=scores)
    with pytest.raises(SchemaError, match=r".*" + __import__("re").escape(says)):
        w.finalize()


def test_a_prune_dimension_needs_the_modes(tmp_path):
    with pytest.raises(OptionError, match="prune_modes"):
        StoreWriter.create(tmp_path / "x.zarr", space="nb201", archs=get_space("nb201").sample(3, seed=0),
                           epochs=[1], seeds=[0], prune=[0.0, 0.5], attrs={})


def test_validate_refuses_a_run_scored_beyond_its_allowed_set(tmp_path):
    sampler = {"prune_runs": [{"mode": "none", "factor": 0.0}, {"mode": "optimistic", "factor": 0.5, "allowed": 2}]}
    w = write(tmp_path / "over.zarr", runs=RUNS[:2], sampler=sampler)  # the optimistic run scores 3 subnets
    with pytest.raises(SchemaError, match="more than the 2 of its allowed set"):
        w.finalize()


finite = st.floats(0, 100, allow_nan=False, width=32)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=2, max_size=12), st.integers(1, 12))
def test_a_retrained_supernet_that_ranks_as_the_control_gains_nothing_over_it(pairs, k):
    from wsbench.stats.prune_retrained import one_pool

    x, g = (np.array(v, dtype=float) for v in zip(*pairs))
    k = min(k, len(g))
    v = one_pool(x, g, k, "random", control=x.copy())
    assert v["retrained_minus_control"] == 0 and v["control_topk_best_gt"] == v["supernet_topk_best_gt"]
    assert v["control_kendall"] == v["kendall"] or (np.isnan(v["kendall"]) and np.isnan(v["control_kendall"]))
    # the best of k random draws lies between the mean and the best of the pool
    assert g.mean() - 1e-9 <= v["random_topk_best_gt"] <= g.max() + 1e-9
    assert v["supernet_topk_best_gt"] <= g.max() + 1e-9


def test_the_report_draws_the_retrained_figure_only_for_a_store_of_runs(store, store_dir, monkeypatch):
    pytest.importorskip("matplotlib")
    from wsbench.report import build, figures

    drawn = {}
    real = figures._png

    def keep(fig):
        import inspect

        drawn[inspect.stack()[1].function] = fig
        return real(fig)

    monkeypatch.setattr(figures, "_png", keep)
    _, sections = build(str(store))
    sec = next(s for s in sections if s.key == "retrained")
    assert sec.skipped is None and sec.png and sec.data["k"] == "1"  # pools of 3: no top-10
    assert "optimistic 50%: top-1 85.00 ± 7.07 vs 1 random 80.00" in sec.finding
    assert "retrained minus the control on the same pool +5.00 ± 7.07" in sec.finding
    assert "Over all 4 pruned pools and seeds" in sec.finding and "beats the control's on the same pool in 2, loses in 1 " \
        "(mean +2.50" in sec.finding  # the pairs worked out by hand above
    left, right = drawn["retrained"].axes[:2]
    assert left.get_xlabel() == "fraction of the pool removed" and "Kendall" in right.get_ylabel()
    _, plain = build(str(store_dir))  # a store without prune runs has no such section
    assert "retrained" not in {s.key for s in plain}
