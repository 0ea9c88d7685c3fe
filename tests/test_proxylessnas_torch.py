"""ProxylessNAS networks: published parameter count, weight sharing, shapes."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from builders.proxylessnas.network import ProxylessNetwork, ProxylessSupernet, make_divisible
from wsbench.spaces import get_space

#: ProxylessNAS-Mobile (proxyless_mobile.config) as blocks of our space
MOBILE = ("5x5_MBConv3,3x3_MBConv3,zero,zero|7x7_MBConv3,3x3_MBConv3,5x5_MBConv3,5x5_MBConv3|"
          "7x7_MBConv6,5x5_MBConv3,5x5_MBConv3,5x5_MBConv3|5x5_MBConv6,5x5_MBConv3,5x5_MBConv3,5x5_MBConv3|"
          "7x7_MBConv6,7x7_MBConv6,7x7_MBConv3,7x7_MBConv3|7x7_MBConv6")
PUBLISHED_MOBILE = 4_080_512  # ProxylessNAS-Mobile, ImageNet (1000 classes), as the released model counts


def n_params(m) -> int:
    return sum(p.numel() for p in m.parameters())


def test_released_mobile_model_has_the_published_count():
    """The released model widens stage 1 to 32 channels; with that width the count is exact."""
    assert n_params(ProxylessNetwork(MOBILE, widths=(32, 40, 80, 96, 192, 320))) == PUBLISHED_MOBILE


def test_mobile_in_the_search_space_widths_is_within_half_a_percent():
    got = n_params(ProxylessNetwork(MOBILE))  # stage-1 width 24, as the search space has it
    assert got == 4_073_520 and abs(got / PUBLISHED_MOBILE - 1) < 0.005


def test_params_cli_uses_the_imagenet_network_for_paper(capsys):
    from builders.__main__ import main

    assert main(["params", "proxylessnas", MOBILE, "--preset", "paper"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"] == 4_073_520 and out["flops"] > 100_000_000  # ~0.3 GMACs at 224 px


def test_make_divisible_follows_the_mobilenet_rule():
    assert [make_divisible(v) for v in (16, 24 * 0.25, 40 * 0.25, 320 * 0.25, 12)] == [16, 8, 16, 80, 16]


def test_every_architecture_is_a_path_of_the_supernet():
    torch.manual_seed(0)
    sup = ProxylessSupernet(0.25, 10, first_stride=1).eval()
    rng = np.random.default_rng(0)
    x = torch.randn(2, 3, 16, 16)
    space = get_space("proxylessnas")
    for _ in range(5):
        ch = space.draw(rng)
        net = ProxylessNetwork(ch, 0.25, 10, first_stride=1).eval()
        net.load_state_dict(sup.standalone_state(ch), strict=True)
        assert torch.equal(sup(x, ch), net(x))
