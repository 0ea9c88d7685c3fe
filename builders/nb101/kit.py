"""The engine's handle on NB101 (found by ``builders.engine.kits``)."""

from __future__ import annotations

from builders.core.space_kit import Kit


def kit() -> Kit:
    from builders.nb101.network import NB101Network, NB101Supernet
    from builders.nb101.presets import PRESETS

    return Kit(space="nb101", presets=PRESETS, supernet=lambda p: NB101Supernet(p.channels, 3, p.cells_per_stage, 10),
               standalone=lambda a, c, n: NB101Network(a, c, 3, n, 10),
               paper_standalone=lambda a: NB101Network(a, 128, 3, 3, 10),
               citation="Ying et al., NAS-Bench-101, ICML 2019")
