from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from factory import make_store, provenance

from wsbench.errors import IncompleteStoreError, OptionError, SchemaError, StoreNotFoundError
from wsbench.schema import OPTIONAL_VARIABLES, REQUIRED_ATTRS, REQUIRED_VARIABLES, validate
from wsbench.spaces import get_space
from wsbench.store import StoreWriter, open_store


def test_round_trip_folder_and_zip(store_dir: Path, store_zip: Path):
    for p in (store_dir, store_zip):
        ds = open_store(p)
        assert ds.attrs["complete"] is True
        assert dict(ds.sizes) == {"arch": 60, "decision": 6, "gt_seed": 2, "seed": 3, "epoch": 3} or "gt_seed" not in ds.sizes
        assert ds["supernet_score"].dtype == np.float32
        assert validate(ds) == []
    with zipfile.ZipFile(store_zip) as zf:
        names = zf.namelist()
    assert "zarr.json" in names and len(names) == len(set(names))  # zipped once, no duplicate entries


def test_arch_strings_are_variable_length_utf8(store_dir: Path):
    import zarr

    g = zarr.open_group(str(store_dir), mode="r")
    assert str(g["arch_string"].metadata.data_type) == "VariableLengthUTF8()"


def test_writer_regions_resume_and_incomplete_store_is_refused(tmp_path: Path):
    space = get_space("nb201")
    archs = space.sample(10, seed=0)
    w = StoreWriter.create(tmp_path / "s.zarr", space="nb201", archs=archs, epochs=[1, 2], seeds=[0, 1],
                           attrs=provenance())
    w.write_supernet(0, 1, np.full(5, 50.0), start=0)  # half a region, as one shard would
    w.write_supernet(0, 1, np.full(5, 60.0), start=5)
    assert sorted(w.missing_regions()) == [(0, 2), (1, 1), (1, 2)]
    with pytest.raises(IncompleteStoreError, match="incomplete"):
        open_store(tmp_path / "s.zarr")
    assert open_store(tmp_path / "s.zarr", allow_incomplete=True)["supernet_score"].values[0, 0].tolist() == [50.0] * 5 + [60.0] * 5

    w2 = StoreWriter.resume(tmp_path / "s.zarr")  # a new process continues the build
    for s, e in w2.missing_regions():
        w2.write_supernet(s, e, np.linspace(10, 90, 10))
    w2.write_arch_values("gt_score", np.linspace(20, 80, 10))
    w2.write_arch_values("params", np.arange(10.0))
    w2.write_arch_values("flops", np.arange(10.0))
    assert w2.finalize() == tmp_path / "s.zarr"
    assert open_store(tmp_path / "s.zarr").attrs["complete"] is True


def test_writer_refuses_bad_regions_and_duplicates(tmp_path: Path):
    archs = get_space("nb201").sample(4, seed=0)
    with pytest.raises(OptionError, match="same architecture twice"):
        StoreWriter.create(tmp_path / "d.zarr", space="nb201", archs=archs + archs[:1], epochs=[1], seeds=[0],
                           attrs=provenance())
    w = StoreWriter.create(tmp_path / "a.zarr", space="nb201", archs=archs, epochs=[1], seeds=[0], attrs=provenance())
    with pytest.raises(OptionError, match="epoch=3 is not in this store"):
        w.write_supernet(0, 3, np.zeros(4))
    with pytest.raises(OptionError, match="exceeds"):
        w.write_supernet(0, 1, np.zeros(4), start=2)
    with pytest.raises(OptionError, match="exists"):
        StoreWriter.create(tmp_path / "a.zarr", space="nb201", archs=archs, epochs=[1], seeds=[0], attrs=provenance())


def test_finalize_refuses_an_invalid_store_and_leaves_it_incomplete(tmp_path: Path):
    archs = get_space("nb201").sample(4, seed=0)
    w = StoreWriter.create(tmp_path / "x.zarr", space="nb201", archs=archs, epochs=[1], seeds=[0], attrs=provenance())
    w.write_supernet(0, 1, np.array([10.0, 20, 150, 40]))  # 150% accuracy is impossible; GT never written
    with pytest.raises(SchemaError) as e:
        w.finalize()
    text = " ".join(e.value.problems)
    assert "supernet_score values must lie in [0.0, 100.0]" in text
    assert "gt_score has no known value" in text
    assert open_store(tmp_path / "x.zarr", check=False).attrs["complete"] is False


def test_validate_reports_every_problem_at_once(store_dir: Path):
    ds = open_store(store_dir).load()
    broken = ds.drop_vars(["flops"])
    broken.attrs = {k: v for k, v in ds.attrs.items() if k not in ("license", "citation")}
    broken.attrs["metric_direction"] = "up"
    broken["arch_string"] = ("arch", np.array([str(a) for a in ds["arch_string"].values], dtype="<U200"))
    problems = validate(broken)
    joined = "\n".join(problems)
    for expected in ("'license' is missing", "'citation' is missing", "metric_direction must be",
                     "'flops'", "fixed-width NumPy '<U'"):
        assert expected in joined, joined
    assert len(problems) >= 5


def test_validate_finds_duplicates_bad_archs_and_choice_mismatch(store_dir: Path):
    ds = open_store(store_dir).load()
    archs = np.array([str(a) for a in ds["arch_string"].values], dtype=object)
    archs[1] = archs[0]
    archs[2] = "|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    bad = ds.assign(arch_string=("arch", archs))
    problems = "\n".join(validate(bad))
    assert "duplicate architecture" in problems and "unknown op 'bogus'" in problems


def test_missing_and_non_store_paths(tmp_path: Path):
    with pytest.raises(StoreNotFoundError):
        open_store(tmp_path / "nope.zip")
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(SchemaError, match="not a zip"):
        open_store(junk)
    empty = tmp_path / "empty.zarr"
    empty.mkdir()
    with pytest.raises(SchemaError):
        open_store(empty)


def test_docs_schema_lists_every_required_name():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()
    for name in [*REQUIRED_ATTRS, *REQUIRED_VARIABLES, *OPTIONAL_VARIABLES]:
        assert f"`{name}`" in doc, name


def test_prune_dimension_store_is_written_and_read(tmp_path: Path):
    archs = get_space("nb201").sample(20, seed=0)
    w = StoreWriter.create(tmp_path / "p.zarr", space="nb201", archs=archs, epochs=[1], seeds=[0, 1],
                           prune=[0.0, 0.5], prune_modes=["none", "optimistic"],
                           attrs=provenance(sampler={"prune_runs": [{"mode": "none", "factor": 0.0},
                                                                    {"mode": "optimistic", "factor": 0.5}]}))
    gt = np.linspace(50, 90, 20)
    for s in (0, 1):
        w.write_supernet(s, 1, gt + s, prune=0.0)
        sn = np.where(gt >= np.median(gt), gt - s, np.nan)  # retrained on the better half only
        w.write_supernet(s, 1, sn, prune=0.5)
    w.write_arch_values("gt_score", gt)
    w.write_arch_values("params", gt)
    w.write_arch_values("flops", gt)
    ds = open_store(w.finalize())
    assert ds["supernet_score"].dims == ("prune", "seed", "epoch", "arch")
    assert [str(m) for m in ds["prune_mode"].values] == ["none", "optimistic"] and ds["prune_mode"].dims == ("prune",)


def test_make_store_with_perplexity(tmp_path: Path):
    gt = np.linspace(60, 300, 12)
    sn = np.broadcast_to(gt * 1.5, (1, 1, 12))
    p = make_store(tmp_path / "ptb.zarr", space="darts-rnn", n=12, epochs=(1,), seeds=(0,), gt=gt, supernet=sn,
                   metric="perplexity", direction="min")
    assert open_store(p).attrs["metric_direction"] == "min"


def test_supernet_loss_is_written_beside_scores_and_validated(tmp_path: Path):
    archs = get_space("nb201").sample(6, seed=0)
    w = StoreWriter.create(tmp_path / "l.zarr", space="nb201", archs=archs, epochs=[1], seeds=[0], losses=True,
                           attrs=provenance())
    with pytest.raises(OptionError, match="pass loss="):
        w.write_supernet(0, 1, np.full(6, 50.0))  # a store that records losses refuses scores without them
    w.write_supernet(0, 1, np.full(6, 50.0), loss=np.linspace(0.5, 2.0, 6))
    for name in ("gt_score", "params", "flops"):
        w.write_arch_values(name, np.linspace(60, 90, 6))
    ds = open_store(w.finalize())
    assert validate(ds) == [] and ds["supernet_loss"].dims == ("seed", "epoch", "arch")
    np.testing.assert_allclose(ds["supernet_loss"].values[0, 0], np.linspace(0.5, 2.0, 6), rtol=1e-6)
    bad = ds.copy()
    loss = bad["supernet_loss"].values.copy()
    loss[0, 0, 0], loss[0, 0, 1] = np.nan, -1.0
    bad["supernet_loss"] = (("seed", "epoch", "arch"), loss)
    problems = " ".join(validate(bad))
    assert "same (seed, epoch, subnet) cells" in problems and "finite cross-entropy >= 0" in problems
    plain = StoreWriter.create(tmp_path / "p.zarr", space="nb201", archs=archs, epochs=[1], seeds=[0],
                               attrs=provenance())
    with pytest.raises(OptionError, match="no supernet_loss"):
        plain.write_supernet(0, 1, np.full(6, 50.0), loss=np.ones(6))
