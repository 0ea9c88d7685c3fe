"""The paired jackknife against the paired bootstrap on every bundled dataset: intervals, p and warm time.

    python benchmarks/paired_intervals.py [--boot 1000]

For three comparisons per dataset (first vs last epoch, middle vs last, (WS, PS) vs (WS, GT)), both intervals
with the seeds' spread counted and with the seeds fixed. Prints one line per comparison; times are warm (the
store's arrays read once before) and taken in this one run, so compare them with each other only.
"""

from __future__ import annotations

import argparse
import time

import wsbench

DATASETS = ("nb201-cifar10", "nb101-cifar10", "darts-cifar10", "macro-cifar10", "darts-ptb")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--boot", type=int, default=1000)
    args = ap.parse_args()
    for name in DATASETS:
        b = wsbench.open(name)
        ep = b.epochs
        b.paired(a=f"epoch={ep[0]}", b="epoch=last")  # warm: arrays read
        for a, bb in ((f"epoch={ep[0]}", "epoch=last"), (f"epoch={ep[len(ep) // 2]}", "epoch=last"),
                      ("against=params", "against=gt_score")):
            cells = []
            for interval in ("jackknife", "bootstrap"):
                kw = {"boot": args.boot} if interval == "bootstrap" else {}
                for over in (True, False):
                    t = time.perf_counter()
                    s = b.paired(a=a, b=bb, interval=interval, over_seeds=over, **kw).summary[0]
                    dt = time.perf_counter() - t
                    cells.append(f"{interval[:4]}{'+seeds' if over else '      '} [{s['delta_ci_low']:+.3f}, "
                                 f"{s['delta_ci_high']:+.3f}] p={s['p_value']:.2g} {s['verdict'][:6]:6} {dt:.2f}s")
            print(f"{name:13} {a:>14} -> {bb:<16} delta {s['delta']:+.3f} n {s['n']:4} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
