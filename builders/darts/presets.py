"""Supernet presets for DARTS (CIFAR-10). Layers = 3 x cells_per_stage + 2 (two reduction cells).

``paper`` = DARTS's search network (C=16, 8 cells, 32x32); its stand-alone
sizes are taken at DARTS's evaluation network (C=36, 20 cells; see
``builders/sizes.py``). ``mini`` (C=8, 5 cells, 16x16, 10k training images)
was chosen by measured supernet-training throughput, 1 thread, batch 64, in
one run while the nb201-cifar10 build shared the cores: C8/N1/16px 75 img/s,
C16/N1/16px 39, C8/N2/16px 41, paper 8.2 img/s (NB101 mini 322, NB201 mini
421 in the same conditions). Depthwise-separable convolutions are slow on
CPU, so the mini DARTS preset also trains on fewer images per epoch.
"""

from __future__ import annotations

from builders.core.preset import SupernetPreset

PRESETS = {
    "paper": SupernetPreset(
        name="paper", channels=16, cells_per_stage=2, resolution=32, batch_size=64, lr=0.025, momentum=0.9,
        weight_decay=3e-4, train_size=25_000, valid_size=25_000, score_size=10_000, bn_batches=50,
        split_seed=0, crop_padding=4, flip=True),
    "mini": SupernetPreset(
        name="mini", channels=8, cells_per_stage=1, resolution=16, batch_size=64, lr=0.05, momentum=0.9,
        weight_decay=3e-4, train_size=10_000, valid_size=5_000, score_size=1_000, bn_batches=10,
        split_seed=0, crop_padding=2, flip=True),
}
