"""DARTS's CIFAR evaluation network (``NetworkCIFAR``) for one genotype of ``wsbench.spaces.darts``.

Stem 3x3 conv to 3C + BN; ``layers`` cells, reduction cells at 1/3 and 2/3
depth (channels doubled there); each cell preprocesses its two inputs to C
channels and concatenates its ``concat`` nodes; global pooling; linear
classifier. The auxiliary head is not built: DARTS does not count it in the
parameter size it logs (3.349342 M for DARTS_V2 at C=36, 20 layers).

``op_affine=False`` gives the edge ops' BatchNorms no scale/shift, as DARTS's
search cell does: at C=32, 8 cells that is the network whose size NASLib
reports for NAS-Bench-301 genotypes (NB301's training configuration: C=32,
8 cells), exactly, for all 500 genotypes of ``zc_nasbench301.json``.
"""

from __future__ import annotations

import torch
from torch import nn

from builders.darts.ops import FactorizedReduce, ReLUConvBN, make_op
from wsbench.spaces import get_space

SPACE = get_space("darts")


class Cell(nn.Module):
    def __init__(self, pairs, concat, c_pp: int, c_p: int, c: int, reduction: bool, reduction_prev: bool,
                 op_affine: bool = True):
        super().__init__()
        self.pre0 = FactorizedReduce(c_pp, c) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0)
        self.pre1 = ReLUConvBN(c_p, c, 1, 1, 0)
        self.inputs = [src for _, src in pairs]
        self.ops = nn.ModuleList(make_op(op, c, 2 if reduction and src < 2 else 1, op_affine) for op, src in pairs)
        self.concat = list(concat)
        self.multiplier = len(self.concat)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = [self.pre0(s0), self.pre1(s1)]
        for i in range(len(self.ops) // 2):
            a, b = 2 * i, 2 * i + 1
            states.append(self.ops[a](states[self.inputs[a]]) + self.ops[b](states[self.inputs[b]]))
        return torch.cat([states[i] for i in self.concat], dim=1)


class DARTSNetwork(nn.Module):
    def __init__(self, arch: str | dict, channels: int = 36, layers: int = 20, num_classes: int = 10,
                 stem_multiplier: int = 3, op_affine: bool = True):
        super().__init__()
        g = SPACE.parse(arch)
        c_curr = stem_multiplier * channels
        self.stem = nn.Sequential(nn.Conv2d(3, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr))
        c_pp, c_p, c_curr = c_curr, c_curr, channels
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_curr *= 2
            pairs, concat = g["reduce" if reduction else "normal"]
            cell = Cell(pairs, concat, c_pp, c_p, c_curr, reduction, reduction_prev, op_affine)
            self.cells.append(cell)
            reduction_prev = reduction
            c_pp, c_p = c_p, cell.multiplier * c_curr
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(torch.flatten(self.pool(s1), 1))
