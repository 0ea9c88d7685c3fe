"""Two installs of wsbench, cold, interleaved in every round: does a change make start-up faster?

Each round runs `python -c "import numpy"` and then, for every command, both console scripts (their order
alternating between rounds), so a load that comes and goes touches both alike. Prints each command's
median / median baseline for A and B, and the median of the per-round differences A - B.

    python benchmarks/cold_ab.py /path/venv-before/bin/wsbench /path/venv-after/bin/wsbench --rounds 11
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

COMMANDS = [["--help"], ["list"], ["topk", "--space", "macro-cifar10"], ["prune", "--space", "macro-cifar10"],
            ["correlation", "--space", "nb201-cifar10"]]


from cold_every_command import run  # one timing rule (byte-compiled, exit 0/1 accepted) for both scripts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", help="console script A (e.g. the install before a change)")
    ap.add_argument("b", help="console script B")
    ap.add_argument("--rounds", type=int, default=11)
    args = ap.parse_args()
    scripts = {"A": args.a, "B": args.b}
    for cmd in COMMANDS:  # warm-up: file cache and .pyc files
        for s in scripts.values():
            run([s, *cmd])
    base: list[float] = []
    times: dict[tuple[str, int], list[float]] = {(k, i): [] for k in scripts for i in range(len(COMMANDS))}
    for r in range(args.rounds):
        base.append(run([sys.executable, "-c", "import numpy"]))
        for i, cmd in enumerate(COMMANDS):
            for k in ("A", "B") if r % 2 else ("B", "A"):
                times[(k, i)].append(run([scripts[k], *cmd]))
    b = statistics.median(base)
    print(f"python -c 'import numpy': median {b * 1000:.0f} ms over {args.rounds} rounds; load average "
          f"{os.getloadavg()[0]:.1f}")
    for i, cmd in enumerate(COMMANDS):
        a_, b_ = times[("A", i)], times[("B", i)]
        saved = statistics.median([x - y for x, y in zip(a_, b_, strict=True)])
        print(f"  wsbench {' '.join(cmd):36} A {statistics.median(a_) / b:.2f}x  B {statistics.median(b_) / b:.2f}x"
              f"  (A - B, median per round: {saved * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
