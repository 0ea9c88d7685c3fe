"""Ground-truth importers on tiny files written here in the exact on-disk formats, and on the real files."""

from __future__ import annotations

import bz2
import collections
import os
import pickle
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED
from factory import make_store

from builders.__main__ import main as builders_main
from builders.groundtruth import attach
from builders.groundtruth.analognas import key_to_nb201, load_analognas
from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.nats import load_nats_tss
from builders.groundtruth.unpickle import safe_loads
from wsbench.errors import UnknownNameError
from wsbench.spaces import get_space
from wsbench.store import open_store

NATS = SHARED / "nats-bench" / "NATS-tss-v1_0-3ffb9-simple"
NB201 = get_space("nb201")


# ---- the allow-listed unpickler ------------------------------------------------------------
def test_unpickler_refuses_code_and_names_the_file():
    evil = pickle.dumps(os.system)  # a global that is not plain data
    with pytest.raises(SourceFormatError, match=r"x\.pkl: refuses to load (posix|os)\.system"):
        safe_loads(evil, "x.pkl")
    ok = pickle.dumps({"a": collections.OrderedDict(b=np.float64(1.5)), "s": {1, 2}})
    assert safe_loads(ok, "y.pkl")["a"]["b"] == 1.5
    with pytest.raises(SourceFormatError, match="z.pkl: (pickle data was truncated|truncated or malformed)"):
        safe_loads(ok[: len(ok) // 2], "z.pkl")


# ---- NATS-Bench: tiny folder in the real layout ----------------------------------------------
def _nats_record(index: int, arch: str, seeds: dict[str, list[int]], acc: float, epochs: int) -> dict:
    results = {}
    for dataset, ss in seeds.items():
        for s in ss:
            splits = {"cifar10-valid": ["x-valid", "ori-test"], "cifar10": ["ori-test"]}[dataset]
            results[(dataset, s)] = {
                "name": dataset, "epochs": epochs, "seed": f"{s:04d}", "params": np.float64(0.5), "flop": 80.0,
                "eval_names": splits,
                "eval_acc1es": {f"{sp}@{e}": acc + s / 1000 + e for sp in splits for e in range(epochs)},
                "arch_config": {"channel": 16, "num_cells": 5, "arch_str": arch, "class_num": 10},
            }
    return {"arch_index": index, "arch_str": arch, "all_results": results, "dataset_seed": seeds,
            "clear_net_done": True}


def write_nats(folder: Path, archs: list[str], sparse: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"meta_archs": archs, "total_archs": len(archs), "arch2infos": None, "evaluated_indexes": set()}
    (folder / "meta.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps(meta, protocol=4)))
    for i, a in enumerate(archs[:4]):
        s200 = {"cifar10-valid": [777, 888] if not (sparse and i == 1) else [777], "cifar10": [777]}
        rec = collections.OrderedDict([
            ("12", _nats_record(i, a, {"cifar10-valid": [111], "cifar10": [111]}, 50.0 + i, 12)),
            ("200", _nats_record(i, a, s200, 60.0 + i, 200)),
        ])
        (folder / f"{i:06d}.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps(rec, protocol=4)))
    return folder


def test_nats_tiny_folder_per_seed_final_epoch(tmp_path):
    archs = NB201.sample(6, seed=1)
    folder = write_nats(tmp_path / "nats", archs, sparse=True)
    gt = load_nats_tss(folder, dataset="cifar10-valid", split="x-valid", hp="200")
    assert gt.seeds == [777, 888] and len(gt) == 4
    # final epoch 199: 60 + i + seed/1000 + 199
    assert gt.scores[archs[0]] == pytest.approx([259.777, 259.888])
    assert gt.scores[archs[1]][0] == pytest.approx(260.777) and np.isnan(gt.scores[archs[1]][1])  # sparse seed
    g12 = load_nats_tss(folder, dataset="cifar10", split="ori-test", hp="12")
    assert g12.seeds == [111] and g12.scores[archs[2]][0] == pytest.approx(52.111 + 11)
    assert gt.params[archs[0]] == 500_000.0


def test_nats_bad_options_and_files(tmp_path):
    folder = write_nats(tmp_path / "nats", NB201.sample(4, seed=2))
    with pytest.raises(UnknownNameError, match="split of cifar10 'x-valid'; expected one of: ori-test"):
        load_nats_tss(folder, dataset="cifar10", split="x-valid", hp="200")
    with pytest.raises(UnknownNameError, match="budget"):
        load_nats_tss(folder, dataset="cifar10", split="ori-test", hp="100")
    bad = folder / "000001.pickle.pbz2"
    bad.write_bytes(bad.read_bytes()[:50])
    with pytest.raises(SourceFormatError, match="000001.pickle.pbz2: not a complete bz2 file"):
        load_nats_tss(folder, dataset="cifar10", split="ori-test", hp="200")
    with pytest.raises(SourceFormatError, match="no meta.pickle.pbz2"):
        load_nats_tss(tmp_path, dataset="cifar10", split="ori-test", hp="200")


def test_nats_real_files():
    if not NATS.exists():
        pytest.skip("../shared NATS-Bench files not present")
    gt = load_nats_tss(NATS, dataset="cifar10-valid", split="x-valid", hp="200")
    assert gt.seeds == [777, 888, 999] and len(gt) == 3
    arch11 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|"
    assert gt.scores[arch11] == pytest.approx([87.748, 88.132, 87.94], abs=1e-6)  # read off the file
    assert gt.params[arch11] == pytest.approx(802_426)
    assert len(gt.source["meta_sha256"]) == 64
    c100 = load_nats_tss(NATS, dataset="cifar100", split="x-test", hp="12")
    assert c100.seeds == [111] and all(0 < c100.mean(a) < 100 for a in c100.scores)


# ---- AnalogNAS-Bench -------------------------------------------------------------------------
def test_analognas_key_mapping_by_hand():
    # edges 0->1 conv3, 0->2 none, 0->3 skip, 1->2 conv1, 1->3 avgpool, 2->3 skip (NASLib op order)
    assert key_to_nb201((2, 1, 0, 3, 4, 0)) == (
        "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|skip_connect~2|")
    assert len({key_to_nb201(k) for k in np.ndindex(*(5,) * 6)}) == 15625


def write_anb_wheel(path: Path, table: dict[tuple, float]) -> Path:
    mod = types.ModuleType("analognasbench.data")

    class Architecture:  # same module and class names as the real package
        pass

    class DriftMeasurement:
        pass

    for cls in (Architecture, DriftMeasurement):
        cls.__module__, cls.__qualname__ = "analognasbench.data", cls.__name__
        setattr(mod, cls.__name__, cls)
    pkg = types.ModuleType("analognasbench")
    pkg.data = mod
    sys.modules["analognasbench"], sys.modules["analognasbench.data"] = pkg, mod
    try:
        data = {}
        for key, acc in table.items():
            a = Architecture()
            a.architecture, a.baseline_accuracy = key, acc
            d = DriftMeasurement()
            d.value, d.uncertainty = 1.0, 0.1
            a.baseline_drift_60 = d
            data[key] = a
        blob = pickle.dumps(data, protocol=4)
    finally:
        del sys.modules["analognasbench.data"], sys.modules["analognasbench"]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("analognasbench/data.anb", blob)
        z.writestr("analognasbench/__init__.py", "")
    return path


def test_analognas_tiny_wheel_and_attach(tmp_path):
    keys = [(2, 1, 0, 3, 4, 0), (0, 0, 0, 0, 0, 0), (1, 1, 1, 1, 1, 1)]
    whl = write_anb_wheel(tmp_path / "analog_nasbench-0.0-py3-none-any.whl", dict(zip(keys, [91.5, 60.0, 10.0])))
    gt = load_analognas(whl)
    assert {a: gt.mean(a) for a in gt.scores} == {key_to_nb201(k): v for k, v in zip(keys, [91.5, 60.0, 10.0])}
    assert gt.noise()["kendall_tau_between_gt_seeds"] is None

    # attach to a store holding two of the three and one architecture the source lacks
    other = next(a for a in NB201.enumerate() if a not in gt.scores)
    make_store(tmp_path / "t.zarr", archs=[key_to_nb201(keys[0]), key_to_nb201(keys[1]), other],
               gt=np.array([1.0, 2.0, 3.0]))
    out = attach(tmp_path / "t.zarr", gt, name="gt_score_analog")
    assert out["matched"] == 2
    ds = open_store(tmp_path / "t.zarr")
    assert ds["gt_score_analog"].values[:2].tolist() == [91.5, 60.0] and np.isnan(ds["gt_score_analog"].values[2])
    assert ds["gt_score"].values.tolist() == [1.0, 2.0, 3.0]  # the first GT is never touched
    assert ds.attrs["extra_gt"]["gt_score_analog"]["source"]["kind"] == "AnalogNAS-Bench"


def test_analognas_wheel_record_checksum_is_verified(tmp_path):
    import base64
    import hashlib

    whl = write_anb_wheel(tmp_path / "a.whl", {(0, 0, 0, 0, 0, 0): 60.0})
    with zipfile.ZipFile(whl) as z:
        blob = z.read("analognasbench/data.anb")
    good = base64.urlsafe_b64encode(hashlib.sha256(blob).digest()).rstrip(b"=").decode()
    for digest, ok in ((good, True), ("A" * 43, False)):
        w = tmp_path / f"{ok}.whl"
        with zipfile.ZipFile(w, "w") as z:
            z.writestr("analognasbench/data.anb", blob)
            z.writestr("analog_nasbench-0.1.3.dist-info/RECORD", f"analognasbench/data.anb,sha256={digest},{len(blob)}\n")
        if ok:
            assert len(load_analognas(w)) == 1
        else:
            with pytest.raises(SourceFormatError, match="differs from the wheel's RECORD"):
                load_analognas(w)


def test_analognas_real_wheel():
    whl = os.environ.get("WSBENCH_ANALOGNAS_WHEEL")
    if not whl or not Path(whl).is_file():
        pytest.skip("set WSBENCH_ANALOGNAS_WHEEL to the analog-nasbench wheel (pip download --no-deps analog-nasbench)")
    gt = load_analognas(whl)
    assert set(gt.scores) == set(NB201.enumerate())
    # semantic check of the op/edge mapping: with every edge into node 3 'none', the cell outputs zero -> chance
    dead = [a for a in gt.scores if NB201.choices(a)[3:] == (0, 0, 0)]
    assert len(dead) == 125 and all(gt.mean(a) == pytest.approx(10.0, abs=0.5) for a in dead)
    alive = np.array([gt.mean(a) for a in gt.scores if a not in set(dead)])
    assert np.median(alive) > 80
    if NATS.exists():  # the three real NATS architectures agree within 1 point (CIFAR-10, 200 epochs, test)
        nats = load_nats_tss(NATS, dataset="cifar10", split="ori-test", hp="200")
        for a in nats.scores:
            assert abs(nats.mean(a) - gt.mean(a)) < 1.0


def test_builders_cli_import_gt(tmp_path, capsys):
    folder = write_nats(tmp_path / "nats", NB201.sample(4, seed=3))
    assert builders_main(["import-gt", "nats-tss", str(folder), "--dataset", "cifar10", "--split", "ori-test",
                          "--hp", "200"]) == 0
    assert '"archs": 4' in capsys.readouterr().out
    assert builders_main(["import-gt", "nats-tss", str(folder), "--dataset", "cifar10"]) == 2
    assert builders_main(["import-gt", "nats-tss", str(folder), "--dataset", "cifar10", "--split", "x-test",
                          "--hp", "200"]) == 1
