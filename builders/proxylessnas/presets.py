"""Supernet presets for ProxylessNAS. ``channels`` = first-conv width; width multiplier = channels / 32.

``paper`` = the search space's network (width 1.0, 224x224 ImageNet input,
first conv stride 2, 1000 classes for its published sizes); we have no
ImageNet, so the engine trains it on CIFAR-10 with a stride-1 first conv.
``mini`` (width 0.25, 16x16, 10k training images per epoch) was chosen by
measured supernet-training throughput, 1 thread, batch 64, while the
nb201-cifar10 build shared the cores: width 0.25/16px 60 img/s, 0.25/32px
31, 0.5/16px 40 (NB201 mini 421, DARTS mini 75 in the same conditions).
"""

from __future__ import annotations

from builders.core.preset import SupernetPreset

PRESETS = {
    "paper": SupernetPreset(
        name="paper", channels=32, cells_per_stage=4, resolution=32, batch_size=64, lr=0.05, momentum=0.9,
        weight_decay=4e-5, train_size=25_000, valid_size=25_000, score_size=10_000, bn_batches=50,
        split_seed=0, crop_padding=4, flip=True),
    "mini": SupernetPreset(
        name="mini", channels=8, cells_per_stage=4, resolution=16, batch_size=64, lr=0.05, momentum=0.9,
        weight_decay=4e-5, train_size=10_000, valid_size=5_000, score_size=1_000, bn_batches=10,
        split_seed=0, crop_padding=2, flip=True),
}
