"""Wall and CPU time of a long build from its logs (``logs/<name>-seed<S>.log`` per seed, ``<name>-finetune.log``
for the fine-tuned protocol: nb201-cifar10-paper, di64-cifar10; committed at each session's end): per seed, the
training epochs done and their hours, the scorings done and theirs, and the sums; then the fine-tunes.

Each log line ``seed S epoch E: trained in T s (C CPU s; ...)[, scored N subnets in U s (D CPU s)]`` is one epoch;
an epoch trained twice (a restart from a checkpoint older than the log's last line) counts once, its last run.
Wall seconds of a 1-thread process are core-seconds of work, inflated where the cores were shared (the README
says when); CPU seconds (``time.process_time()``, logged since session 12) are what the process itself used,
and are summed where every epoch of a log has them (a log with some epochs lacking them shows none). A fine-tune line is
GNU time's ``finetune seed S[ epoch E]: W s wall, U+S CPU s``; every one counts (a stopped run's work is carried).

    python results/nb201-cifar10-paper/build_time.py results/nb201-cifar10-paper/logs
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

LINE = re.compile(r"^seed (\d+) epoch (\d+): trained in (\d+) s (?:\((\d+) CPU s)?")
SCORED = re.compile(r"scored (\d+) subnets in (\d+) s(?: \((\d+) CPU s\))?")  # after "(N CPU s; loss L)": searched
FINETUNE = re.compile(r"^finetune seed \d+(?: epoch \d+)?: ([\d.]+) s wall, ([\d.]+)\+([\d.]+) CPU s")


def _h(seconds: float) -> str:
    return f"{seconds / 3600:.2f}"


def main(folder: str) -> None:
    wall = cpu = 0.0
    no_cpu = 0
    logs = sorted(Path(folder).glob("*-seed[0-9]*.log"))
    w = max([24, *(len(log.stem) for log in logs)])  # nb201v2-optimistic-0.75-seed1 is 29 wide
    print(f"{'log':<{w}}  epochs trained  training h  scorings  scoring h  total h  CPU h")
    for log in logs:
        # epoch -> (train wall, train CPU or None, score wall, score CPU or None)
        epochs: dict[int, tuple[int, int | None, int, int | None]] = {}
        for line in log.read_text().splitlines():
            m = LINE.match(line)
            if m:
                sc = SCORED.search(line)
                epochs[int(m[2])] = (int(m[3]), None if m[4] is None else int(m[4]),
                                     int(sc[2]) if sc else 0, (int(sc[3]) if sc[3] else None) if sc else 0)
        train = sum(e[0] for e in epochs.values())
        score = sum(e[2] for e in epochs.values())
        with_cpu = [e for e in epochs.values() if e[1] is not None and e[3] is not None]
        used = sum(e[1] + e[3] for e in with_cpu)
        no_cpu += len(epochs) - len(with_cpu)
        n_scored = sum(1 for e in epochs.values() if e[2])
        wall += train + score
        cpu += used
        print(f"{log.stem:<{w}}  {len(epochs):14d}  {_h(train):>10}  {n_scored:8d}  {_h(score):>9}  "
              f"{_h(train + score):>7}  {_h(used) if len(with_cpu) == len(epochs) else '—':>5}")
    ft_wall = ft_cpu = 0.0
    runs = 0
    for log in sorted(Path(folder).glob("*-finetune.log")):
        for line in log.read_text().splitlines():
            m = FINETUNE.match(line)
            if m:
                runs += 1
                ft_wall += float(m[1])
                ft_cpu += float(m[2]) + float(m[3])
    if runs:
        print(f"{'fine-tunes':<{w}}  {f'{runs} runs':>14}{'':>33}  {_h(ft_wall):>7}  {_h(ft_cpu):>5}")
    used_h = (f"{(cpu + ft_cpu) / 3600:.2f} CPU-hours" if not no_cpu else
              f"CPU-hours unknown ({no_cpu} epochs log no CPU figure)")
    print(f"all logs: {(wall + ft_wall) / 3600:.2f} core-hours of wall time (1-thread processes), {used_h}")


if __name__ == "__main__":
    main(sys.argv[1])
