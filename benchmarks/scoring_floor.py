"""Subnet scoring speed against its floor, per space, with each lever measured on its own (one run, 1 thread).

Floor: the stand-alone network of the same subnet (inherited weights, built
before timing) doing the same forward passes: R BN-recalibration batches in
train mode, then the scoring images in eval mode, same batch sizes.
The v2 floor is the
stand-alone network in channels_last memory format (the format v2 runs in).
Rows: ``v1`` = the engine before v2 (no_grad, all scoring images in one
batch, 10 recalibration batches); each lever alone; ``v2`` = what the engine
now does (``builders.engine.scoring``). Inputs are random tensors: speed does
not depend on pixel values.

    python benchmarks/scoring_floor.py --space darts --subnets 20
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--space", default="darts", help="nb201 | nb101 | darts | proxylessnas")
    ap.add_argument("--preset", default="mini")
    ap.add_argument("--subnets", type=int, default=20, help="subnets per lever row")
    ap.add_argument("--v2-subnets", type=int, default=200,
                    help="subnets for the v2 row (prefix sharing grows with the number of subnets scored together)")
    args = ap.parse_args()
    from builders.engine import scoring
    from builders.engine.bn import recalibrate
    from builders.engine.kits import get_kit
    from wsbench.spaces import get_space

    torch.set_num_threads(1)
    kit, space = get_kit(args.space), get_space(args.space)
    p = kit.preset(args.preset)
    rng = np.random.default_rng(0)
    archs = [space.sample(args.subnets, seed=1)][0]
    parsed = [space.parse(a) for a in archs]
    sup = kit.supernet(p)
    gen = torch.Generator().manual_seed(0)
    recal = [torch.randn(p.batch_size, 3, p.resolution, p.resolution, generator=gen) for _ in range(p.bn_batches)]
    xs = torch.randn(p.score_size, 3, p.resolution, p.resolution, generator=gen)
    ys = torch.from_numpy(rng.integers(0, 10, p.score_size))
    n = len(parsed)

    def rate(fn) -> float:
        fn(parsed[0])  # warm-up
        t = time.perf_counter()
        for ch in parsed:
            fn(ch)
        return n / (time.perf_counter() - t)

    def v1(ch, batches=recal, ctx=torch.no_grad, eval_batch=None, cl=False):
        m = sup
        recalibrate(m, batches, lambda x: m(x, ch))
        with ctx():
            for i in range(0, len(xs), eval_batch or len(xs)):
                m(xs[i:i + (eval_batch or len(xs))], ch)

    def floor(ch, batch_eval=None):
        net = alone[id(ch)]
        recalibrate(net, recal, net)
        with torch.no_grad():
            for i in range(0, len(xs), batch_eval or len(xs)):
                net(xs[i:i + (batch_eval or len(xs))])

    alone = {}
    for a, ch in zip(archs, parsed):
        net = kit.standalone(a, p.channels, p.cells_per_stage)
        if hasattr(sup, "standalone_state"):
            net.load_state_dict(sup.standalone_state(ch), strict=False)
        alone[id(ch)] = net
    rows = [("floor (stand-alone, same passes)", rate(floor))]
    rows.append((f"v1: no_grad, 1 eval batch, R={p.bn_batches}", rate(v1)))
    sup_contiguous = sup
    sup = copy.deepcopy(sup).to(memory_format=torch.channels_last)
    rows.append(("lever: channels_last", rate(v1)))
    for net in alone.values():
        net.to(memory_format=torch.channels_last)
    rows.append(("floor channels_last (stand-alone, same passes)", rate(floor)))
    rows.append(("floor channels_last at eval batch 250", rate(lambda ch: floor(ch, 250))))
    sup = sup_contiguous
    rows.append(("lever: inference_mode", rate(lambda ch: v1(ch, ctx=torch.inference_mode))))
    for b in (100, 250, 500):
        rows.append((f"lever: eval batch {b}", rate(lambda ch, b=b: v1(ch, eval_batch=b))))
    for r in (5, 3):
        rows.append((f"lever: R={r} recalibration batches", rate(lambda ch, r=r: v1(ch, batches=recal[:r]))))
    sup = sup.to(memory_format=torch.channels_last)
    scorer = scoring.Scorer.for_space(args.space, sup, eval_batch=scoring.EVAL_BATCH)
    many = [space.parse(a) for a in space.sample(args.v2_subnets, seed=2)]
    t = time.perf_counter()
    scorer.score(many, recal, xs, ys.numpy())
    rows.append((f"v2 ({args.v2_subnets} subnets): {scorer.describe()}, channels_last",
                 len(many) / (time.perf_counter() - t)))
    base, fl = rows[1][1], rows[3][1]
    print(f"{args.space} preset {p.name}: {n} subnets, R={p.bn_batches} x {p.batch_size} recalibration images, "
          f"{p.score_size} scoring images, 1 thread")
    for name, r in rows:
        print(f"  {name:80s} {r:7.2f} subnets/s  x{r / base:5.2f} of v1  this/floor(channels_last) {fl / r:4.2f}")


if __name__ == "__main__":
    main()
