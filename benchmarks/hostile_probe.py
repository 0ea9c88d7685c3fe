"""Count how wsbench answers the hostile inputs of issue 28, items 5-9 (stores validate rejects, damaged chunks,
data-derived labels in the report, bad catalogs and data folders, junk API arguments, symlinks in published
stores). Prints one line per probe: runs, and how many ended as they should (exit 1 naming the problem / an
OptionError) vs wrongly (exit 0 on a rejected store, exit 3 = "a wsbench bug", a traceback, a hang).

Before/after: run it against another checkout by putting that checkout first on the path, e.g.

    git -C /work/main archive main | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before python benchmarks/hostile_probe.py      # main's code
    python benchmarks/hostile_probe.py                             # this checkout

Every store, catalog and server is made in a temp folder by the project's own writer (tests/factory.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def wsbench(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120, user: int | None = None,
            module: str = "wsbench") -> tuple[int, str]:
    """(exit code, stderr) of ``python -m wsbench ARGS``; 124 when it ran past ``timeout``."""
    full = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    full.pop("WSBENCH_DEBUG", None)

    def drop() -> None:
        if user is not None:
            os.setgid(user)
            os.setuid(user)

    try:
        r = subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=full, capture_output=True, text=True,
                           timeout=timeout, check=False, preexec_fn=drop if user is not None else None)
    except subprocess.TimeoutExpired:
        return 124, "timed out"
    return r.returncode, r.stderr


def outcome(code: int, err: str, words: tuple[str, ...] = ()) -> str:
    """ok: exit 1 naming the problem; else what went wrong."""
    if code == 1:
        text = " ".join(err.split())
        return "ok" if all(w in text for w in words) else "exit 1, problem not named"
    return {0: "exit 0 (answered)", 3: "exit 3 (wsbench bug)", 124: "hang (timed out)"}.get(code, f"exit {code}")


def report(name: str, counts: Counter, out: list) -> None:
    total = sum(counts.values())
    print(f"{name}: {counts.get('ok', 0)}/{total} as they should" +
          "".join(f"; {n} {k}" for k, n in counts.most_common() if k != "ok"), flush=True)
    out.append({"probe": name, "runs": total, **counts})


# -- item 5: stores validate rejects, every statistic command ------------------------------------------------
def probe_rejected_stores(tmp: Path, out: list) -> None:
    from hostile_cases import CASES, STAT_COMMANDS, base_store, make_case

    base = base_store(tmp)
    counts: Counter = Counter()
    for case, (_, words) in CASES.items():
        store = make_case(base, tmp, case)
        for cmd in STAT_COMMANDS:
            code, err = wsbench(*cmd, "--space", store.name, cwd=tmp, env={"WSBENCH_DATA": str(tmp / "data")})
            counts[outcome(code, err, (words,))] += 1
    report("item 5: rejected stores x statistic commands", counts, out)


PROBES = {"5": probe_rejected_stores}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(PROBES), help="comma list of items to probe (default: all)")
    ap.add_argument("--json", help="also write the counts to this file")
    args = ap.parse_args()
    import wsbench

    print(f"wsbench from {Path(wsbench.__file__).parent}")
    out: list = []
    with tempfile.TemporaryDirectory() as d:
        for item in args.only.split(","):
            t = time.perf_counter()
            PROBES[item](Path(d) / f"item{item}", out) if (Path(d) / f"item{item}").mkdir() is None else None
            print(f"  ({time.perf_counter() - t:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
