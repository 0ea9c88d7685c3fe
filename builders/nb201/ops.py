"""NAS-Bench-201 operations, as the official inference network builds them (ReLU-Conv-BN, no conv bias).

Used both by the stand-alone network of one architecture and by the supernet,
so a subnet's weights have the same shapes in both.
"""

from __future__ import annotations

import torch
from torch import nn

from builders.common_ops import Zero

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, affine: bool = True,
                 track_running_stats: bool = True):
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=not affine),
            nn.BatchNorm2d(c_out, affine=affine, track_running_stats=track_running_stats),
        )


class Pool(nn.Module):
    """3x3 average pooling; in NB201 cells C_in == C_out, so no 1x1 pre-projection is needed."""

    def __init__(self, stride: int):
        super().__init__()
        self.pool = nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(x)


def make_op(name: str, channels: int, affine: bool = True, track_running_stats: bool = True) -> nn.Module:
    """One edge op inside a cell (stride 1, channels in == out, as in every NB201 cell)."""
    if name == "none":
        return Zero(1)
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1, 1, 0, affine, track_running_stats)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3, 1, 1, affine, track_running_stats)
    if name == "avg_pool_3x3":
        return Pool(1)
    raise ValueError(f"unknown NB201 op {name!r}; expected one of {OPS}")


class ResNetBasicBlock(nn.Module):
    """The fixed reduction block between stages: two ReLU-Conv-BN 3x3 (stride 2 first) + avg-pool/1x1 shortcut."""

    def __init__(self, c_in: int, c_out: int, stride: int = 2, affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride, 1, affine, track_running_stats)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1, affine, track_running_stats)
        if stride == 2:
            self.downsample: nn.Module | None = nn.Sequential(
                nn.AvgPool2d(2, stride=2, padding=0), nn.Conv2d(c_in, c_out, 1, 1, 0, bias=False))
        elif c_in != c_out:
            self.downsample = ReLUConvBN(c_in, c_out, 1, 1, 0, affine, track_running_stats)
        else:
            self.downsample = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = self.downsample(x) if self.downsample is not None else x
        return residual + self.conv_b(self.conv_a(x))
