"""NAS-Bench-101 raw records (three runs per cell) combined with a one-run source into one ground truth."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED
from factory import make_store

from builders.__main__ import main as builders_main
from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.nb101_records import load_nb101_records
from wsbench.spaces import get_space
from wsbench.store import open_store

SPACE = get_space("nb101")


def _records(path: Path, specs: list[dict], accs: list[list[float]]) -> Path:
    data = {}
    for spec, runs in zip(specs, accs):
        fixed = {"module_adjacency": np.array(spec["matrix"]), "module_operations": spec["ops"],
                 "trainable_parameters": 1000 + len(data)}
        data[SPACE.hash(spec)] = (fixed, {108: [{"final_validation_accuracy": a / 100, "final_test_accuracy": 0.5}
                                                for a in runs]})
    path.write_bytes(pickle.dumps(data, protocol=2))
    return path


def test_one_run_source_then_records_give_one_ground_truth_with_measured_noise(tmp_path: Path):
    archs = SPACE.sample(6, seed=3)
    specs = [SPACE.spec(a) for a in archs]
    store = make_store(tmp_path / "s.zarr", space="nb101", archs=archs)
    # a one-run source for the first four (NASLib zero-cost file layout; the 56-number key padded to 7 vertices)
    def key(spec):
        n = len(spec["ops"])
        m = np.zeros((7, 7), int)
        m[:n - 1, :n - 1] = np.array(spec["matrix"])[:n - 1, :n - 1]
        m[:n - 1, 6] = np.array(spec["matrix"])[:n - 1, n - 1]
        codes = {"input": 0, "output": 1, "maxpool3x3": 2, "conv1x1-bn-relu": 3, "conv3x3-bn-relu": 4}
        ops = [codes[o] for o in spec["ops"][:-1]] + [2] * (7 - n) + [1]
        return str(tuple(m.ravel().tolist()) + tuple(ops))
    zc = {key(s): {"val_accuracy": 80.0 + i, "params": 1.0} for i, s in enumerate(specs[:4])}
    (tmp_path / "zc.json").write_text(json.dumps({"nasbench101": {"cifar10": zc}}))
    assert builders_main(["import-gt", "naslib-zc", str(tmp_path / "zc.json"), "--space", "nb101",
                          "--store", str(store)]) == 0
    # three runs each for archs 3, 4, 5 (arch 3 is in both sources: the records win where they have a value)
    pkl = _records(tmp_path / "rec.pkl", specs[3:], [[90, 91, 92], [70, 75, 80], [60, 62, 64]])
    assert builders_main(["import-gt", "nb101-records", str(pkl), "--epochs", "108", "--split", "validation",
                          "--store", str(store), "--fill", "--gt-score-seed", "0"]) == 0
    ds = open_store(store)
    np.testing.assert_allclose(ds["gt_score"].values, [80, 81, 82, 90, 70, 60], rtol=1e-6)
    per = ds["gt_score_per_seed"].values
    assert ds["gt_seed"].values.tolist() == [0, 1, 2] and np.isnan(per[:, :3]).all()
    np.testing.assert_allclose(per[:, 3:], [[90, 70, 60], [91, 75, 62], [92, 80, 64]], rtol=1e-6)
    src = ds.attrs["gt_source"]
    assert src["kind"] == "combined" and len(src["parts"]) == 2 and src["parts"][1]["score"] == "gt seed 0"
    assert ds.attrs["gt_noise"]["kendall_tau_between_gt_seeds"] == pytest.approx(1.0)  # runs agree in order
    assert "not used" in src["parts"][0]["sizes"]  # NASLib's nb101 sizes never replace the builder's


def test_a_record_whose_hash_differs_is_refused(tmp_path: Path):
    spec = SPACE.spec(SPACE.sample(1, seed=0)[0])
    pkl = _records(tmp_path / "rec.pkl", [spec], [[1, 2, 3]])
    data = pickle.loads(pkl.read_bytes())
    pkl.write_bytes(pickle.dumps({"0" * 32: next(iter(data.values()))}, protocol=2))
    with pytest.raises(SourceFormatError, match="differs from the record's key"):
        load_nb101_records(pkl, epochs=108, split="validation")


def test_real_records_measure_nasbench101_noise():
    path = SHARED / "gt" / "naslib" / "nb101_dummy.pkl"
    if not path.is_file():
        pytest.skip("../shared NAS-Bench-101 records not present")
    gt = load_nb101_records(path, epochs=108, split="validation")
    noise = gt.noise()
    assert len(gt) == 30 and gt.seeds == [0, 1, 2] and noise["archs_per_pair_min"] == 30
    assert 0 < noise["kendall_tau_between_gt_seeds"] < 1 and 0 < noise["mean_abs_diff_between_gt_seeds"] < 5
