"""BatchNorm recalibration: inherited weights, but statistics of the subnet actually being scored.

A supernet's running BN statistics mix every subnet it trained; scoring a
subnet with them is biased. Recalibration resets them and re-estimates them
as a plain average over R training batches through the subnet (no gradient).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn


def recalibrate(model: nn.Module, batches: Iterable[torch.Tensor], forward: Callable[[torch.Tensor], object]) -> int:
    """Reset every BatchNorm of ``model`` (a whole network or one part of it) and re-estimate its running
    statistics on ``batches`` pushed through ``forward``; returns the batches used."""
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average: every batch weighs the same
    model.train()
    n = 0
    with torch.inference_mode():
        for x in batches:
            forward(x)
            n += 1
    for m, mom in zip(bns, saved):
        m.momentum = mom
    model.eval()
    return n
