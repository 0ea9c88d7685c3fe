"""Parameter and FLOP counts of the stand-alone network of one architecture at a preset.

``python -m builders params SPACE ARCH --preset P`` prints them as JSON. ARCH is
the canonical string of ``wsbench.spaces`` or a JSON spec the space accepts.
"""

from __future__ import annotations

from typing import Any

from wsbench.errors import OptionError


def standalone(space: str, arch: Any, preset: str):
    """(network, input shape) of ``arch`` at ``preset``; ``paper`` is the network the published benchmark sizes.

    For darts that is DARTS's CIFAR-10 evaluation network (C=36, 20 cells,
    no auxiliary head), not the smaller search network the paper preset trains;
    for proxylessnas the ImageNet network (224 px, 1000 classes). ``nb301``
    (darts only): NAS-Bench-301's training network as NASLib sizes it (C=32,
    8 cells, edge-op BatchNorm without affine parameters).
    """
    from builders.engine.kits import get_kit

    kit = get_kit(space)
    if preset == "nb301":
        if space != "darts":
            raise OptionError(f"preset nb301 is NAS-Bench-301's DARTS network; {space} has none")
        from builders.darts.network import DARTSNetwork

        return DARTSNetwork(arch, 32, 8, 10, op_affine=False), (3, 32, 32)
    if preset == "paper":
        return kit.paper_standalone(arch), (3, kit.paper_input, kit.paper_input)
    p = kit.preset(preset)
    return kit.standalone(arch, p.channels, p.cells_per_stage), (3, p.resolution, p.resolution)


def sizes(space: str, arch: Any, preset: str) -> dict[str, int]:
    if space == "darts-rnn":  # same for every genotype; FLOPs = multiply-adds per token, PTB's 10k vocabulary
        from builders.darts_rnn.network import DARTSRNN, SPACE, count_params, flops_per_token
        from builders.darts_rnn.presets import PRESETS

        SPACE.parse(arch)
        if preset not in PRESETS:
            raise OptionError(f"darts-rnn presets: {sorted(PRESETS)}; got {preset!r}")
        nhid = PRESETS[preset].nhid
        return {"params": count_params(DARTSRNN(10_000, nhid)), "flops": flops_per_token(nhid, 10_000)}
    from builders.flops import count_flops, count_params

    net, shape = standalone(space, arch, preset)
    return {"params": count_params(net), "flops": count_flops(net, shape)}
