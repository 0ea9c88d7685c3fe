"""DARTS evaluation network: the parameter size DARTS itself logs, and the params CLI."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from test_spaces import DARTS_V2

from builders.__main__ import main as builders_main
from builders.darts.network import DARTSNetwork
from builders.nb201.network import count_params


def test_darts_v2_has_the_parameter_size_darts_logs():
    # DARTS cnn/train.py logs "param size = 3.349342MB" for DARTS_V2 at C=36, 20 layers (auxiliary head excluded)
    assert count_params(DARTSNetwork(DARTS_V2, 36, 20, 10)) == 3_349_342


def test_darts_forward_shape():
    net = DARTSNetwork(DARTS_V2, channels=4, layers=5).eval()
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_params_cli_json(capsys):
    assert builders_main(["params", "darts", DARTS_V2, "--preset", "paper"]) == 0
    assert json.loads(capsys.readouterr().out)["params"] == 3_349_342
    spec = json.dumps({"normal": [["sep_conv_3x3", 0], ["sep_conv_3x3", 1], ["sep_conv_3x3", 0], ["sep_conv_3x3", 1],
                                  ["sep_conv_3x3", 1], ["skip_connect", 0], ["skip_connect", 0], ["dil_conv_3x3", 2]],
                       "normal_concat": [2, 3, 4, 5],
                       "reduce": [["max_pool_3x3", 0], ["max_pool_3x3", 1], ["skip_connect", 2], ["max_pool_3x3", 1],
                                  ["max_pool_3x3", 0], ["skip_connect", 2], ["skip_connect", 2], ["max_pool_3x3", 1]],
                       "reduce_concat": [2, 3, 4, 5]})
    assert builders_main(["params", "darts", spec, "--preset", "paper"]) == 0
    assert json.loads(capsys.readouterr().out)["params"] == 3_349_342
    arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|"
    assert builders_main(["params", "nb201", arch, "--preset", "paper"]) == 0
    assert json.loads(capsys.readouterr().out) == {"params": 802_426, "flops": 113_951_370}
    assert builders_main(["params", "nb101", "x", "--preset", "paper"]) == 1


def test_darts_subnet_through_supernet_equals_standalone_with_inherited_weights():
    from builders.darts.supernet import DARTSSupernet
    from wsbench.spaces import get_space

    space = get_space("darts")
    torch.manual_seed(0)
    sup = DARTSSupernet(channels=4, layers=5).eval()
    x = torch.randn(2, 3, 16, 16)
    for arch in space.sample(3, seed=0):
        g = space.parse(arch)
        net = DARTSNetwork(arch, channels=4, layers=5).eval()
        net.load_state_dict(sup.standalone_state(g))  # strict: every stand-alone weight comes from the supernet
        torch.testing.assert_close(sup(x, g), net(x), rtol=0, atol=0)
