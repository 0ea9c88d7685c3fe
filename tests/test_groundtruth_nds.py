"""NDS sweep importer on tiny JSON files in NDS's layout."""

from __future__ import annotations

import json

import pytest

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.nds import load_nds
from wsbench.spaces import get_space

DARTS = get_space("darts")


def _item(genotype: dict, width: int, depth: int, seed: int, errors: list[float]) -> dict:
    return {"net": {"genotype": genotype, "width": width, "depth": depth, "aux": False, "drop_prob": 0.0},
            "optim": {"base_lr": 0.1, "wd": 5e-4, "max_ep": len(errors)}, "rng_seed": seed,
            "params": 1.5e6, "flops": 2.5e8, "test_ep_top1": errors, "train_ep_top1": errors}


def _genotype(arch: str) -> dict:
    p = DARTS.parse(arch)
    return {c: [[op, src] for op, src in p[c][0]] for c in ("normal", "reduce")} | {
        f"{c}_concat": list(p[c][1]) for c in ("normal", "reduce")}


def test_nds_final_and_best_accuracy_with_filters(tmp_path):
    a, b = DARTS.sample(2, seed=0)
    bad = _genotype(a)
    bad["normal"][1][1] = bad["normal"][0][1]  # node 0 reads one input twice: not in our space
    items = [_item(_genotype(a), 16, 8, 1, [50.0, 20.0, 25.0]), _item(_genotype(a), 16, 8, 2, [40.0, 30.0, 10.0]),
             _item(_genotype(b), 32, 20, 1, [30.0, 12.0]), _item(bad, 16, 8, 1, [10.0])]
    f = tmp_path / "DARTS.json"
    f.write_text(json.dumps({"top": items[:2], "mid": items[2:]}))
    gt = load_nds(f, which="final")
    assert gt.seeds == [1, 2]
    assert gt.scores[a].tolist() == [75.0, 90.0]
    assert gt.source["skipped"] == 1 and "twice" in gt.source["skipped_examples"][0]
    best = load_nds(f, which="best", width=16, depth=8)
    assert best.scores[a].tolist() == [80.0, 90.0] and b not in best.scores


def test_nds_clash_and_malformed(tmp_path):
    (a,) = DARTS.sample(1, seed=1)
    f = tmp_path / "DARTS.json"
    f.write_text(json.dumps([_item(_genotype(a), 16, 8, 1, [20.0]), _item(_genotype(a), 32, 20, 1, [10.0])]))
    with pytest.raises(SourceFormatError, match="trained at width/depth"):
        load_nds(f, which="final")
    assert load_nds(f, which="final", width=32, depth=20).scores[a].tolist() == [90.0]
    f.write_text(json.dumps([{"net": {}}]))
    with pytest.raises(SourceFormatError, match=r"DARTS.json\[0\]: field 'test_ep_top1' is missing"):
        load_nds(f, which="final")
    f.write_text('[{"net": ')
    with pytest.raises(SourceFormatError, match="not valid JSON"):
        load_nds(f, which="final")
