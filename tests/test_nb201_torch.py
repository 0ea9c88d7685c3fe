"""NB201 networks in torch: exact NAS-Bench-201 sizes, and weight sharing that is really shared."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from builders.flops import count_flops
from builders.nb201.network import NB201Network, NB201Supernet, count_params
from wsbench.spaces import get_space

# params and FLOPs (M) of the paper network (C=16, N=5, CIFAR-10) in the NATS-Bench records of archs 0, 11, 284
PUBLISHED = [
    ("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 0.129306, 15.64737),
    ("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|", 0.802426, 113.95137),
    ("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|nor_conv_1x1~1|none~2|", 0.101306, 11.71521),
]


@pytest.mark.parametrize("arch,params_m,flops_m", PUBLISHED)
def test_paper_network_matches_nas_bench_201_params_and_flops_exactly(arch, params_m, flops_m):
    net = NB201Network(arch, channels=16, cells_per_stage=5, num_classes=10)
    assert count_params(net) == round(params_m * 1e6)
    assert count_flops(net, (3, 32, 32)) == round(flops_m * 1e6)


def test_paper_sizes_against_the_real_nats_records():
    from conftest import SHARED

    from builders.groundtruth.nats import load_nats_tss

    folder = SHARED / "nats-bench" / "NATS-tss-v1_0-3ffb9-simple"
    if not folder.exists():
        pytest.skip("../shared NATS-Bench files not present")
    gt = load_nats_tss(folder, dataset="cifar10", split="ori-test", hp="200")
    for arch in gt.scores:
        assert count_params(NB201Network(arch)) == gt.params[arch]


def test_subnet_forward_through_supernet_equals_standalone_with_inherited_weights():
    torch.manual_seed(0)
    sup = NB201Supernet(channels=8, cells_per_stage=2).eval()
    x = torch.randn(4, 3, 16, 16)
    for arch in get_space("nb201").sample(5, seed=0):
        net = NB201Network(arch, channels=8, cells_per_stage=2).eval()
        net.load_state_dict(sup.standalone_state(net.choices))  # strict: every weight has a home
        torch.testing.assert_close(sup(x, net.choices), net(x), rtol=0, atol=0)


def test_supernet_shares_weights_between_subnets():
    sup = NB201Supernet(channels=8, cells_per_stage=1)
    a, b = (3, 3, 3, 3, 3, 3), (3, 0, 0, 0, 0, 0)
    wa, wb = sup.standalone_state(a), sup.standalone_state(b)
    key = "cells.0.edges.0.1.weight"  # edge 1<-0 conv weight: both subnets use nor_conv_3x3 there
    assert wa[key].data_ptr() == wb[key].data_ptr()
