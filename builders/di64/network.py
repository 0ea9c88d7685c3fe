"""Di64 networks in torch: the stand-alone network of one architecture, and the supernet that contains them all.

Wiring as the authors' code (ultmaster/deeper-insights-weight-sharing ``models/search_cnn.py``,
``search_cells.py``, ``ops.py``; our own code): a stem of two 3x3 convs to ``3 C`` channels, each followed by BN;
then ``n_layers`` cells without reduction (32x32 throughout, no skip connection between cells). A cell
preprocesses its input with ReLU-conv1x1-BN to ``C``, computes node 1 = op(input) and node 2 = op(input) +
op(node 1), and outputs both nodes concatenated (``2 C``); global average pooling and a linear classifier.
The edge ops and the preprocessing have BatchNorm without scale/shift (``affine=False``), as the authors'
``MixedOp``; ``max_pool_3x3`` is a max-pool followed by such a BN (their ``PoolBN``). Paper scale: C = 16, 4
cells (``experiments/final/share_all_ep200.yml``).

``Di64Supernet.forward(x, arch)`` takes the parsed form (three 0-based op indices); ``standalone_state(arch)``
returns the supernet's own tensors under the stand-alone network's keys (tests/test_kits.py checks that a subnet
through the supernet equals its stand-alone network with those weights).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from builders.core.sharing import chosen_edge_state
from wsbench.spaces import get_space

SPACE = get_space("di64")
STEM_MULTIPLIER = 3


def _dil_conv(c: int, kernel: int, padding: int, dilation: int) -> list[nn.Module]:
    return [nn.ReLU(inplace=False),
            nn.Conv2d(c, c, kernel, 1, padding, dilation=dilation, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=False)]


def make_op(name: str, c: int) -> nn.Module:
    """One of the four ops at stride 1, shaped as the authors' ``ops.OPS`` with ``affine=False``."""
    if name == "max_pool_3x3":
        return nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.BatchNorm2d(c, affine=False))
    if name == "sep_conv_3x3":
        return nn.Sequential(*_dil_conv(c, 3, 1, 1), *_dil_conv(c, 3, 1, 1))
    if name == "sep_conv_5x5":
        return nn.Sequential(*_dil_conv(c, 5, 2, 1), *_dil_conv(c, 5, 2, 1))
    if name == "dil_conv_5x5":
        return nn.Sequential(*_dil_conv(c, 5, 4, 2))
    raise ValueError(f"unknown di64 op {name!r}")


class _Cell(nn.Module):
    """``edges[e]`` is one op (stand-alone) or all four (supernet, indexed by op)."""

    def __init__(self, c_prev: int, c: int, edges: list[nn.Module]):
        super().__init__()
        self.preproc = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(c_prev, c, 1, bias=False),
                                     nn.BatchNorm2d(c, affine=False))
        self.edges = nn.ModuleList(edges)

    def run(self, x: torch.Tensor, ops: list[nn.Module]) -> torch.Tensor:
        s = self.preproc(x)
        n1 = ops[0](s)
        n2 = ops[1](s) + ops[2](n1)
        return torch.cat([n1, n2], dim=1)


class _Network(nn.Module):
    def __init__(self, channels: int, n_layers: int, num_classes: int, make_edges):
        super().__init__()
        c_stem = STEM_MULTIPLIER * channels
        self.stem = nn.Sequential(nn.Conv2d(3, c_stem, 3, 1, 1, bias=False), nn.BatchNorm2d(c_stem),
                                  nn.Conv2d(c_stem, c_stem, 3, 1, 1, bias=False), nn.BatchNorm2d(c_stem))
        cells, c_prev = [], c_stem
        for _ in range(n_layers):
            cells.append(_Cell(c_prev, channels, make_edges(channels)))
            c_prev = 2 * channels
        self.cells = nn.ModuleList(cells)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def _head(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(x), 1))


class Di64Network(_Network):
    """The stand-alone network of one architecture (what the authors' ground truth trained from scratch)."""

    def __init__(self, arch: Any, channels: int = 16, cells_per_stage: int = 4, num_classes: int = 10):
        self.choices = SPACE.parse(arch)
        super().__init__(channels, cells_per_stage, num_classes,
                         lambda c: [make_op(SPACE.ops[k], c) for k in self.choices])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for cell in self.cells:
            x = cell.run(x, list(cell.edges))
        return self._head(x)


class Di64Supernet(_Network):
    """Every op of every edge of every cell, shared by all architectures that choose it; one path per step (SPOS)."""

    def __init__(self, channels: int = 16, cells_per_stage: int = 4, num_classes: int = 10):
        super().__init__(channels, cells_per_stage, num_classes,
                         lambda c: [nn.ModuleList(make_op(name, c) for name in SPACE.ops) for _ in range(3)])

    def forward(self, x: torch.Tensor, arch: Any) -> torch.Tensor:
        x = self.stem(x)
        for cell in self.cells:
            x = cell.run(x, [cell.edges[e][k] for e, k in enumerate(arch)])
        return self._head(x)

    def standalone_state(self, arch: Any) -> dict[str, torch.Tensor]:
        """The inherited weights of one subnet, keyed for :class:`Di64Network` (weight sharing made explicit)."""
        return chosen_edge_state(self.state_dict(), arch)
