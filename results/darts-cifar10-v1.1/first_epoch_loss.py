"""The first epoch of darts-cifar10's recipe, step by step: why its epoch-1 training loss (3.25) exceeds chance.

Trains the `mini` DARTS supernet exactly as `build.sh` does (v1.0's recipe at 45,000 images per epoch: batch 64,
SGD Nesterov lr 0.05, cosine over 32 epochs, one uniformly drawn genotype per step, 1 thread) for STEPS steps and
prints the loss and gradient norm every 25 steps, then a summary; the per-step (loss, grad norm) array goes to
OUT.npy. Steps 0-155 are what v1.0's first epoch (10,000 images) saw: the schedule is still at its start either way.

    python results/darts-cifar10-v1.1/first_epoch_loss.py DATA_DIR [STEPS=703] [OUT=first_epoch_loss]
"""

from __future__ import annotations

import sys
import time

import numpy as np


def main(data_dir: str, steps: int = 703, out: str = "first_epoch_loss") -> None:
    import torch

    from builders.core.images import augment, to_tensor
    from builders.engine.tasks import get_task
    from wsbench.spaces import get_space

    torch.set_num_threads(1)
    task = get_task("darts", "mini", {"train_size": 45_000})
    task.load_data(data_dir)
    torch.manual_seed(0)
    model = task.new_model()
    opt, sched = task.new_optimizer(model, 32)
    space, p = get_space("darts"), task.preset
    arch_rng, data_rng = np.random.default_rng(0), np.random.default_rng(1)
    order = data_rng.permutation(len(task.train))
    rows, t0 = [], time.process_time()
    model.train()
    for b in range(steps):
        idx = np.sort(order[b * p.batch_size:(b + 1) * p.batch_size])
        x = augment(to_tensor(task.train.x[idx]), data_rng, p.crop_padding, p.flip)
        x = x.contiguous(memory_format=torch.channels_last)
        loss = torch.nn.functional.cross_entropy(model(x, task.draw(space, arch_rng)), torch.from_numpy(task.train.y[idx]))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), float("inf")))  # measured, not clipped
        opt.step()
        sched.step()
        rows.append((float(loss.detach()), norm))
        if b % 25 == 0 or b == steps - 1:
            last = np.array(rows[-25:])[:, 0]
            print(f"step {b}: loss {rows[-1][0]:.3f}, mean of last 25 {last.mean():.3f} (max {last.max():.3f}), "
                  f"grad norm {norm:.2f}, lr {sched.get_last_lr()[0]:.4f}, {time.process_time() - t0:.0f} CPU s",
                  flush=True)
    a = np.array(rows)
    loss = a[:, 0]
    print(f"{steps} steps: mean loss {loss.mean():.3f} (first 156: {loss[:156].mean():.3f}), median "
          f"{np.median(loss):.3f}, max {loss.max():.3f}; {int((loss > np.log(10)).sum())} steps above ln 10; "
          f"grad norm median {np.median(a[:, 1]):.2f}, max {a[:, 1].max():.2f}")
    np.save(out, a)


if __name__ == "__main__":
    main(sys.argv[1], *(int(sys.argv[2]),) if len(sys.argv) > 2 else (), *sys.argv[3:4])
