"""What a space hands the engine: presets, its supernet and its stand-alone networks (one ``Kit`` per space).

Each image space's folder has a ``kit.py`` with ``kit() -> Kit``; ``builders/engine/kits.py`` finds it by
the folder name (the space name with '-' as '_'), so a new space registers by existing. The type sits here,
at the bottom, so a space folder never imports the engine above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from builders.core.preset import SupernetPreset
from wsbench.errors import OptionError


@dataclass(frozen=True, kw_only=True)
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
