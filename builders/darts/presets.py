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
    "paper": SupernetPreset("paper", 16, 2, 32, 64, 0.025, 0.9, 3e-4, 25_000, 25_000, 10_000, 50, 0, 4, True),
    "mini": SupernetPreset("mini", 8, 1, 16, 64, 0.05, 0.9, 3e-4, 10_000, 5_000, 1_000, 10, 0, 2, True),
}
