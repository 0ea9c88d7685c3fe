"""Wall time of the nb201-cifar10-paper build from its per-seed logs (``logs/paper-seed<S>.log``, committed at each
session's end): per seed, the training epochs done and their seconds, the scorings done and theirs, and the sum.

Each log line ``seed S epoch E: trained in T s (...)[, scored N subnets in U s]`` is one epoch; an epoch trained
twice (a restart from a checkpoint older than the log's last line) counts once, its last run. Wall seconds of a
1-thread process: core-seconds of work, inflated where the cores were shared (the README says when).

    python results/nb201-cifar10-paper/build_time.py results/nb201-cifar10-paper/logs
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LINE = re.compile(r"^seed (\d+) epoch (\d+): trained in (\d+) s .*?(?:scored (\d+) subnets in (\d+) s)?;")


def main(folder: str) -> None:
    total = 0
    print("seed  epochs trained  training h  scorings  scoring h  total h")
    for log in sorted(Path(folder).glob("paper-seed*.log")):
        epochs: dict[int, tuple[int, int]] = {}
        for line in log.read_text().splitlines():
            m = LINE.match(line)
            if m:
                epochs[int(m[2])] = (int(m[3]), int(m[5] or 0))
        train = sum(t for t, _ in epochs.values())
        score = sum(s for _, s in epochs.values())
        n_scored = sum(1 for _, s in epochs.values() if s)
        total += train + score
        seed = log.stem.removeprefix("paper-seed")
        print(f"{seed:>4}  {len(epochs):14d}  {train / 3600:10.2f}  {n_scored:8d}  {score / 3600:9.2f}  "
              f"{(train + score) / 3600:7.2f}")
    print(f"all seeds: {total / 3600:.2f} core-hours of wall time (1-thread processes)")


if __name__ == "__main__":
    main(sys.argv[1])
