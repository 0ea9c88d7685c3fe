"""The engine's handle on Di64 (found by ``builders.engine.kits`` from this folder's name)."""

from __future__ import annotations

from builders.core.space_kit import Kit


def kit() -> Kit:
    from builders.di64.network import Di64Network, Di64Supernet
    from builders.di64.presets import PRESETS

    # the paper-scale network: C = 16, 4 cells (experiments/final/share_all_ep200.yml)
    return Kit(space="di64", presets=PRESETS,
               supernet=lambda p: Di64Supernet(p.channels, p.cells_per_stage, 10),
               standalone=lambda a, c, n: Di64Network(a, c, n, 10),
               paper_standalone=lambda a: Di64Network(a, 16, 4, 10),
               citation="Zhang, Zhang, Yang et al., Deeper Insights into Weight Sharing in Neural Architecture "
                        "Search, arXiv:2001.01431 (2020)")
