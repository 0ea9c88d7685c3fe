"""The DARTS recurrent cell and language model (DARTS ``rnn/model.py``), for any genotype of the space.

Node 0 is a highway step from the input and the previous hidden state (W0);
node i (1..8) applies W_i to one predecessor's state, gates it with a sigmoid
and an activation (tanh / relu / sigmoid / identity), and mixes it with that
predecessor; the cell output averages nodes 1..8. Every node owns one W_i
whatever its predecessor and activation, so one set of weights serves every
genotype: the supernet *is* the stand-alone model with the architecture given
per forward call (no BatchNorm: scoring protocol ``none``). Embedding and
decoder weights are tied. Variational (locked) dropout on x, h, input and
output, and embedding dropout, as DARTS.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from builders.flops import count_params  # noqa: F401  (re-exported: sizes of this space)
from wsbench.spaces import get_space

SPACE = get_space("darts-rnn")
STEPS = 8
INITRANGE = 0.04
ACTIVATIONS = {"tanh": torch.tanh, "relu": F.relu, "sigmoid": torch.sigmoid, "identity": lambda x: x}


def _mask(shape: tuple[int, ...], p: float, like: torch.Tensor) -> torch.Tensor:
    return like.new_empty(shape).bernoulli_(1 - p) / (1 - p)


class DARTSRNN(nn.Module):
    """Embedding -> DARTS cell over time -> tied decoder; ``forward(tokens, hidden, arch)`` -> log-probs, hidden."""

    def __init__(self, ntoken: int = 10_000, nhid: int = 850, dropout: float = 0.75, dropouth: float = 0.25,
                 dropoutx: float = 0.75, dropouti: float = 0.2, dropoute: float = 0.1):
        super().__init__()
        self.nhid, self.ntoken = nhid, ntoken
        self.dropout, self.dropouth, self.dropoutx, self.dropouti, self.dropoute = (
            dropout, dropouth, dropoutx, dropouti, dropoute)
        self.encoder = nn.Embedding(ntoken, nhid)
        self.W0 = nn.Parameter(torch.empty(2 * nhid, 2 * nhid).uniform_(-INITRANGE, INITRANGE))
        self.Ws = nn.ParameterList(nn.Parameter(torch.empty(nhid, 2 * nhid).uniform_(-INITRANGE, INITRANGE))
                                   for _ in range(STEPS))
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight
        self.encoder.weight.data.uniform_(-INITRANGE, INITRANGE)
        self.decoder.bias.data.zero_()

    def init_hidden(self, bsz: int) -> torch.Tensor:
        return self.encoder.weight.new_zeros(bsz, self.nhid)

    def forward(self, tokens: torch.Tensor, hidden: torch.Tensor, arch) -> tuple[torch.Tensor, torch.Tensor]:
        pairs = arch if isinstance(arch, tuple) else SPACE.parse(arch)
        T, B = tokens.shape
        w = self.encoder.weight
        if self.training and self.dropoute:
            keep = _mask((w.shape[0], 1), self.dropoute, w)
            w = w * keep
        emb = F.embedding(tokens, w)
        if self.training:
            emb = emb * _mask((1, B, self.nhid), self.dropouti, emb)
            x_mask, h_mask = _mask((B, self.nhid), self.dropoutx, emb), _mask((B, self.nhid), self.dropouth, emb)
        outs = []
        h = hidden
        for t in range(T):
            x = emb[t]
            xh = torch.cat([x * x_mask, h * h_mask] if self.training else [x, h], -1)
            c0, h0 = torch.split(xh @ self.W0, self.nhid, -1)
            s0 = h + c0.sigmoid() * (h0.tanh() - h)
            states = [s0]
            for i, (name, pred) in enumerate(pairs):
                sp = states[pred]
                c, hh = torch.split((sp * h_mask if self.training else sp) @ self.Ws[i], self.nhid, -1)
                states.append(sp + c.sigmoid() * (ACTIVATIONS[name](hh) - sp))
            h = torch.stack(states[1:], -1).mean(-1)
            outs.append(h)
        out = torch.stack(outs)
        if self.training:
            out = out * _mask((1, B, self.nhid), self.dropout, out)
        return F.log_softmax(self.decoder(out), -1), h




def flops_per_token(nhid: int, ntoken: int, steps: int = STEPS) -> int:
    """Multiply-adds per token: W0, the eight W_i, and the decoder (the same for every genotype)."""
    return 2 * nhid * 2 * nhid + steps * nhid * 2 * nhid + nhid * ntoken
