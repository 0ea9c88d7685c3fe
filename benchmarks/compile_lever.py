"""The torch.compile lever for SPOS supernet training, measured in one run (issue 29 item 1).

SPOS trains a different path every step, and a supernet's ``forward(x, arch)`` chooses its ops in Python, so a
compiled whole supernet is specialised to the architecture it saw (dynamo guards on ``arch``): each new
architecture is a new compilation until dynamo's cache limit, after which it runs eagerly. The alternative is
to compile each candidate op on its own (a static graph, one per op type and shape) and keep the supernet's
Python routing eager. Three modes, the same seeded architectures and batches, 1 thread:

* ``eager``: the build as it runs;
* ``supernet``: ``torch.compile(net)``;
* ``ops``: ``torch.compile`` on every candidate op module of every edge (the rest eager).

For each mode: seconds of the first step (compilation included), of each later step, and training images/s over
the steps after ``--warmup`` (the build's own step: augmentation, forward, backward, SGD). Ratios within one run
are what to read; absolute rates move with whatever else shares the cores (say so when quoting them).

    python benchmarks/compile_lever.py --data-dir DIR [--space nb201] [--steps 24] [--warmup 12]
"""

from __future__ import annotations

import argparse
import json
import time


def _train_steps(task, net, archs, steps: int, data_rng) -> list[float]:
    """Seconds of each training step (the engine's step: augment, forward, backward, SGD)."""
    import numpy as np
    import torch

    from builders.core.images import augment, to_tensor

    p = task.preset
    opt = torch.optim.SGD(net.parameters(), lr=p.lr, momentum=p.momentum, nesterov=True, weight_decay=p.weight_decay)
    order = data_rng.permutation(len(task.train))
    times = []
    net.train()
    for b in range(steps):
        t0 = time.perf_counter()
        idx = np.sort(order[b * p.batch_size:(b + 1) * p.batch_size])
        x = augment(to_tensor(task.train.x[idx]), data_rng, p.crop_padding, p.flip)
        x = x.contiguous(memory_format=torch.channels_last)
        loss = torch.nn.functional.cross_entropy(net(x, archs[b]), torch.from_numpy(task.train.y[idx]))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    return times


def _compile_ops(net) -> int:
    """Compile every candidate op module of the supernet's cells in place; returns how many."""
    import torch

    n = 0
    for cell in net.modules():
        edges = getattr(cell, "edges", None)
        if not isinstance(edges, torch.nn.ModuleList):
            continue
        for candidates in edges:
            for k, op in enumerate(candidates):
                candidates[k] = torch.compile(op)
                n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--space", default="nb201")
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--steps", type=int, default=24, help="training steps per mode")
    ap.add_argument("--warmup", type=int, default=12, help="steps left out of the img/s (compilation)")
    ap.add_argument("--modes", default="eager,ops,supernet")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the builds use 1 per process)")
    args = ap.parse_args()

    import numpy as np
    import torch
    import torch._dynamo

    from builders.engine.tasks import get_task
    from wsbench.spaces import get_space

    torch.set_num_threads(args.threads)
    space = get_space(args.space)
    task = get_task(args.space, args.preset, {"batch_size": args.batch_size})
    task.load_data(args.data_dir)
    sampler = np.random.default_rng(1)
    archs = [task.draw(space, sampler) for _ in range(args.steps)]
    rows = []
    for mode in args.modes.split(","):
        torch._dynamo.reset()
        torch.manual_seed(0)
        net = task.new_model()
        compiled = 0
        if mode == "supernet":
            net, compiled = torch.compile(net), 1
        elif mode == "ops":
            compiled = _compile_ops(net)
        elif mode != "eager":
            raise SystemExit(f"--modes: eager | ops | supernet, got {mode!r}")
        times = _train_steps(task, net, archs, args.steps, np.random.default_rng(2))
        after = times[args.warmup:]
        rows.append({"mode": mode, "modules_compiled": compiled, "first_step_s": round(times[0], 2),
                     "warmup_s": round(sum(times[:args.warmup]), 1),
                     "median_step_s_after_warmup": round(float(np.median(after)), 3),
                     "train_img_per_s_after_warmup": round(len(after) * args.batch_size / sum(after), 1),
                     "step_s": [round(t, 2) for t in times]})
        print(json.dumps(rows[-1]), flush=True)
    base = rows[0]
    for r in rows:
        r["img_per_s_vs_first"] = round(r["train_img_per_s_after_warmup"] / base["train_img_per_s_after_warmup"], 2)
    print(json.dumps([{k: v for k, v in r.items() if k != "step_s"} for r in rows], indent=1))


if __name__ == "__main__":
    main()
