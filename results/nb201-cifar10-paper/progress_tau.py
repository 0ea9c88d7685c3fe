"""Kendall tau of an nb201-cifar10-paper store *while it builds*, against the bundled whole-space GT table.

Every (seed, epoch) whose 1,000 scores are all written: tau (accuracy) and tau (-loss) with AnalogNAS-Bench's
CIFAR-10 accuracy (``gt-nb201-analognas``, looked up by canonical string), the mean inherited accuracy and the
number of distinct accuracies. Reads a copy or the live store (``allow_incomplete``: its GT is not attached yet);
a seed still scoring an epoch shows that epoch as incomplete.

    python results/nb201-cifar10-paper/progress_tau.py /work/state/paper.zarr
"""

from __future__ import annotations

import sys

import numpy as np

import wsbench
from wsbench.evaluation import store_strings
from wsbench.gt_catalog import resolve_table, table_for
from wsbench.gt_table import open_table
from wsbench.stats.coefficients import correlate


def main(path: str) -> None:
    b = wsbench.open(path, allow_incomplete=True)
    entry = table_for("nb201-cifar10")
    table = open_table(resolve_table(entry), entry.name)
    where = {a: i for i, a in enumerate(table.strings())}
    gt = table.arch_values("gt_score")[[where[a] for a in store_strings(b)]]
    print(f"{path}: {b.n_archs} subnets, GT {entry.name} (mean {gt.mean():.1f}%)")
    print("seed  epoch  tau(acc)  tau(-loss)  mean acc  distinct")
    for si, s in enumerate(b.seeds):
        for ei, e in enumerate(b.epochs):
            acc = np.asarray(b._read("supernet_score", (si, ei)), dtype=float)
            if not np.isfinite(acc).all():
                print(f"{s:4d}  {e:5d}  {int(np.isfinite(acc).sum())} of {len(acc)} scored")
                continue
            loss = np.asarray(b._read("supernet_loss", (si, ei)), dtype=float)
            print(f"{s:4d}  {e:5d}  {correlate(acc, gt, 'kendall'):+8.3f}  {correlate(-loss, gt, 'kendall'):+10.3f}"
                  f"  {100 * acc.mean() if acc.max() <= 1 else acc.mean():7.1f}%  {len(np.unique(acc)):8d}")


if __name__ == "__main__":
    main(sys.argv[1])
