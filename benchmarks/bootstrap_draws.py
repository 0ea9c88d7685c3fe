"""Bootstrap draws on macro-cifar10 (3,969 subnets, 1,000 resamples), in-process: one Kendall and one Spearman
draw set, then the statistics whose intervals use them. For a before/after comparison run it outside the
checkout with the other code first on the path (``python -c`` and scripts put their own folder first):

    cd /tmp && python /path/to/benchmarks/bootstrap_draws.py
    cd /tmp && PYTHONPATH=/path/to/old/checkout python /path/to/benchmarks/bootstrap_draws.py
"""

from __future__ import annotations

import sys
import time

import wsbench
from wsbench.stats import bootstrap as boot


def timed(f, repeat: int = 3) -> tuple[float, float]:
    t = time.perf_counter()
    f()
    first = time.perf_counter() - t
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return first, sorted(times)[len(times) // 2]


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "macro-cifar10"
    b = wsbench.open(name)
    g = b._gt("gt_score")
    x = b._sn(0, b.epochs[-1])
    idx = boot.resamples(len(g), 1000, 0)
    c = boot.counts(idx, len(g))
    print(f"wsbench from {wsbench.__file__}; {name}, {len(g)} subnets, 1,000 resamples (first / warm median of 3)")
    for m in ("kendall", "spearman"):
        first, warm = timed(lambda m=m: boot._correlation_draws(x, g, idx, m, multiplicities=c))
        print(f"  one {m} draw set: {first:.3f} / {warm:.3f} s")
    calls = {"correlation(ci=0.95)": lambda: b.correlation(ci=0.95),
             "paired(a='epoch=1', b='epoch=last')": lambda: b.paired(a="epoch=1", b="epoch=last"),
             "bottomtop(ci=0.95)": lambda: b.bottomtop(ci=0.95)}
    for call, f in calls.items():
        first, warm = timed(f)
        print(f"  {call}: {first:.2f} / {warm:.2f} s")


if __name__ == "__main__":
    main()
