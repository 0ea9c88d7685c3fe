"""What a supernet preset fixes: network scale, data scale, optimiser and scoring protocol.

``SupernetPreset``: one type for every image space, so the engine, the stand-alone networks and
the store's ``supernet_recipe`` attribute all read the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
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
    #: how BatchNorm statistics are set when a subnet is scored (see builders/engine/task_image.py PROTOCOLS)
    bn_protocol: str = "recalibrate"
    #: the cosine schedule's floor (None: 0, as every preset before di64; DARTS-style recipes end at 0.001)
    lr_min: float | None = None
    #: arithmetic of training and scoring: "fp32" (TF32 off on CUDA) or "bf16" (torch.autocast, bfloat16)
    precision: str = "fp32"
    #: arithmetic of scoring alone when it differs from training's (None: as ``precision``). A lever kept only
    #: where rankings agree: benchmarks/precision_lever.py measured bf16 scoring at tau >= 0.95 against fp32
    score_precision: str | None = None


@dataclass(frozen=True, kw_only=True)
class LMPreset:
    name: str
    nhid: int
    bptt: int
    batch_size: int
    lr: float
    clip: float
    weight_decay: float
    dropout: float
    dropouth: float
    dropoutx: float
    dropouti: float
    dropoute: float
    train_size: int  # training tokens per epoch (a seeded contiguous window of ptb.train; 0 = all)
    score_size: int  # tokens of ptb.valid every subnet is scored on (0 = all)
    eval_batch_size: int
    bn_protocol: str = "none"  # the cell has no BatchNorm
