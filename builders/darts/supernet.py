"""DARTS CNN supernet for single-path one-shot training.

Every cell holds, for each intermediate node i (0..3) and each possible input
j (0..i+1), all 7 candidate ops with their own weights. A forward pass takes
a parsed genotype and runs only its 8 chosen (op, input) edges per cell, so a
subnet's inherited weights have exactly the shapes of its stand-alone
:class:`builders.darts.network.DARTSNetwork` (all four nodes concatenated, as
every sampled genotype has ``concat = [2, 3, 4, 5]``).
"""

from __future__ import annotations

import torch
from torch import nn

from builders.darts.ops import FactorizedReduce, ReLUConvBN, make_op
from wsbench.spaces import get_space

SPACE = get_space("darts")
NODES = 4


def _edge_index(node: int, src: int) -> int:
    """Position of edge (node, src) in the flat list of a cell's 14 edges."""
    return sum(i + 2 for i in range(node)) + src


class SuperCell(nn.Module):
    def __init__(self, c_pp: int, c_p: int, c: int, reduction: bool, reduction_prev: bool):
        super().__init__()
        self.pre0 = FactorizedReduce(c_pp, c) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0)
        self.pre1 = ReLUConvBN(c_p, c, 1, 1, 0)
        self.edges = nn.ModuleList(
            nn.ModuleList(make_op(op, c, 2 if reduction and src < 2 else 1) for op in SPACE.ops)
            for node in range(NODES) for src in range(node + 2))
        self.multiplier = NODES

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, pairs) -> torch.Tensor:
        states = [self.pre0(s0), self.pre1(s1)]
        for node in range(NODES):
            total = 0
            for op, src in pairs[2 * node: 2 * node + 2]:
                total = total + self.edges[_edge_index(node, src)][SPACE.ops.index(op)](states[src])
            states.append(total)
        return torch.cat(states[2:], dim=1)


class DARTSSupernet(nn.Module):
    def __init__(self, channels: int = 16, layers: int = 8, num_classes: int = 10, stem_multiplier: int = 3):
        super().__init__()
        c_curr = stem_multiplier * channels
        self.stem = nn.Sequential(nn.Conv2d(3, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr))
        c_pp, c_p, c_curr = c_curr, c_curr, channels
        self.cells = nn.ModuleList()
        self.reductions: list[bool] = []
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_curr *= 2
            self.cells.append(SuperCell(c_pp, c_p, c_curr, reduction, reduction_prev))
            self.reductions.append(reduction)
            reduction_prev = reduction
            c_pp, c_p = c_p, NODES * c_curr
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, num_classes)

    def forward(self, x: torch.Tensor, genotype: dict) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell, red in zip(self.cells, self.reductions):
            s0, s1 = s1, cell(s0, s1, genotype["reduce" if red else "normal"][0])
        return self.classifier(torch.flatten(self.pool(s1), 1))

    def standalone_state(self, genotype: dict) -> dict[str, torch.Tensor]:
        """Inherited weights of one genotype keyed for :class:`DARTSNetwork` (same channels and layers)."""
        out: dict[str, torch.Tensor] = {}
        for key, value in self.state_dict().items():
            parts = key.split(".")
            if parts[0] == "cells" and parts[2] == "edges":
                cell, edge, op = int(parts[1]), int(parts[3]), int(parts[4])
                pairs = genotype["reduce" if self.reductions[cell] else "normal"][0]
                for k, (name, src) in enumerate(pairs):
                    if _edge_index(k // 2, src) == edge and SPACE.ops.index(name) == op:
                        out[".".join(["cells", parts[1], "ops", str(k), *parts[5:]])] = value
                continue
            out[key] = value
        return out
