"""Subnet scoring: accuracy and loss worked out by hand, and the prefix-tree path equal to scoring one by one."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from builders.engine.kits import get_kit
from builders.engine.scoring import Scorer
from wsbench.spaces import get_space


class _Fixed(torch.nn.Module):
    """A 'supernet' whose logits are given: lets accuracy and loss be worked out by hand."""

    def __init__(self, logits: torch.Tensor):
        super().__init__()
        self.logits = logits

    def forward(self, x, arch):
        return self.logits[x[:, 0, 0, 0].long()] * arch


def test_accuracy_and_mean_cross_entropy_match_hand_worked_numbers():
    # image i selects logits row i; labels 0, 1, 0: rows 0 and 1 right, row 2 wrong
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0], [0.0, 3.0]])
    xs = torch.arange(3.0).reshape(3, 1, 1, 1)
    ys = np.array([0, 1, 0])
    acc, loss = Scorer(_Fixed(logits), "running_stats", eval_batch=2).score([1.0, 0.0], [], xs, ys)
    ce = lambda z, y: float(np.log(np.exp(z).sum()) - z[y])
    by_hand = np.mean([ce(np.array([2.0, 0.0]), 0), ce(np.array([0.0, 1.0]), 1), ce(np.array([0.0, 3.0]), 0)])
    assert acc[0] == pytest.approx(200 / 3) and loss[0] == pytest.approx(by_hand, rel=1e-6)
    # all-zero logits (arch 0.0): argmax picks class 0 (2 of 3 right), loss log 2
    assert acc[1] == pytest.approx(200 / 3) and loss[1] == pytest.approx(np.log(2), rel=1e-6)


@pytest.mark.parametrize("space_name", ["proxylessnas", "macro"])
@pytest.mark.parametrize("protocol", ["recalibrate", "running_stats", "batch_stats"])
def test_prefix_tree_scores_equal_scoring_each_subnet_alone(protocol, space_name):
    kit, space = get_kit(space_name), get_space(space_name)
    torch.manual_seed(0)
    net = kit.supernet(kit.preset("mini")).to(memory_format=torch.channels_last)
    with torch.no_grad():  # distinct running statistics, so running_stats is not trivially equal
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    # a shared prefix on purpose: 6 subnets that agree on their first 3 choices, plus repeats of one
    rng = np.random.default_rng(0)
    base = [space.draw(rng) for _ in range(6)]
    choices = [base[0][:3] + b[3:] for b in base] + [base[1], base[1]]
    gen = torch.Generator().manual_seed(1)
    recal = [torch.randn(16, 3, 16, 16, generator=gen) for _ in range(3)]
    xs, ys = torch.randn(40, 3, 16, 16, generator=gen), np.arange(40) % 10
    before = {k: v.clone() for k, v in net.state_dict().items()}
    tree = Scorer(net, protocol, eval_batch=16, chain=net.chain())
    assert tree.chain is not None and Scorer.for_space(space_name, net).chain is not None
    acc_t, loss_t = tree.score(choices, recal, xs, ys)
    acc_e, loss_e = Scorer(net, protocol, eval_batch=16).score(choices, recal, xs, ys)
    np.testing.assert_allclose(loss_t, loss_e, rtol=1e-4)
    np.testing.assert_allclose(acc_t, acc_e, atol=100 / 40 + 1e-6)  # at most one image may flip on a float tie
    assert acc_t[-1] == acc_t[-2] and loss_t[-1] == loss_t[-2]
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # scoring leaves training state alone
