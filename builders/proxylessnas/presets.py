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
    "paper": SupernetPreset("paper", 32, 4, 32, 64, 0.05, 0.9, 4e-5, 25_000, 25_000, 10_000, 50, 0, 4, True),
    "mini": SupernetPreset("mini", 8, 4, 16, 64, 0.05, 0.9, 4e-5, 10_000, 5_000, 1_000, 10, 0, 2, True),
}
