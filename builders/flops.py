"""Multiply-accumulate count of a network's forward pass on one input, by module hooks.

Counts convolutions (k_h * k_w * C_in / groups * C_out per output position, +1 per
output with bias) and linear layers (in * out, + out with bias): the
convention NAS-Bench-201 and DARTS report as FLOPs.
"""

from __future__ import annotations

import torch
from torch import nn


def count_params(model: nn.Module) -> int:
    """Trainable parameters, each tensor once (a tied weight counts once, as ``parameters()`` yields it once)."""
    return sum(p.numel() for p in model.parameters())


def count_flops(model: nn.Module, input_shape: tuple[int, ...], forward=None) -> int:
    """MACs of one forward pass of a single example of ``input_shape`` (C, H, W)."""
    total = 0

    def conv_hook(m: nn.Conv2d, inp, out) -> None:
        nonlocal total
        kh, kw = m.kernel_size
        per = kh * kw * (m.in_channels // m.groups) + (1 if m.bias is not None else 0)
        total += per * out.numel() // out.shape[0]

    def linear_hook(m: nn.Linear, inp, out) -> None:
        nonlocal total
        total += (m.in_features + (1 if m.bias is not None else 0)) * m.out_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            x = torch.zeros(1, *input_shape)
            (forward or model)(x)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return total
