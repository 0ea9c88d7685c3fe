"""NAS-Bench-Macro importer: 6,561 encodings -> 3,969 networks with three GT trainings each."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED
from factory import make_store

from builders.__main__ import main as builders_main
from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.nas_bench_macro import load_nas_bench_macro
from wsbench.store import open_store


def _rec(accs, params=1000, flops=2000):
    return {"test_acc": accs, "mean_acc": float(np.mean(accs)), "std": float(np.std(accs)), "params": params,
            "flops": flops}


def test_equivalent_encodings_become_one_architecture_with_three_gt_seeds(tmp_path: Path):
    data = {"10201002": _rec([90.0, 91.0, 92.0]), "10210020": _rec([90.0, 91.0, 92.0]),  # one network
            "00000000": _rec([70.0, 75.0, 80.0]), "22222222": _rec([93.0, 92.0, 94.0]),
            "11111111": _rec([85.0, 86.0, 95.0])}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    gt = load_nas_bench_macro(path)
    assert sorted(gt.scores) == ["00000000", "10210020", "11111111", "22222222"] and gt.seeds == [0, 1, 2]
    assert gt.mean("10210020") == pytest.approx(91.0) and gt.source["encodings"] == 5
    # by hand: seeds 0 and 1 order the 4 networks 00000000 < 11111111 < 10210020 < 22222222 (tau 1); seed 2 puts
    # 11111111 last, so 2 of its 6 pairs with seed 0 (and 1) are discordant: tau 1/3; mean (1 + 1/3 + 1/3) / 3
    noise = gt.noise()
    assert noise["kendall_tau_between_gt_seeds"] == pytest.approx(5 / 9)
    # |differences| per pair of seeds: (0,1) 5+1+1+1, (0,2) 10+2+1+10, (1,2) 5+1+2+9 over 4 networks each
    assert noise["mean_abs_diff_between_gt_seeds"] == pytest.approx((8 / 4 + 23 / 4 + 17 / 4) / 3)
    store = make_store(tmp_path / "s.zarr", space="macro", archs=["00000000", "10210020", "22222222"])
    assert builders_main(["import-gt", "nas-bench-macro", str(path), "--store", str(store)]) == 0
    ds = open_store(store)
    np.testing.assert_allclose(ds["gt_score"].values, [75.0, 91.0, 93.0])
    np.testing.assert_allclose(ds["gt_score_per_seed"].values, [[70, 90, 93], [75, 91, 92], [80, 92, 94]])


@pytest.mark.parametrize("data,match", [
    ({"10201002": _rec([90.0, 91.0, 92.0]), "10210020": _rec([90.0, 91.0, 92.5])}, "different record"),
    ({"1020100": _rec([90.0, 91.0, 92.0])}, "not a NAS-Bench-Macro record"),
    ({"10201002": _rec([90.0, 91.0])}, "expected 3 trainings"),
    ({"10201002": {"test_acc": [1, 2, 3]}}, "params"),
    ([1, 2], "expected"),
])
def test_malformed_files_name_the_record(tmp_path: Path, data, match):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    with pytest.raises(SourceFormatError, match=match):
        load_nas_bench_macro(path)


def test_real_file_gives_3969_networks_and_its_own_means():
    path = SHARED / "gt" / "nas-bench-macro" / "nas-bench-macro_cifar10.json"
    if not path.exists():
        pytest.skip("../shared NAS-Bench-Macro file not present")
    gt = load_nas_bench_macro(path)
    data = json.loads(path.read_text())
    assert len(gt) == 3969 and gt.source["encodings"] == 6561
    assert all(gt.mean(gt_arch) == pytest.approx(data[gt_arch]["mean_acc"], abs=1e-4) for gt_arch in list(gt.scores))
    noise = gt.noise()
    assert 0.8 < noise["kendall_tau_between_gt_seeds"] < 0.95  # measured: 0.879 (three trainings per network)
