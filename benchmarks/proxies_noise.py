"""How reproducible is each zero-cost proxy, and is that why it agrees with NASLib's values only so far?

    python benchmarks/proxies_noise.py results/proxies/naslib-nb201-100cells.json \\
        results/proxies/naslib-nb201-100cells-init1.json results/proxies/naslib-nb201-100cells-batch1.json

Reads three runs of benchmarks/proxies_vs_naslib.py on the same cells: (init 0, batch 0), (init 1, batch 0),
(init 0, batch 1). Prints, per proxy, Kendall tau of the first run with NASLib's values, and of our runs with each
other: another initialisation only, another batch only, and both (run 2 vs run 3: the same difference as between
our values and NASLib's, which drew its own initialisation and batch).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from wsbench.stats.correlation import correlate


def tau(x: list, y: list) -> float:
    a, b = np.array(x, dtype=float), np.array(y, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    return correlate(a[ok], b[ok], "kendall") if ok.sum() > 2 else float("nan")


def main() -> None:
    base, init1, batch1 = (json.loads(Path(p).read_text()) for p in sys.argv[1:4])
    print(f"{'proxy':10} {'vs NASLib':>10} {'init only':>10} {'batch only':>11} {'both':>6}")
    for name, values in base["ours"].items():
        print(f"{name:10} {tau(values, base['naslib'][name]):10.3f} {tau(values, init1['ours'][name]):10.3f} "
              f"{tau(values, batch1['ours'][name]):11.3f} {tau(init1['ours'][name], batch1['ours'][name]):6.3f}")


if __name__ == "__main__":
    main()
