"""``wsbench export`` and the readers of docs/schema.md: every exported value read back (pandas, xarray, pyarrow,
NASLib's importer) equals the store's as zarr-python reads it, on every bundled dataset and on tiny stores written
by the real writer with every optional variable; per-array attributes of new stores; which Zarr implementations
read which arrays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_invoke import invoke as run_cli
from conftest import SHARED
from factory import make_store, provenance

import wsbench
from wsbench.schema import DIRECTION_WORDS, variable_attrs
from wsbench.spaces import get_space
from wsbench.store import StoreWriter, validate_path

ROOT = Path(__file__).resolve().parents[1]
LISTING = json.loads(run_cli(["list", "--json"]).stdout)
BUNDLED = {e["name"]: e["file"] for e in LISTING if e["where"] == "bundled"}
NASLIB = SHARED / "gt" / "naslib"


def invoke(*args: str):
    return run_cli(list(args), env={"COLUMNS": "100"})


@pytest.fixture(scope="module")
def full_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny nb201 store with every optional variable: prune dim, supernet_loss, GT per seed, its std, an extra
    GT, proxies (one lower-is-better), function_id, and NaN holes in each (never a whole slice)."""
    d = tmp_path_factory.mktemp("full")
    rng = np.random.default_rng(7)
    archs = get_space("nb201").sample(14, seed=3)
    n = len(archs)
    attrs = provenance(proxies={"synflow": {"larger_is_better": True}, "grasp": {"larger_is_better": False}},
                       sampler={"kind": "synthetic", "prune_runs": [{"mode": "none", "factor": 0.0},
                                                                    {"mode": "optimistic", "factor": 0.5}]})
    w = StoreWriter.create(d / "full.zarr", space="nb201", archs=archs, epochs=[1, 3], seeds=[0, 5],
                           gt_seeds=[10, 11], prune=[0.0, 0.5], prune_modes=["none", "optimistic"], extra_gt=["mini"],
                           losses=True, attrs=attrs)
    for p in (0.0, 0.5):
        for s in (0, 5):
            for e in (1, 3):
                sc = rng.uniform(10, 90, n).astype(np.float32)
                loss = rng.uniform(0.1, 2.5, n).astype(np.float32)
                hole = rng.random(n) < 0.2
                hole[0] = False
                sc[hole], loss[hole] = np.nan, np.nan
                w.write_supernet(seed=s, epoch=e, prune=p, scores=sc, loss=loss)
    gt = rng.uniform(50, 95, n)
    gt[[2, 9]] = np.nan
    w.write_arch_values("gt_score", gt)
    w.ensure_arch_variable("gt_score_std")
    std = rng.uniform(0, 1, n)
    std[[2, 9]] = np.nan
    w.write_arch_values("gt_score_std", std)
    w.write_arch_values("gt_score_mini", np.where(rng.random(n) < 0.3, np.nan, rng.uniform(40, 90, n)))
    for g in (10, 11):
        w.write_gt_seed(g, np.where(rng.random(n) < 0.3, np.nan, rng.uniform(50, 95, n)))
    w.write_arch_values("params", rng.uniform(1e4, 1e6, n).round())
    w.write_arch_values("flops", rng.uniform(1e6, 1e8, n) / 3)  # float64 with every bit used
    for proxy in ("synflow", "grasp"):
        w.ensure_arch_variable(f"proxy_{proxy}")
        w.write_arch_values(f"proxy_{proxy}", np.where(rng.random(n) < 0.25, np.nan, rng.normal(0, 100, n)))
    return w.finalize(zip_path=d / "full.zip")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tests' usual tiny store (factory.make_store), a folder with two GT seeds."""
    return make_store(tmp_path_factory.mktemp("small") / "nb201.zarr", n=30, gt_seeds=(0, 1))


def stores(request: pytest.FixtureRequest, which: str) -> Path:
    if which in BUNDLED:
        return Path(BUNDLED[which])
    return request.getfixturevalue(which)


STORES = [*sorted(BUNDLED), "full_store", "small_store"]


def zarr_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict, dict[str, tuple[str, ...]]]:
    """Every array, the group attributes and each array's dims, read by plain zarr-python (not wsbench)."""
    import zarr

    store = zarr.storage.ZipStore(path, mode="r") if path.is_file() else str(path)
    g = zarr.open_group(store, mode="r")
    arrays, dims = {}, {}
    for name in g.array_keys():
        a = g[name]
        arrays[name] = a[...]
        dims[name] = tuple(a.metadata.dimension_names)
    return arrays, dict(g.attrs), dims


def expected_table(path: Path, runs: str = "control") -> dict[str, np.ndarray]:
    """The long table worked out from zarr-python's arrays: row r is the r-th value of supernet_score in C order
    (runs="control", in a store of prune runs: of the run whose prune_mode is none)."""
    arrays, _, dims = zarr_arrays(path)
    sn, sn_dims = arrays["supernet_score"], dims["supernet_score"]
    like = {n: arrays[n] for n in ("supernet_loss", "finetune_score", "finetune_loss") if n in arrays}
    if "prune" in sn_dims and runs == "control":
        control = [str(m) for m in arrays["prune_mode"]].index("none")
        sn, sn_dims = sn[control], sn_dims[1:]
        like = {n: a[control] for n, a in like.items()}
    at = np.indices(sn.shape).reshape(sn.ndim, -1)  # each row's (prune,) seed, epoch, arch indices
    arch = at[-1]
    archs = np.asarray([str(a) for a in arrays["arch_string"]], dtype=object)
    out: dict[str, np.ndarray] = {"arch": archs[arch], "arch_index": arch}
    if "function_id" in arrays:
        out["function_id"] = np.asarray([str(a) for a in arrays["function_id"]], dtype=object)[arch]
    for k, dim in enumerate(sn_dims[:-1]):
        out[dim] = arrays[dim][at[k]]
        if dim == "prune":
            out["prune_mode"] = np.asarray([str(m) for m in arrays["prune_mode"]], dtype=object)[at[k]]
    out["supernet_score"] = sn.reshape(-1)
    for name, a in like.items():
        out[name] = a.reshape(-1)
    for name in ("gt_score", "gt_score_std"):
        if name in arrays:
            out[name] = arrays[name][arch]
    if "gt_score_per_seed" in arrays:
        for j, g in enumerate(arrays["gt_seed"]):
            out[f"gt_score_per_seed_{int(g)}"] = arrays["gt_score_per_seed"][j][arch]
    rest = sorted(n for n in arrays if n.startswith("gt_score_") and dims[n] == ("arch",) and n != "gt_score_std")
    rest += [n for n in ("params", "flops", "params_paper", "flops_paper") if n in arrays]
    rest += sorted(n for n in arrays if n.startswith("proxy_"))
    for name in rest:
        out[name] = arrays[name][arch]
    return out


def assert_same_table(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    """Same columns in the same order; each value equal once cast to the store's dtype; NaN exactly where the store
    has NaN."""
    assert list(got) == list(want)
    for name, w in want.items():
        g = got[name]
        assert len(g) == len(w), name
        if w.dtype.kind == "f":
            g = np.asarray(g, dtype=np.float64)
            assert np.array_equal(np.isnan(g), np.isnan(w)), f"{name}: NaN positions differ"
            assert np.array_equal(g.astype(w.dtype), w, equal_nan=True), name
        elif w.dtype.kind in "iu":
            assert np.array_equal(np.asarray(g, dtype=np.int64), w.astype(np.int64)), name
        else:
            assert [str(x) for x in g] == [str(x) for x in w], name


def read_back(path: Path, fmt: str) -> dict[str, np.ndarray]:
    import pandas as pd

    text = {"arch": str, "function_id": str}  # macro's strings are digits: read as numbers, 02022000 loses its 0
    if fmt == "csv":
        df = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
    elif fmt == "json":
        df = pd.read_json(path, dtype=text, precise_float=True)
    else:
        df = pd.read_parquet(path)
    return {c: df[c].to_numpy() for c in df.columns}


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
@pytest.mark.parametrize("which", STORES)
def test_the_exported_table_read_back_equals_the_store(which: str, fmt: str, tmp_path: Path,
                                                       request: pytest.FixtureRequest):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    path = stores(request, which)
    out = tmp_path / f"t.{fmt}"
    res = invoke("export", str(path), "--format", fmt, "--out", str(out))
    assert res.exit_code == 0, res.output
    want = expected_table(path)
    assert_same_table(read_back(out, fmt), want)
    assert f"{len(want['arch']):,} rows x {len(want)} columns" in res.stdout
    assert os.listdir(tmp_path) == [out.name]  # no temp file left beside it


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_run_of_a_store_of_prune_runs_when_asked(full_store: Path, fmt: str, tmp_path: Path):
    """Default: the control run, as every statistic reads it (and says so); --runs all: every run, NaN where a run
    has no score, with the prune and prune_mode columns."""
    plain, every = tmp_path / f"c.{fmt}", tmp_path / f"a.{fmt}"
    res = invoke("export", str(full_store), "--format", fmt, "--out", str(plain))
    assert res.exit_code == 0 and "the control supernets only" in res.stdout and "--runs all adds the 1 " in res.stdout
    assert "prune_mode" not in read_back(plain, fmt)
    res = invoke("export", str(full_store), "--format", fmt, "--out", str(every), "--runs", "all")
    assert res.exit_code == 0, res.output
    got = read_back(every, fmt)
    assert_same_table(got, expected_table(full_store, runs="all"))
    assert set(got["prune_mode"]) == {"none", "optimistic"} and len(got["arch"]) == 2 * 2 * 2 * 14
    bad = invoke("export", str(full_store), "--runs", "some", "--out", str(tmp_path / "x.csv"))
    assert bad.exit_code != 0 and "some" in bad.output and not (tmp_path / "x.csv").exists()


def test_the_full_store_table_has_every_optional_column(full_store: Path, tmp_path: Path):
    from wsbench.export import table

    t = table(wsbench.open(full_store), runs="all")
    assert [c.name for c in t.columns] == [
        "arch", "arch_index", "function_id", "prune", "prune_mode", "seed", "epoch", "supernet_score",
        "supernet_loss", "gt_score", "gt_score_std", "gt_score_per_seed_10", "gt_score_per_seed_11", "gt_score_mini", "params",
        "flops", "proxy_grasp", "proxy_synflow"]
    assert t.n_rows == 2 * 2 * 2 * 14
    d = t.to_dict()
    assert np.isnan(d["supernet_score"]).any() and np.isnan(d["gt_score"]).any()
    assert d["supernet_score"].dtype == np.float32 and d["params"].dtype == np.float64


def test_parquet_carries_the_dtypes_attributes_and_nulls(full_store: Path, tmp_path: Path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "f.parquet"
    assert invoke("export", str(full_store), "--format", "parquet", "--out", str(out)).exit_code == 0
    t = pq.read_table(out)
    attrs = wsbench.open(full_store).attrs
    assert json.loads(t.schema.metadata[b"wsbench"])["attrs"] == attrs
    sn = t.schema.field("supernet_score")
    assert str(sn.type) == "float" and sn.metadata[b"direction"] == b"higher_is_better"
    assert t.schema.field("proxy_grasp").metadata[b"direction"] == b"lower_is_better"
    assert t.schema.field("supernet_loss").metadata[b"direction"] == b"lower_is_better"
    assert t.column("supernet_score").null_count == int(np.isnan(expected_table(full_store)["supernet_score"]).sum())


@pytest.mark.parametrize("which", STORES)
def test_netcdf_holds_every_variable_its_attributes_and_the_flattened_ones(which: str, tmp_path: Path,
                                                                          request: pytest.FixtureRequest):
    import xarray as xr

    path = stores(request, which)
    out = tmp_path / "s.nc"
    res = invoke("export", str(path), "--format", "netcdf", "--out", str(out))
    assert res.exit_code == 0, res.output
    arrays, attrs, dims = zarr_arrays(path)
    with xr.open_dataset(out) as nc:
        assert set(map(str, nc.variables)) == set(arrays)
        for name, want in arrays.items():
            got = nc[name].values
            assert nc[name].dims == dims[name], name
            if want.dtype.kind == "f":
                assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True), name
            elif want.dtype.kind in "iu":
                assert np.array_equal(got, want), name
            else:
                assert [str(x) for x in got.tolist()] == [str(x) for x in want.tolist()], name
            for key, value in variable_attrs(name, attrs).items():
                got_attr = nc[name].attrs[key]
                assert (list(np.atleast_1d(got_attr)) if key == "flag_values" else got_attr) == value, (name, key)
        encoded = json.loads(nc.attrs["wsbench_json_attributes"])
        back = {k: json.loads(v) if k in encoded else v for k, v in nc.attrs.items()
                if k != "wsbench_json_attributes"}
        assert back == attrs
    if which == "darts-ptb":
        with xr.open_dataset(out) as nc:
            assert nc["supernet_score"].attrs["direction"] == "lower_is_better"
            assert nc["gt_score"].attrs["direction"] == "lower_is_better"


def test_new_stores_describe_every_array_as_export_derives_it(full_store: Path, small_store: Path):
    for path in (full_store, small_store):
        arrays, attrs, _ = zarr_arrays(path)
        import zarr

        store = zarr.storage.ZipStore(path, mode="r") if path.is_file() else str(path)
        g = zarr.open_group(store, mode="r")
        for name in arrays:
            assert dict(g[name].attrs) == variable_attrs(name, attrs), name  # writer and export agree
            assert g[name].attrs["long_name"]
        assert g["supernet_score"].attrs["units"] == "%"
        assert g["supernet_score"].attrs["direction"] == g["gt_score_per_seed"].attrs["direction"] == \
            DIRECTION_WORDS["max"]
        assert "direction" not in g["params"].attrs and g["params"].attrs["units"] == "1"
        assert wsbench.open(path).reader.meta.arrays["gt_score"].attrs["units"] == "%"  # the fast reader sees them
    g = zarr.open_group(zarr.storage.ZipStore(full_store, mode="r"), mode="r")
    assert g["proxy_grasp"].attrs["direction"] == "lower_is_better"  # from the proxies attribute
    assert g["choice"].attrs["flag_meanings"].split() == ["absent", *get_space("nb201").ops]


def test_a_perplexity_store_says_lower_is_better_on_its_arrays(tmp_path: Path):
    import xarray as xr

    n = 12
    gt = np.random.default_rng(0).uniform(60, 300, n)
    p = make_store(tmp_path / "ptb.zarr", space="darts-rnn", n=n, metric="perplexity", direction="min", gt=gt,
                   supernet=np.random.default_rng(1).uniform(80, 400, (3, 3, n)))
    ds = xr.open_zarr(p)
    assert ds["supernet_score"].attrs == {"long_name": "perplexity of the subnet with inherited supernet weights",
                                          "units": "1", "direction": "lower_is_better"}
    assert ds["gt_score"].attrs["direction"] == "lower_is_better"
    assert validate_path(p) == []


def _set_attrs(path: Path, name: str, **attrs) -> None:
    """Rewrite one array's attributes in a store folder (zarr-python; consolidated metadata too)."""
    import zarr

    g = zarr.open_group(str(path), mode="r+", use_consolidated=False)
    g[name].attrs.update(attrs)
    zarr.consolidate_metadata(str(path))


@pytest.mark.parametrize(("name", "attrs", "why"), [
    ("supernet_score", {"direction": "higher_is_better"}, "metric_direction makes it 'lower_is_better'"),
    ("gt_score", {"direction": "up"}, "direction must be one of"),
    ("params", {"direction": "higher_is_better"}, "is not a ranking"),
    ("flops", {"units": 1}, "attribute 'units' must be a string"),
])
def test_validate_checks_the_array_attributes_where_present(name: str, attrs: dict, why: str, tmp_path: Path):
    n = 10
    p = make_store(tmp_path / "s.zarr", n=n, metric="perplexity", direction="min",
                   gt=np.linspace(50, 200, n), supernet=np.full((3, 3, n), 120.0))
    assert validate_path(p) == []
    _set_attrs(p, name, **attrs)
    problems = validate_path(p)
    assert len(problems) == 1 and why in problems[0] and repr(name) in problems[0], problems
    res = invoke("validate", str(p))
    assert res.exit_code == 1 and why in " ".join(res.output.split())  # wrapped to the terminal


def test_old_stores_without_array_attributes_stay_valid():
    """Bundled stores written before arrays carried attributes (not re-issued) validate, as do the newer ones."""
    old = []
    for path in BUNDLED.values():
        arrays = wsbench.open(path).reader.meta.arrays
        if all(a.attrs == {} for a in arrays.values()):
            old.append(path)
        assert validate_path(path, level="structure") == []
    assert old and len(old) < len(BUNDLED)  # both kinds ship (nb201-cifar10-paper is the first newer one)


# -- the CLI around the files ------------------------------------------------------------------------------------
def test_export_refuses_to_overwrite_without_force(small_store: Path, tmp_path: Path):
    out = tmp_path / "t.csv"
    out.write_text("mine\n")
    res = invoke("export", str(small_store), "--out", str(out))
    assert res.exit_code == 1 and "exists; pass --force" in res.output and out.read_text() == "mine\n"
    res = invoke("export", str(small_store), "--out", str(out), "--force")
    assert res.exit_code == 0 and out.read_text().startswith("arch,arch_index,function_id,seed,epoch")


def test_export_to_stdout_is_the_file(small_store: Path, tmp_path: Path):
    out = tmp_path / "t.json"
    assert invoke("export", str(small_store), "--format", "json", "--out", str(out)).exit_code == 0
    res = invoke("export", str(small_store), "--format", "json", "--out", "-")
    assert res.exit_code == 0 and res.stdout == out.read_text()
    res = invoke("export", str(small_store), "--format", "netcdf", "--out", "-")
    assert res.exit_code == 1 and "binary" in res.output


def test_export_default_name_and_json_summary(small_store: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("export", str(small_store), "--format", "json", "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["written"] == "nb201.json" and (tmp_path / "nb201.json").is_file()
    assert summary["rows"] == 3 * 3 * 30 and summary["columns"][:2] == ["arch", "arch_index"]


@pytest.mark.parametrize(("args", "why"), [
    (["darts-ptb", "--format", "naslib"], "exists for the spaces darts, nb101, nb201; darts-ptb is a darts-rnn store"),
    (["macro-cifar10", "--format", "naslib"], "macro-cifar10 is a macro store"),
    (["no-such-dataset"], "unknown dataset"),
    (["nb201-cifar10", "--out", "."], "is a folder"),
])
def test_bad_exports_are_one_line_and_write_nothing(args: list[str], why: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("export", *args)
    assert res.exit_code == 1, res.output
    assert why in res.output and len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert os.listdir(tmp_path) == []


def test_parquet_without_pyarrow_says_how_to_install_it(small_store: Path, tmp_path: Path):
    """A real process in which ``import pyarrow`` fails (a None entry in sys.modules is how Python blocks one)."""
    code = ("import sys; sys.modules['pyarrow'] = None; from wsbench.cli.app import main; "
            f"sys.argv = ['wsbench', 'export', {str(small_store)!r}, '--format', 'parquet']; main()")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                       check=False)
    assert p.returncode == 1, p.stderr
    assert p.stderr.strip() == "error: Parquet export needs pyarrow, which is not installed: pip install pyarrow " \
                               "(or export --format csv or json, which need nothing more)"
    assert os.listdir(tmp_path) == []


def test_the_export_command_as_a_user_runs_it(tmp_path: Path):
    """The installed ``wsbench`` script in a real process, on a bundled dataset."""
    exe = Path(sys.executable).parent / "wsbench"
    p = subprocess.run([str(exe), "export", "darts-ptb", "--format", "csv"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=120, check=False)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "wrote darts-ptb.csv (csv, 3,600 rows x 13 columns)"
    header = (tmp_path / "darts-ptb.csv").read_text().splitlines()[0].split(",")
    assert header[:6] == ["arch", "arch_index", "seed", "epoch", "supernet_score", "supernet_loss"]


# -- NASLib's layout ---------------------------------------------------------------------------------------------
def test_naslib_encodings_are_the_importers_constants():
    from builders.groundtruth import analognas, naslib_zc
    from wsbench import export_naslib as en

    assert en.NB201_OPS == analognas.NASLIB_OPS and en.NB201_EDGES == analognas.ANALOG_EDGES
    assert {v: k for k, v in en.NB101_CODES.items()} == naslib_zc.NB101_OPS
    assert tuple(get_space("darts").ops) == naslib_zc.NB301_OPS
    assert en.BENCHMARKS == {v: k for k, v in {b: s for s, b in naslib_zc.BENCHMARKS.items()}.items()}


@pytest.mark.parametrize("space", ["nb201", "nb101", "darts"])
def test_every_naslib_key_decodes_to_its_architecture(space: str):
    """Encode with wsbench, decode with the builders' NASLib importer: the same canonical architecture, for 300
    sampled ones (nb101: graphs of every size, each key 56 numbers)."""
    import ast

    from builders.groundtruth.naslib_zc import key_to_arch
    from wsbench.export_naslib import naslib_key

    sp = get_space(space)
    archs = sp.sample(300, seed=11)
    for a in archs:
        key = naslib_key(space, a)
        assert sp.canonicalize(key_to_arch(space, ast.literal_eval(key))) == a
    if space == "nb101":
        sizes = {len(sp.spec(a)["ops"]) for a in archs}
        assert min(sizes) < 7 and all(len(ast.literal_eval(naslib_key(space, a))) == 56 for a in archs)


@pytest.mark.parametrize("name", ["nb201-cifar10", "nb101-cifar10", "darts-cifar10"])
def test_naslib_export_reads_back_through_the_naslib_importer(name: str, tmp_path: Path):
    """The exported file, read by ``python -m builders import-gt naslib-zc``'s loader, gives the store's GT and
    proxies for every subnet, and its supernet_score is the mean over seeds at the last epoch."""
    from builders.groundtruth.naslib_zc import load_naslib_zc

    out = tmp_path / "n.json"
    res = invoke("export", name, "--format", "naslib", "--out", str(out))
    assert res.exit_code == 0, res.output
    b = wsbench.open(name)
    space = b.attrs["space"]
    gt = load_naslib_zc(out, space=space)
    archs = [str(a) for a in b.arch_values("arch_string")]
    want = b.arch_values("gt_score")
    assert sorted(gt.scores) == sorted(archs)
    assert all(np.float32(gt.mean(a)) == want[i] for i, a in enumerate(archs))
    for proxy in (n for n in b.reader.meta.arrays if n.startswith("proxy_")):
        values = b.arch_values(proxy)
        got = gt.proxies.get(proxy[len("proxy_"):], {})
        assert set(got) == {a for i, a in enumerate(archs) if np.isfinite(values[i])}  # NaN: left out
        assert all(np.float32(got[a]) == values[i] for i, a in enumerate(archs) if a in got)
    sn = np.stack([b.score_fn("supernet")(s, b.epochs[-1]) for s in b.seeds]).mean(axis=0)
    records = json.loads(out.read_text())
    recs = next(iter(next(iter(records.values())).values()))
    assert len(recs) == len(archs)
    assert all(abs(r["supernet_score"] - sn[archs.index(r["arch"])]) < 1e-9 for r in recs.values())
    assert records["wsbench"]["dataset"] == name and records["wsbench"]["license"] == b.attrs["license"]


NASLIB_FILES = {"nb201-cifar10": "zc_nasbench201.json", "nb101-cifar10": "zc_nasbench101.json",
                "darts-cifar10": "zc_nasbench301.json"}


@pytest.mark.skipif(not NASLIB.is_dir(), reason="../shared/data/gt/naslib is not here")
def test_naslib_export_beside_naslibs_own_files_as_docs_schema_says(tmp_path: Path):
    """The comparison docs/schema.md reports, recomputed from NASLib's files."""
    import ast

    from builders.groundtruth.naslib_zc import key_to_arch

    found = {}
    for name, file in NASLIB_FILES.items():
        out = tmp_path / f"{name}.json"
        assert invoke("export", name, "--format", "naslib", "--out", str(out)).exit_code == 0
        bench, ours = next((k, v["cifar10"]) for k, v in json.loads(out.read_text()).items() if k != "wsbench")
        theirs = json.loads((NASLIB / file).read_text())[bench]["cifar10"]
        space = wsbench.open(name).attrs["space"]
        sp = get_space(space)
        by_arch = {}
        for k, v in theirs.items():
            by_arch.setdefault(sp.canonicalize(key_to_arch(space, ast.literal_eval(k))), (k, v))
        mine = {r["arch"]: (k, r) for k, r in ours.items()}
        common = sorted(set(mine) & set(by_arch))
        same_key = sum(mine[a][0] == by_arch[a][0] for a in common)

        pairs = [(mine[a][1], by_arch[a][1]) for a in common]
        equal = {f: sum(np.float32(m[f]) == np.float32(t[f]) for m, t in pairs)
                 for f in ("val_accuracy", "params", "flops", "synflow", "jacov")}
        gap = {f: round(max(abs(m[f] - t[f]) for m, t in pairs), 1) for f in ("val_accuracy", "flops")}
        found[name] = (len(common), same_key, equal, gap["val_accuracy"], gap["flops"])
    assert found["darts-cifar10"][0] == 500 and found["darts-cifar10"][2] == dict.fromkeys(found["darts-cifar10"][2], 500)
    assert found["darts-cifar10"][1] < 500  # the same networks, mostly spelled otherwise (node inputs sorted)
    assert found["nb101-cifar10"][1] == 0  # another vertex order
    assert found["nb101-cifar10"][0] == 292 and found["nb101-cifar10"][2] == {
        "val_accuracy": 291, "params": 267, "flops": 0, "synflow": 292, "jacov": 292}
    n201 = found["nb201-cifar10"]
    assert n201[:2] == (35, 35) and n201[2]["params"] == 35 and n201[2]["val_accuracy"] == 0
    assert n201[2]["flops"] == 0 and n201[2]["synflow"] == 0 and n201[3:] == (5.6, 5.3)


# -- other Zarr implementations (docs/schema.md, "Which Zarr implementations read what") -----------------------
NUMERIC = ("float32", "float64", "int32", "int8")


@pytest.mark.parametrize("which", STORES)
def test_tensorstore_reads_every_numeric_array_and_refuses_the_strings(which: str, request: pytest.FixtureRequest,
                                                                       tmp_path: Path):
    ts = pytest.importorskip("tensorstore")
    path = stores(request, which)
    arrays, _, _ = zarr_arrays(path)
    kv = ({"driver": "zip", "base": {"driver": "file", "path": str(path)}} if path.is_file()
          else {"driver": "file", "path": str(path)})
    for name, want in arrays.items():
        spec = {"driver": "zarr3", "kvstore": {**kv, "path": (kv.get("path", "") + "/" if not path.is_file() else "")
                                               + name + "/"}}
        if want.dtype.kind in "fiu":
            got = ts.open(spec, open=True).result().read().result()
            assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=want.dtype.kind == "f"), name
        else:
            with pytest.raises(ValueError, match="string"):
                ts.open(spec, open=True).result()


@pytest.mark.parametrize("which", STORES)
def test_zarrita_reads_what_docs_schema_says(which: str, request: pytest.FixtureRequest, tmp_path: Path):
    zarrita = pytest.importorskip("zarrita")
    import zipfile

    path = stores(request, which)
    if path.is_file():  # zarrita has no zip store
        zipfile.ZipFile(path).extractall(tmp_path / "s")
        folder = tmp_path / "s"
    else:
        folder = path
    arrays, _, _ = zarr_arrays(path)
    store = zarrita.LocalStore(str(folder))
    for name, want in arrays.items():
        if str(want.dtype) in ("float32", "float64", "int32"):
            a = zarrita.Array.open(store / name)
            got = a[tuple(slice(None) for _ in want.shape)]
            assert np.array_equal(got, want, equal_nan=want.dtype.kind == "f"), name
        else:  # int8 choice: its bytes codec has no configuration; strings: no 'string' data type
            with pytest.raises(Exception, match="While structuring ArrayMetadata"):
                zarrita.Array.open(store / name)


@pytest.mark.skipif(not __import__("shutil").which("Rscript"), reason="R is not installed")
@pytest.mark.parametrize("name", ["macro-cifar10", "nb101-cifar10"])
def test_r_reads_the_csv_and_json_as_docs_schema_says(name: str, tmp_path: Path):
    """R's read.csv (arch as character) and jsonlite::fromJSON: every row and column, NA where the store has NaN,
    macro's leading zeros kept, and Kendall's tau per seed at the last epoch equal to wsbench's."""
    for fmt in ("csv", "json"):
        assert invoke("export", name, "--format", fmt, "--out", str(tmp_path / f"t.{fmt}")).exit_code == 0
    script = tmp_path / "read.R"
    script.write_text(f'''
d <- read.csv("{tmp_path / 't.csv'}", colClasses = c(arch = "character"))
j <- jsonlite::fromJSON("{tmp_path / 't.json'}")
last <- d[d$epoch == max(d$epoch), ]
tau <- sapply(split(last, last$seed), function(g) cor(g$supernet_score, g$gt_score, method = "kendall"))
cat(nrow(d), ncol(d), nrow(j), ncol(j), sum(is.na(d)), sum(is.na(j)), d$arch[2], j$arch[2], sprintf("%.12f", tau), "\\n")
''')
    p = subprocess.run(["Rscript", "--vanilla", str(script)], capture_output=True, text=True, timeout=300, check=False)
    if p.returncode and "jsonlite" in p.stderr:
        pytest.skip("R has no jsonlite")
    assert p.returncode == 0, p.stderr
    rows, cols, jrows, jcols, na, jna, arch, jarch, *tau = p.stdout.split()
    want = expected_table(Path(BUNDLED[name]))
    n_nan = sum(int(np.isnan(v).sum()) for v in want.values() if v.dtype.kind == "f")
    assert (int(rows), int(cols), int(jrows), int(jcols), int(na), int(jna)) == (
        len(want["arch"]), len(want), len(want["arch"]), len(want), n_nan, n_nan)
    assert arch == jarch == str(want["arch"][1])  # macro: "02022000"
    r = wsbench.query(name, "correlation", method="kendall")
    assert [float(x) for x in tau] == pytest.approx([row["kendall"] for row in r.rows], abs=1e-11)


def test_naslib_export_takes_the_control_supernet_of_a_pruned_store(full_store: Path):
    """A store with prune runs: --format naslib's supernet column is the control run's (mode none, factor 0), the
    run every statistic takes by default, mean over seeds at the last epoch."""
    from wsbench.export_naslib import _supernet_mean

    b = wsbench.open(full_store)
    control = b.prune_runs.index(("none", 0.0))
    want = np.mean([np.asarray(b._read("supernet_score", (control, si, len(b.epochs) - 1)), dtype=np.float64)
                    for si in range(len(b.seeds))], axis=0)
    np.testing.assert_array_equal(_supernet_mean(b), want)
