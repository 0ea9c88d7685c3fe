"""Our zero-cost proxies against NASLib's published values on the same cells, at the same (paper) scale.

    python benchmarks/proxies_vs_naslib.py --space nb201 --data-dir DIR [--limit 100] [--out results.json]

For each proxy: Kendall tau between the values computed here (builders.proxies, one batch of 64 CIFAR-10
training images, seed 0) and NASLib's (zc_nasbench201.json etc. in ../shared/data/gt/naslib/), over the cells
both define; and the cost per subnet per proxy on this machine (1 thread). NASLib draws its own batch and
initialisation, so tau < 1 even for identical definitions: data-free proxies (l2_norm, synflow) show the
definition, data-dependent ones also the batch noise.
"""

from __future__ import annotations

import argparse
import ast
import json
import time
from pathlib import Path

import numpy as np

NASLIB = {"nb201": "zc_nasbench201.json", "nb101": "zc_nasbench101.json", "darts": "zc_nasbench301.json"}
OUR_NAME = {"nwot": "naswot"}  # NASLib's name -> ours


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--space", default="nb201", choices=sorted(NASLIB))
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--naslib-dir", default=str(Path(__file__).resolve().parents[2] / "shared/data/gt/naslib"))
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="also write the per-cell values here (JSON)")
    args = ap.parse_args()
    import torch

    from builders.groundtruth.naslib_zc import BENCHMARKS, key_to_arch
    from builders.proxies.measures import PROXIES, compute
    from builders.proxies.run import batch_of, network_factory
    from wsbench.spaces import get_space
    from wsbench.stats.correlation import correlate

    torch.set_num_threads(1)
    data = json.loads((Path(args.naslib_dir) / NASLIB[args.space]).read_text())[BENCHMARKS[args.space]]["cifar10"]
    sp = get_space(args.space)
    cells = list(data.items())[: args.limit]
    make, resolution, scale = network_factory(args.space, "paper")
    x, y = batch_of(args.data_dir, args.batch, args.seed, resolution)
    ours: dict[str, list[float]] = {n: [] for n in PROXIES}
    theirs: dict[str, list[float]] = {n: [] for n in PROXIES}
    seconds: dict[str, list[float]] = {n: [] for n in PROXIES}
    t0 = time.perf_counter()
    for k, (key, rec) in enumerate(cells, start=1):
        arch = sp.canonicalize(key_to_arch(args.space, ast.literal_eval(key)))
        torch.manual_seed(args.seed)
        net = make(arch)
        for name in PROXIES:
            t = time.perf_counter()
            value, _ = compute(name, net, x, y)
            seconds[name].append(time.perf_counter() - t)
            ours[name].append(value)
            ref = rec.get({v: k for k, v in OUR_NAME.items()}.get(name, name))
            theirs[name].append(float(ref) if isinstance(ref, int | float) and abs(ref) < 1e7 else np.nan)
        if k % 10 == 0:
            print(f"{k}/{len(cells)} cells, {time.perf_counter() - t0:.0f} s", flush=True)
    print(f"\n{args.space}, {len(cells)} cells of {NASLIB[args.space]} ({scale}), batch {args.batch}, seed {args.seed}")
    print(f"{'proxy':10} {'tau vs NASLib':>14} {'cells':>6} {'s/subnet':>9}")
    summary = {}
    for name in PROXIES:
        a, b = np.array(ours[name]), np.array(theirs[name])
        ok = np.isfinite(a) & np.isfinite(b)
        tau = correlate(a[ok], b[ok], "kendall") if ok.sum() > 2 else float("nan")
        summary[name] = {"kendall_tau": tau, "cells": int(ok.sum()), "seconds_per_subnet": float(np.mean(seconds[name]))}
        print(f"{name:10} {tau:14.3f} {int(ok.sum()):6d} {np.mean(seconds[name]):9.3f}")
    if args.out:
        Path(args.out).write_text(json.dumps({"summary": summary, "ours": ours, "naslib": theirs}, indent=1))


if __name__ == "__main__":
    main()
