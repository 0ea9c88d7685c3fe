"""darts-cifar10 v1.0 vs v1.1 on the same 500 genotypes and the same ground truth: what the training budget changed.

    python results/darts-cifar10-v1.1/compare.py darts-cifar10 STATE/darts-cifar10-1.1.zarr

For every epoch and seed both stores scored, the paired change in Kendall tau with the GT, v1.1 minus v1.0, of
the supernet's accuracy and of its loss: `wsbench.stats.paired.paired_delta` (`wsbench paired`'s statistic) on
the same subnets, seed i of v1.0 paired with seed i of v1.1 (independent supernets either way; the seeds' spread
enters the interval), paired jackknife, 95%; (seed, epoch) cells not scored in both are left out (the seeds
column says how many entered). Both stores must hold the same genotypes in the same order and the same GT
(while v1.1 has none yet, v1.0's): anything else is refused, as the comparison would not be paired.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import wsbench
from wsbench.stats.paired import paired_delta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="v1.0: catalog name or store path")
    ap.add_argument("new", help="v1.1: catalog name or store path")
    args = ap.parse_args(argv)
    # v1.1 may be compared while its build runs (seeds/epochs not yet scored are left out, and said so)
    a, b = wsbench.open(args.old), wsbench.open(args.new, allow_incomplete=True)
    archs_a, archs_b = list(a.arch_values("arch_string")), list(b.arch_values("arch_string"))
    if archs_a != archs_b:
        print(f"error: {a.name} and {b.name} hold other genotypes or another order; a paired comparison needs the "
              f"same list (build v1.1 with results/darts-cifar10-v1.1/build.sh)", file=sys.stderr)
        return 1
    gt_a = a.gt("gt_score")
    raw_b = b.arch_values("gt_score") if "gt_score" in b.gt_variables() else np.array([np.nan])
    if not np.isfinite(raw_b).any():  # a build still running: its GT is attached at the end (build.sh gt)
        print(f"{b.name} has no gt_score yet: both sides ranked against {a.name}'s (the same surrogate file)\n")
    elif not np.array_equal(a.arch_values("gt_score"), raw_b, equal_nan=True):
        print(f"error: {a.name} and {b.name} hold different gt_score; attach v1.0's (build.sh DATA STATE gt)",
              file=sys.stderr)
        return 1
    seeds = [s for s in a.seeds if s in b.seeds]
    print(f"| score | epoch | seeds | tau {a.name} | tau {b.name} | delta | 95% interval | p | verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    for score in ("supernet", "loss"):
        for e in [e for e in a.epochs if e in b.epochs]:
            pairs = []
            for s in seeds:
                try:
                    x, y = a.score_fn(score)(s, e), b.score_fn(score)(s, e)
                except wsbench.errors.WsbenchError:  # not scored (yet) in one of them
                    continue
                pairs.append((x, y))
            if not pairs:
                continue
            r = paired_delta(np.stack([p[0] for p in pairs]), gt_a, np.stack([p[1] for p in pairs]), gt_a)
            print(f"| {score} | {e} | {len(pairs)} | {r.tau_a:.3f} | {r.tau_b:.3f} | {r.delta:+.3f} | "
                  f"[{r.ci_low:+.3f}, {r.ci_high:+.3f}] | {'< 0.001' if r.p_value < 0.001 else f'{r.p_value:.3f}'} | "
                  f"{r.verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
