"""The engine's handle on NB201 (found by ``builders.engine.kits``)."""

from __future__ import annotations

from builders.core.space_kit import Kit


def kit() -> Kit:
    from builders.nb201.network import NB201Network, NB201Supernet
    from builders.nb201.presets import PRESETS

    return Kit(space="nb201", presets=PRESETS, supernet=lambda p: NB201Supernet(p.channels, p.cells_per_stage, 10),
               standalone=lambda a, c, n: NB201Network(a, c, n, 10),
               paper_standalone=lambda a: NB201Network(a, 16, 5, 10), citation="Dong & Yang, NAS-Bench-201, ICLR 2020")
