"""Supernet presets for NB201. ``paper`` = NAS-Bench-201's macro network; ``mini`` fits 2 CPU cores."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SupernetPreset:
    name: str
    channels: int
    cells_per_stage: int
    resolution: int
    batch_size: int
    lr: float
    momentum: float
    weight_decay: float
    train_size: int  # images of the training part of the split the supernet trains on
    valid_size: int  # held-out part of the official training set (same split as the mini ground truth)
    score_size: int  # held-out images each subnet is scored on
    bn_batches: int  # training batches for BatchNorm recalibration before scoring
    split_seed: int
    crop_padding: int
    flip: bool


PRESETS = {
    "paper": SupernetPreset("paper", 16, 5, 32, 256, 0.1, 0.9, 5e-4, 25_000, 25_000, 10_000, 50, 0, 4, True),
    # measured here: ~780 img/s supernet training, 1 thread, at this size (see builders/README.md)
    "mini": SupernetPreset("mini", 8, 1, 16, 64, 0.1, 0.9, 5e-4, 45_000, 5_000, 1_000, 10, 0, 2, True),
}
