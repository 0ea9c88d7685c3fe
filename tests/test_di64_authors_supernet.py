"""results/di64-cifar10/authors_supernet.py: the authors' released supernet records against their GT, worked by
hand on a made-up file of the same layout (the real one is not in the repository)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[1] / "results" / "di64-cifar10" / "authors_supernet.py"


def _write(tmp: Path, rows: list[np.ndarray], header: str | None = None) -> tuple[Path, Path]:
    csv = tmp / "acc.csv"
    head = header if header is not None else "," + ",".join(str(i) for i in range(64))
    csv.write_text("\n".join([head] + [f"{100 + k}," + ",".join(f"{x:.4f}" for x in r) for k, r in enumerate(rows)]))
    gt = tmp / "gt"
    gt.mkdir()
    np.savetxt(gt / "gt_mean.txt", 0.7 + np.arange(64) / 1000)
    return csv, gt


def test_taus_and_firsts_worked_by_hand(tmp_path: Path):
    up = 0.5 + np.arange(64) / 1000   # same order as the GT: tau +1, arch 63 first
    csv, gt = _write(tmp_path, [up, up[::-1], up])   # the middle record reversed: tau -1, arch 0 first
    out = subprocess.run([sys.executable, str(SCRIPT), str(csv), str(gt)], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "authors' supernet, 200 epochs, steps 100-102: 3 records"
    # taus +1, -1, +1: mean 1/3, sample std sqrt(4/3); the mean record is 'up' (tau +1)
    assert out[1] == (f"  tau with GT per record: mean +0.333, std {np.sqrt(4 / 3):.3f}, range [-1.000, +1.000]; "
                      "tau of the records' mean +1.000")
    assert out[2] == "  tau between consecutive records: mean -1.000, range [-1.000, -1.000]"
    assert out[3] == ("  ranked first: 2 different architectures; arch 63 (GT rank 1, first in 2), "
                      "arch 0 (GT rank 64, first in 1)")
    assert out[4] == f"  mean accuracy {100 * up.mean():.2f}% (the 64 and the records)"


def test_a_file_of_another_layout_is_refused_in_one_line(tmp_path: Path):
    csv, gt = _write(tmp_path, [np.zeros(64)], header="step,a,b")
    res = subprocess.run([sys.executable, str(SCRIPT), str(csv), str(gt)], check=False, capture_output=True,
                         text=True)
    assert res.returncode == 1
    assert res.stderr.strip().startswith("error:") and "expected a header ',0,1,...,63'" in res.stderr
    assert "Traceback" not in res.stderr
