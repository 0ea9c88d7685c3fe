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
    (tmp_path / "x-finetune.log").write_text(  # not a seed log: its epoch lines are not epochs; GNU time's are
        "seed 0 epoch 1: trained in 99999 s\n"
        "finetune seed 0 epoch 8: 937.43 s wall, 904.50+25.84 CPU s\n"
        "finetune seed 1: 2027.14 s wall, 988.56+7.11 CPU s\n")
    res = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=True)
    lines = res.stdout.splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:-1]}
    # seed 0's old lines have no CPU figure: its CPU column is blank, and so is the total's
    assert rows["x-seed0"] == ["2", f"{220 / 3600:.2f}", "1", f"{2100 / 3600:.2f}", f"{2320 / 3600:.2f}", "—"]
    assert rows["x-seed1"] == ["1", f"{236 / 3600:.2f}", "1", f"{138 / 3600:.2f}", f"{374 / 3600:.2f}",
                               f"{(221 + 130) / 3600:.2f}"]
    assert rows["fine-tunes"] == ["2", "runs", f"{(937.43 + 2027.14) / 3600:.2f}",
                                  f"{(904.50 + 25.84 + 988.56 + 7.11) / 3600:.2f}"]
    total = (2320 + 374 + 937.43 + 2027.14) / 3600
    assert lines[-1] == (f"all logs: {total:.2f} core-hours of wall time (1-thread processes), CPU-hours unknown "
                         "(2 epochs log no CPU figure)")


def test_cpu_hours_summed_when_every_epoch_logs_them(tmp_path: Path):
    (tmp_path / "y-seed0.log").write_text(
        "seed 0 epoch 1: trained in 429 s (396 CPU s; loss 1.29), scored 64 subnets in 234 s (210 CPU s); ETA 1 min\n"
        "seed 0 epoch 2: trained in 300 s (290 CPU s; loss 1.2); ETA 1 min\n")  # an epoch not scored
    (tmp_path / "y-finetune.log").write_text("finetune seed 0 epoch 30: 1814.22 s wall, 1598.69+50.73 CPU s\n")
    res = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=True)
    lines = res.stdout.splitlines()
    assert lines[1].split()[1:] == ["2", f"{729 / 3600:.2f}", "1", f"{234 / 3600:.2f}", f"{963 / 3600:.2f}",
                                    f"{896 / 3600:.2f}"]
    assert lines[-1] == (f"all logs: {(963 + 1814.22) / 3600:.2f} core-hours of wall time (1-thread processes), "
                         f"{(896 + 1598.69 + 50.73) / 3600:.2f} CPU-hours")
