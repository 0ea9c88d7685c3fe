"""import-gt table: mean, std and per-training values from a plain table; every bad table refused, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from factory import make_store, provenance

from builders.__main__ import main as builders_main
from builders.groundtruth.table import load_table
from wsbench.errors import OptionError, SchemaError
from wsbench.schema import validate
from wsbench.spaces import get_space
from wsbench.store import StoreWriter, open_store

ARCHS = get_space("nb201").sample(4, seed=7)
MEAN = [70.5, 61.25, 88.0, 10.0]
STD = [0.5, 1.25, 0.0, 2.0]
RUNS = [[70.0, 71.0], [60.0, 62.5], [88.0, 88.0], [8.0, 12.0]]


def scored_store(path: Path, archs: list[str] = ARCHS, metric: str = "accuracy") -> Path:
    """What a build leaves: every region scored, sizes written, no ground truth (scores_complete, not complete)."""
    w = StoreWriter.create(path, space="nb201", archs=archs, epochs=[1], seeds=[0],
                           attrs=provenance(metric=metric, gt_source={"kind": "none yet"}))
    w.write_supernet(0, 1, np.linspace(20, 60, len(archs)))
    w.write_arch_values("params", np.arange(1.0, len(archs) + 1))
    w.write_arch_values("flops", np.arange(1.0, len(archs) + 1))
    w.update_attrs(scores_complete=True)
    return path


def write_csv(path: Path, rows: list[list[object]], header=("arch", "mean", "std", "run0", "run1"), sep=",") -> Path:
    path.write_text("\n".join(sep.join(str(x) for x in r) for r in [list(header), *rows]) + "\n", encoding="utf-8")
    return path


def table_rows(scale: float = 1.0, archs=ARCHS) -> list[list[object]]:
    return [[a, m * scale, s * scale, r[0] * scale, r[1] * scale] for a, m, s, r in zip(archs, MEAN, STD, RUNS)]


ARGS = ["--arch-col", "arch", "--mean-col", "mean", "--std-col", "std", "--metric", "accuracy"]


def test_mean_std_and_runs_land_in_the_store_which_then_validates(tmp_path, capsys):
    store = scored_store(tmp_path / "s.zarr")
    csv = write_csv(tmp_path / "gt.csv", table_rows())
    assert builders_main(["import-gt", "table", str(csv), *ARGS, "--run-cols", "run0,run1", "--unit", "percent",
                          "--store", str(store)]) == 0
    out = json.loads(capsys.readouterr().out)
    ds = open_store(store)
    assert ds.attrs["complete"] is True and validate(ds) == []
    np.testing.assert_allclose(ds["gt_score"].values, MEAN)
    np.testing.assert_allclose(ds["gt_score_std"].values, STD)
    np.testing.assert_allclose(ds["gt_score_per_seed"].values, np.array(RUNS).T)
    assert ds["gt_seed"].values.tolist() == [0, 1]
    src = ds.attrs["gt_source"]
    assert src["kind"] == "table" and src["file"] == "gt.csv" and len(src["sha256"]) == 64 and src["unit"] == "percent"
    noise = ds.attrs["gt_noise"]
    assert noise["kendall_tau_between_gt_seeds"] == pytest.approx(1.0)  # the two runs rank the 4 the same
    assert noise["mean_abs_diff_between_gt_seeds"] == pytest.approx(np.mean([1.0, 2.5, 0.0, 4.0]))
    assert noise["reported_std"]["mean"] == pytest.approx(np.mean(STD)) and out["noise"] == noise
    import wsbench

    b = wsbench.open(store)
    assert "gt_score_std" not in b.gt_variables()  # a std is not a ground truth to rank by


def test_fractions_are_converted_and_json_and_tsv_read_alike(tmp_path):
    rows = table_rows(scale=0.01)
    p_json = tmp_path / "gt.json"
    p_json.write_text(json.dumps([dict(zip(("arch", "mean", "std", "run0", "run1"), r)) for r in rows]))
    p_cols = tmp_path / "cols.json"
    p_cols.write_text(json.dumps({k: [r[i] for r in rows] for i, k in enumerate(("arch", "mean", "std", "run0", "run1"))}))
    p_tsv = write_csv(tmp_path / "gt.tsv", rows, sep="\t")
    for p in (p_json, p_cols, p_tsv):
        gt = load_table(p, space="nb201", arch_col="arch", mean_col="mean", std_col="std", run_cols=["run0", "run1"],
                        metric="accuracy", unit="fraction")
        assert [gt.mean(a) for a in ARCHS] == pytest.approx(MEAN)
        assert [gt.reported_std[a] for a in ARCHS] == pytest.approx(STD)
        assert gt.source["converted"].startswith("values x 100")


def test_mean_only_table_leaves_per_seed_out_and_says_why_no_seed_noise(tmp_path):
    store = scored_store(tmp_path / "s.zarr")
    csv = write_csv(tmp_path / "gt.csv", [[a, m, s] for a, m, s in zip(ARCHS, MEAN, STD)], header=("arch", "mean", "std"))
    assert builders_main(["import-gt", "table", str(csv), *ARGS, "--unit", "percent", "--store", str(store)]) == 0
    ds = open_store(store)
    assert "gt_score_per_seed" not in ds and validate(ds) == []
    assert ds.attrs["gt_noise"]["kendall_tau_between_gt_seeds"] is None
    assert ds.attrs["gt_noise"]["reported_std"]["archs"] == 4


def test_mean_of_runs_when_no_mean_column(tmp_path):
    csv = write_csv(tmp_path / "gt.csv", table_rows())
    gt = load_table(csv, space="nb201", arch_col="arch", run_cols=["run0", "run1"], metric="accuracy", unit="percent")
    assert [gt.mean(a) for a in ARCHS] == pytest.approx([np.mean(r) for r in RUNS])


OTHER = get_space("nb201").sample(5, seed=7)[4]


@pytest.mark.parametrize(("rows", "extra", "says"), [
    (table_rows(scale=0.01), ["--unit", "percent"], "which reads as fractions, not percent; pass --unit fraction"),
    (table_rows(), ["--unit", "fraction"], "exceed 1, so they are not fractions; pass --unit percent"),
    (table_rows(), [], "--unit must be one of ['percent', 'fraction'] for accuracy"),
    ([[ARCHS[0], 170.0, 1, 170, 170], *table_rows()[1:]], ["--unit", "percent"], "must lie in [0, 100]"),
    ([[ARCHS[0], 70.5, -1, 70, 71], *table_rows()[1:]], ["--unit", "percent"], "std -1 is negative"),
    ([["|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", 1, 1, 1, 1], *table_rows()], ["--unit", "percent"],
     "row 1: nb201: unknown op 'conv'"),
    ([*table_rows(), [ARCHS[1], 50, 1, 50, 50]], ["--unit", "percent"], "rows 2 and 5 are one architecture"),
    ([*table_rows()[:3], [ARCHS[3], "n/a", 1, 10, 10]], ["--unit", "percent"], "row 4: column 'mean' holds 'n/a'"),
    ([*table_rows()[:3], [ARCHS[3], "", 1, 10, 10]], ["--unit", "percent"], "row 4: column 'mean' is empty"),
    ([*table_rows()[:3], [OTHER, 10, 2, 8, 12]], ["--unit", "percent"], "the table lacks 1 of the store's 4"),
    (table_rows(), ["--unit", "percent", "--run-cols", "run0,run2"], "has no column 'run2'"),
    ([[ARCHS[0], 75.0, 1, 70, 71], *table_rows()[1:]], ["--unit", "percent", "--run-cols", "run0,run1"],
     "the mean 75 lies outside its runs"),
    (table_rows(), ["--unit", "percent", "--metric", "perplexity"], "--metric perplexity but"),
])
def test_a_bad_table_is_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, rows, extra, says):
    store = scored_store(tmp_path / "s.zarr")
    before = {p: p.read_bytes() for p in store.rglob("*") if p.is_file()}
    csv = write_csv(tmp_path / "gt.csv", rows)
    assert builders_main(["import-gt", "table", str(csv), *ARGS, *extra, "--store", str(store)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and err.count("\n") == 1, err
    assert {p: p.read_bytes() for p in store.rglob("*") if p.is_file()} == before


def test_partial_table_with_flag_leaves_the_rest_unknown(tmp_path):
    store = scored_store(tmp_path / "s.zarr", archs=[*ARCHS, OTHER])
    csv = write_csv(tmp_path / "gt.csv", table_rows())
    assert builders_main(["import-gt", "table", str(csv), *ARGS, "--unit", "percent", "--partial",
                          "--store", str(store)]) == 0
    ds = open_store(store)
    assert np.isnan(ds["gt_score"].values[4]) and np.isnan(ds["gt_score_std"].values[4]) and validate(ds) == []


def test_validate_checks_gt_score_std_and_flags_fraction_accuracy(tmp_path):
    gt = np.array(MEAN)
    make_store(tmp_path / "ok.zarr", archs=ARCHS, gt=gt)
    w = StoreWriter.resume(tmp_path / "ok.zarr")
    w.ensure_arch_variable("gt_score_std")
    w.write_arch_values("gt_score_std", np.array([0.5, -1.0, np.nan, 2.0]))
    with pytest.raises(SchemaError) as e:  # finalize validates: every problem at once
        w.finalize()
    assert "gt_score_std must be finite wherever gt_score is known; 1 subnet(s)" in str(e.value)
    assert "gt_score_std must lie in [0, 100]" in str(e.value)
    w.write_arch_values("gt_score_std", np.array([0.5, 1.0, 0.0, 2.0]))
    w.finalize()
    assert validate(open_store(tmp_path / "ok.zarr")) == []
    with pytest.raises(SchemaError, match="gt_score: every value lies in .0, 1. .max 0.88., which reads as fractions"):
        make_store(tmp_path / "frac.zarr", archs=ARCHS, gt=gt / 100)


def test_load_table_needs_a_mean_or_runs(tmp_path):
    csv = write_csv(tmp_path / "gt.csv", table_rows())
    with pytest.raises(OptionError, match="give --mean-col"):
        load_table(csv, space="nb201", arch_col="arch", metric="accuracy", unit="percent")


def test_a_scored_store_without_ground_truth_says_that_attaching_it_is_the_fix(tmp_path):
    from cli_invoke import invoke

    import wsbench
    from wsbench.errors import IncompleteStoreError

    store = scored_store(tmp_path / "s.zarr")
    with pytest.raises(IncompleteStoreError, match="every subnet is scored but it has no ground truth yet; attach "
                                                   "ground truth with python -m builders import-gt SOURCE FILE"):
        wsbench.open(store)
    res = invoke(["validate", str(store), "--json"])
    assert res.exit_code == 1
    problems = json.loads(res.stdout)["problems"]
    assert problems[0].startswith("the store is incomplete: every subnet is scored but it has no ground truth yet")
    assert "import-gt table FILE.csv" in problems[0]
