"""Training and scoring of the DARTS-PTB language model (one architecture per step, or fixed)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F


def train_epoch(model, data: np.ndarray, opt, preset, arch_for_step: Callable[[], Any],
                lr_at: Callable[[], float] | None = None) -> float:
    """One pass over ``data`` ([steps, batch] token ids) in BPTT windows; returns the mean training loss.

    ``lr_at``, when given, is called before every step for that step's learning rate (a schedule)."""
    model.train()
    hidden = model.init_hidden(data.shape[1])
    total, n = 0.0, 0
    for i in range(0, data.shape[0] - 1, preset.bptt):
        seq = min(preset.bptt, data.shape[0] - 1 - i)
        x = torch.from_numpy(data[i:i + seq])
        y = torch.from_numpy(data[i + 1:i + 1 + seq])
        hidden = hidden.detach()
        logp, hidden = model(x, hidden, arch_for_step())
        loss = F.nll_loss(logp.reshape(-1, logp.shape[-1]), y.reshape(-1))
        if lr_at is not None:
            lr = lr_at()  # one call per step
            for group in opt.param_groups:
                group["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), preset.clip)
        opt.step()
        total += loss.item() * seq
        n += seq
    return total / max(n, 1)


def perplexity(model, data: np.ndarray, arch, bptt: int) -> float:
    """exp(mean negative log-likelihood per token) of ``arch`` on ``data`` ([steps, batch])."""
    return math.exp(mean_nll(model, data, arch, bptt))


def mean_nll(model, data: np.ndarray, arch, bptt: int) -> float:
    """Mean token cross-entropy (nats) of ``arch`` on ``data`` ([steps, batch]); perplexity is its exp."""
    model.eval()
    hidden = model.init_hidden(data.shape[1])
    nll, n = 0.0, 0
    with torch.inference_mode():
        for i in range(0, data.shape[0] - 1, bptt):
            seq = min(bptt, data.shape[0] - 1 - i)
            logp, hidden = model(torch.from_numpy(data[i:i + seq]), hidden, arch)
            y = torch.from_numpy(data[i + 1:i + 1 + seq])
            nll += float(F.nll_loss(logp.reshape(-1, logp.shape[-1]), y.reshape(-1), reduction="sum"))
            n += y.numel()
    return nll / n


def windows(corpus, preset, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """This epoch's training batches (a seeded contiguous window when ``train_size`` < all) and the score data."""
    from builders.data.ptb import batchify

    train = corpus.train
    if preset.train_size > len(train):
        from wsbench.errors import OptionError

        raise OptionError(f"train size {preset.train_size} tokens exceeds ptb.train's {len(train)}; "
                          "lower --train-size (0 = all)")
    if preset.train_size and preset.train_size < len(train):
        start = int(rng.integers(0, len(train) - preset.train_size))
        train = train[start:start + preset.train_size]
    valid = corpus.valid[: preset.score_size] if preset.score_size else corpus.valid
    return batchify(train, preset.batch_size), batchify(valid, preset.eval_batch_size)
