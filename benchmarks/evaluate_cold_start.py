"""Cold start of ``wsbench evaluate`` against ``python -c "import numpy"``, as ratios measured in one run.

Target (issue 25): a cold ``wsbench evaluate`` within 3x ``import numpy``. Cases, each against the bundled
``nb201-cifar10`` (1,000 subnets): a 1,000-row CSV (one score per subnet, canonical strings), the same with
NASLib op-index tuples (each row parsed through the encoding), the dataset's own 18,000 scores (3 seeds x 6
epochs, the done-when round trip) and all 15,625 NB201 cells: against nb201's whole-space ground-truth table
(``gt-nb201-analognas``, the default ``--gt-table auto``: the issue's target case, 15,625 cells evaluated, 1,000
side by side) and, for comparison, with ``--gt-table none --drop-unknown`` (14,625 dropped), and the target case
through ``main()`` instead of the console script (Python's default garbage-collector settings). Runs are
interleaved (baseline, then each case, ``--repeat`` times) and the median of each is taken, so a machine busy
with other work slows all alike; the numbers are contended unless the machine is quiet. Beside the wall time, the
CPU time (user + sys) of each process: on a busy machine a longer process is preempted more often, so its wall
time grows more than a short one's, and the CPU ratio says what the process itself costs.

    python benchmarks/evaluate_cold_start.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "evaluate"


def write_cases() -> dict[str, list[str]]:
    import wsbench
    from wsbench.encodings import from_canonical
    from wsbench.spaces import get_space

    WORK.mkdir(parents=True, exist_ok=True)
    b = wsbench.open("nb201-cifar10")
    archs = [str(a) for a in b.arch_values("arch_string")]
    rng = np.random.default_rng(0)
    one = WORK / "scores_1000.csv"
    naslib = WORK / "scores_1000_naslib.csv"
    own = WORK / "own_18000.csv"
    space = WORK / "all_15625.csv"
    with open(one, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", "score"])
        w.writerows((a, float(v)) for a, v in zip(archs, rng.normal(size=len(archs))))
    with open(naslib, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", "score"])
        w.writerows((str(from_canonical("nb201", a, "naslib")), float(v))
                    for a, v in zip(archs, rng.normal(size=len(archs))))
    with open(own, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", "accuracy", "epoch", "seed"])
        scores = b.score_fn("supernet")  # a store of prune runs (nb201-cifar10 v2.0): the control's, as every statistic
        for s in b.seeds:
            for e in b.epochs:
                w.writerows((a, repr(float(x)), e, s) for a, x in zip(archs, scores(s, e)))
    with open(space, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", "score"])
        w.writerows((a, float(v)) for a, v in zip(get_space("nb201").enumerate(), rng.normal(size=15625)))
    # the console script of this interpreter's install (as cold_every_command.py): a bare "wsbench" may be another
    # install's, or a pyenv shim (a bash script that adds ~50 ms to every start)
    script = Path(sys.executable).parent / "wsbench"
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "wsbench"]
    base = [*cli, "evaluate", "--space", "nb201-cifar10"]
    return {"(reference: wsbench correlation)": [*cli, "correlation", "--space", "nb201-cifar10"],
            "1,000 rows, canonical strings": [*base, str(one), "--higher-is-better"],
            "1,000 rows, NASLib op indices": [*base, str(naslib), "--higher-is-better"],
            "18,000 rows (3 seeds x 6 epochs)": [*base, str(own)],
            "15,625 rows, --gt-table none --drop-unknown": [*base, str(space), "--higher-is-better", "--gt-table",
                                                            "none", "--drop-unknown"],
            "15,625 rows vs the whole-space GT table (target)": [*base, str(space), "--higher-is-better"],
            # the same through main() instead of the console script's console(): Python's default collector
            # settings (every 700 allocations, and a full pass at exit), the lever console() sets aside
            "(the target through main(): default collector)": [
                sys.executable, "-c", "from wsbench.cli.app import main; main()", "evaluate", "--space",
                "nb201-cifar10", str(space), "--higher-is-better"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    cases = write_cases()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as after pip install: wsbench byte-compiled (warm-up writes .pyc)
    env["COLUMNS"] = "80"
    baseline = [sys.executable, "-c", "import numpy"]
    runs: dict[str, list[float]] = {"numpy": [], **{k: [] for k in cases}}
    cpu: dict[str, list[float]] = {"numpy": [], **{k: [] for k in cases}}  # user + sys of the child process
    for cmd in (baseline, *cases.values()):  # warm-up: file cache and .pyc
        subprocess.run(cmd, check=True, capture_output=True, env=env)
    for _ in range(args.repeat):
        for key, cmd in (("numpy", baseline), *cases.items()):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            runs[key].append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[key].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    numpy_s, numpy_cpu = statistics.median(runs["numpy"]), statistics.median(cpu["numpy"])
    print(f"python -c 'import numpy': {1000 * numpy_s:.0f} ms wall, {1000 * numpy_cpu:.0f} ms CPU (median of "
          f"{args.repeat}, interleaved)")
    print(f"{'':66s} {'wall':>6s}  {'ratio':>5s}  {'CPU':>6s}  {'ratio':>5s}")
    for key in cases:
        s, c = statistics.median(runs[key]), statistics.median(cpu[key])
        label = key if key.startswith("(") else f"wsbench evaluate, {key}"
        print(f"{label:66s} {1000 * s:4.0f}ms  {s / numpy_s:4.2f}x  {1000 * c:4.0f}ms  {c / numpy_cpu:4.2f}x")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores here: above ~2 the numbers are contended)")


if __name__ == "__main__":
    main()
