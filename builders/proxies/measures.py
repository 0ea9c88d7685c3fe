"""Zero-cost proxies of one freshly initialised network on one batch, as NASLib's zero-cost benchmark defines them.

Each proxy maps (network, images, labels) to one number, larger = predicted
better. "Weights" are those of every ``Conv2d`` and ``Linear`` module (as in
NASLib / Abdelfattah et al. 2021); sums run over every weight of them. The
network is in training mode (BatchNorm uses batch statistics) and every proxy
gets its own copy, so none sees another's changes. Definitions (L = mean
cross-entropy of the batch, g = dL/dW):

- ``synflow``: BatchNorm removed, weights replaced by |W|, float64, input all
  ones (one image); R = sum of the logits; log(sum |W * dR/dW|) (NASLib keeps
  the log: the raw sum overflows float32 for deep networks).
- ``snip``: sum |W * g|.
- ``grad_norm``: sum over layers of the Frobenius norm of g.
- ``fisher``: per output channel k of each layer, with a its output and
  d = dL/da: 0.5 * mean over images of (sum over positions of a * d)^2, times
  the weights per channel (NASLib spreads each channel's value over its
  weights before summing).
- ``grasp``: -sum W * (H g), H the Hessian of L (g held fixed).
- ``jacov``: J = d(sum of logits)/d(input) per image, C = correlation matrix of
  the rows of J, eigenvalues v: -sum(log(v + 1e-5) + 1 / (v + 1e-5)).
- ``naswot``: binary codes c = [input of each ReLU > 0] per image over every
  ReLU module, K = c c^T + (1 - c)(1 - c)^T summed over ReLUs; log |det K|.
- ``l2_norm``: sum over layers of the Frobenius norm of W (no data).

A value that is not finite (NaN gradients, a singular K, an overflow) is
returned as NaN with its reason; never as a sentinel number.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

Proxy = Callable[[nn.Module, torch.Tensor, torch.Tensor], float]


def weighted_layers(net: nn.Module) -> list[nn.Module]:
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def _loss_backward(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
    net.zero_grad(set_to_none=True)
    F.cross_entropy(net(x), y).backward()


def synflow(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    for name, module in list(net.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, (nn.BatchNorm1d, nn.BatchNorm2d)):
                setattr(module, child_name, nn.Identity())
    net = net.double()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.zero_grad(set_to_none=True)
    net(torch.ones((1, *x.shape[1:]), dtype=torch.float64)).sum().backward()
    total = sum(float((m.weight.detach() * m.weight.grad).abs().sum()) for m in weighted_layers(net) if m.weight.grad is not None)
    if total == 0.0:
        return 0.0
    return math.log(total) if total > 0 else -math.log(-total)


def snip(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    _loss_backward(net, x, y)
    return sum(float((m.weight.detach() * m.weight.grad).abs().sum()) for m in weighted_layers(net) if m.weight.grad is not None)


def grad_norm(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    _loss_backward(net, x, y)
    return sum(float(m.weight.grad.norm()) for m in weighted_layers(net) if m.weight.grad is not None)


def fisher(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    outputs: dict[nn.Module, torch.Tensor] = {}

    def keep(module: nn.Module, _inp: tuple, out: torch.Tensor) -> None:
        out.retain_grad()
        outputs[module] = out

    layers = weighted_layers(net)
    handles = [m.register_forward_hook(keep) for m in layers]
    try:
        _loss_backward(net, x, y)
    finally:
        for h in handles:
            h.remove()
    total = 0.0
    for m in layers:
        a = outputs.get(m)
        if a is None or a.grad is None:
            continue
        prod = a.detach() * a.grad
        per = prod.flatten(2).sum(2) if prod.dim() > 2 else prod  # (images, channels)
        total += float(0.5 * per.pow(2).mean(0).sum()) * int(np.prod(m.weight.shape[1:]))
    return total


def grasp(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    weights = [m.weight for m in weighted_layers(net)]
    g = torch.autograd.grad(F.cross_entropy(net(x), y), weights, allow_unused=True)
    g2 = torch.autograd.grad(F.cross_entropy(net(x), y), weights, create_graph=True, allow_unused=True)
    z = sum((a.detach() * b).sum() for a, b in zip(g, g2) if a is not None and b is not None)
    hg = torch.autograd.grad(z, weights, allow_unused=True)
    return float(sum((-w.detach() * h).sum() for w, h in zip(weights, hg) if h is not None))


def jacov(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    x = x.clone().requires_grad_(True)
    net.zero_grad(set_to_none=True)
    net(x).sum().backward()
    jac = x.grad.reshape(len(x), -1).double().numpy()
    with np.errstate(all="ignore"):
        corr = np.corrcoef(jac)
    if not np.isfinite(corr).all():
        raise ProxyUndefined("constant input gradient: correlation undefined")
    v = np.linalg.eigvalsh(corr)
    k = 1e-5
    return float(-np.sum(np.log(v + k) + 1.0 / (v + k)))


def naswot(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    n = len(x)
    kernel = torch.zeros((n, n), dtype=torch.float64)

    def count(_module: nn.Module, inp: tuple, _out: torch.Tensor) -> None:
        c = (inp[0].detach().reshape(n, -1) > 0).double()
        kernel.add_(c @ c.T + (1 - c) @ (1 - c).T)

    relus = [m for m in net.modules() if type(m).__name__.startswith("ReLU")]
    handles = [m.register_forward_hook(count) for m in relus]
    try:
        with torch.no_grad():
            net(x)
    finally:
        for h in handles:
            h.remove()
    if not relus:
        raise ProxyUndefined("the network has no ReLU module")
    sign, logdet = np.linalg.slogdet(kernel.numpy())
    if sign == 0:
        raise ProxyUndefined("singular activation-code kernel (identical codes for two images)")
    return float(logdet)


def l2_norm(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return sum(float(m.weight.detach().norm()) for m in weighted_layers(net))


PROXIES: dict[str, Proxy] = {"synflow": synflow, "snip": snip, "grad_norm": grad_norm, "fisher": fisher,
                             "grasp": grasp, "jacov": jacov, "naswot": naswot, "l2_norm": l2_norm}


#: one line per proxy, recorded in the store's ``proxies`` attribute (the module docstring has the details)
DEFINITIONS = {
    "synflow": "log(sum |W * dR/dW|), R = sum of logits for an all-ones input, BatchNorm removed, W -> |W|, float64",
    "snip": "sum |W * dL/dW| (L = mean cross-entropy of the batch)",
    "grad_norm": "sum over Conv2d/Linear layers of ||dL/dW||_F",
    "fisher": "sum over layers and output channels of 0.5 * mean_images (sum_positions a * dL/da)^2 x weights per "
              "channel",
    "grasp": "-sum W * (H g), g = dL/dW held fixed, H the Hessian of L",
    "jacov": "-sum(log(v + 1e-5) + 1/(v + 1e-5)), v the eigenvalues of the correlation matrix of the per-image "
             "input gradients of the summed logits",
    "naswot": "log|det K|, K = sum over ReLU modules of c c^T + (1-c)(1-c)^T, c = binary codes [ReLU input > 0]",
    "l2_norm": "sum over Conv2d/Linear layers of ||W||_F (no data)",
}


class ProxyUndefined(ArithmeticError):
    """The proxy has no value for this network (the reason is recorded)."""


def compute(name: str, net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, str | None]:
    """(value, None), or (NaN, reason) when the proxy is undefined here; ``net`` itself is left untouched."""
    work = copy.deepcopy(net).train()
    try:
        value = PROXIES[name](work, x, y)
    except ProxyUndefined as e:
        return float("nan"), str(e)
    if not math.isfinite(value):
        return float("nan"), "non-finite value (NaN or infinite gradients or sums)"
    return value, None
