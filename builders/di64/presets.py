"""Supernet presets for Di64. ``paper`` = the authors' network and recipe; ``mini`` only for tiny test builds.

``paper``: ultmaster/deeper-insights-weight-sharing ``experiments/final/share_all_ep200.yml`` and ``config.py``:
C = 16 (``init_channels``), 4 cells (``n_layers``), 2 nodes, stem multiplier 3, 32x32 CIFAR-10, batch 256, SGD
momentum 0.9, lr 0.025 cosine to 0.001 (``w_lr_min``), weight decay 1e-3, no cutout, random crop (pad 4) and
flip. Where wsbench differs, and why: the authors train on all 50,000 training images and validate on the test
set, with BatchNorm running statistics (momentum 0.4) after a round-robin over the 64 architectures; wsbench
keeps the test set unseen, trains on 45,000 images, scores on a held-out part of the training set with BN
recalibrated per subnet, and samples one architecture per step uniformly (SPOS), as every wsbench dataset.
The network is small enough to build at this scale on a CPU (``python benchmarks/builders_throughput.py --space
di64``); ``mini`` (C = 8, 2 cells, 16x16) exists for the shared test harness's tiny builds.
"""

from __future__ import annotations

from builders.core.preset import SupernetPreset

PRESETS = {
    "paper": SupernetPreset(
        name="paper", channels=16, cells_per_stage=4, resolution=32, batch_size=256, lr=0.025, lr_min=0.001,
        momentum=0.9, weight_decay=1e-3, train_size=45_000, valid_size=5_000, score_size=5_000, bn_batches=4,
        split_seed=0, crop_padding=4, flip=True),
    "mini": SupernetPreset(
        name="mini", channels=8, cells_per_stage=2, resolution=16, batch_size=64, lr=0.025, lr_min=0.001,
        momentum=0.9, weight_decay=1e-3, train_size=45_000, valid_size=5_000, score_size=1_000, bn_batches=4,
        split_seed=0, crop_padding=2, flip=True),
}
