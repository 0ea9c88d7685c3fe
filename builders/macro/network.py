"""NAS-Bench-Macro networks (xiusu/NAS-Bench-Macro ``train/model.py`` defines them): stand-alone and supernet.

Stem 3x3 conv (``channels``) -BN -ReLU; three stages of 2, 3, 3 searched
layers, the first of each with stride 2 and twice the width; a 1x1 conv to
``head`` channels -BN -ReLU, global average pooling, a linear classifier. A
layer is ``id`` (the first layer of a stage: strided 1x1 conv + BN; any other:
nothing), or an inverted residual (ProxylessNAS's :class:`MBConv` with ReLU and
default BatchNorm) with kernel 3 / expansion 3 or kernel 5 / expansion 6, plus
an identity shortcut where stride is 1 and widths are equal. At ``channels=32,
head=1280`` the parameter count equals NAS-Bench-Macro's ``params`` for all
6,561 encodings (tests/test_macro_torch.py).
"""

from __future__ import annotations

import torch
from torch import nn

from builders.proxylessnas.network import MBConv
from wsbench.spaces import get_space
from wsbench.spaces.macro import STAGES

SPACE = get_space("macro")
#: (kernel, expansion) of ops 1 and 2
INVERTED = {1: (3, 3), 2: (5, 6)}


def layer_plan(channels: int) -> list[tuple[int, int, int]]:
    """(c_in, c_out, stride) of the 8 searched layers."""
    plan, c = [], channels
    for n in STAGES:
        plan.append((c, 2 * c, 2))
        c *= 2
        plan += [(c, c, 1)] * (n - 1)
    return plan


def _op(k: int, c_in: int, c_out: int, stride: int) -> nn.Module:
    if k == 0:
        if stride == 1 and c_in == c_out:
            return nn.Identity()
        return nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
    kernel, expand = INVERTED[k]
    return MBConv(c_in, c_out, kernel, stride, expand, act=nn.ReLU, bn=nn.BatchNorm2d)


def _apply(k: int, mod: nn.Module, x: torch.Tensor, c_in: int, c_out: int, stride: int) -> torch.Tensor:
    y = mod(x)
    return x + y if k != 0 and stride == 1 and c_in == c_out else y


class _MacroBase(nn.Module):
    def __init__(self, channels: int, head: int, num_classes: int, layers):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels),
                                  nn.ReLU(inplace=True))
        self.plan = layer_plan(channels)
        self.layers = nn.ModuleList(layers(self.plan))
        self.tail = _Tail(self.plan[-1][1], head, num_classes)


class MacroNetwork(_MacroBase):
    """The stand-alone network of one encoding (any of the 6,561; equivalent encodings build equal networks)."""

    def __init__(self, arch, channels: int = 32, head: int = 1280, num_classes: int = 10):
        self.choices = tuple(arch) if isinstance(arch, tuple) else SPACE.parse(arch)
        super().__init__(channels, head, num_classes,
                         lambda plan: [_op(k, *p) for p, k in zip(plan, self.choices)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for p, k, mod in zip(self.plan, self.choices, self.layers):
            x = _apply(k, mod, x, *p)
        return self.tail(x)


class MacroSupernet(_MacroBase):
    """Every layer holds its three ops with their own weights; ``forward(x, encoding)`` runs one path (SPOS)."""

    def __init__(self, channels: int = 32, head: int = 1280, num_classes: int = 10):
        super().__init__(channels, head, num_classes,
                         lambda plan: [nn.ModuleList(_op(k, *p) for k in range(3)) for p in plan])

    def forward(self, x: torch.Tensor, choices: tuple[int, ...]) -> torch.Tensor:
        x = self.stem(x)
        for p, k, mods in zip(self.plan, choices, self.layers):
            x = _apply(k, mods[k], x, *p)
        return self.tail(x)

    def chain(self):
        """This supernet as a chain of decisions, for prefix-sharing scoring (``builders.engine.scoring``)."""
        from builders.core.chain import Chain

        def step(i: int, k: int, x: torch.Tensor) -> torch.Tensor:
            return _apply(k, self.layers[i][k], x, *self.plan[i])

        def step_module(i: int, k: int) -> nn.Module | None:
            mod = self.layers[i][k]
            return None if isinstance(mod, nn.Identity) else mod

        return Chain(head=self.stem, step=step, step_module=step_module, tail=self.tail, choices=lambda ch: ch)

    def standalone_state(self, choices: tuple[int, ...]) -> dict[str, torch.Tensor]:
        """The inherited weights of one encoding, keyed for :class:`MacroNetwork`."""
        out = {}
        for key, value in self.state_dict().items():
            parts = key.split(".")
            if parts[0] == "layers":
                if choices[int(parts[1])] != int(parts[2]):
                    continue
                key = ".".join(parts[:2] + parts[3:])
            out[key] = value
        return out


class _Tail(nn.Module):
    """1x1 conv to ``head`` -BN -ReLU, global average pooling, classifier."""

    def __init__(self, c_in: int, head: int, num_classes: int):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(c_in, head, 1, bias=False), nn.BatchNorm2d(head), nn.ReLU(inplace=True))
        self.classifier = nn.Linear(head, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.conv(x).mean((2, 3)))
