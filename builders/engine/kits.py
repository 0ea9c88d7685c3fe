"""Per-space parts the engine needs: presets, the supernet, and the stand-alone network at any preset.

Every supernet takes ``forward(x, arch)`` with ``arch`` in the parsed form of
``wsbench.spaces`` (what ``space.parse`` and ``space.draw`` return), so the
engine is the same loop for every image space.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from builders.core.preset import SupernetPreset
from wsbench.errors import OptionError


@dataclass(frozen=True)
class Kit:
    space: str
    presets: Mapping[str, SupernetPreset]
    supernet: Callable[[SupernetPreset], Any]  # preset -> nn.Module with forward(x, parsed_arch)
    standalone: Callable[[Any, int, int], Any]  # (arch, channels, cells_per_stage) -> nn.Module
    paper_standalone: Callable[[Any], Any]  # arch -> the network whose sizes the published benchmark reports
    citation: str
    paper_input: int = 32  # input resolution of the paper-scale network (its FLOPs)

    def preset(self, name: str) -> SupernetPreset:
        if name not in self.presets:
            raise OptionError(f"{self.space} presets: {sorted(self.presets)}; got {name!r}")
        return self.presets[name]


def _nb201() -> Kit:
    from builders.nb201.network import NB201Network, NB201Supernet
    from builders.nb201.presets import PRESETS

    return Kit("nb201", PRESETS, lambda p: NB201Supernet(p.channels, p.cells_per_stage, 10),
               lambda a, c, n: NB201Network(a, c, n, 10),
               lambda a: NB201Network(a, 16, 5, 10), "Dong & Yang, NAS-Bench-201, ICLR 2020")


def _nb101() -> Kit:
    from builders.nb101.network import NB101Network, NB101Supernet
    from builders.nb101.presets import PRESETS

    return Kit("nb101", PRESETS, lambda p: NB101Supernet(p.channels, 3, p.cells_per_stage, 10),
               lambda a, c, n: NB101Network(a, c, 3, n, 10),
               lambda a: NB101Network(a, 128, 3, 3, 10), "Ying et al., NAS-Bench-101, ICML 2019")


def _darts() -> Kit:
    from builders.darts.network import DARTSNetwork
    from builders.darts.presets import PRESETS
    from builders.darts.supernet import DARTSSupernet

    return Kit("darts", PRESETS, lambda p: DARTSSupernet(p.channels, 3 * p.cells_per_stage + 2, 10),
               lambda a, c, n: DARTSNetwork(a, c, 3 * n + 2, 10),
               lambda a: DARTSNetwork(a, 36, 20, 10), "Liu, Simonyan & Yang, DARTS, ICLR 2019")


def _proxylessnas() -> Kit:
    from builders.proxylessnas.network import ProxylessNetwork, ProxylessSupernet
    from builders.proxylessnas.presets import PRESETS

    # CIFAR-size inputs: stride-1 first conv; the paper network is the ImageNet one (224 px, 1000 classes)
    return Kit("proxylessnas", PRESETS, lambda p: ProxylessSupernet(p.channels / 32, 10, first_stride=1),
               lambda a, c, n: ProxylessNetwork(a, c / 32, 10, first_stride=1),
               lambda a: ProxylessNetwork(a, 1.0, 1000, first_stride=2), "Cai, Zhu & Han, ProxylessNAS, ICLR 2019",
               paper_input=224)


def _macro() -> Kit:
    from builders.macro.network import MacroNetwork, MacroSupernet
    from builders.macro.presets import PRESETS, head_width

    return Kit("macro", PRESETS, lambda p: MacroSupernet(p.channels, head_width(p.channels), 10),
               lambda a, c, n: MacroNetwork(a, c, head_width(c), 10),
               lambda a: MacroNetwork(a, 32, 1280, 10), "Su et al., NAS-Bench-Macro (CVPR 2021)")


KITS: dict[str, Callable[[], Kit]] = {"nb201": _nb201, "nb101": _nb101, "darts": _darts, "proxylessnas": _proxylessnas,
                                      "macro": _macro}


def get_kit(space: str) -> Kit:
    if space not in KITS:
        raise OptionError(f"image spaces with a supernet kit: {sorted(KITS)} (and darts-rnn, a language model); "
                          f"got {space!r}")
    return KITS[space]()
