"""Supernet presets for NB101. ``paper`` = NAS-Bench-101's network (stem 128, 3 stacks x 3 modules, 32x32).

``mini`` (stem 16, 3 stacks x 1 module, 16x16) was chosen by measured
supernet-training throughput, 1 thread, batch 64, in one run beside NB201's
mini (builders/README.md): NB101 stem16/N1/16px 322 img/s vs NB201 mini 421
img/s (the build of nb201-cifar10 shared the cores); stem 16 at 32px 87;
stem 32 at 16px 185; 2 modules per stack 149; paper 5.5 img/s.
"""

from __future__ import annotations

from builders.core.preset import SupernetPreset

PRESETS = {
    "paper": SupernetPreset(
        name="paper", channels=128, cells_per_stage=3, resolution=32, batch_size=256, lr=0.1, momentum=0.9,
        weight_decay=1e-4, train_size=40_000, valid_size=10_000, score_size=10_000, bn_batches=50,
        split_seed=0, crop_padding=4, flip=True),
    "mini": SupernetPreset(
        name="mini", channels=16, cells_per_stage=1, resolution=16, batch_size=64, lr=0.1, momentum=0.9,
        weight_decay=5e-4, train_size=45_000, valid_size=5_000, score_size=1_000, bn_batches=10,
        split_seed=0, crop_padding=2, flip=True),
}
