"""Every space with a supernet kit, checked the same way (found in builders/*/kit.py, never listed here).

A new space's kit is tested by this harness as soon as its folder exists: weight sharing (a subnet through the
supernet = its stand-alone network with the inherited weights), in eval and train mode, at the mini preset.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from builders.core.preset import SupernetPreset
from builders.engine.kits import get_kit, kit_spaces
from wsbench.errors import OptionError
from wsbench.spaces import get_space, space_names


def test_kits_are_found_and_each_is_a_space():
    assert {"nb201", "nb101", "darts", "proxylessnas", "macro"} <= set(kit_spaces())
    assert set(kit_spaces()) <= set(space_names())
    with pytest.raises(OptionError, match="image spaces with a supernet kit"):
        get_kit("darts-rnn")


def test_presets_take_keywords_only():
    with pytest.raises(TypeError):
        SupernetPreset("mini", 8, 1, 16, 64, 0.1, 0.9, 5e-4, 100, 100, 10, 1, 0, 2, True)  # type: ignore[misc]


@pytest.mark.parametrize("space", kit_spaces())
def test_subnet_through_the_supernet_equals_its_standalone_network(space):
    kit, sp = get_kit(space), get_space(space)
    assert kit.space == space and {"mini", "paper"} <= set(kit.presets)
    p = kit.preset("mini")
    torch.manual_seed(0)
    sup = kit.supernet(p)
    x = torch.randn(2, 3, p.resolution, p.resolution)
    for arch in sp.sample(3, seed=0):
        parsed = sp.parse(arch)
        net = kit.standalone(arch, p.channels, p.cells_per_stage)
        net.load_state_dict(sup.standalone_state(parsed), strict=True)  # strict: every stand-alone weight is shared
        sup.eval(), net.eval()
        assert torch.equal(sup(x, parsed), net(x)), arch
        sup.train(), net.train()
        torch.testing.assert_close(sup(x, parsed), net(x), rtol=1e-5, atol=1e-6)
