"""Supernet presets for NB201. ``paper`` = NAS-Bench-201's macro network; ``mini`` fits 2 CPU cores."""

from __future__ import annotations

from builders.core.preset import SupernetPreset

__all__ = ["PRESETS", "SupernetPreset"]

PRESETS = {
    "paper": SupernetPreset(
        name="paper", channels=16, cells_per_stage=5, resolution=32, batch_size=256, lr=0.1, momentum=0.9,
        weight_decay=5e-4, train_size=25_000, valid_size=25_000, score_size=10_000, bn_batches=50,
        split_seed=0, crop_padding=4, flip=True),
    # measured here: ~780 img/s supernet training, 1 thread, at this size (see builders/README.md)
    "mini": SupernetPreset(
        name="mini", channels=8, cells_per_stage=1, resolution=16, batch_size=64, lr=0.1, momentum=0.9,
        weight_decay=5e-4, train_size=45_000, valid_size=5_000, score_size=1_000, bn_batches=10,
        split_seed=0, crop_padding=2, flip=True),
}
