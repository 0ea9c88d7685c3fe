"""The authors' ground truth of the 64 architectures as one table: arch, mean, std (fractions, as published).

    python results/di64-cifar10/gt_table.py ../shared/data/gt/deeper-insights-64 OUT.csv

Line i of ``gt_mean.txt``/``gt_std.txt`` is architecture i of the authors' enumeration
(``wsbench.spaces.get_space("di64").enumerate()`` follows it; tests/test_di64_torch.py). The table then goes
through ``python -m builders import-gt table OUT.csv --space di64 --arch-col arch --mean-col mean --std-col std
--metric accuracy --unit fraction`` like any contributor's table.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from wsbench.spaces import get_space


def main(src: str, out: str) -> None:
    archs = list(get_space("di64").enumerate())
    cols = {}
    for name in ("mean", "std"):
        lines = [ln.strip() for ln in (Path(src) / f"gt_{name}.txt").read_text().splitlines() if ln.strip()]
        if len(lines) != len(archs):
            sys.exit(f"gt_{name}.txt has {len(lines)} values; expected one per architecture ({len(archs)})")
        cols[name] = lines
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", "mean", "std"])
        w.writerows(zip(archs, cols["mean"], cols["std"]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
