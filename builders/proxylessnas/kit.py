"""The engine's handle on ProxylessNAS (found by ``builders.engine.kits``)."""

from __future__ import annotations

from builders.core.space_kit import Kit


def kit() -> Kit:
    from builders.proxylessnas.network import ProxylessNetwork, ProxylessSupernet
    from builders.proxylessnas.presets import PRESETS

    # CIFAR-size inputs: stride-1 first conv; the paper network is the ImageNet one (224 px, 1000 classes)
    return Kit(space="proxylessnas", presets=PRESETS,
               supernet=lambda p: ProxylessSupernet(p.channels / 32, 10, first_stride=1),
               standalone=lambda a, c, n: ProxylessNetwork(a, c / 32, 10, first_stride=1),
               paper_standalone=lambda a: ProxylessNetwork(a, 1.0, 1000, first_stride=2),
               citation="Cai, Zhu & Han, ProxylessNAS, ICLR 2019", paper_input=224)
