"""Kendall tau of a di64-cifar10 store *while it builds*, against the authors' published GT (files, not the store).

Every (seed, epoch) whose 64 scores are all written: tau (accuracy) and tau (-loss) with the authors' mean accuracy,
the mean inherited accuracy, tau with the previous epoch of the same seed (adjacent-epoch stability), and the
accuracy tau over the ceiling that the authors' std implies (``wsbench.stats.ceiling.implied_trainings``, 20
simulated trainings, rng_seed 0). Reads the live store (``allow_incomplete``: its GT is attached at the end).

    python results/di64-cifar10/progress.py /work/state/di64.zarr ../shared/data/gt/deeper-insights-64
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import wsbench
from wsbench.evaluation import store_strings
from wsbench.spaces import get_space
from wsbench.stats.ceiling import gt_seed_tau, implied_trainings
from wsbench.stats.coefficients import correlate


def main(path: str, gt_dir: str) -> None:
    b = wsbench.open(path, allow_incomplete=True)
    order = {a: i for i, a in enumerate(get_space("di64").enumerate())}  # line i of the files = arch i
    idx = [order[a] for a in store_strings(b)]
    mean = 100 * np.loadtxt(Path(gt_dir) / "gt_mean.txt")[idx]
    std = 100 * np.loadtxt(Path(gt_dir) / "gt_std.txt")[idx]
    ceiling = gt_seed_tau(implied_trainings(mean, std, rng_seed=0))
    print(f"{path}: {b.n_archs} subnets; GT mean {mean.mean():.2f}%, implied GT-vs-GT tau {ceiling:.3f}")
    print("seed  epoch  tau(acc)  tau(-loss)  mean acc  tau(prev epoch)  tau/ceiling")
    for si, s in enumerate(b.seeds):
        prev = None
        for ei, e in enumerate(b.epochs):
            acc = np.asarray(b._read("supernet_score", (si, ei)), dtype=float)
            if not np.isfinite(acc).all():
                if np.isfinite(acc).any():
                    print(f"{s:4d}  {e:5d}  {int(np.isfinite(acc).sum())} of {len(acc)} scored")
                prev = None
                continue
            loss = np.asarray(b._read("supernet_loss", (si, ei)), dtype=float)
            tau = correlate(acc, mean, "kendall")
            adj = f"{correlate(acc, prev, 'kendall'):+15.3f}" if prev is not None else " " * 15
            print(f"{s:4d}  {e:5d}  {tau:+8.3f}  {correlate(-loss, mean, 'kendall'):+10.3f}  {acc.mean():7.1f}%  "
                  f"{adj}  {tau / ceiling:11.0%}")
            prev = acc


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
