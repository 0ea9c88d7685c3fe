"""Wall time of a long build from its per-seed logs (``logs/<name>-seed<S>.log``: nb201-cifar10-paper, di64-cifar10; committed at each
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

LINE = re.compile(r"^seed (\d+) epoch (\d+): trained in (\d+) s ")
SCORED = re.compile(r"scored (\d+) subnets in (\d+) s")  # after "(N CPU s; loss L)" in newer logs, so searched


def main(folder: str) -> None:
    total = 0
    print(f"{'log':<24}  epochs trained  training h  scorings  scoring h  total h")
    for log in sorted(Path(folder).glob("*-seed[0-9]*.log")):
        epochs: dict[int, tuple[int, int]] = {}
        for line in log.read_text().splitlines():
            m = LINE.match(line)
            if m:
                sc = SCORED.search(line)
                epochs[int(m[2])] = (int(m[3]), int(sc[2]) if sc else 0)
        train = sum(t for t, _ in epochs.values())
        score = sum(s for _, s in epochs.values())
        n_scored = sum(1 for _, s in epochs.values() if s)
        total += train + score
        print(f"{log.stem:<24}  {len(epochs):14d}  {train / 3600:10.2f}  {n_scored:8d}  {score / 3600:9.2f}  "
              f"{(train + score) / 3600:7.2f}")
    print(f"all logs: {total / 3600:.2f} core-hours of wall time (1-thread processes)")


if __name__ == "__main__":
    main(sys.argv[1])
