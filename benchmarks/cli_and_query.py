"""Cold CLI start-up and in-process query latency/memory, as ratios measured in one run.

Targets (issues #2, #17): every cold statistic command <= 3x `python -c "import numpy"`; warm top-k and
correlation on 1k subnets <= 5 ms, with --ci and 1,000 bootstrap draws <= 0.5 s; a 1M-subnet store
queried without loading it whole.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
sys.path.insert(0, str(HERE.parent / "tests"))


def build(path: Path, space: str, n: int, epochs: tuple[int, ...], seeds: tuple[int, ...]) -> Path:
    if path.exists():
        return path
    from factory import provenance

    from wsbench.spaces import get_space
    from wsbench.store import StoreWriter

    t = time.perf_counter()
    rng = np.random.default_rng(0)
    archs = get_space(space).sample(n, seed=0)
    gt = rng.uniform(50, 95, n)
    folder = path.with_suffix(".zarr")
    w = StoreWriter.create(folder, space=space, archs=archs, epochs=epochs, seeds=seeds, attrs=provenance(),
                           overwrite=True)
    for s in seeds:
        for i, e in enumerate(epochs):
            w.write_supernet(s, e, np.clip(gt - 20 + rng.normal(0, 5 / (1 + i), n), 0, 100))
    w.write_arch_values("gt_score", gt)
    w.write_arch_values("params", gt * 1e4)
    w.write_arch_values("flops", gt * 1e6)
    w.finalize(zip_path=path)
    import shutil

    shutil.rmtree(folder)
    print(f"built {path.name}: {n:,} subnets x {len(epochs)} epochs x {len(seeds)} seeds "
          f"in {time.perf_counter() - t:.1f} s, {path.stat().st_size / 1e6:.1f} MB", flush=True)
    return path


def child_env(bytecode: str) -> dict[str, str]:
    """The environment of timed commands. ``installed``: as after ``pip install`` (byte-compiled modules, which
    pip writes at install time; numpy, the baseline, is always loaded that way): PYTHONDONTWRITEBYTECODE is
    removed and a warm-up run writes wsbench's .pyc files. ``source``: wsbench compiled from source on every
    start (what an editable install gives on a machine that sets PYTHONDONTWRITEBYTECODE=1, as this one does):
    the variable is set and wsbench's __pycache__ folders are removed first."""
    import os

    env = dict(os.environ)
    if bytecode == "installed":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env
    import shutil

    import wsbench

    for cache in Path(wsbench.__file__).parent.rglob("__pycache__"):
        shutil.rmtree(cache)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


ENV: dict[str, str] | None = None


def wall(cmd: list[str], repeat: int) -> float:
    subprocess.run(cmd, check=True, capture_output=True, env=ENV)  # warm-up: file cache, and .pyc when installed
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=ENV)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


PROBE = """
import json, sys, time
t0 = time.perf_counter()
import wsbench
b = wsbench.open(sys.argv[1])
t1 = time.perf_counter()
b.{stat}({kwargs})
t2 = time.perf_counter()
times = []
for _ in range({repeat}):
    t = time.perf_counter(); b.{stat}({kwargs}); times.append(time.perf_counter() - t)
times.sort()
# peak RSS of this process since exec (VmHWM; ru_maxrss would include the parent's size at fork)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({{"open_s": t1 - t0, "first_s": t2 - t1, "warm_ms": 1000 * times[len(times) // 2],
                  "max_rss_mb": int(hwm) / 1024}}))
"""


SELECT_ONLY = """
import json, sys, time
import numpy as np
import wsbench
b = wsbench.open(sys.argv[1])
g, e = b._gt("gt_score"), b.epochs[-1]
scores = [b._sn(s, e) for s in b.seeds]
def once():
    return [float(g[np.argpartition(-sn, 9)[:10]].max()) for sn in scores]
once()
times = []
for _ in range(5):
    t = time.perf_counter(); once(); times.append(time.perf_counter() - t)
print(json.dumps({"warm_ms": 1000 * sorted(times)[2]}))
"""


def probe(store: Path, stat: str, repeat: int, kwargs: str = "") -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(stat=stat, repeat=repeat, kwargs=kwargs), str(store)],
                         check=True, capture_output=True, text=True, env=ENV)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 1M-subnet store")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--bytecode", choices=("installed", "source"), default="installed",
                    help="installed (default): modules byte-compiled as pip leaves them; source: wsbench "
                         "compiled from source on every start (see child_env)")
    args = ap.parse_args()
    global ENV
    ENV = child_env(args.bytecode)
    WORK.mkdir(exist_ok=True)
    small = build(WORK / "nb201-1k.zip", "nb201", 1000, (1, 2, 4, 8, 16, 32), (0, 1, 2))
    script = Path(sys.executable).parent / "wsbench"
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "wsbench"]

    base = wall([sys.executable, "-c", "import numpy"], args.repeat)
    helpt = wall([*cli, "--help"], args.repeat)
    print(f"\ncold start (median of {args.repeat}; wsbench modules: {args.bytecode}):")
    print(f"  python -c 'import numpy'                {base * 1000:7.0f} ms  (1.00x)")
    print(f"  wsbench --help                          {helpt * 1000:7.0f} ms  ({helpt / base:.2f}x)")
    commands = [["topk"], ["correlation"], ["bias"], ["bias", "--by", "operator"], ["prune"], ["stability"]]
    for store, label in ((small, "1k store"), ("nb201-cifar10", "nb201-cifar10"), ("macro-cifar10", "macro-cifar10")):
        for c in commands:
            t = wall([*cli, *c, "--space", str(store)], args.repeat)
            name = f"{' '.join(c)} ({label})"
            print(f"  wsbench {name:31} {t * 1000:7.0f} ms  ({t / base:.2f}x)", flush=True)

    print("\nin-process, 1k subnets x 6 epochs x 3 seeds (defaults: last epoch, all seeds):")
    for stat, kwargs, reps in (("topk", "", 50), ("correlation", "", 50), ("bias", "", 20), ("prune", "", 5),
                               ("correlation", "ci=0.95, boot=1000", 3), ("topk", "ci=0.95, boot=1000", 3),
                               ("bias", "ci=0.95, boot=1000", 3)):
        r = probe(small, stat, reps, kwargs)
        label = f"{stat}({kwargs})"
        print(f"  {label:32} open {r['open_s'] * 1000:6.0f} ms  first {r['first_s'] * 1000:7.1f} ms  "
              f"warm {r['warm_ms']:8.2f} ms  max RSS {r['max_rss_mb']:.0f} MB", flush=True)
    if args.quick:
        return
    big = build(WORK / "proxylessnas-1M.zip", "proxylessnas", 1_000_000, tuple(range(1, 11)), (0, 1, 2))
    full_mb = 1_000_000 * (3 * 10 * 4 + 21 + 3 * 8 + 4) / 1e6
    print(f"\nin-process, 1M subnets x 10 epochs x 3 seeds (numeric arrays alone: {full_mb:.0f} MB decoded):")
    for stat, kwargs in (("topk", ""), ("correlation", ""), ("topk", "k=10, samples=1_000_000")):
        r = probe(big, stat, 3, kwargs)  # the last: the full pool, for the partial-selection comparison below
        print(f"  {stat}({kwargs}){'':{max(0, 30 - len(stat) - len(kwargs))}} open {r['open_s'] * 1000:6.0f} ms  "
              f"first {r['first_s']:6.2f} s  warm {r['warm_ms']:8.1f} ms  max RSS {r['max_rss_mb']:.0f} MB")
    ref = json.loads(subprocess.run([sys.executable, "-c", SELECT_ONLY, str(big)], check=True, capture_output=True,
                                    text=True, env=ENV).stdout)
    print(f"  full-pool top-10, every seed, last epoch: wsbench {r['warm_ms']:.1f} ms vs partial selection alone "
          f"(argpartition + max GT, nothing else) {ref['warm_ms']:.1f} ms = {r['warm_ms'] / ref['warm_ms']:.2f}x "
          "(target <= 2x)")


if __name__ == "__main__":
    main()
