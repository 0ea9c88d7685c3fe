"""Does a cheaper arithmetic rank subnets as fp32 does? Score one checkpoint's subnets both ways, in one run.

Issue 29's rule: keep a lever only if Kendall tau between the lever's and fp32's scores of the same >= 200
subnets at one checkpoint is >= 0.95. This loads a build's checkpoint (``<work>/seed<S>.ckpt``), scores every
subnet of the store with the store's own recipe (data, BN protocol, held-out images) in fp32 and in bf16
autocast, and prints the taus and each pass's subnets/s (ratios taken in this one run).

    python benchmarks/precision_lever.py STORE --work WORK --seed 0 --data-dir DIR [--device cpu|cuda] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--work", required=True, help="the build's checkpoint folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--limit", type=int, help="score only the first N subnets")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args()

    import numpy as np
    import torch
    from scipy.stats import kendalltau

    from builders.engine import checkpoint
    from builders.engine.tasks import get_task
    from wsbench.spaces import get_space
    from wsbench.store import open_store

    torch.set_num_threads(1)
    ds = open_store(args.store, check=False, allow_incomplete=True)
    recipe = ds.attrs["supernet_recipe"]
    archs = [str(a) for a in ds["arch_string"].values][: args.limit]
    space = get_space(ds.attrs["space"])
    choices = [space.parse(a) for a in archs]
    state = checkpoint.load(__import__("pathlib").Path(args.work) / f"seed{args.seed}.ckpt")
    epoch = int(state["epoch"])
    stored = ds["supernet_score"].sel(seed=args.seed, epoch=epoch).values[: len(archs)] \
        if epoch in ds["epoch"].values else None
    out: dict = {"store": args.store, "seed": args.seed, "epoch": epoch, "subnets": len(archs),
                 "device": args.device, "passes": {}}
    from builders.engine.kits import get_kit

    fields = set(asdict(get_kit(ds.attrs["space"]).preset(recipe["name"]))) - {"name"}
    build_recipe = {k: v for k, v in recipe.items() if k in fields}  # the store's preset, overrides included
    scores = {}
    for precision in ("fp32", "bf16"):
        task = get_task(ds.attrs["space"], recipe["name"], build_recipe | {"precision": precision}, args.device)
        task.load_data(args.data_dir)
        net = task.new_model()
        net.load_state_dict(state["model"])
        t0 = time.perf_counter()
        acc, loss = task.score(net, choices, args.seed, epoch, lambda n=1: None)
        dt = time.perf_counter() - t0
        scores[precision] = (acc, loss)
        out["passes"][precision] = {"seconds": round(dt, 2), "subnets_per_s": round(len(archs) / dt, 3),
                                    "mean_accuracy": float(np.mean(acc))}
    (a32, l32), (a16, l16) = scores["fp32"], scores["bf16"]
    out["tau_bf16_vs_fp32"] = {"accuracy": float(kendalltau(a32, a16).statistic),
                               "loss": float(kendalltau(l32, l16).statistic)}
    out["speedup_bf16"] = round(out["passes"]["fp32"]["seconds"] / out["passes"]["bf16"]["seconds"], 3)
    if stored is not None:  # rescoring in the build's own arithmetic must give the store's numbers
        own = a32 if recipe.get("precision", "fp32") == "fp32" else a16
        out["max_abs_diff_vs_store"] = float(np.nanmax(np.abs(own - stored)))
    text = json.dumps(out, indent=1)
    print(text)
    if args.out:
        __import__("pathlib").Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
