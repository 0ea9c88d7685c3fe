"""Builder throughput of one space at a preset, measured in one run (1 thread, as each build worker runs).

Prints: supernet training images/s vs training the same sampled subnets
stand-alone (overhead ratio), subnets scored per second (BN recalibration +
held-out evaluation), and the projected wall time of a full build, assuming
the seeds' work splits evenly over the worker processes.

    python benchmarks/builders_throughput.py --space nb201 --preset mini
    python benchmarks/builders_throughput.py --space darts-rnn --data-dir ../shared/data/ptb
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--space", default="nb201", help="nb201 | nb101 | darts | proxylessnas | darts-rnn")
    ap.add_argument("--data-dir", help="darts-rnn: folder with ptb.{train,valid,test}.txt")
    ap.add_argument("--preset", default="mini")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--subnets", type=int, default=1000, help="for the projection")
    ap.add_argument("--score-subnets", type=int, default=100,
                    help="subnets scored together for the scoring rate (prefix sharing grows with it)")
    ap.add_argument("--epochs", type=int, default=32, help="for the projection")
    ap.add_argument("--score-epochs", type=int, default=6, help="for the projection")
    ap.add_argument("--seeds", type=int, default=3, help="for the projection")
    ap.add_argument("--workers", type=int, default=2, help="parallel 1-thread processes, for the projection")
    args = ap.parse_args()
    if args.space == "darts-rnn":
        return lm_throughput(args)
    from builders.engine.kits import get_kit
    from builders.engine.scoring import Scorer
    from wsbench.spaces import get_space

    torch.set_num_threads(1)
    kit = get_kit(args.space)
    p = kit.preset(args.preset)
    space = get_space(args.space)
    rng = np.random.default_rng(0)
    archs = [space.parse(space.format(space.draw(rng))) for _ in range(args.steps + 3)]
    x = torch.randn(p.batch_size, 3, p.resolution, p.resolution)
    y = torch.randint(0, 10, (p.batch_size,))

    def train_rate(model, fwd, label):
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        for i, a in enumerate(archs):
            if i == 3:
                t = time.perf_counter()
            loss = torch.nn.functional.cross_entropy(fwd(model, a), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return p.batch_size * args.steps / (time.perf_counter() - t)

    cl = torch.channels_last  # the memory format builds train and score in (builders/engine/task_image.py)
    sup = kit.supernet(p).to(memory_format=cl)
    sup_rate = train_rate(sup, lambda m, a: m(x, a), "supernet")
    # stand-alone: the same sequence of sampled subnets, each its own network (time only the steps)
    nets = {space.format(a): kit.standalone(space.format(a), p.channels, p.cells_per_stage).to(memory_format=cl)
            for a in archs}
    t_total, n = 0.0, 0
    for i, a in enumerate(archs):
        net = nets[space.format(a)]
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        t = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= 3:
            t_total += time.perf_counter() - t
            n += 1
    alone_rate = p.batch_size * n / t_total
    recal = [torch.randn(p.batch_size, 3, p.resolution, p.resolution) for _ in range(p.bn_batches)]
    xs = torch.randn(p.score_size, 3, p.resolution, p.resolution)
    scored = [space.parse(a) for a in space.sample(args.score_subnets, seed=1)]
    t = time.perf_counter()
    Scorer.for_space(args.space, sup, p.bn_protocol).score(scored, recal, xs, np.zeros(p.score_size, np.int64))
    score_rate = len(scored) / (time.perf_counter() - t)
    epoch_s = p.train_size / sup_rate
    per_seed = args.epochs * epoch_s + args.score_epochs * args.subnets / score_rate
    total = per_seed * args.seeds / min(args.workers, args.seeds)
    print(f"{args.space} preset {p.name}: channels {p.channels}, cells/stage {p.cells_per_stage}, "
          f"{p.resolution}x{p.resolution}, batch {p.batch_size}, {p.train_size} training images per epoch")
    print(f"  supernet training   {sup_rate:8.0f} img/s")
    print(f"  stand-alone subnets {alone_rate:8.0f} img/s   overhead ratio {alone_rate / sup_rate:.2f}x")
    print(f"  scoring             {score_rate:8.2f} subnets/s (BN recalibration on {p.bn_batches} batches + "
          f"{p.score_size} held-out images)")
    print(f"  projected build: {args.subnets} subnets x {args.score_epochs} scored epochs of {args.epochs} x "
          f"{args.seeds} seeds on {args.workers} workers: {total / 3600:.1f} h "
          f"({epoch_s:.0f} s per training epoch, {args.subnets / score_rate / 60:.1f} min per scoring pass)")


def lm_throughput(args) -> None:
    """darts-rnn: tokens/s with a new genotype per BPTT step vs one fixed genotype; perplexity scoring rate."""
    from dataclasses import replace

    from builders.darts_rnn import lm
    from builders.darts_rnn.network import DARTSRNN
    from builders.darts_rnn.presets import PRESETS
    from builders.data.ptb import read_ptb
    from wsbench.spaces import get_space

    torch.set_num_threads(1)
    sp, rng = get_space("darts-rnn"), np.random.default_rng(0)
    corpus = read_ptb(args.data_dir)
    p = PRESETS[args.preset]
    m = DARTSRNN(len(corpus.vocab), p.nhid, p.dropout, p.dropouth, p.dropoutx, p.dropouti, p.dropoute)
    opt = torch.optim.SGD(m.parameters(), lr=p.lr, weight_decay=p.weight_decay)
    train, valid = lm.windows(corpus, replace(p, train_size=20_000), rng)
    t = time.perf_counter()
    lm.train_epoch(m, train, opt, p, lambda: sp.draw(rng))
    sup = train.size / (time.perf_counter() - t)
    fixed = sp.draw(rng)
    t = time.perf_counter()
    lm.train_epoch(m, train, opt, p, lambda: fixed)
    alone = train.size / (time.perf_counter() - t)
    t, k = time.perf_counter(), 5
    for _ in range(k):
        lm.perplexity(m, valid, sp.draw(rng), p.bptt)
    rate = k / (time.perf_counter() - t)
    total = (args.epochs * p.train_size / sup + args.score_epochs * args.subnets / rate) * args.seeds / min(
        args.workers, args.seeds)
    print(f"darts-rnn preset {p.name}: nhid {p.nhid}, batch {p.batch_size}, {p.train_size} tokens per epoch")
    print(f"  supernet training   {sup:8.0f} tok/s")
    print(f"  fixed genotype      {alone:8.0f} tok/s   overhead ratio {alone / sup:.2f}x")
    print(f"  scoring             {rate:8.2f} subnets/s ({p.score_size} ptb.valid tokens)")
    print(f"  projected build: {args.subnets} subnets x {args.score_epochs} scored epochs of {args.epochs} x "
          f"{args.seeds} seeds on {args.workers} workers: {total / 3600:.1f} h")


if __name__ == "__main__":
    main()
