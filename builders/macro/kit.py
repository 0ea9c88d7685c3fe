"""The engine's handle on NAS-Bench-Macro (found by ``builders.engine.kits``)."""

from __future__ import annotations

from builders.core.space_kit import Kit


def kit() -> Kit:
    from builders.macro.network import MacroNetwork, MacroSupernet
    from builders.macro.presets import PRESETS, head_width

    return Kit(space="macro", presets=PRESETS, supernet=lambda p: MacroSupernet(p.channels, head_width(p.channels), 10),
               standalone=lambda a, c, n: MacroNetwork(a, c, head_width(c), 10),
               paper_standalone=lambda a: MacroNetwork(a, 32, 1280, 10),
               citation="Su et al., NAS-Bench-Macro (CVPR 2021)")
