"""NAS-Bench-101 networks: the official channel rule, the published parameter count, weight sharing."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from builders.nb101.network import NB101Network, NB101Supernet, vertex_channels
from wsbench.spaces.nb101 import sample_graph

#: the "Inception-like" cell of NAS-Bench-101's README; its record says trainable_parameters: 2694282
README_CELL = {
    "matrix": [[0, 1, 1, 1, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 0, 0],
               [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0]],
    "ops": ["input", "conv1x1-bn-relu", "conv3x3-bn-relu", "conv3x3-bn-relu", "conv3x3-bn-relu", "maxpool3x3",
            "output"],
}

LINEAR = [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
NO_OUT_BRANCH = [[0, 1, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
OUT_BRANCH = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]
OUT_BRANCH3 = [[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
MAX1 = [[0, 1, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
MAX2 = [[0, 1, 0, 1, 0], [0, 0, 1, 0, 1], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]


@pytest.mark.parametrize(("matrix", "c_in", "c_out", "expected"), [
    # the vectors of nasbench/tests/model_builder_test.py
    (LINEAR, 8, 8, [8, 8, 8, 8]), (LINEAR, 8, 16, [8, 16, 16, 16]), (LINEAR, 16, 8, [16, 8, 8, 8]),
    ([[0, 1], [0, 0]], 1, 5, [1, 5]), ([[0, 1], [0, 0]], 5, 1, [5, 1]),
    (NO_OUT_BRANCH, 8, 16, [8, 16, 16, 16, 16]), (NO_OUT_BRANCH, 16, 8, [16, 8, 8, 8, 8]),
    (OUT_BRANCH, 8, 8, [8, 4, 4, 8]), (OUT_BRANCH, 16, 8, [16, 4, 4, 8]), (OUT_BRANCH, 8, 15, [8, 8, 7, 15]),
    (OUT_BRANCH3, 8, 8, [8, 3, 3, 2, 8]), (OUT_BRANCH3, 8, 15, [8, 5, 5, 5, 15]),
    (MAX1, 8, 8, [8, 4, 4, 4, 8]), (MAX1, 8, 9, [8, 5, 5, 4, 9]),
    (MAX2, 8, 8, [8, 4, 4, 4, 8]), (MAX2, 8, 15, [8, 8, 7, 7, 15]),
])
def test_vertex_channels_match_nasbench(matrix, c_in, c_out, expected):
    assert vertex_channels(c_in, c_out, np.array(matrix)) == expected


def test_paper_network_has_the_published_parameter_count():
    net = NB101Network(README_CELL)  # stem 128, 3 stacks x 3 modules, 10 classes
    assert sum(p.numel() for p in net.parameters()) == 2_694_282
    assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_params_cli_accepts_the_official_json_spec(capsys):
    from builders.__main__ import main

    assert main(["params", "nb101", json.dumps(README_CELL), "--preset", "paper"]) == 0
    assert json.loads(capsys.readouterr().out)["params"] == 2_694_282


def test_input_straight_to_output_is_one_projection():
    net = NB101Network({"matrix": [[0, 1], [0, 0]], "ops": ["input", "output"]}, 8, 3, 1)
    assert net(torch.zeros(1, 3, 16, 16)).shape == (1, 10)


def test_every_graph_is_a_channel_slice_of_the_supernet():
    """Same weights -> same outputs, in eval mode and in train mode, and the same running statistics after."""
    torch.manual_seed(0)
    sup = NB101Supernet(8, 3, 1)
    rng = np.random.default_rng(3)
    x = torch.randn(4, 3, 16, 16)
    sizes = set()
    for _ in range(12):
        g = sample_graph(rng)
        sizes.add(len(g[1]))
        net = NB101Network(g, 8, 3, 1)
        net.load_state_dict(sup.standalone_state(g), strict=True)
        sup.eval(), net.eval()
        assert torch.equal(sup(x, g), net(x))
        sup.train(), net.train()
        assert torch.allclose(sup(x, g), net(x), atol=1e-6)
        after = sup.standalone_state(g)
        for k, v in net.state_dict().items():
            assert torch.allclose(after[k].float(), v.float(), atol=1e-6), k
    assert len(sizes) > 1  # graphs of several sizes were checked
