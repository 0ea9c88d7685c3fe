"""Supernet presets for NAS-Bench-Macro (CIFAR-10). ``channels`` = stem width; the head is 40 x channels (1280 at 32).

``paper`` = NAS-Bench-Macro's network and recipe (stem 32, head 1280, 32x32,
batch 256, SGD lr 0.1 momentum 0.9 weight decay 5e-4, cosine; ``cells_per_stage``
is unused: the stages are fixed at 2, 3, 3 layers). ``mini`` (stem 16, head
640, 16x16, the paper's optimiser at batch 64) was chosen by measured
supernet-training throughput, 1 thread, batch 64, channels_last, one run on a
quiet machine: stem 8/16px 2,244 img/s, **16/16px 1,115**, 8/32px 684, 16/32px
300, paper (32/32px) 122. At 16/16px, scoring with the prefix tree ran 13.5
subnets/s, so every one of the 3,969 networks can be scored 6 times per seed
and three seeds fit in about 1.2 h on two cores
(``python benchmarks/builders_throughput.py --space macro --subnets 3969``).
"""

from __future__ import annotations

from builders.core.preset import SupernetPreset

PRESETS = {
    "paper": SupernetPreset(
        name="paper", channels=32, cells_per_stage=1, resolution=32, batch_size=256, lr=0.1, momentum=0.9,
        weight_decay=5e-4, train_size=45_000, valid_size=5_000, score_size=10_000, bn_batches=50,
        split_seed=0, crop_padding=4, flip=True),
    "mini": SupernetPreset(
        name="mini", channels=16, cells_per_stage=1, resolution=16, batch_size=64, lr=0.1, momentum=0.9,
        weight_decay=5e-4, train_size=45_000, valid_size=5_000, score_size=1_000, bn_batches=10,
        split_seed=0, crop_padding=2, flip=True),
}


def head_width(channels: int) -> int:
    return 40 * channels
