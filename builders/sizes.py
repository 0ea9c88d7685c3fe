"""Parameter and FLOP counts of the stand-alone network of one architecture at a preset.

``python -m builders params SPACE ARCH --preset P`` prints them as JSON. ARCH is
the canonical string of ``wsbench.spaces`` or a JSON spec the space accepts.
"""

from __future__ import annotations

from typing import Any

from wsbench.errors import OptionError


def standalone(space: str, arch: Any, preset: str):
    """(network, input shape) of ``arch`` at ``preset``."""
    if space == "nb201":
        from builders.nb201.network import NB201Network
        from builders.nb201.presets import PRESETS

        if preset not in PRESETS:
            raise OptionError(f"nb201 presets: {sorted(PRESETS)}; got {preset!r}")
        p = PRESETS[preset]
        return NB201Network(arch, p.channels, p.cells_per_stage, 10), (3, p.resolution, p.resolution)
    if space == "darts":
        from builders.darts.network import DARTSNetwork

        if preset != "paper":
            raise OptionError(f"darts presets: ['paper'] (C=36, 20 cells, CIFAR-10); got {preset!r}")
        return DARTSNetwork(arch, 36, 20, 10), (3, 32, 32)
    raise OptionError(f"stand-alone networks exist for nb201 and darts so far; got {space!r}")


def sizes(space: str, arch: Any, preset: str) -> dict[str, int]:
    from builders.flops import count_flops
    from builders.nb201.network import count_params

    net, shape = standalone(space, arch, preset)
    return {"params": count_params(net), "flops": count_flops(net, shape)}
