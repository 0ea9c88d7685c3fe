"""NAS-Bench-Macro networks: NAS-Bench-Macro's parameter counts, weight sharing, equivalent encodings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SHARED

torch = pytest.importorskip("torch")

from builders.macro.network import MacroNetwork, MacroSupernet, layer_plan
from wsbench.spaces import get_space

MACRO_JSON = SHARED / "gt" / "nas-bench-macro" / "nas-bench-macro_cifar10.json"


def n_params(m) -> int:
    return sum(p.numel() for p in m.parameters())


def _macro_records() -> dict:
    if not MACRO_JSON.exists():
        pytest.skip("../shared NAS-Bench-Macro file not present")
    return json.loads(MACRO_JSON.read_text())


def test_layer_plan_doubles_width_and_halves_resolution_at_each_stage():
    assert layer_plan(32) == [(32, 64, 2), (64, 64, 1), (64, 128, 2), (128, 128, 1), (128, 128, 1),
                              (128, 256, 2), (256, 256, 1), (256, 256, 1)]


def test_params_by_hand_for_the_all_identity_network():
    # stem 3*32*9 + BN 64; three strided 1x1 convs + BN; head 1x1 conv 256->1280 + BN; classifier
    by_hand = (864 + 64) + (32 * 64 + 128) + (64 * 128 + 256) + (128 * 256 + 512) + (256 * 1280 + 2560) + (12810)
    assert n_params(MacroNetwork("00000000")) == by_hand


def test_all_6561_encodings_have_nas_bench_macro_params():
    """Each layer's module in the supernet is the stand-alone network's module (next test), so the count of any
    encoding is stem + its eight layer modules + tail; checked here for every key of the file, and the whole
    stand-alone network for a seeded sample (all 6,561 whole networks: the slow test below)."""
    data = _macro_records()
    with torch.device("meta"):
        sup = MacroSupernet()
        fixed = n_params(sup.stem) + n_params(sup.tail)
        per = [[n_params(sup.layers[i][k]) for k in range(3)] for i in range(8)]
        wrong = [k for k, rec in data.items()
                 if fixed + sum(per[i][int(c)] for i, c in enumerate(k)) != rec["params"]]
        assert wrong == [] and len(data) == 6561
        for key in np.random.default_rng(0).choice(sorted(data), 60, replace=False):
            assert n_params(MacroNetwork(tuple(int(c) for c in key))) == data[key]["params"]


@pytest.mark.slow
def test_every_whole_standalone_network_has_nas_bench_macro_params():
    data = _macro_records()
    with torch.device("meta"):
        wrong = [k for k, rec in data.items() if n_params(MacroNetwork(tuple(int(c) for c in k))) != rec["params"]]
    assert wrong == []


def test_flops_are_nas_bench_macro_flops_plus_the_classifier_bias():
    from builders.sizes import sizes

    data = _macro_records()
    for key in ("02012100", "11111221", "00000000", "22222222"):
        assert sizes("macro", key, "paper")["flops"] == data[key]["flops"] + 10  # their counter omits the 10 bias adds


def test_every_encoding_is_a_path_of_the_supernet():
    torch.manual_seed(0)
    sup = MacroSupernet(8, 320).eval()
    rng = np.random.default_rng(0)
    x = torch.randn(2, 3, 16, 16)
    space = get_space("macro")
    for _ in range(6):
        ch = space.draw(rng)
        net = MacroNetwork(ch, 8, 320).eval()
        net.load_state_dict(sup.standalone_state(ch), strict=True)
        assert torch.equal(sup(x, ch), net(x))


def test_equivalent_encodings_are_equal_networks():
    """Moving a non-first id within its stage gives the same function (same weights, same output)."""
    torch.manual_seed(0)
    x = torch.randn(2, 3, 16, 16)
    a = MacroNetwork((1, 0, 2, 0, 1, 0, 0, 2), 8, 320).eval()
    b = MacroNetwork((1, 0, 2, 1, 0, 0, 2, 0), 8, 320).eval()
    space = get_space("macro")
    assert space.canonicalize("10201002") == space.canonicalize("10210020") == "10210020"
    b.load_state_dict(a.state_dict(), strict=False)  # same positions: stem, layers 0-2 and 5, tail
    for dst, src in ((3, 4), (6, 7)):  # the moved ops
        b.layers[dst].load_state_dict(a.layers[src].state_dict())
    torch.testing.assert_close(a(x), b(x))
    # a first-layer id is a real layer (strided 1x1 conv), so moving it changes the network
    assert space.canonicalize("01000000") != space.canonicalize("10000000")
    assert n_params(MacroNetwork("01000000")) != n_params(MacroNetwork("10000000"))
