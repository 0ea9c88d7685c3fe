"""The NAS-Bench-201 macro network around a cell: stand-alone (one architecture) and supernet (all of them).

Stem 3x3 conv (C) + BN; three stages of N cells at C, 2C, 4C channels joined by
ResNet reduction blocks; BN + ReLU; global average pooling; linear classifier —
as NAS-Bench-201's ``TinyNetwork``. Paper preset: C = 16, N = 5.
"""

from __future__ import annotations

import torch
from torch import nn

from builders.core.sharing import chosen_edge_state
from builders.flops import count_params  # noqa: F401  (re-exported: sizes of this space)
from builders.nb201.ops import OPS, ResNetBasicBlock, make_op
from wsbench.spaces import get_space

SPACE = get_space("nb201")
#: (to, from) of each edge in canonical string order
EDGES = SPACE.edges


class Cell(nn.Module):
    """One cell of a fixed architecture: node i = sum over j < i of op_{i<-j}(node j)."""

    def __init__(self, choices: tuple[int, ...], channels: int):
        super().__init__()
        self.edges = nn.ModuleList(make_op(OPS[k], channels) for k in choices)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        e = 0
        for i in range(1, 4):
            total = 0
            for _ in range(i):
                total = total + self.edges[e](nodes[EDGES[e][1]])
                e += 1
            nodes.append(total)
        return nodes[-1]


class SuperCell(nn.Module):
    """Every op on every edge with its own weights; ``forward(x, choices)`` runs only the chosen ones (SPOS)."""

    def __init__(self, channels: int):
        super().__init__()
        self.edges = nn.ModuleList(nn.ModuleList(make_op(name, channels) for name in OPS) for _ in EDGES)

    def forward(self, x: torch.Tensor, choices: tuple[int, ...]) -> torch.Tensor:
        nodes = [x]
        e = 0
        for i in range(1, 4):
            total = 0
            for _ in range(i):
                total = total + self.edges[e][choices[e]](nodes[EDGES[e][1]])
                e += 1
            nodes.append(total)
        return nodes[-1]


class _Macro(nn.Module):
    def __init__(self, channels: int, cells_per_stage: int, num_classes: int, make_cell):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))
        layers: list[nn.Module] = []
        c = channels
        for stage in range(3):
            if stage:
                layers.append(ResNetBasicBlock(c, 2 * c, 2))
                c *= 2
            layers += [make_cell(c) for _ in range(cells_per_stage)]
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, num_classes)

    def _head(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.lastact(x)), 1))


class NB201Network(_Macro):
    """The stand-alone network of one architecture (canonical string or op indices)."""

    def __init__(self, arch: str | tuple[int, ...], channels: int = 16, cells_per_stage: int = 5,
                 num_classes: int = 10):
        self.choices = SPACE.parse(arch)
        super().__init__(channels, cells_per_stage, num_classes, lambda c: Cell(self.choices, c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for layer in self.cells:
            x = layer(x)
        return self._head(x)


class NB201Supernet(_Macro):
    """All 15,625 architectures with shared weights; ``forward(x, choices)`` runs one of them."""

    def __init__(self, channels: int = 16, cells_per_stage: int = 5, num_classes: int = 10):
        super().__init__(channels, cells_per_stage, num_classes, SuperCell)

    def forward(self, x: torch.Tensor, choices: tuple[int, ...]) -> torch.Tensor:
        x = self.stem(x)
        for layer in self.cells:
            x = layer(x, choices) if isinstance(layer, SuperCell) else layer(x)
        return self._head(x)

    def standalone_state(self, choices: tuple[int, ...]) -> dict[str, torch.Tensor]:
        """The inherited weights of one subnet, keyed for :class:`NB201Network` (weight-sharing made explicit)."""
        return chosen_edge_state(self.state_dict(), choices)


