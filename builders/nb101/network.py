"""NAS-Bench-101 networks: stand-alone (one cell graph) and a weight-sharing supernet (every graph).

Macro network as NAS-Bench-101's ``model_builder``: stem 3x3 conv-BN-ReLU
(128 channels in the paper), 3 stacks of 3 modules, a 2x2 max-pool with
doubled channels before stacks 2 and 3, global average pooling, dense layer.
Inside a module the output's channels are split among the vertices that feed
it (``vertex_channels``), tensors from the input are projected by 1x1
conv-BN-ReLU, interior tensors with one channel too many are truncated, and
the output concatenates its inputs (plus the projected input if connected).

The supernet holds, per module and vertex position, each op at the module's
full width; a sampled graph uses the first ``c`` channels of each weight and
BatchNorm (channel slicing), so any graph's network is a slice of the supernet
and ``standalone_state`` makes that explicit.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from wsbench.spaces import get_space
from wsbench.spaces.nb101 import MAX_VERTICES, OPS

SPACE = get_space("nb101")
#: NAS-Bench-101's base_ops: BN_MOMENTUM 0.997 (TF decay) = torch momentum 0.003, BN_EPSILON 1e-5
BN_MOMENTUM, BN_EPS = 0.003, 1e-5


def vertex_channels(c_in: int, c_out: int, matrix: np.ndarray) -> list[int]:
    """Output channels of every vertex (NAS-Bench-101's rule; its unit-test vectors are in our tests).

    Vertices feeding the output share ``c_out`` (the first ones get one extra
    channel when it does not divide evenly); every other interior vertex takes
    the largest width among its successors, so widths never increase downstream.
    """
    m = np.asarray(matrix)
    n = m.shape[0]
    ch = [0] * n
    ch[0], ch[-1] = c_in, c_out
    if n == 2:
        return ch
    fan_in = int(m[1:, -1].sum())
    base, extra = divmod(c_out, fan_in)
    for v in range(1, n - 1):
        if m[v, -1]:
            ch[v] = base + (1 if extra > 0 else 0)
            extra -= 1
    for v in range(n - 3, 0, -1):
        if not m[v, -1]:
            ch[v] = max(ch[w] for w in range(v + 1, n - 1) if m[v, w])
    return ch


def _parse(arch) -> tuple[np.ndarray, tuple[int, ...]]:
    """The graph in NAS-Bench-101's own vertex order: channel counts depend on vertex positions."""
    from wsbench.spaces.nb101 import nasbench_order

    rows, labels = nasbench_order(arch if _is_parsed(arch) else SPACE.parse(arch))
    return np.array(rows, dtype=np.int8), tuple(labels)


def _is_parsed(arch) -> bool:
    return isinstance(arch, tuple) and len(arch) == 2 and isinstance(arch[1], tuple) and isinstance(arch[0], tuple)


class ConvBNReLU(nn.Module):
    """conv (no bias, 'same' padding) -> BatchNorm -> ReLU, NAS-Bench-101's ``conv_bn_relu``."""

    def __init__(self, c_in: int, c_out: int, kernel: int):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.relu = nn.ReLU()  # a module, not F.relu: activation hooks (the naswot proxy) must see it

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn(self.conv(x)))


def _make_op(label: int, c: int) -> nn.Module:
    name = OPS[label]
    if name == "maxpool3x3":
        return nn.MaxPool2d(3, 1, 1)
    return ConvBNReLU(c, c, 3 if name == "conv3x3-bn-relu" else 1)


def _truncate(x: torch.Tensor, c: int) -> torch.Tensor:
    return x if x.shape[1] == c else x[:, :c]


class Cell(nn.Module):
    """One module of a fixed graph."""

    def __init__(self, matrix: np.ndarray, labels: tuple[int, ...], c_in: int, c_out: int):
        super().__init__()
        self.matrix = matrix
        n = matrix.shape[0]
        self.ch = vertex_channels(c_in, c_out, matrix)
        self.proj = nn.ModuleDict({str(t): ConvBNReLU(c_in, self.ch[t], 1) for t in range(1, n - 1) if matrix[0, t]})
        self.ops = nn.ModuleList(_make_op(labels[t - 1], self.ch[t]) for t in range(1, n - 1))
        self.out_proj = ConvBNReLU(c_in, c_out, 1) if matrix[0, n - 1] else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _run_cell(self.matrix, self.ch, x, lambda t, h: self.proj[str(t)](h), lambda t, h: self.ops[t - 1](h),
                         self.out_proj)


def _run_cell(m: np.ndarray, ch: list[int], x: torch.Tensor, project, apply_op, out_proj) -> torch.Tensor:
    n = m.shape[0]
    tensors = [x]
    concat = []
    for t in range(1, n - 1):
        ins = [_truncate(tensors[s], ch[t]) for s in range(1, t) if m[s, t]]
        if m[0, t]:
            ins.append(project(t, x))
        h = ins[0] if len(ins) == 1 else torch.stack(ins).sum(0)
        tensors.append(apply_op(t, h))
        if m[t, n - 1]:
            concat.append(tensors[t])
    if not concat:
        return out_proj(x)
    out = concat[0] if len(concat) == 1 else torch.cat(concat, 1)
    return out + out_proj(x) if m[0, n - 1] else out


class _Macro(nn.Module):
    def __init__(self, stem: int, stacks: int, cells_per_stack: int, num_classes: int, make_cell):
        super().__init__()
        self.stem = ConvBNReLU(3, stem, 3)
        layers: list[nn.Module] = []
        c = stem
        for s in range(stacks):
            c_in = c
            if s:
                layers.append(nn.MaxPool2d(2, 2))
                c *= 2
            for _ in range(cells_per_stack):
                layers.append(make_cell(c_in, c))
                c_in = c
        self.cells = nn.ModuleList(layers)
        self.classifier = nn.Linear(c, num_classes)

    def _head(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(x.mean((2, 3)))


class NB101Network(_Macro):
    """The stand-alone network of one graph (canonical string, JSON spec or parsed graph)."""

    def __init__(self, arch, stem: int = 128, stacks: int = 3, cells_per_stack: int = 3, num_classes: int = 10):
        self.matrix, self.labels = _parse(arch)
        super().__init__(stem, stacks, cells_per_stack, num_classes,
                         lambda ci, co: Cell(self.matrix, self.labels, ci, co))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for layer in self.cells:
            x = layer(x)
        return self._head(x)


class SlicedConvBNReLU(ConvBNReLU):
    """A full-width conv-BN-ReLU whose first ``c_out`` output (and input-many input) channels one subnet uses."""

    def forward(self, x: torch.Tensor, c_out: int) -> torch.Tensor:
        w = self.conv.weight[:c_out, : x.shape[1]]
        return self.relu(_sliced_bn(self.bn, F.conv2d(x, w, padding=self.conv.padding)))


def _sliced_bn(bn: nn.BatchNorm2d, x: torch.Tensor) -> torch.Tensor:
    """``bn`` applied to the first ``x.shape[1]`` channels; running statistics of those channels update in place."""
    c = x.shape[1]
    factor = 0.0
    if bn.training:
        bn.num_batches_tracked.add_(1)
        factor = 1.0 / float(bn.num_batches_tracked) if bn.momentum is None else bn.momentum
    return F.batch_norm(x, bn.running_mean[:c], bn.running_var[:c], bn.weight[:c], bn.bias[:c], bn.training,
                        factor, bn.eps)


class SuperCell(nn.Module):
    """Per vertex position: an input projection and the three ops at full width; plus the output projection."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.c_in, self.c_out = c_in, c_out
        inner = MAX_VERTICES - 2
        self.proj = nn.ModuleList(SlicedConvBNReLU(c_in, c_out, 1) for _ in range(inner))
        self.ops = nn.ModuleList(
            nn.ModuleList([SlicedConvBNReLU(c_out, c_out, 3), SlicedConvBNReLU(c_out, c_out, 1), nn.MaxPool2d(3, 1, 1)])
            for _ in range(inner))
        self.out_proj = SlicedConvBNReLU(c_in, c_out, 1)

    def forward(self, x: torch.Tensor, m: np.ndarray, labels: tuple[int, ...]) -> torch.Tensor:
        ch = vertex_channels(self.c_in, self.c_out, m)

        def apply_op(t: int, h: torch.Tensor) -> torch.Tensor:
            op = self.ops[t - 1][labels[t - 1]]
            return op(h) if isinstance(op, nn.MaxPool2d) else op(h, ch[t])

        return _run_cell(m, ch, x, lambda t, h: self.proj[t - 1](h, ch[t]), apply_op,
                         lambda h: self.out_proj(h, self.c_out))

    def standalone_state(self, prefix: str, m: np.ndarray, labels: tuple[int, ...]) -> dict[str, torch.Tensor]:
        ch = vertex_channels(self.c_in, self.c_out, m)
        n = m.shape[0]
        out: dict[str, torch.Tensor] = {}

        def take(mod: ConvBNReLU, key: str, c_in: int, c_out: int) -> None:
            out[f"{key}.conv.weight"] = mod.conv.weight[:c_out, :c_in]
            for name in ("weight", "bias", "running_mean", "running_var"):
                out[f"{key}.bn.{name}"] = getattr(mod.bn, name)[:c_out]
            out[f"{key}.bn.num_batches_tracked"] = mod.bn.num_batches_tracked

        for t in range(1, n - 1):
            if m[0, t]:
                take(self.proj[t - 1], f"{prefix}.proj.{t}", self.c_in, ch[t])
            op = self.ops[t - 1][labels[t - 1]]
            if isinstance(op, ConvBNReLU):
                take(op, f"{prefix}.ops.{t - 1}", ch[t], ch[t])
        if m[0, n - 1]:
            take(self.out_proj, f"{prefix}.out_proj", self.c_in, self.c_out)
        return out


class NB101Supernet(_Macro):
    """Every NAS-Bench-101 graph with shared, channel-sliced weights; ``forward(x, graph)`` runs one."""

    def __init__(self, stem: int = 128, stacks: int = 3, cells_per_stack: int = 3, num_classes: int = 10):
        super().__init__(stem, stacks, cells_per_stack, num_classes, SuperCell)

    def forward(self, x: torch.Tensor, arch) -> torch.Tensor:
        m, labels = _parse(arch)
        x = self.stem(x)
        for layer in self.cells:
            x = layer(x, m, labels) if isinstance(layer, SuperCell) else layer(x)
        return self._head(x)

    def standalone_state(self, arch) -> dict[str, torch.Tensor]:
        """The inherited weights of one graph, keyed for :class:`NB101Network` (same stem and stacks)."""
        m, labels = _parse(arch)
        out = {k: v for k, v in self.state_dict().items() if not k.startswith("cells.")}
        for i, layer in enumerate(self.cells):
            if isinstance(layer, SuperCell):
                out.update(layer.standalone_state(f"cells.{i}", m, labels))
        return out
