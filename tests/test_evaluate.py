"""``wsbench evaluate``: a dataset's own supernet scores fed back give exactly the other commands' numbers; a subset
of subnets gives what a store of only those subnets gives; hand-checked extremes; every bad-table error."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_invoke import invoke
from factory import make_store
from hypothesis import given, settings
from hypothesis import strategies as st

import wsbench
from wsbench.evaluation import evaluate
from wsbench.evaluation.reading import ScoresError
from wsbench.result import json_safe

BUNDLED = [e["name"] for e in json.loads(invoke(["list", "--json"]).stdout) if e["where"] == "bundled"]


def own_scores(bench, path: Path, column: str = "score", encode=str) -> Path:
    """The store's supernet_score of every (seed, epoch) as a long CSV (values exact: repr of the float64)."""
    archs = [str(a) for a in bench.arch_values("arch_string")]
    run = (bench._prune_index(None),) if bench.has_prune_dim else ()  # a store of prune runs: the control's
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", column, "epoch", "seed"])
        for si, s in enumerate(bench.seeds):
            for ei, e in enumerate(bench.epochs):
                for a, x in zip(archs, np.asarray(bench._read("supernet_score", (*run, si, ei)), dtype=np.float64)):
                    if math.isfinite(x):
                        w.writerow([encode(a), repr(float(x)), e, s])
    return path


def part(result, ranking: str, statistic: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("ranking", "statistic")} for r in result["rows"]
            if r["ranking"] == ranking and r["statistic"] == statistic]


def cli_json(*args: str) -> dict:
    res = invoke([*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize("name", BUNDLED)
def test_a_datasets_own_supernet_scores_give_exactly_correlation_and_topk(name: str, tmp_path: Path):
    """Done-when of issue 25: fed back through evaluate, the supernet's scores give the numbers of
    `wsbench correlation/topk/bottom-top/bias --space NAME` (every default, every seed, the last epoch)."""
    bench = wsbench.open(name)
    column = "perplexity" if bench.direction == "min" else "accuracy"  # the direction said by the column's name
    path = own_scores(bench, tmp_path / "own.csv", column)
    got = cli_json("evaluate", str(path), "--space", name, "--name", "mine")
    assert got["options"]["subnets"] == bench.n_archs and got["options"]["direction"] == bench.direction
    assert part(got, "mine", "correlation") == cli_json("correlation", "--space", name)["summary"]
    assert part(got, "mine", "topk") == cli_json("topk", "--space", name)["summary"]
    assert part(got, "mine", "bottomtop") == cli_json("bottom-top", "--space", name)["summary"]
    # the scores' table and the supernet's own row at the last epoch agree too
    mine, last = (next(r for r in got["summary"] if r["ranking"] == x) for x in ("mine", "supernet (last epoch)"))
    assert {k: v for k, v in mine.items() if k != "ranking"} == {k: v for k, v in last.items() if k != "ranking"}


def test_the_real_cli_process_and_every_epoch(tmp_path: Path, store_zip: Path):
    bench = wsbench.open(store_zip)
    path = own_scores(bench, tmp_path / "own.csv")
    p = subprocess.run([sys.executable, "-m", "wsbench", "evaluate", str(path), "--space", str(store_zip),
                        "--higher-is-better", "--epoch", "all", "--json"], capture_output=True, text=True, timeout=300, check=False)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    want = json_safe(bench.correlation(epoch="all").summary)
    assert part(got, "scores", "correlation") == want
    assert part(got, "scores", "stability") == json_safe(bench.stability().summary)


def test_the_rows_only_statistics_are_left_out_only_where_nothing_shows_them(tmp_path: Path, store_dir: Path):
    """statistic_rows=False (the plain command) gives the same summary and the same rows of every statistic it
    computes, without size/operator bias and stability; the plain CLI says where they are; --json has them all;
    a report page needs them (refused)."""
    from wsbench.errors import OptionError

    bench = wsbench.open(store_dir)
    path = own_scores(bench, tmp_path / "own.csv")
    full = evaluate(path, store_dir, higher_is_better=True, epoch="all").to_dict()
    lean = evaluate(path, store_dir, higher_is_better=True, epoch="all", statistic_rows=False).to_dict()
    assert lean["summary"] == full["summary"]
    assert lean["rows"] == [r for r in full["rows"] if r["statistic"] not in ("bias_params", "bias_operator",
                                                                              "stability")]
    assert {r["statistic"] for r in full["rows"]} - {r["statistic"] for r in lean["rows"]} == \
        {"bias_params", "bias_operator", "stability"}
    assert (lean["options"]["statistic_rows"], full["options"]["statistic_rows"]) == (False, True)
    plain = invoke(["evaluate", str(path), "--space", str(store_dir), "--higher-is-better", "--epoch", "all"])
    assert plain.exit_code == 0 and "with size and operator bias and stability: --wide" in \
        " ".join(plain.stdout.split())
    as_json = json.loads(invoke(["evaluate", str(path), "--space", str(store_dir), "--higher-is-better", "--epoch",
                                 "all", "--json"]).stdout)
    assert as_json["rows"] == json.loads(json.dumps(full["rows"]))
    with pytest.raises(OptionError, match="report page"):
        evaluate(path, store_dir, higher_is_better=True, statistic_rows=False, out=tmp_path / "page")


def test_dedupe_gives_the_merged_views_numbers(tmp_path: Path, store_dir: Path):
    bench = wsbench.open(store_dir)
    path = own_scores(bench, tmp_path / "own.csv")
    got = evaluate(path, store_dir, higher_is_better=True, dedupe=True).to_dict()
    assert part(got, "scores", "correlation") == json_safe(bench.correlation(dedupe=True).summary)
    assert part(got, "scores", "topk") == json_safe(bench.topk(dedupe=True).summary)


def test_a_subset_in_another_order_and_encoding_equals_a_store_of_only_those_subnets(tmp_path: Path):
    """Scores for 40 of 100 subnets, shuffled, in NASLib's op indices: every ranking (the scores' and the
    supernet's) gets what a store written with only those 40 subnets gives."""
    from wsbench.encodings import from_canonical

    big = make_store(tmp_path / "big.zarr", n=100, rng_seed=3)
    b = wsbench.open(big)
    archs = [str(a) for a in b.arch_values("arch_string")]
    rng = np.random.default_rng(0)
    pick = np.sort(rng.choice(100, size=40, replace=False))
    mine = rng.uniform(0, 100, size=100)
    supernet = np.stack([[b._read("supernet_score", (si, ei))[pick] for ei in range(len(b.epochs))]
                         for si in range(len(b.seeds))])
    small = make_store(tmp_path / "small.zarr", archs=[archs[i] for i in pick], gt=b.gt("gt_score")[pick],
                       params=b.arch_values("params")[pick], supernet=supernet)
    s = wsbench.open(small)
    order = rng.permutation(pick)
    table = {from_canonical("nb201", archs[i], "naslib"): float(mine[i]) for i in order}
    got = evaluate(table, big, higher_is_better=True, name="mine").to_dict()
    assert got["options"]["subnets"] == 40
    # the supernet's rankings on the same 40 subnets
    assert part(got, "supernet (last epoch)", "correlation") == json_safe(s.correlation().summary)
    assert part(got, "supernet (last epoch)", "topk") == json_safe(s.topk().summary)
    assert part(got, "params", "correlation") == json_safe(s.correlation(score="params", seed="0").summary)
    params_row = next(r for r in got["summary"] if r["ranking"] == "params")
    assert params_row["tau_params_mean"] == 1.0  # params ranks as itself
    # the scores' ranking: the small store with the scores written as its supernet (one seed, one epoch)
    only = make_store(tmp_path / "only.zarr", archs=[archs[i] for i in pick], gt=b.gt("gt_score")[pick],
                      params=b.arch_values("params")[pick], supernet=mine[pick][None, None] + 0.0, epochs=(0,),
                      seeds=(0,))
    o = wsbench.open(only)
    assert part(got, "mine", "correlation") == json_safe(o.correlation().summary)
    assert part(got, "mine", "topk") == json_safe(o.topk().summary)
    assert part(got, "mine", "bias_params") == json_safe(o.bias().summary)
    assert part(got, "mine", "bias_operator") == json_safe(o.bias(by="operator").summary)
    mine_row = next(r for r in got["summary"] if r["ranking"] == "mine")
    assert mine_row["tau_params_mean"] == o.bias().summary[0]["tau_supernet_params_mean"]


def test_extremes_worked_by_hand(tmp_path: Path, store_dir: Path):
    """The ground truth itself ranks perfectly (tau 1, every precision 1); its negation is tau -1; a random
    ranking row holds k/n precision and 0 tau."""
    b = wsbench.open(store_dir)
    archs = [str(a) for a in b.arch_values("arch_string")]
    gt = b.gt("gt_score")
    same = evaluate(dict(zip(archs, gt.tolist())), store_dir, higher_is_better=True).summary
    mine = next(r for r in same if r["ranking"] == "scores")
    assert mine["kendall_mean"] == 1.0 and mine["spearman_mean"] == 1.0
    assert all(mine[f"precision@{k}_mean"] == 1.0 for k in ("1", "10", "1%", "10%"))
    assert mine["best_gt@1_mean"] == gt.max()
    worse = evaluate(dict(zip(archs, gt.tolist())), store_dir, higher_is_better=False).summary
    assert next(r for r in worse if r["ranking"] == "scores")["kendall_mean"] == -1.0
    rnd = next(r for r in same if r["ranking"] == "random")
    assert rnd["precision@10_mean"] == 10 / 60 and rnd["kendall_mean"] == 0.0


# -- bad tables: one error each, with counts and the first offenders ----------------------------------------------

def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_unknown_architectures_are_one_error_or_dropped_and_counted(tmp_path: Path, store_dir: Path):
    b = wsbench.open(store_dir)
    archs = [str(a) for a in b.arch_values("arch_string")]
    outside = [a for a in wsbench.spaces.get_space("nb201").sample(200, seed=9) if a not in archs][:7]
    rows = "\n".join(f"{a},{i}" for i, a in enumerate(archs[:30] + outside))
    path = _write(tmp_path / "s.csv", "arch,score\n" + rows + "\n")
    with pytest.raises(ScoresError) as e:
        evaluate(path, store_dir, higher_is_better=True)
    msg = str(e.value)
    assert "7 of 37 rows (7 architectures) are not subnets" in msg and outside[0] in msg and "2 more" in msg
    assert "--drop-unknown" in msg
    r = evaluate(path, store_dir, higher_is_better=True, drop_unknown=True)
    assert r.options["dropped_unknown"] == 7 and r.options["subnets"] == 30
    assert any("7 of 37 rows" in n and "dropped" in n for n in r.notes)


def test_duplicates_with_different_scores_are_an_error_and_equal_ones_count_once(tmp_path: Path, store_dir: Path):
    from wsbench.encodings import from_canonical

    b = wsbench.open(store_dir)
    a = [str(x) for x in b.arch_values("arch_string")]
    naslib = str(from_canonical("nb201", a[0], "naslib")).replace(" ", "")
    path = _write(tmp_path / "d.csv", f'arch,score\n{a[0]},1\n"{naslib}",2\n{a[1]},3\n{a[2]},4\n')
    with pytest.raises(ScoresError, match=r"1 architecture\(s\) scored twice with different scores .*rows 1 and 2"):
        evaluate(path, store_dir, higher_is_better=True)
    path = _write(tmp_path / "e.csv", f'arch,score\n{a[0]},1\n"{naslib}",1\n{a[1]},3\n{a[2]},4\n')
    r = evaluate(path, store_dir, higher_is_better=True)
    assert r.options["subnets"] == 3 and any("1 repeated row(s)" in n for n in r.notes)


@pytest.mark.parametrize("text, match", [
    ("arch,score\n{a},nan\n{a},inf\n", r"2 score\(s\) are not finite numbers .*row 1 .*'nan'"),
    ("arch,score\n{a},\n", r"1 score\(s\) are not finite"),
    ("arch,value\n{a},1\n", r"no 'score' column .*found 'arch', 'value'"),
    ("name,score\n{a},1\n", r"no 'arch' column"),
    ("arch,score,accuracy\n{a},1,2\n", r"2 score columns \(score, accuracy\); keep one"),
    ("arch,score,epoch\n{a},1,x\n", r"1 epoch value\(s\) are not integers"),
    ("arch,score\n{a},1,2\n", r"line 2 has 3 fields, the header 2"),
    ("arch,score\nnot-an-arch,1\n", r"1 of 1 rows hold no nb201 architecture"),
])
def test_bad_tables_give_one_clear_error(tmp_path: Path, store_dir: Path, text: str, match: str):
    a = str(wsbench.open(store_dir).arch_values("arch_string")[0])
    path = _write(tmp_path / "bad.csv", text.format(a=a))
    with pytest.raises(ScoresError, match=match):
        evaluate(path, store_dir, higher_is_better=True)
    res = invoke(["evaluate", str(path), "--space", str(store_dir), "--higher-is-better"])
    assert res.exit_code == 1 and res.output.count("\n") <= 3 and "error:" in res.output, res.output


def test_the_direction_is_required_unless_the_column_says_it(tmp_path: Path, store_dir: Path):
    a = str(wsbench.open(store_dir).arch_values("arch_string")[0])
    path = _write(tmp_path / "s.csv", f"arch,score\n{a},1\n")
    with pytest.raises(ScoresError, match="give --higher-is-better or --lower-is-better"):
        evaluate(path, store_dir)
    path = _write(tmp_path / "e.csv", f"arch,error\n{a},1\n")
    assert evaluate(path, store_dir).options["direction"] == "min"
    with pytest.raises(ScoresError, match="named 'error' .* but --higher-is-better was given"):
        evaluate(path, store_dir, higher_is_better=True)


def test_json_forms_and_a_dataframe(tmp_path: Path, store_dir: Path):
    pd = pytest.importorskip("pandas")
    b = wsbench.open(store_dir)
    archs = [str(a) for a in b.arch_values("arch_string")]
    rng = np.random.default_rng(1)
    vals = rng.normal(size=len(archs)).tolist()
    want = evaluate(dict(zip(archs, vals)), store_dir, higher_is_better=True).to_dict()
    (tmp_path / "m.json").write_text(json.dumps(dict(zip(archs, vals))))
    (tmp_path / "r.json").write_text(json.dumps([{"arch": a, "score": v} for a, v in zip(archs, vals)]))
    for got in (evaluate(tmp_path / "m.json", store_dir, higher_is_better=True),
                evaluate(tmp_path / "r.json", store_dir, higher_is_better=True),
                evaluate(pd.DataFrame({"arch": archs, "score": vals}), store_dir, higher_is_better=True)):
        d = got.to_dict()
        assert d["summary"] == want["summary"] and d["rows"] == want["rows"]


def test_parquet_reads_when_pyarrow_is_there_and_says_what_to_install_when_not(tmp_path: Path, store_dir: Path):
    import importlib.util

    b = wsbench.open(store_dir)
    archs = [str(a) for a in b.arch_values("arch_string")]
    if importlib.util.find_spec("pyarrow") is None:
        (tmp_path / "s.parquet").write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")
        with pytest.raises(ScoresError, match="pip install pyarrow"):
            evaluate(tmp_path / "s.parquet", store_dir, higher_is_better=True)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"arch": archs, "score": list(range(len(archs)))}), tmp_path / "s.parquet")
    r = evaluate(tmp_path / "s.parquet", store_dir, higher_is_better=True)
    assert r.options["subnets"] == len(archs)


def test_a_name_that_is_one_of_the_datasets_rankings_is_refused(tmp_path: Path, store_dir: Path):
    a = str(wsbench.open(store_dir).arch_values("arch_string")[0])
    with pytest.raises(wsbench.errors.OptionError, match="one of .* own rankings"):
        evaluate({a: 1.0}, store_dir, higher_is_better=True, name="supernet")


@pytest.mark.parametrize("name", BUNDLED)
def test_the_strings_built_from_choice_are_the_stores_own(name: str):
    from wsbench.evaluation import store_strings

    b = wsbench.open(name)
    assert store_strings(b) == [str(a) for a in b.arch_values("arch_string")]


def test_wsbench_evaluate_is_the_function_also_after_its_package_is_imported(store_dir: Path):
    import wsbench.evaluation

    assert callable(wsbench.evaluate) and "evaluate" in wsbench.__all__
    a = str(wsbench.open(store_dir).arch_values("arch_string")[0])
    assert wsbench.evaluate({a: 1.0}, space=store_dir, higher_is_better=True).options["subnets"] == 1


ENCODED = [(name, enc) for name in BUNDLED for enc in __import__("wsbench.encodings", fromlist=["x"]).encodings(
    str(wsbench.open(name).attrs["space"])) if enc != "canonical"]


@pytest.mark.parametrize("name, enc", ENCODED)
def test_every_encoding_of_a_bundled_dataset_gives_the_canonical_strings_numbers(name: str, enc: str,
                                                                                   tmp_path: Path):
    """The store's own architectures written in each encoding of its space (as a CSV cell holds them), scores
    random: the same result as with the canonical strings, read with --encoding auto and named."""
    from wsbench.encodings import from_canonical

    b = wsbench.open(name)
    space = str(b.attrs["space"])
    archs = [str(a) for a in b.arch_values("arch_string")][:300]
    scores = np.random.default_rng(0).normal(size=len(archs)).tolist()
    want = evaluate(dict(zip(archs, scores)), name, higher_is_better=True).to_dict()
    path = tmp_path / "enc.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", "score"])
        for a, v in zip(archs, scores):
            value = from_canonical(space, a, enc)
            w.writerow([json.dumps(value) if isinstance(value, dict) else str(value), repr(v)])
    for encoding in ("auto", enc):
        got = evaluate(path, name, higher_is_better=True, encoding=encoding).to_dict()
        assert got["summary"] == want["summary"] and got["rows"] == want["rows"]


@pytest.mark.parametrize("name", [n for n in BUNDLED if wsbench.open(n).finetuned_regions()])
def test_the_fine_tuned_score_is_ranked_per_seed_at_the_last_epoch_or_named_apart(name: str):
    """finetune is per (seed, epoch), as the supernet: its line is the last epoch's mean over the fine-tuned seeds
    (`wsbench correlation --score finetune --epoch last`), or, fine-tuned for a part of the subnets, left out."""
    b = wsbench.open(name)
    archs = [str(a) for a in b.arch_values("arch_string")]
    r = evaluate(dict(zip(archs, np.random.default_rng(1).normal(size=len(archs)))), name, higher_is_better=True)
    line = [x for x in r.summary if x["ranking"].startswith("finetune")]
    last = b.epochs[-1]
    seeds = sorted(s for s, e in b.finetuned_regions() if e == last)
    if len(line) == 0:
        assert any(n.startswith("left out:") and "finetune (" in n for n in r.notes), r.notes
        return
    (x,) = line
    want = b.correlation(score="finetune", epoch=last, seed=seeds, method="kendall").summary[0]
    assert x["ranking"] == "finetune (last epoch)" and x["epoch"] == last
    assert x["kendall_mean"] == pytest.approx(want["kendall_mean"], abs=1e-12)


def test_a_ragged_grid_of_checkpoints_is_evaluated_where_it_exists(tmp_path: Path, store_dir: Path):
    b = wsbench.open(store_dir)
    a = [str(x) for x in b.arch_values("arch_string")][:20]
    rows = [(x, i, 1, 0) for i, x in enumerate(a)] + [(x, -i, 2, 0) for i, x in enumerate(a)] + \
        [(x, i % 7, 2, 1) for i, x in enumerate(a)]
    path = tmp_path / "r.csv"
    path.write_text("arch,score,epoch,seed\n" + "".join(f"{x},{v},{e},{s}\n" for x, v, e, s in rows))
    r = evaluate(path, store_dir, higher_is_better=True)
    assert r.options["epoch"] == [2] and r.options["seed"] == [0, 1]
    assert any("stability left out: the scores hold 3 of the 4" in n for n in r.notes)
    with pytest.raises(wsbench.errors.OptionError, match="no rows for seed 1 at epoch 1"):
        evaluate(path, store_dir, higher_is_better=True, epoch="1")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), n=st.integers(12, 60))
def test_row_order_and_a_monotone_transform_change_nothing(store_dir: Path, seed: int, n: int):
    """Statistics of a ranking depend on its order only: shuffled rows and exp(score) give the same result."""
    b = wsbench.open(store_dir)
    archs = [str(a) for a in b.arch_values("arch_string")]
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(archs), size=n, replace=False)
    v = rng.integers(0, 8, size=n).astype(float)  # ties on purpose
    base = evaluate({archs[i]: float(x) for i, x in zip(pick, v)}, store_dir, higher_is_better=True).to_dict()
    order = rng.permutation(n)
    moved = evaluate({archs[pick[j]]: float(np.exp(v[j])) for j in order}, store_dir,
                     higher_is_better=True).to_dict()
    assert moved["summary"] == base["summary"] and moved["rows"] == base["rows"]


@pytest.mark.parametrize("name", BUNDLED)
def test_exported_then_evaluated_gives_exactly_correlation_topk_and_bottom_top(name: str, tmp_path: Path):
    """Issue 25's done-when as written: `wsbench export NAME`, then that table fed back to `wsbench evaluate
    --score-column supernet_score`, gives the numbers of `wsbench correlation/topk/bottom-top --space NAME`."""
    bench = wsbench.open(name)
    out = tmp_path / "export.csv"
    res = invoke(["export", name, "--format", "csv", "--out", str(out)])
    assert res.exit_code == 0, res.output
    direction = "--higher-is-better" if bench.direction == "max" else "--lower-is-better"
    got = cli_json("evaluate", str(out), "--space", name, "--score-column", "supernet_score", direction,
                   "--name", "exported")
    assert got["options"]["subnets"] == bench.n_archs and got["options"]["rows"] == bench.n_archs * len(
        bench.epochs) * len(bench.seeds)
    assert part(got, "exported", "correlation") == cli_json("correlation", "--space", name)["summary"]
    assert part(got, "exported", "topk") == cli_json("topk", "--space", name)["summary"]
    assert part(got, "exported", "bottomtop") == cli_json("bottom-top", "--space", name)["summary"]
    assert any("columns not used: arch_index, function_id" in n for n in got["notes"]) or name != "nb201-cifar10"


def test_a_score_column_that_is_not_there_and_one_among_several(tmp_path: Path, store_dir: Path):
    a = [str(x) for x in wsbench.open(store_dir).arch_values("arch_string")][:12]
    path = tmp_path / "s.csv"
    path.write_text("arch,score,accuracy,mine\n" + "".join(f"{x},{i},{-i},{i % 5}\n" for i, x in enumerate(a)))
    with pytest.raises(ScoresError, match="2 score columns"):
        evaluate(path, store_dir)
    with pytest.raises(ScoresError, match="no column 'nope'"):
        evaluate(path, store_dir, score_column="nope")
    r = evaluate(path, store_dir, score_column="accuracy")  # implies higher is better
    assert r.options["direction"] == "max" and "columns not used: score, mine" in r.notes
    assert next(x for x in r.summary if x["ranking"] == "scores")["kendall_mean"] == evaluate(
        {x: float(-i) for i, x in enumerate(a)}, store_dir, higher_is_better=True).summary[0]["kendall_mean"]
    assert evaluate(path, store_dir, score_column="mine", higher_is_better=True).options["subnets"] == 12


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.text(st.sampled_from("ab|~+_0 1x"), min_size=1, max_size=8),
                               st.floats(allow_nan=False, allow_infinity=False, width=32),
                               st.integers(0, 40)), min_size=0, max_size=30),
       crlf=st.booleans(), quote=st.booleans())
def test_the_plain_csv_fast_path_reads_what_the_csv_module_reads(tmp_path_factory, rows, crlf, quote):
    """Unquoted CSV is split at the delimiter without the csv module; any text that needs it (quotes, CRLF) goes
    through csv.reader. Both give the same columns for the same table."""
    from wsbench.evaluation.reading import read_scores

    d = tmp_path_factory.mktemp("csv")
    plain, other = d / "plain.csv", d / "other.csv"
    with open(plain, "w", newline="") as f:
        f.write("arch,score,epoch\n" + "".join(f"{a},{s!r},{e}\n" for a, s, e in rows))
    with open(other, "w", newline="") as f:  # the same table as csv.writer spells it (CRLF; quotes where asked)
        w = csv.writer(f, lineterminator="\r\n" if crlf else "\n",
                       quoting=csv.QUOTE_ALL if quote else csv.QUOTE_MINIMAL)
        w.writerow(["arch", "score", "epoch"])
        w.writerows((a, repr(s), e) for a, s, e in rows)
    try:
        a = read_scores(plain)
    except ScoresError as e:  # (e.g. no rows): both paths must refuse alike
        with pytest.raises(ScoresError) as other_e:
            read_scores(other)
        assert str(other_e.value).replace(str(other), "X") == str(e).replace(str(plain), "X")
        return
    b = read_scores(other)
    assert (a.arch, a.score, a.epoch, a.seed, a.score_column) == (b.arch, b.score, b.epoch, b.seed, b.score_column)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "é", ",", "\t", "\n", "\r", "\r\n", '"', " "]), max_size=40).map("".join),
       delimiter=st.sampled_from([",", "\t"]), n_cols=st.integers(1, 3))
def test_the_fast_split_gives_the_csv_modules_columns_or_declines(text, delimiter, n_cols):
    """Any text: the fast path's columns are csv.reader's (every row n_cols fields), or it declines (None) and the
    csv module reads the file."""
    from wsbench.evaluation.reading import _plain_columns

    fast = _plain_columns(text, delimiter, n_cols)
    if fast is None:
        return
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise AssertionError(f"the fast path read {text!r}, which the csv module refuses") from None
    assert all(len(r) == n_cols for r in rows) and [] not in rows
    assert fast == [[r[i] for r in rows] for i in range(n_cols)]


@pytest.mark.parametrize("body", ["a,1\nb,2\n", "a,1\r\nb,2\r\n", "a,1\r\nb,2", "a,1\nb,2\r\n", "a,1\rb,2\n",
                                  'a,1\n"b",2\n', "a,1\n\nb,2\n", "a,1\nb\n"])
def test_every_line_ending_reads_as_the_csv_module_reads_it(tmp_path, body):
    """LF, CRLF throughout (fast path), mixed ends, a lone CR, quotes, a blank line, a short row (csv module):
    the same rows as csv.reader, or the csv path's error."""
    from wsbench.evaluation.reading import _plain_columns, read_scores

    p = tmp_path / "s.csv"
    p.write_bytes(b"arch,score\n" + body.encode())
    fast = _plain_columns(body, ",", 2)
    assert (fast is not None) == (body in ("a,1\nb,2\n", "a,1\r\nb,2\r\n", "a,1\r\nb,2"))
    want = [r for r in csv.reader(body.splitlines(keepends=True)) if r]
    if any(len(r) != 2 for r in want):
        with pytest.raises(ScoresError, match="line 3 has 1 fields"):
            read_scores(p)
        return
    if "\r" in body.replace("\r\n", ""):  # a lone CR inside a line: the csv module refuses it, so do we
        with pytest.raises(ScoresError, match="not a CSV table .*new-line character seen in unquoted field"):
            read_scores(p)
        return
    got = read_scores(p)
    assert list(zip(got.arch, map(str, got.score), strict=True)) == \
        [(a, str(float(s))) for a, s in want]


def test_a_ranking_the_dataset_holds_for_few_of_the_subnets_is_left_out_and_named():
    """nb201-cifar10-paper holds NASLib's proxies for 27 of its 1,000 cells: beside a user's scores of 300 of them,
    a proxy would be ranked over the few it covers (8 here), not the same subnets: left out, with its count (its
    top-10 of 8 subnets once stopped the whole evaluation)."""
    b = wsbench.open("nb201-cifar10-paper")
    archs = [str(a) for a in b.arch_values("arch_string")][:300]
    held = int(np.isfinite(b.arch_values("proxy_jacov")[:300]).sum())
    assert 0 < held < 10
    r = evaluate(dict(zip(archs, np.random.default_rng(1).normal(size=300).tolist())), "nb201-cifar10-paper",
                 higher_is_better=True)
    rankings = {row["ranking"] for row in r.summary}
    assert "params" in rankings and not any(x.startswith("proxy:") for x in rankings)
    assert any(n.startswith("left out: ") and f"proxy:jacov ({held})" in n and "the 300 the supernet" in n
               for n in r.notes)
