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
#: where NASLib's network is not the space's paper network: NASLib computed NB301's proxies on its
#: NasBench301SearchSpace (naslib/search_spaces/nasbench301/graph.py): C = 32, 8 cells (channels 32/64/128,
#: reductions at cells 3 and 6), not DARTS's evaluation network (36 channels, 20 cells)
NASLIB_NETWORK = {"darts": (32, 2)}  # (channels, cells per stage) for kit.standalone


def zc_nas_init(net) -> None:
    """The re-initialisation of the NB101 model in zero-cost-NAS (Abdelfattah et al.), which NASLib's NB101 values
    come from: He-normal with fan-out for convolutions, N(0, 0.01) for the classifier, zero biases."""
    import math

    from torch import nn

    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            m.weight.data.normal_(0, math.sqrt(2.0 / (m.kernel_size[0] * m.kernel_size[1] * m.out_channels)))
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.BatchNorm2d) and m.affine:
            m.weight.data.fill_(1)
            m.bias.data.zero_()
        elif isinstance(m, nn.Linear):
            m.weight.data.normal_(0, 0.01)
            m.bias.data.zero_()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--space", default="nb201", choices=sorted(NASLIB))
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--naslib-dir", default=str(Path(__file__).resolve().parents[2] / "shared/data/gt/naslib"))
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0, help="initialisation and batch seed (each overridable below)")
    ap.add_argument("--init-seed", type=int, help="seed of the networks' initialisation (default --seed)")
    ap.add_argument("--batch-seed", type=int, help="seed of the batch of training images (default --seed)")
    ap.add_argument("--against", help="another run's --out file: also report tau between its values and these "
                                      "(ours vs ours: the noise of a proxy under another seed)")
    ap.add_argument("--names", help="only these proxies (comma list; default all)")
    ap.add_argument("--init", choices=("default", "zc-nas"), default="default",
                    help="default: PyTorch's initialisation (as builders.proxies computes); zc-nas: re-initialise as "
                         "the zero-cost-NAS NB101 model NASLib's NB101 values come from (conv N(0, 2/(k*k*c_out)), "
                         "linear N(0, 0.01), biases 0, BatchNorm 1/0)")
    ap.add_argument("--out", help="also write the per-cell values here (JSON)")
    args = ap.parse_args()
    init_seed = args.seed if args.init_seed is None else args.init_seed
    batch_seed = args.seed if args.batch_seed is None else args.batch_seed
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
    if args.space in NASLIB_NETWORK:
        from builders.engine.kits import get_kit

        channels, per_stage = NASLIB_NETWORK[args.space]
        kit = get_kit(args.space)

        def make(arch: str):
            return kit.standalone(arch, channels, per_stage)
        scale = (f"NASLib's network for this file: {channels} channels, {3 * per_stage + 2} cells, "
                 f"{resolution}x{resolution} input")
    x, y = batch_of(args.data_dir, args.batch, batch_seed, resolution)
    names = [n.strip() for n in args.names.split(",")] if args.names else list(PROXIES)
    ours: dict[str, list[float]] = {n: [] for n in names}
    theirs: dict[str, list[float]] = {n: [] for n in names}
    seconds: dict[str, list[float]] = {n: [] for n in names}
    sizes: dict[str, list[float]] = {"ours": [], "naslib": []}  # millions of parameters: the same network?
    t0 = time.perf_counter()
    for k, (key, rec) in enumerate(cells, start=1):
        arch = sp.canonicalize(key_to_arch(args.space, ast.literal_eval(key)))
        torch.manual_seed(init_seed)
        net = make(arch)
        if args.init == "zc-nas":
            zc_nas_init(net)
        sizes["ours"].append(sum(p.numel() for p in net.parameters()) / 1e6)
        sizes["naslib"].append(float(rec.get("params", np.nan)))
        for name in names:
            t = time.perf_counter()
            value, _ = compute(name, net, x, y)
            seconds[name].append(time.perf_counter() - t)
            ours[name].append(value)
            ref = rec.get({v: k for k, v in OUR_NAME.items()}.get(name, name))
            theirs[name].append(float(ref) if isinstance(ref, int | float) and abs(ref) < 1e7 else np.nan)
        if k % 10 == 0:
            print(f"{k}/{len(cells)} cells, {time.perf_counter() - t0:.0f} s", flush=True)
    other = json.loads(Path(args.against).read_text()) if args.against else None
    ratio = np.array(sizes["ours"]) / np.array(sizes["naslib"])
    print(f"\nparameters (M) of our network vs NASLib's record, same cells: ratio {np.nanmin(ratio):.4f}-"
          f"{np.nanmax(ratio):.4f}, Kendall tau {correlate(np.array(sizes['ours']), np.array(sizes['naslib']), 'kendall'):.3f}")
    print(f"\n{args.space}, {len(cells)} cells of {NASLIB[args.space]} ({scale}), batch {args.batch} "
          f"(seed {batch_seed}), init seed {init_seed}" + (f"; against {args.against}" if other else ""))
    print(f"{'proxy':10} {'tau vs NASLib':>14} {'cells':>6} {'s/subnet':>9}" + (f" {'tau vs other run':>17}" if other
                                                                                  else ""))
    summary = {}

    def tau(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
        ok = np.isfinite(a) & np.isfinite(b)
        return (correlate(a[ok], b[ok], "kendall") if ok.sum() > 2 else float("nan")), int(ok.sum())

    for name in names:
        t_ref, cells_ref = tau(np.array(ours[name]), np.array(theirs[name]))
        summary[name] = {"kendall_tau": t_ref, "cells": cells_ref, "seconds_per_subnet": float(np.mean(seconds[name]))}
        line = f"{name:10} {t_ref:14.3f} {cells_ref:6d} {np.mean(seconds[name]):9.3f}"
        if other and name in other["ours"]:
            n_other = min(len(other["ours"][name]), len(ours[name]))
            t_other, _ = tau(np.array(ours[name][:n_other]), np.array(other["ours"][name][:n_other], dtype=float))
            summary[name]["kendall_tau_vs_other_run"] = t_other
            line += f" {t_other:17.3f}"
        print(line)
    if args.out:
        Path(args.out).write_text(json.dumps({"summary": summary, "ours": ours, "naslib": theirs, "params_m": sizes,
                                              "init_seed": init_seed, "batch_seed": batch_seed,
                                              "against": args.against}, indent=1))


if __name__ == "__main__":
    main()
