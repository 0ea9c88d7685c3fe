"""Ground-truth tables of whole spaces (wsbench/gt_table.py, catalog/gt/, builders/groundtruth/space_tables.py) and
`wsbench evaluate` of architectures outside a dataset against them.

Tiny tables are written by the project's own writer; the bundled ones are checked against the bundled datasets
(values equal where both hold an architecture) and, where the sources are on this machine (../shared, the
AnalogNAS-Bench wheel), rebuilt byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED
from factory import make_store

import wsbench
from wsbench.errors import OptionError, SchemaError
from wsbench.gt_catalog import read_gt_catalog, resolve_table, table_for
from wsbench.gt_table import open_table, table_problems, write_table
from wsbench.spaces import get_space
from wsbench.stats import kendall

ROOT = Path(__file__).resolve().parents[1]
WHEEL = Path("/work/state/anb/analog_nasbench-0.1.3-py3-none-any.whl")
SOURCES = {"gt-nb201-analognas": WHEEL,
           "gt-macro-nas-bench-macro": SHARED / "gt" / "nas-bench-macro" / "nas-bench-macro_cifar10.json",
           "gt-nb101-naslib": SHARED / "gt" / "naslib" / "zc_nasbench101.json",
           "gt-darts-nb301": SHARED / "gt" / "naslib" / "zc_nasbench301.json"}
ATTRS = {"metric": "accuracy", "metric_direction": "max", "gt_kind": "made up for a test", "coverage": "a few cells",
         "gt_source": {"kind": "test"}, "license": "CC0-1.0", "citation": "none"}


def tiny_table(path: Path, archs: list[str], gt: np.ndarray, runs: np.ndarray | None = None) -> Path:
    return write_table(path, space="nb201", archs=archs, gt_score=np.asarray(gt, np.float32), attrs=ATTRS,
                       per_seed=runs, gt_seeds=None if runs is None else list(range(len(runs))))


# -- the format ----------------------------------------------------------------------------------------------------

def test_a_tiny_table_round_trips_and_validates(tmp_path: Path):
    sp = get_space("nb201")
    archs = sp.sample(40, seed=3)
    runs = np.random.default_rng(0).uniform(10, 90, size=(2, 40)).astype(np.float32)
    gt = runs.astype(np.float64).mean(axis=0)
    p = tiny_table(tmp_path / "t.zip", archs, gt, runs)
    assert table_problems(p) == []
    t = open_table(p)
    assert t.strings() == archs and t.n_archs == 40
    assert np.array_equal(t.gt("gt_score"), gt.astype(np.float32))
    assert t.gt_trainings()[0] == [0, 1] and np.array_equal(t.gt("gt_score_per_seed:1"), runs[1])
    assert list(t.function_ids()[0]) == sp.function_ids(archs)
    res = subprocess.run([sys.executable, "-m", "wsbench", "validate", str(p)], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("case", ["repeat", "nan", "runs", "range"])
def test_a_bad_table_is_refused_and_nothing_is_left_under_its_name(tmp_path: Path, case: str):
    archs = get_space("nb201").sample(10, seed=1)
    gt, runs = np.linspace(50, 60, 10), None
    want = {"repeat": "repeated", "nan": "NaN", "runs": "mean of gt_score_per_seed", "range": "must lie in"}[case]
    if case == "repeat":
        archs = archs[:9] + archs[:1]
    elif case == "nan":
        gt[3] = np.nan
    elif case == "runs":
        runs = np.stack([gt, gt + 2.0])
    else:
        gt[0] = 140.0
    with pytest.raises(SchemaError, match=want):
        tiny_table(tmp_path / "bad.zip", archs, gt, runs)
    assert not (tmp_path / "bad.zip").exists() and list(tmp_path.iterdir()) == []


def test_a_dataset_store_is_not_a_table(store_zip: Path):
    assert "not a ground-truth table" in table_problems(store_zip)[0]


# -- the catalog and the bundled tables ----------------------------------------------------------------------------

def test_every_table_entry_parses_and_its_bundled_file_is_the_one_named():
    from wsbench.catalog import load_catalog
    from wsbench.fetch import bundled_dir, sha256_of

    entries, problems = read_gt_catalog()
    assert problems == [] and set(entries) == set(SOURCES)
    datasets = load_catalog()
    for e in entries.values():
        f = e.store_file
        path = bundled_dir() / f.filename
        assert f.bundled and path.stat().st_size == f.bytes and sha256_of(path) == f.sha256, e.name
        assert resolve_table(e, download_missing=False) == path
        t = open_table(path, e.name)
        assert (t.space, t.n_archs, t.metric) == (e.space, e.archs, e.metric)
        assert t.attrs["license"] == e.license and t.attrs["citation"] == e.citation and e.license
        for d in e.datasets:
            assert datasets[d].space == e.space and table_for(d) == e
    assert table_for("darts-ptb") is None  # no public ground truth beyond its own cells


def test_the_nb201_table_is_the_whole_space_with_its_function_ids():
    t = open_table(resolve_table(read_gt_catalog()[0]["gt-nb201-analognas"]))
    sp = get_space("nb201")
    assert sorted(t.strings()) == sorted(sp.enumerate())
    ids = [str(x) for x in t.arch_values("function_id")]
    assert ids == sp.function_ids(t.strings()) and len(set(ids)) == 6466
    assert len(set(get_space("macro").enumerate())) == open_table(
        resolve_table(read_gt_catalog()[0]["gt-macro-nas-bench-macro"])).n_archs == 3969


@pytest.mark.parametrize("dataset", ["nb201-cifar10", "macro-cifar10", "nb101-cifar10", "darts-cifar10"])
def test_the_tables_equal_the_datasets_ground_truth_where_both_hold_a_cell(dataset: str):
    b = wsbench.open(dataset)
    t = open_table(resolve_table(table_for(dataset)))
    at = {a: i for i, a in enumerate(t.strings())}
    pairs = [(i, at[str(a)]) for i, a in enumerate(b.arch_values("arch_string")) if str(a) in at]
    i, j = (np.array(x) for x in zip(*pairs))
    mine, theirs = b._read("gt_score")[i], t.arch_values("gt_score")[j]
    differ = np.flatnonzero(mine != theirs)
    if dataset == "nb101-cifar10":
        # 292 cells in both; the dataset took one of them from NB101's raw records (gt_score = run 0) where the
        # table keeps NASLib's drawn repeat: that value is another of the dataset's own three runs of the cell
        assert len(pairs) == 292 and len(differ) == 1
        runs = b._read("gt_score_per_seed")[:, i[differ[0]]]
        assert theirs[differ[0]] in runs and mine[differ[0]] == runs[0]
    else:
        assert len(pairs) == b.n_archs and len(differ) == 0
    if "gt_score_per_seed" in t.reader.meta.arrays:
        assert np.array_equal(b._read("gt_score_per_seed")[:, i], t.reader.read("gt_score_per_seed")[:, j])


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_builder_rebuilds_each_bundled_table_byte_for_byte(name: str, tmp_path: Path):
    if not SOURCES[name].is_file():
        pytest.skip(f"{SOURCES[name]} not available")
    from builders.groundtruth.space_tables import build_table, catalog_text

    path = build_table(name, SOURCES[name], tmp_path)
    entry = read_gt_catalog()[0][name]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.store_file.sha256
    assert catalog_text(name, path) == entry.source.read_text(encoding="utf-8")


# -- evaluate against a table --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pool_and_table(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str], np.ndarray]:
    """A 30-subnet nb201 store and a 90-cell table holding 25 of its subnets (same GT) and 65 other cells."""
    d = tmp_path_factory.mktemp("gt")
    sp = get_space("nb201")
    cells = sp.sample(100, seed=7)
    gt = np.round(np.random.default_rng(7).uniform(20, 95, size=100), 2).astype(np.float32)
    store = make_store(d / "pool.zarr", archs=cells[:30], gt=gt[:30].astype(np.float64), n=30)
    table = tiny_table(d / "table.zip", cells[5:95], gt[5:95])
    return store, table, cells, gt


def test_scores_outside_the_dataset_are_evaluated_against_the_table(pool_and_table):
    store, table, cells, gt = pool_and_table
    rng = np.random.default_rng(1)
    scored = list(range(10, 60))  # 20 subnets of the store (all in the table), 30 cells outside it
    score = gt[scored] + rng.normal(0, 8, size=len(scored))
    r = wsbench.evaluate({cells[i]: float(x) for i, x in zip(scored, score)}, store, higher_is_better=True,
                         name="mine", gt_table=table)
    o = r.options
    assert (o["scored"], o["subnets"], o["outside_dataset"], o["gt_table"]) == (50, 20, 30, "table.zip")
    rows = {x["ranking"]: x for x in r.summary}
    assert rows["mine (table)"]["n"] == 50 and rows["mine"]["n"] == 20 and rows["supernet (last epoch)"]["n"] == 20
    assert rows["mine (table)"]["kendall_mean"] == pytest.approx(kendall(score, gt[scored]))
    assert rows["mine"]["kendall_mean"] == pytest.approx(kendall(score[:20], gt[10:30]))
    assert rows["mine (table)"]["best_gt@1_mean"] == pytest.approx(float(gt[scored][np.argmax(score)]))
    assert rows["random (table)"]["n"] == 50 and rows["random"]["n"] == 20
    assert any("50 architectures scored, 30 of them outside" in n for n in r.notes)
    # without the table they are unknown, as before
    with pytest.raises(Exception, match="30 of 50 rows"):
        wsbench.evaluate({cells[i]: float(x) for i, x in zip(scored, score)}, store, higher_is_better=True,
                         gt_table="none")


def test_subnets_the_table_lacks_and_cells_nobody_holds(pool_and_table):
    store, table, cells, _ = pool_and_table
    scores = {cells[i]: float(i) for i in (0, 1, 2, 40, 41, 42, 43)}  # 0-4: the store's only; 40+: the table's only
    r = wsbench.evaluate(scores, store, higher_is_better=True, name="mine", gt_table=table)
    rows = {x["ranking"]: x for x in r.summary}
    assert rows["mine"]["n"] == 3 and rows["mine (table)"]["n"] == 4
    assert any("3 of the subnets scored are not in the ground-truth table" in n for n in r.notes)
    nobody = get_space("nb201").format(get_space("nb201").parse(cells[99]))
    with pytest.raises(Exception, match=r"1 of 8 rows .* nor architectures of its ground-truth table"):
        wsbench.evaluate({**scores, nobody: 1.0}, store, higher_is_better=True, gt_table=table)
    r = wsbench.evaluate({**scores, nobody: 1.0}, store, higher_is_better=True, gt_table=table, drop_unknown=True)
    assert r.options["dropped_unknown"] == 1


def test_no_subnet_of_the_dataset_scored_gives_the_table_row_alone(pool_and_table):
    store, table, cells, gt = pool_and_table
    r = wsbench.evaluate({cells[i]: float(gt[i]) for i in range(40, 80)}, store, higher_is_better=True,
                         gt_table=table)
    assert [x["ranking"] for x in r.summary] == ["scores (table)", "random (table)"]
    assert r.summary[0]["kendall_mean"] == pytest.approx(1.0)
    assert any("no side-by-side" in n for n in r.notes)


def test_a_table_of_another_space_or_a_missing_one_is_an_error(pool_and_table, tmp_path: Path):
    store, _table, cells, _gt = pool_and_table
    macro = write_table(tmp_path / "m.zip", space="macro", archs=get_space("macro").sample(5, seed=0),
                        gt_score=np.full(5, 50.0, np.float32), attrs=ATTRS)
    with pytest.raises(OptionError, match="macro table"):
        wsbench.evaluate({cells[0]: 1.0}, store, higher_is_better=True, gt_table=macro)
    with pytest.raises(OptionError, match="neither auto, none"):
        wsbench.evaluate({cells[0]: 1.0}, store, higher_is_better=True, gt_table=tmp_path / "nope.zip")


def test_a_table_named_in_a_catalog_is_downloaded_and_verified(pool_and_table, tmp_path: Path):
    """A table that is not bundled: fetched over real HTTP, its sha256 checked, then used by the CLI."""
    from http_server import Server

    store, table, cells, _gt = pool_and_table
    data = table.read_bytes()
    scores = tmp_path / "s.csv"
    scores.write_text("arch,score\n" + "".join(f"{cells[i]},{i}\n" for i in range(20, 70)))
    env = {**os.environ, "WSBENCH_CATALOG": str(tmp_path / "cat"), "WSBENCH_DATA": str(tmp_path / "cache")}
    with Server(b"", files={"t.zip": data}) as server:
        (tmp_path / "cat" / "gt").mkdir(parents=True)
        (tmp_path / "cat" / "gt" / "gt-test.toml").write_text(
            'name = "gt-test"\nversion = "1"\nspace = "nb201"\ntitle = "t"\ngt_kind = "k"\ncoverage = "c"\n'
            'archs = 90\nmetric = "accuracy"\nmetric_direction = "max"\ndatasets = []\nlicense = "CC0-1.0"\n'
            f'citation = "c"\n\n[[files]]\nfilename = "gt-test-1.zip"\nurl = "{server.url}/t.zip"\n'
            f'sha256 = "{hashlib.sha256(data).hexdigest()}"\nbytes = {len(data)}\n')
        cmd = [sys.executable, "-m", "wsbench", "evaluate", str(scores), "--space", str(store), "--gt-table",
               "gt-test", "--higher-is-better", "--json"]
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert res.returncode == 0, res.stderr
        assert server.hits["t.zip"] == 1
    got = json.loads(res.stdout)
    assert got["options"]["gt_table"] == "gt-test" and got["options"]["scored"] == 50
    assert (tmp_path / "cache" / "gt-test" / "1" / "gt-test-1.zip").read_bytes() == data


def test_schema_md_names_every_variable_and_attribute_and_the_sizes_of_the_bundled_tables():
    import re

    from wsbench.gt_table import REQUIRED_ATTRS, VARIABLES

    doc = (ROOT / "docs" / "schema.md").read_text().split("## Ground-truth tables", 1)[1]
    for name in [*VARIABLES, *REQUIRED_ATTRS, "kind", "table_version", "complete"]:
        assert f"`{name}`" in doc, name
    shown = {m[0]: int(m[1].replace(",", "")) for m in re.findall(r"^\| `(gt-[a-z0-9-]+)` \|.*?\| ([\d,]+) \|", doc,
                                                                   re.MULTILINE)}
    assert shown == {n: e.store_file.bytes for n, e in read_gt_catalog()[0].items()}


def test_top_k_of_more_than_1000_architectures_is_over_all_of_them(tmp_path: Path):
    """Not `wsbench topk`'s default samples of 1,000: the best GT among the top-k of everything scored."""
    sp = get_space("nb201")
    cells = list(sp.enumerate())[:1500]
    gt = np.round(np.random.default_rng(5).uniform(20, 95, size=1500), 3)
    store = make_store(tmp_path / "pool.zarr", archs=cells[:30], gt=gt[:30], n=30)
    table = tiny_table(tmp_path / "t.zip", cells, gt)
    score = gt + np.random.default_rng(6).normal(0, 10, size=1500)
    r = wsbench.evaluate(dict(zip(cells, score.tolist())), store, higher_is_better=True, gt_table=table, k="1,10")
    row = next(x for x in r.summary if x["ranking"] == "scores (table)")
    assert row["n"] == 1500 and row["best_gt@1_mean"] == pytest.approx(float(gt[np.argmax(score)]), abs=1e-4)
    assert row["best_gt@10_mean"] == pytest.approx(float(gt[np.argsort(-score)[:10]].max()), abs=1e-4)


def test_a_checkpoint_that_scores_only_cells_outside_the_dataset_is_left_out_of_the_side_by_side(pool_and_table):
    store, table, cells, _gt = pool_and_table
    scores = tuple({"arch": cells[i], "score": float(i), "epoch": 1, "seed": 0} for i in range(10, 60))
    scores += tuple({"arch": cells[i], "score": float(-i), "epoch": 2, "seed": 0} for i in range(40, 90))
    import pandas as pd

    r = wsbench.evaluate(pd.DataFrame(scores), store, higher_is_better=True, gt_table=table, epoch="all")
    rows = {x["ranking"]: x for x in r.summary}
    assert rows["scores (table)"]["epoch"] == "1,2" and rows["scores"]["epoch"] == 1 and rows["scores"]["n"] == 20


def test_a_corrupted_or_foreign_table_is_one_clear_error(pool_and_table, tmp_path: Path):
    import zipfile

    store, table, cells, _gt = pool_and_table
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(table) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "gt_score/c/0":
                data = data[:10] + bytes(b ^ 0xFF for b in data[10:40]) + data[40:]  # not gzip any more
            dst.writestr(info, data)
    assert table_problems(bad)
    with pytest.raises(SchemaError):
        open_table(bad)
    scores = tmp_path / "s.csv"
    scores.write_text("arch,score\n" + "".join(f"{cells[i]},{i}\n" for i in range(20, 40)))
    for path in (bad, store):  # a damaged table; a dataset store given as a table
        res = subprocess.run([sys.executable, "-m", "wsbench", "evaluate", str(scores), "--space", str(store),
                              "--higher-is-better", "--gt-table", str(path)], capture_output=True, text=True,
                             check=False)
        assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert "Traceback" not in res.stderr


def test_another_ground_truth_than_the_tables_is_said_and_never_silent(tmp_path: Path):
    """A GT training the dataset has and the table (one value per cell) has not: the table row is left out, said."""
    cells = get_space("nb201").sample(60, seed=9)
    store = make_store(tmp_path / "pool.zarr", archs=cells[:30], n=30, gt_seeds=(0, 1))
    table = tiny_table(tmp_path / "t.zip", cells, np.linspace(20, 90, 60))
    r = wsbench.evaluate({cells[i]: float(i) for i in range(20, 50)}, store, higher_is_better=True, gt_table=table,
                         gt="gt_score_per_seed:1")
    assert r.summary[0]["ranking"] == "scores" and any("has no gt_score_per_seed:1" in n for n in r.notes)
    with pytest.raises(OptionError, match="has no gt_score_per_seed:1"):
        wsbench.evaluate({cells[i]: float(i) for i in range(40, 60)}, store, higher_is_better=True, gt_table=table,
                         gt="gt_score_per_seed:1")


def test_list_gt_tables_names_each_table_with_its_coverage_licence_and_citation():
    """`wsbench list --gt-tables`: every catalog table, bundled here, with the datasets it serves, its licence and
    citation (--json); the table at 80 columns names them all and says what --wide adds."""
    from cli_invoke import invoke

    from wsbench.gt_catalog import read_gt_catalog

    entries, problems = read_gt_catalog()
    assert not problems
    got = json.loads(invoke(["list", "--gt-tables", "--json"]).stdout)
    assert [r["name"] for r in got] == list(entries)
    for r in got:
        e = entries[r["name"]]
        assert (r["space"], r["archs"], r["datasets"], r["license"], r["citation"], r["where"]) == \
            (e.space, e.archs, list(e.datasets), e.license, e.citation, "bundled")
        assert r["license"] and r["citation"] and Path(r["file"]).is_file()
    text = invoke(["list", "--gt-tables"], env={"COLUMNS": "80"}).stdout
    assert all(name in text for name in entries) and "license, citation" in " ".join(text.split())
