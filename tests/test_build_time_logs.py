"""results/nb201-cifar10-paper/build_time.py: the build-time sums the cards quote, from per-seed logs in both the
old line format and the newer one with CPU seconds and the loss (whose scorings it once missed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "results" / "nb201-cifar10-paper" / "build_time.py"


def test_both_log_formats_and_a_retrained_epoch_counted_once(tmp_path: Path):
    (tmp_path / "x-seed0.log").write_text(
        "seed 0 epoch 1: trained in 100 s (loss 2.22); ETA 9.0 min\n"
        "seed 0 epoch 2: trained in 110 s (loss 2.1), scored 1000 subnets in 2000 s; ETA 1.0 min\n"
        # epoch 2 again (a restart from an older checkpoint): the last run counts
        "seed 0 epoch 2: trained in 120 s (loss 2.1), scored 1000 subnets in 2100 s; ETA 1.0 min\n"
        "{\n \"all_regions_scored\": false\n}\n")
    (tmp_path / "x-seed1.log").write_text(
        "seed 1 epoch 1: trained in 236 s (221 CPU s; loss 1.58), scored 64 subnets in 138 s (130 CPU s); ETA 2 min\n")
    (tmp_path / "x-finetune.log").write_text("seed 0 epoch 1: trained in 99999 s\n")  # not a seed log
    res = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=True)
    rows = {line.split()[0]: line.split()[1:] for line in res.stdout.splitlines()[1:-1]}
    assert rows["x-seed0"] == ["2", f"{220 / 3600:.2f}", "1", f"{2100 / 3600:.2f}", f"{2320 / 3600:.2f}"]
    assert rows["x-seed1"] == ["1", f"{236 / 3600:.2f}", "1", f"{138 / 3600:.2f}", f"{374 / 3600:.2f}"]
    total = (2320 + 374) / 3600
    assert res.stdout.splitlines()[-1] == f"all logs: {total:.2f} core-hours of wall time (1-thread processes)"
