"""Throughput levers of a paper-scale build, measured in one run (1 thread, real CIFAR-10, the engine's own task).

For each (precision, batch size): SPOS training images/s over ``--steps`` steps (after 2 warm-up steps), and
subnets scored per second with the build's scoring protocol. Ratios within one run are what to read; absolute
rates move with whatever else shares the cores (say so when quoting them).

    python benchmarks/paper_levers.py --data-dir DIR [--space nb201] [--batches 64,256] [--precisions fp32,bf16]
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--space", default="nb201")
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--batches", default="64,256")
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--score-subnets", type=int, default=6)
    ap.add_argument("--score-size", type=int, default=1000)
    ap.add_argument("--bn-batches", type=int, default=4)
    args = ap.parse_args()

    import numpy as np
    import torch

    from builders.engine.dist import Dist
    from builders.engine.tasks import get_task
    from wsbench.spaces import get_space

    torch.set_num_threads(1)
    space = get_space(args.space)
    archs = [space.parse(a) for a in space.sample(args.score_subnets, seed=0)]
    rows = []
    data = None
    for precision in args.precisions.split(","):
        for batch in (int(b) for b in args.batches.split(",")):
            task = get_task(args.space, args.preset, {"precision": precision, "batch_size": batch,
                                                      "score_size": args.score_size,
                                                      "bn_batches": args.bn_batches})
            if data is None:
                task.load_data(args.data_dir)
                data = (task.train, task.held_out)
            task.train, task.held_out = data
            torch.manual_seed(0)
            net = task.new_model()
            opt, sched = task.new_optimizer(net, 1)
            task.steps_per_epoch = lambda n=args.steps + 2: n  # a short "epoch"
            sampler, rng = np.random.default_rng(1), np.random.default_rng(2)
            times: list[float] = []
            last = [time.perf_counter()]

            def tick(n=1):
                now = time.perf_counter()
                times.append(now - last[0])
                last[0] = now

            task.train_epoch(net, sampler, rng, opt, sched, Dist.from_env(), tick)
            train_s = sum(times[2:])
            t0 = time.perf_counter()
            task.score(net, archs, 0, 1, lambda n=1: None)
            score_s = time.perf_counter() - t0
            rows.append({"precision": precision, "batch": batch,
                         "train_img_per_s": round(args.steps * batch / train_s, 1),
                         "score_subnets_per_s": round(len(archs) / score_s, 3),
                         "score_s_per_subnet": round(score_s / len(archs), 2)})
            print(json.dumps(rows[-1]), flush=True)
    base = rows[0]
    for r in rows:
        r["train_vs_first"] = round(r["train_img_per_s"] / base["train_img_per_s"], 2)
        r["score_vs_first"] = round(r["score_subnets_per_s"] / base["score_subnets_per_s"], 2)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
