"""Thread/process layout on this machine's 2 cores, measured in one run (issue 29 item 1): SPOS training
throughput of one 2-thread process against two 1-thread processes side by side (one per supernet seed, as the
builds run), the same steps of the build's own training (``compile_lever.py --modes eager``).

Run it on a quiet machine: anything else on the cores changes the answer.

    python benchmarks/layout_lever.py --data-dir DIR [--space nb201] [--steps 40]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(args, threads: int, copies: int) -> dict:
    cmd = [sys.executable, str(HERE / "compile_lever.py"), "--data-dir", args.data_dir, "--space", args.space,
           "--modes", "eager", "--steps", str(args.steps), "--warmup", "4", "--threads", str(threads)]
    t0 = time.perf_counter()
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
             for _ in range(copies)]
    outs = [json.loads(p.communicate()[0].splitlines()[0]) for p in procs]  # the eager row
    wall = time.perf_counter() - t0
    rates = [o["train_img_per_s_after_warmup"] for o in outs]
    return {"layout": f"{copies} process(es) x {threads} thread(s)", "img_per_s_each": rates,
            "img_per_s_total": round(sum(rates), 1), "wall_s": round(wall, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--space", default="nb201")
    ap.add_argument("--steps", type=int, default=40)
    args = ap.parse_args()
    rows = [_run(args, 1, 1), _run(args, 2, 1), _run(args, 1, 2)]
    for r in rows:
        r["total_vs_one_thread"] = round(r["img_per_s_total"] / rows[0]["img_per_s_total"], 2)
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
