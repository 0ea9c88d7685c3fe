"""Zero-cost proxies: each checked on tiny networks against a value worked out by hand or by an independent
NumPy formula; the builder command on a real tiny store and real (tiny) CIFAR-10 files."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn

from builders.proxies.measures import compute

N, D, K = 6, 5, 3


@pytest.fixture()
def linear():
    """Softmax regression without bias: logits = x W^T; its gradient and Hessian have closed forms."""
    torch.manual_seed(0)
    net = nn.Linear(D, K, bias=False).double()
    g = torch.Generator().manual_seed(1)
    x = torch.randn(N, D, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    w = net.weight.detach().numpy().copy()
    xn, yn = x.numpy(), np.eye(K)[y.numpy()]
    logits = xn @ w.T
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    grad = (p - yn).T @ xn / N  # dL/dW of the mean cross-entropy
    return net, x, y, w, xn, p, yn, grad


def test_gradient_proxies_equal_their_closed_forms(linear):
    net, x, y, w, xn, p, yn, grad = linear
    assert compute("snip", net, x, y)[0] == pytest.approx(np.abs(w * grad).sum(), rel=1e-10)
    assert compute("grad_norm", net, x, y)[0] == pytest.approx(np.linalg.norm(grad), rel=1e-10)
    assert compute("l2_norm", net, x, y)[0] == pytest.approx(np.linalg.norm(w), rel=1e-12)
    # fisher: a = x W^T, dL/da = (p - y) / N; per class 0.5 * mean_n (a * dL/da)^2, times D weights per class
    a, da = xn @ w.T, (p - yn) / N
    assert compute("fisher", net, x, y)[0] == pytest.approx((0.5 * ((a * da) ** 2).mean(0)).sum() * D, rel=1e-10)
    # grasp: (H G)_kd = 1/N sum_n [(diag p_n - p_n p_n^T) G x_n]_k x_nd
    hg = sum(np.outer((np.diag(p[n]) - np.outer(p[n], p[n])) @ grad @ xn[n], xn[n]) for n in range(N)) / N
    assert compute("grasp", net, x, y)[0] == pytest.approx(-(w * hg).sum(), rel=1e-8)


def test_synflow_by_hand():
    torch.manual_seed(0)
    one = nn.Linear(D, K, bias=False)
    # one layer, input of ones, |W|: R = sum |W|, and W * dR/dW = |W|
    assert compute("synflow", one, torch.zeros(2, D), torch.zeros(2, dtype=torch.long))[0] == pytest.approx(
        math.log(one.weight.abs().sum().item()), rel=1e-6)
    # two layers with BatchNorm between: BatchNorm is removed; R is linear in each layer's weights, so the sum of
    # W * dR/dW over both layers is 2R with R = 1^T |W2| |W1| 1
    two = nn.Sequential(nn.Linear(D, 4, bias=False), nn.BatchNorm1d(4), nn.Linear(4, K, bias=False))
    r = (two[2].weight.abs().double() @ two[0].weight.abs().double()).sum().item()
    assert compute("synflow", two, torch.zeros(2, D), torch.zeros(2, dtype=torch.long))[0] == pytest.approx(
        math.log(2 * r), rel=1e-9)
    assert isinstance(two[1], nn.BatchNorm1d)  # the caller's network is untouched


def test_jacov_of_a_linear_network_by_hand(linear):
    """Every image has the same input gradient (the column sums of W), so the correlation matrix is all ones:
    eigenvalues N and 0 (N-1 times)."""
    net, x, y, *_ = linear
    k = 1e-5
    expect = -(math.log(N + k) + 1 / (N + k)) - (N - 1) * (math.log(k) + 1 / k)
    assert compute("jacov", net, x, y)[0] == pytest.approx(expect, rel=1e-6)


def test_naswot_by_hand():
    net = nn.Sequential(nn.Linear(2, 3, bias=False), nn.ReLU())
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    x = torch.tensor([[1.0, 1.0], [1.0, -2.0], [-1.0, -1.0]])
    # ReLU inputs: (1, 1, 2), (1, -2, -1), (-1, -1, -2) -> codes 111, 100, 000; K_ij = units where codes agree
    kmat = np.array([[3, 1, 0], [1, 3, 2], [0, 2, 3]], dtype=float)
    assert compute("naswot", net, x, torch.zeros(3, dtype=torch.long))[0] == pytest.approx(
        np.linalg.slogdet(kmat)[1], rel=1e-12)
    same = torch.tensor([[1.0, 1.0], [1.0, 1.0], [-1.0, -1.0]])  # two images with one code: K is singular
    value, why = compute("naswot", net, same, torch.zeros(3, dtype=torch.long))
    assert math.isnan(value) and "singular" in why


def test_undefined_values_are_nan_with_a_reason_and_the_network_is_left_alone(linear):
    net, x, y, w, *_ = linear
    bad = x.clone()
    bad[0, 0] = float("nan")
    value, why = compute("snip", net, bad, y)
    assert math.isnan(value) and "non-finite" in why
    compute("synflow", net, x, y)
    assert np.array_equal(net.weight.detach().numpy(), w)  # synflow's |W| happened on a copy


@pytest.fixture(scope="module")
def tiny_cifar(tmp_path_factory):
    from builders.data.cifar10 import Split, write_cifar10_bin

    rng = np.random.default_rng(1)

    def make(n):
        y = rng.integers(0, 10, n)
        return Split(rng.integers(0, 256, (n, 3, 32, 32)).astype(np.uint8), y)

    d = tmp_path_factory.mktemp("cifar")
    write_cifar10_bin(d, make(100), make(10))
    return d


def test_proxies_command_is_resumable_and_writes_described_variables(tiny_cifar, tmp_path):
    from factory import make_store

    import wsbench
    from builders.__main__ import main as builders_main

    store = make_store(tmp_path / "s.zarr", n=6)
    work = tmp_path / "work"
    args = ["proxies", str(store), "--preset", "mini", "--names", "synflow,snip,naswot,l2_norm", "--data-dir",
            str(tiny_cifar), "--batch", "8", "--work", str(work)]
    assert builders_main([*args, "--shard", "0/2"]) == 0
    assert len(list(work.glob("*.json"))) == 3
    first = {f.name: f.read_text() for f in work.glob("*.json")}
    assert builders_main([*args, "--write"]) == 0  # computes the other shard, then writes into the store
    assert {f.name: f.read_text() for f in work.glob("*.json") if f.name in first} == first  # not recomputed
    b = wsbench.open(store)
    assert {"proxy:synflow", "proxy:snip", "proxy:naswot", "proxy:l2_norm"} <= set(b.scores())
    described = b.attrs["proxies"]["snip"]
    assert described["batch"] == 8 and described["preset"] == "mini" and described["computed"] == 6
    assert "dL/dW" in described["definition"] and described["undefined"] == {}
    r = b.correlation(score="proxy:synflow", method="kendall")
    assert r.options["score"] == "proxy:synflow" and len(r.rows) == 3
    again = json.loads(next(work.glob("*.json")).read_text())
    assert set(again["values"]) == {"synflow", "snip", "naswot", "l2_norm"}


def test_proxies_command_refuses_bad_names(tiny_cifar, tmp_path, capsys):
    from factory import make_store

    from builders.__main__ import main as builders_main

    store = make_store(tmp_path / "s.zarr", n=4)
    base = ["proxies", str(store), "--preset", "mini", "--data-dir", str(tiny_cifar)]
    assert builders_main([*base, "--names", "synflow,zen"]) == 1
    err = capsys.readouterr().err
    assert "zen" in err and "l2_norm" in err  # the unknown name, and the known ones
    assert builders_main([*base, "--names", "snip,snip"]) == 1


@pytest.mark.parametrize("space", ["nb201", "nb101", "darts", "proxylessnas", "macro"])
def test_the_proxies_network_factory_builds_every_space_at_both_scales(space):
    """The factory hands each kit the arch string, as every other builder does (it once passed darts a parsed
    genotype, which DARTSNetwork cannot read: proxies of darts stores failed at the first subnet)."""
    from builders.proxies.run import network_factory
    from wsbench.spaces import get_space

    arch = get_space(space).sample(1, seed=0)[0]
    for preset in ("mini", "paper"):
        make, resolution, scale = network_factory(space, preset)
        net = make(arch)
        assert sum(p.numel() for p in net.parameters()) > 0 and resolution in (16, 32, 224) and scale


@pytest.mark.parametrize("space", ["nb201", "nb101", "darts", "macro"])
def test_naswot_is_defined_on_every_image_space(space):
    """naswot counts activation codes at ReLU modules; NB101's network once applied F.relu, so every NB101 value
    was NaN ('no ReLU module'). Each space's mini network gives a finite value on a random batch."""
    import torch

    from builders.proxies.measures import compute
    from builders.proxies.run import network_factory
    from wsbench.spaces import get_space

    make, resolution, _ = network_factory(space, "mini")
    torch.manual_seed(0)
    net = make(get_space(space).sample(1, seed=1)[0])
    x, y = torch.randn(8, 3, resolution, resolution), torch.randint(0, 10, (8,))
    value, _ = compute("naswot", net, x, y)
    assert math.isfinite(value)
