"""Every CLI command, cold, on every bundled dataset, against `python -c "import numpy"` in the same run; the
bootstrap intervals warm; `wsbench report` cold.

Targets (issues #24, #27): every command <= 3x `python -c "import numpy"` cold on every bundled dataset; `--ci`
on any bundled dataset <= 2 s warm; `wsbench report NAME` <= 10 s cold.

Cold: a fresh process per run, modules byte-compiled as `pip install` leaves them (PYTHONDONTWRITEBYTECODE removed,
one warm-up run first, as benchmarks/cli_and_query.py). Each round runs the baseline and then every command once,
so a load that comes and goes touches both; the ratio is median(command) / median(baseline) over the rounds.

    python benchmarks/cold_every_command.py                 # ~5-10 min on a busy 2-core machine
    python benchmarks/cold_every_command.py --rounds 7 --only macro-cifar10 --skip-report
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: (label, arguments after `wsbench`), {d} = the dataset; every command in its default form, the bootstrap ones
#: (paired, gt-noise: an interval by default) included
COMMANDS: list[tuple[str, list[str]]] = [
    ("info", ["info", "{d}"]),
    ("correlation", ["correlation", "--space", "{d}"]),
    ("topk", ["topk", "--space", "{d}"]),
    ("bias", ["bias", "--space", "{d}"]),
    ("bias --by operator", ["bias", "--by", "operator", "--space", "{d}"]),
    ("prune", ["prune", "--space", "{d}"]),
    ("stability", ["stability", "--space", "{d}"]),
    ("bottom-top", ["bottom-top", "--space", "{d}"]),
    ("mean-score", ["mean-score", "--space", "{d}"]),
    ("gt-noise", ["gt-noise", "--space", "{d}"]),
    ("paired", ["paired", "--space", "{d}", "--a", "epoch=1", "--b", "epoch=last"]),
]

#: in-process, warm (the store open and the first call done): every statistic with --ci at its defaults
WARM_CI = [("correlation", "ci=0.95"), ("topk", "ci=0.95"), ("bias", "ci=0.95"), ("bottomtop", "ci=0.95"),
           ("correlation", "ci=0.95, epoch='all'"), ("paired", "a='epoch=1', b='epoch=last'"),
           ("gtnoise", "")]

WARM = """
import json, sys, time
import wsbench
b = wsbench.open(sys.argv[1])
out = {}
for stat, kwargs in json.loads(sys.argv[2]):
    call = eval(f"lambda: b.{stat}({kwargs})")
    try:
        call()
    except Exception as e:  # a statistic the dataset cannot answer: its message, no time
        out[f"{stat}({kwargs})"] = type(e).__name__
        continue
    times = []
    for _ in range(int(sys.argv[3])):
        t = time.perf_counter(); call(); times.append(time.perf_counter() - t)
    out[f"{stat}({kwargs})"] = sorted(times)[len(times) // 2]
print(json.dumps(out))
"""


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def run(cmd: list[str]) -> float:
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, env=env(), check=False)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode()[-400:]}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default=None, help="comma list of datasets (default: every bundled one)")
    ap.add_argument("--commands", default=None, help="comma list of command labels (default: all)")
    ap.add_argument("--skip-report", action="store_true")
    ap.add_argument("--skip-warm", action="store_true")
    a = ap.parse_args()
    script = Path(sys.executable).parent / "wsbench"
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "wsbench"]
    listed = json.loads(subprocess.run([*cli, "list", "--json"], capture_output=True, text=True, check=True).stdout)
    names = a.only.split(",") if a.only else [d["name"] for d in listed if d["where"] == "bundled"]
    commands = [c for c in COMMANDS if a.commands is None or c[0] in a.commands.split(",")]
    base = [sys.executable, "-c", "import numpy"]
    jobs = [(d, label, [*cli, *(x.format(d=d) for x in args)]) for d in names for label, args in commands]
    run(base)
    for _, _, cmd in jobs:  # warm-up: file cache and .pyc files
        run(cmd)
    print(f"cold start, {a.rounds} rounds, load average {os.getloadavg()[0]:.1f} at the start "
          f"(this machine: {os.cpu_count()} CPUs)", flush=True)
    times: dict[tuple[str, str], list[float]] = {(d, label): [] for d, label, _ in jobs}
    baseline: list[float] = []
    for _ in range(a.rounds):
        baseline.append(run(base))
        for d, label, cmd in jobs:
            times[(d, label)].append(run(cmd))
    b = statistics.median(baseline)
    print(f"  python -c 'import numpy': median {b * 1000:.0f} ms (rounds: "
          + ", ".join(f"{t * 1000:.0f}" for t in baseline) + ")")
    worst = 0.0
    for d in names:
        cells = []
        for label, _ in commands:
            r = statistics.median(times[(d, label)]) / b
            worst = max(worst, r)
            cells.append(f"{label} {r:.2f}x")
        print(f"  {d}: " + ", ".join(cells), flush=True)
    print(f"  worst: {worst:.2f}x (target <= 3x); load average now {os.getloadavg()[0]:.1f}")

    if not a.skip_warm:
        print("\nwarm, in-process, median of 3 after a first call (target <= 2 s each):")
        for d in names:
            # cwd elsewhere: `python -c` puts the working directory first on sys.path, ahead of PYTHONPATH, so a
            # checkout's wsbench would shadow the one being measured
            out = subprocess.run([sys.executable, "-c", WARM, d, json.dumps(WARM_CI), "3"], capture_output=True,
                                 text=True, env=env(), check=True, cwd=tempfile.gettempdir()).stdout
            res = json.loads(out)
            print(f"  {d}: " + ", ".join(f"{k} {v:.2f} s" if isinstance(v, float) else f"{k} ({v})"
                                         for k, v in res.items()), flush=True)

    if not a.skip_report:
        print("\ncold `wsbench report NAME` (one run each; target <= 10 s):")
        with tempfile.TemporaryDirectory() as tmp:
            for d in names:
                t = run([*cli, "report", d, "--out", str(Path(tmp) / f"{d}.html")])
                print(f"  {d}: {t:.1f} s (load average {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
