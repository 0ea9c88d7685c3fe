"""ProxylessNAS chain networks: stand-alone (one choice per block) and a weight-sharing supernet.

As ProxylessNAS's ``ProxylessNASNets``: first conv 3x3 (stride 2 on ImageNet)
-BN-ReLU6; a fixed MBConv1 3x3 block to 16 channels; 21 searched blocks in six
stages; 1x1 feature-mix conv to 1280 -BN-ReLU6; global average pooling;
linear classifier. An MBConv block is 1x1 expand -BN-ReLU6 (omitted for
expansion 1), k x k depthwise (stride) -BN-ReLU6, 1x1 project -BN; blocks with
stride 1 and equal widths add an identity shortcut, and ``zero`` keeps only the
shortcut. BatchNorm eps 1e-3, momentum 0.1 (ProxylessNAS's bn_param).
Widths scale with ``width_mult`` and are rounded to multiples of 8
(``make_divisible``), as in ProxylessNAS.
"""

from __future__ import annotations

import torch
from torch import nn

from wsbench.spaces import get_space
from wsbench.spaces.proxylessnas import DEPTHS, MBCONVS, STRIDES, WIDTHS

SPACE = get_space("proxylessnas")
BN_EPS, BN_MOMENTUM = 1e-3, 0.1


def make_divisible(v: float, divisor: int = 8) -> int:
    """Round to the nearest multiple of ``divisor``, never below 90% of ``v`` (the MobileNet rule)."""
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


def _bn(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, eps=BN_EPS, momentum=BN_MOMENTUM)


class ConvBNReLU6(nn.Sequential):
    """conv -BN -activation (ReLU6 and ProxylessNAS's BN unless told otherwise: NAS-Bench-Macro uses ReLU, default BN)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1, groups: int = 1,
                 act: type[nn.Module] = nn.ReLU6, bn=_bn):
        super().__init__(nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False), bn(c_out),
                         act(inplace=True))


class MBConv(nn.Module):
    """Inverted residual: 1x1 expand, k x k depthwise (stride), 1x1 linear projection; the shortcut is the caller's."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, expand: int,
                 act: type[nn.Module] = nn.ReLU6, bn=_bn):
        super().__init__()
        mid = c_in * expand
        self.expand = ConvBNReLU6(c_in, mid, 1, act=act, bn=bn) if expand > 1 else None
        self.depthwise = ConvBNReLU6(mid, mid, kernel, stride, groups=mid, act=act, bn=bn)
        self.project = nn.Sequential(nn.Conv2d(mid, c_out, 1, bias=False), bn(c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.depthwise(self.expand(x) if self.expand is not None else x))


def _mbconv(op: str, c_in: int, c_out: int, stride: int) -> MBConv:
    kernel, expand = int(op[0]), int(op.split("MBConv")[1])
    return MBConv(c_in, c_out, kernel, stride, expand)


def block_plan(width_mult: float = 1.0, widths: tuple[int, ...] = WIDTHS) -> list[tuple[int, int, int]]:
    """(c_in, c_out, stride) of the 21 searched blocks."""
    plan, c = [], make_divisible(16 * width_mult)
    for w, d, s in zip(widths, DEPTHS, STRIDES):
        w = make_divisible(w * width_mult)
        for b in range(d):
            plan.append((c, w, s if b == 0 else 1))
            c = w
    return plan


class _Macro(nn.Module):
    def __init__(self, width_mult: float, num_classes: int, first_stride: int, widths: tuple[int, ...], blocks):
        super().__init__()
        first = make_divisible(32 * width_mult)
        c16 = make_divisible(16 * width_mult)
        self.first_conv = ConvBNReLU6(3, first, 3, first_stride)
        self.first_block = MBConv(first, c16, 3, 1, 1)
        self.plan = block_plan(width_mult, widths)
        self.blocks = nn.ModuleList(blocks(self.plan))
        last = make_divisible(1280 * width_mult) if width_mult > 1.0 else 1280
        self.feature_mix = ConvBNReLU6(self.plan[-1][1], last, 1)
        self.classifier = nn.Linear(last, num_classes)

    def _run(self, x: torch.Tensor, choices: tuple[int, ...], op_of) -> torch.Tensor:
        x = self.first_block(self.first_conv(x))
        for (c_in, c_out, stride), k, mod in zip(self.plan, choices, self.blocks):
            shortcut = stride == 1 and c_in == c_out
            if k == 0:  # zero: only the shortcut remains
                continue
            y = op_of(mod, k)(x)
            x = x + y if shortcut else y
        return self.classifier(self.feature_mix(x).mean((2, 3)))


class ProxylessNetwork(_Macro):
    """The stand-alone network of one architecture (canonical string or 21 op indices)."""

    def __init__(self, arch, width_mult: float = 1.0, num_classes: int = 1000, first_stride: int = 2,
                 widths: tuple[int, ...] = WIDTHS):
        self.choices = SPACE.parse(arch) if not isinstance(arch, tuple) else arch

        def blocks(plan):
            return [nn.Identity() if k == 0 else _mbconv(SPACE.ops[k], ci, co, s)
                    for (ci, co, s), k in zip(plan, self.choices)]

        super().__init__(width_mult, num_classes, first_stride, widths, blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._run(x, self.choices, lambda mod, k: mod)


class ProxylessSupernet(_Macro):
    """Every block holds the six MBConvs with their own weights; ``forward(x, choices)`` runs one path (SPOS)."""

    def __init__(self, width_mult: float = 1.0, num_classes: int = 1000, first_stride: int = 2,
                 widths: tuple[int, ...] = WIDTHS):
        def blocks(plan):
            return [nn.ModuleList(_mbconv(op, ci, co, s) for op in MBCONVS) for ci, co, s in plan]

        super().__init__(width_mult, num_classes, first_stride, widths, blocks)

    def forward(self, x: torch.Tensor, choices: tuple[int, ...]) -> torch.Tensor:
        return self._run(x, choices, lambda mod, k: mod[k - 1])

    def chain(self):
        """This supernet as a chain of decisions, for prefix-sharing scoring (``builders.engine.scoring``)."""
        from builders.core.chain import Chain

        def step(i: int, k: int, x: torch.Tensor) -> torch.Tensor:
            if k == 0:  # zero: only the shortcut remains
                return x
            c_in, c_out, stride = self.plan[i]
            y = self.blocks[i][k - 1](x)
            return x + y if stride == 1 and c_in == c_out else y

        return Chain(head=nn.Sequential(self.first_conv, self.first_block), step=step,
                     step_module=lambda i, k: self.blocks[i][k - 1] if k else None,
                     tail=_Tail(self.feature_mix, self.classifier), choices=lambda ch: ch)

    def standalone_state(self, choices: tuple[int, ...]) -> dict[str, torch.Tensor]:
        """The inherited weights of one architecture, keyed for :class:`ProxylessNetwork`."""
        out = {}
        for key, value in self.state_dict().items():
            parts = key.split(".")
            if parts[0] == "blocks":
                b, k = int(parts[1]), int(parts[2])
                if choices[b] != k + 1:
                    continue
                key = ".".join(parts[:2] + parts[3:])
            out[key] = value
        return out


class _Tail(nn.Module):
    """feature mix -> global pooling -> classifier: the fixed end of the chain (not a registered submodule)."""

    def __init__(self, feature_mix: nn.Module, classifier: nn.Module):
        super().__init__()
        self.feature_mix, self.classifier = feature_mix, classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.feature_mix(x).mean((2, 3)))
