"""What a supernet preset fixes: network scale, data scale, optimiser and scoring protocol.

One type for every image space, so the engine, the stand-alone networks and
the store's ``supernet_recipe`` attribute all read the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SupernetPreset:
    name: str
    channels: int  # NB201: C; NB101: stem channels; DARTS: C
    cells_per_stage: int  # NB201: N; NB101: modules per stack; DARTS: normal cells between reductions
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
    #: how BatchNorm statistics are set when a subnet is scored (see builders/engine/build.py PROTOCOLS)
    bn_protocol: str = "recalibrate"
