"""The engine's handle on the DARTS CNN space (found by ``builders.engine.kits``)."""

from __future__ import annotations

from builders.core.space_kit import Kit


def kit() -> Kit:
    from builders.darts.network import DARTSNetwork
    from builders.darts.presets import PRESETS
    from builders.darts.supernet import DARTSSupernet

    return Kit(space="darts", presets=PRESETS, supernet=lambda p: DARTSSupernet(p.channels, 3 * p.cells_per_stage + 2, 10),
               standalone=lambda a, c, n: DARTSNetwork(a, c, 3 * n + 2, 10),
               paper_standalone=lambda a: DARTSNetwork(a, 36, 20, 10),
               citation="Liu, Simonyan & Yang, DARTS, ICLR 2019")
