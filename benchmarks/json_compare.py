"""Compare two folders written by benchmarks/json_golden.py: equal, equal to a tolerance, or different.

    python benchmarks/json_compare.py /tmp/golden-before /tmp/golden-after [--rtol 1e-12]

Every ``.json`` pair is parsed and walked together: identical text counts as bit-for-bit equal; otherwise numbers
may differ by at most ``rtol`` relative (``atol`` absolute near zero), everything else (keys, strings, nulls, list
lengths) must match. ``.meta`` files (command line, exit code, stderr) must match exactly. Prints one line per file
that is not bit-for-bit equal, with its largest difference, and a count of each kind; exits 1 if any file differs
beyond the tolerance.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path


def walk(a: object, b: object, path: str, rtol: float, atol: float, worst: list) -> str | None:
    """None if equal within tolerance, else where they first differ; ``worst`` collects (difference, path)."""
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        if type(a) is not type(b):
            return f"{path}: {a!r} vs {b!r}"
        if isinstance(a, dict):
            if list(a) != list(b):  # type: ignore[arg-type]
                return f"{path}: keys {list(a)} vs {list(b)}"  # type: ignore[arg-type]
            for k in a:
                bad = walk(a[k], b[k], f"{path}.{k}", rtol, atol, worst)  # type: ignore[index]
                if bad:
                    return bad
            return None
        if isinstance(a, list):
            if len(a) != len(b):  # type: ignore[arg-type]
                return f"{path}: {len(a)} vs {len(b)} items"  # type: ignore[arg-type]
            for i, (x, y) in enumerate(zip(a, b)):  # type: ignore[call-overload]
                bad = walk(x, y, f"{path}[{i}]", rtol, atol, worst)
                if bad:
                    return bad
            return None
        return None if a == b else f"{path}: {a!r} vs {b!r}"
    if a == b:
        return None
    d = abs(a - b)
    worst.append((d / max(abs(a), abs(b)), path))
    if math.isfinite(d) and d <= max(atol, rtol * max(abs(a), abs(b))):
        return None
    return f"{path}: {a!r} vs {b!r}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--rtol", type=float, default=1e-12)
    ap.add_argument("--atol", type=float, default=1e-14)
    a = ap.parse_args()
    names = sorted({p.name for p in a.before.iterdir()} | {p.name for p in a.after.iterdir()})
    kinds = {"identical": 0, "within tolerance": 0, "different": 0, "missing": 0}
    for name in names:
        pa, pb = a.before / name, a.after / name
        if not pa.exists() or not pb.exists():
            kinds["missing"] += 1
            print(f"missing: {name} ({'before' if not pa.exists() else 'after'})")
            continue
        ta, tb = pa.read_text(), pb.read_text()
        if ta == tb:
            kinds["identical"] += 1
            continue
        if name.endswith(".meta") or not ta.strip() or not tb.strip():
            kinds["different"] += 1
            print(f"different: {name}")
            continue
        worst: list = []
        bad = walk(json.loads(ta), json.loads(tb), "$", a.rtol, a.atol, worst)
        big = max(worst) if worst else (0.0, "")
        if bad:
            kinds["different"] += 1
            print(f"different: {name}: {bad}")
        else:
            kinds["within tolerance"] += 1
            print(f"within tolerance: {name}: largest relative difference {big[0]:.1e} at {big[1]}")
    print(", ".join(f"{k}: {v}" for k, v in kinds.items()))
    sys.exit(1 if kinds["different"] or kinds["missing"] else 0)


if __name__ == "__main__":
    main()
