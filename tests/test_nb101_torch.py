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


def test_sizes_equal_nasbench101_records_in_their_vertex_order():
    """NB101's raw records (NASLib's test asset, all three repeats): trainable_parameters exactly, for all 30.

    Channel counts depend on vertex positions, so networks are built in the order
    NAS-Bench-101 itself stored (``wsbench.spaces.nb101.nasbench_order``), whatever
    spelling the architecture came in.
    """
    from conftest import SHARED

    from builders.groundtruth.unpickle import safe_loads
    from builders.sizes import sizes
    from wsbench.spaces import get_space
    from wsbench.spaces.nb101 import nasbench_order

    path = SHARED / "gt" / "naslib" / "nb101_dummy.pkl"
    if not path.is_file():
        pytest.skip("../shared NAS-Bench-101 records not present")
    records = safe_loads(path.read_bytes(), path.name)
    space = get_space("nb101")
    got = {}
    for fixed, _runs in records.values():
        spec = {"matrix": fixed["module_adjacency"].tolist(), "ops": list(fixed["module_operations"])}
        got[space.hash(spec)] = (sizes("nb101", json.dumps(spec), "paper")["params"], fixed["trainable_parameters"])
        rows, labels = nasbench_order(space.parse(spec))  # the records are stored in exactly that order
        assert [list(r) for r in rows] == spec["matrix"] and [space.ops[k] for k in labels] == spec["ops"][1:-1]
    assert len(got) == 30 and set(got) == set(records)  # NB101's own hashes
    assert all(ours == theirs for ours, theirs in got.values()), got


def test_nasbench_order_is_the_first_isomorph_nasbench_enumerates():
    from wsbench.spaces import get_space
    from wsbench.spaces.nb101 import nasbench_order

    space = get_space("nb101")
    # two spellings of one graph: conv1x1 and conv3x3 branches swapped; NB101 enumerates the one whose
    # edge bitmask is smaller first (edge x->y is bit x + y(y-1)/2), then the smaller op labelling
    a = {"matrix": [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
         "ops": ["input", "conv1x1-bn-relu", "conv3x3-bn-relu", "output"]}
    b = {"matrix": a["matrix"], "ops": ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "output"]}
    assert space.canonicalize(a) == space.canonicalize(b)
    _, labels = nasbench_order(space.parse(a))
    assert labels == (0, 1)  # conv3x3 (op 0) first: same bitmask, smaller labelling
