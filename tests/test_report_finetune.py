"""The report's fine-tuned-inheritance section: a store with fine-tuned regions written by the builder's own
writer (builders.engine.finetune.record_protocol / write_region), its numbers checked against plain Kendall taus."""

from __future__ import annotations

import numpy as np
import pytest
from factory import make_store

import wsbench
from builders.engine.finetune import record_protocol, write_region
from wsbench.report import figures, sections
from wsbench.stats.correlation import correlate

N, K = 40, 20
CHOSEN = np.sort(np.random.default_rng(5).choice(N, K, replace=False))


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    """Supernet scores are GT plus heavy noise; the fine-tuned scores of the K chosen subnets are GT plus light
    noise: at epoch 2 for seed 0 only, at epoch 4 for every seed."""
    rng = np.random.default_rng(0)
    gt = rng.uniform(50, 95, N)
    sn = np.clip(np.stack([np.stack([gt - 30 + rng.normal(0, 25, N) for _ in range(3)]) for _ in range(3)]), 0, 100)
    path = make_store(tmp_path_factory.mktemp("ft") / "s.zarr", n=N, epochs=(1, 2, 4), seeds=(0, 1, 2), gt=gt,
                      supernet=sn)
    record_protocol(path, {"rule": "test: scores written directly", "batches": 10, "subnets": K, "lr": None})
    for seed, epoch in ((0, 2), (0, 4), (1, 4), (2, 4)):
        score = np.full(N, np.nan)
        score[CHOSEN] = np.clip(gt[CHOSEN] - 5 + rng.normal(0, 2, K), 0, 100)
        write_region(path, seed, epoch, score, (100 - score) / 40, lr=0.001)
    return wsbench.open(path)


def test_one_row_per_fine_tuned_epoch_with_the_seeds_fine_tuned_there(tuned):
    sec = sections.finetune(tuned, tuned.seeds)
    rows = sec.data["rows"]
    assert [(r["epoch"], r["seeds"], r["n"]) for r in rows] == [(2, [0], K), (4, [0, 1, 2], K)]
    gt = tuned.ds["gt_score"].values[CHOSEN]
    sn = tuned.ds["supernet_score"].values  # (seed, epoch, arch)
    ft = tuned.ds["finetune_score"].values
    # epoch 2, seed 0: the taus on the K fine-tuned subnets, by plain Kendall
    assert rows[0]["plain"] == pytest.approx(correlate(sn[0, 1, CHOSEN], gt, "kendall"))
    assert rows[0]["finetuned"] == pytest.approx(correlate(ft[0, 1, CHOSEN], gt, "kendall"))
    # epoch 4: the means over the three seeds
    assert rows[1]["plain"] == pytest.approx(np.mean([correlate(sn[s, 2, CHOSEN], gt, "kendall") for s in range(3)]))
    assert rows[1]["finetuned"] == pytest.approx(np.mean([correlate(ft[s, 2, CHOSEN], gt, "kendall")
                                                          for s in range(3)]))
    direct = tuned.paired(a="score=supernet,epoch=4", b="score=finetune,epoch=4").summary[0]
    assert (rows[1]["delta"], rows[1]["ci_low"], rows[1]["verdict"]) == (direct["delta"], direct["delta_ci_low"],
                                                                       direct["verdict"])
    assert rows[1]["verdict"] == "rises" and rows[1]["ci_low"] > 0  # GT + light noise beats GT + heavy noise
    assert sec.finding.startswith("Fine-tuning each inherited subnet alone for 10 batches before scoring: epoch 2:")
    assert "raises τ; 20 subnets, 3 seeds" in sec.finding
    assert figures.finetune(sec)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_page_has_the_section_only_where_fine_tunes_exist(tuned, tmp_path):
    keys = [s.key for s in sections.all_sections(tuned, tuned.epochs, tuned.seeds)]
    assert keys == [*sections.BUILDERS, "finetune"]
    plain = wsbench.open(make_store(tmp_path / "p.zarr", n=N))
    assert "finetune" not in [s.key for s in sections.all_sections(plain, plain.epochs, plain.seeds)]
    one = sections.finetune(tuned, [1])  # seed 1 was fine-tuned at epoch 4 only
    assert [(r["epoch"], r["seeds"]) for r in one.data["rows"]] == [(4, [1])]
