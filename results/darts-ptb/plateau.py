"""The sigmoid-free cells of darts-ptb: where the 1-epoch ground truth has not left the unigram plateau.

    python results/darts-ptb/plateau.py            # the bundled dataset (or pass a store path)

Prints how many cells have no sigmoid node, their ground truth, and every Kendall tau of the card with and
without them (GT seed vs seed; supernet vs GT per epoch, mean ± std over supernet seeds).
"""

from __future__ import annotations

import sys

import numpy as np

import wsbench
from wsbench.stats.correlation import kendall_tau_b


def main(space: str = "darts-ptb") -> None:
    b = wsbench.open(space)
    archs = [str(a) for a in b.ds["arch_string"].values]
    gt = b.ds["gt_score"].values.astype(float)
    per = b.ds["gt_score_per_seed"].values.astype(float)
    sn = b.ds["supernet_score"].values.astype(float)
    free = np.array(["sigmoid" not in a for a in archs])
    print(f"{free.sum()} of {len(archs)} cells have no sigmoid node; their GT per seed: "
          f"{np.nanmin(per[:, free]):.1f} - {np.nanmax(per[:, free]):.1f}; every other cell: "
          f"{np.nanmin(per[:, ~free]):.1f} - {np.nanmax(per[:, ~free]):.1f} (median {np.nanmedian(gt[~free]):.1f})")
    print(f"cells with GT > 850 in both seeds: {int((per > 850).all(axis=0).sum())}, of them sigmoid-free: "
          f"{int(((per > 850).all(axis=0) & free).sum())}")
    for label, keep in (("all cells", np.ones_like(free)), ("cells with a sigmoid node", ~free)):
        print(f"\n{label} ({int(keep.sum())}): GT seed vs seed tau {kendall_tau_b(per[0][keep], per[1][keep]):.3f}")
        for e, ep in enumerate(b.epochs):
            t = [kendall_tau_b(sn[s, e][keep], gt[keep]) for s in range(sn.shape[0])]
            rank = [float(np.mean(gt[keep] <= gt[keep][np.argmin(sn[s, e][keep])])) * 100 for s in range(sn.shape[0])]
            print(f"  epoch {ep:>2}: supernet vs GT tau {np.mean(t):+.3f} ± {np.std(t, ddof=1):.3f}; "
                  f"its top-1 is a top-{np.mean(rank):.1f}% cell by GT")


if __name__ == "__main__":
    main(*sys.argv[1:])
