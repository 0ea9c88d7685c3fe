"""Score every sampled subnet of a supernet: accuracy and mean cross-entropy, in one pass per subnet.

Scoring is most of a build's time, so it is measured against its floor (the
stand-alone network doing the same forward passes; ``benchmarks/scoring_floor.py``).
Two paths, same numbers:

- generic: per subnet, BatchNorm set by the protocol, then the scoring images
  in batches of ``eval_batch`` under ``torch.inference_mode``;
- chain (spaces whose networks are a chain of decisions, e.g. ProxylessNAS):
  a layer's output, BatchNorm recalibration included, depends only on the
  choices before it, so subnets are walked as a prefix tree and every shared
  prefix is computed once for all subnets that share it.

The loss (``supernet_loss``) breaks the ties that accuracy on a finite
held-out set leaves, and is a ranking of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from builders.core.chain import Chain
from builders.engine.bn import recalibrate

#: scoring images per forward pass: measured on each space (benchmarks/scoring_floor.py)
EVAL_BATCH = 250


class Scorer:
    """Accuracy (%) and mean cross-entropy of subnets on held-out images, BatchNorm set by ``protocol``.

    recalibrate: every BatchNorm re-estimated (cumulative average) on the
    same R training batches for every subnet; batch_stats: the scored
    images' own statistics (all of them in one batch); running_stats: the
    supernet's running statistics as training left them.
    """

    def __init__(self, model: nn.Module, protocol: str = "recalibrate", eval_batch: int = EVAL_BATCH,
                 chain: Chain | None = None):
        if eval_batch < 1:
            raise ValueError(f"eval_batch must be >= 1, got {eval_batch}")
        self.model, self.protocol, self.eval_batch, self.chain = model, protocol, eval_batch, chain

    @classmethod
    def for_space(cls, space: str, model: nn.Module, protocol: str = "recalibrate",
                  eval_batch: int = EVAL_BATCH) -> Scorer:
        chain = model.chain() if hasattr(model, "chain") else None
        return cls(model, protocol, eval_batch, chain)

    def describe(self) -> str:
        batch = "all images" if self.protocol == "batch_stats" else self.eval_batch
        return f"{'prefix tree' if self.chain else 'per subnet'}, inference_mode, eval batch {batch}, BN {self.protocol}"

    def _batch(self, n: int) -> int:
        return n if self.protocol == "batch_stats" else self.eval_batch  # batch statistics need one batch

    def score(self, choices: Sequence[Any], recal: Sequence[torch.Tensor], xs: torch.Tensor, ys: np.ndarray,
              advance: Callable[[int], object] = lambda n=1: None) -> tuple[np.ndarray, np.ndarray]:
        """(accuracy %, mean cross-entropy) of each subnet; the model's state is left as it was."""
        state = {k: v.clone() for k, v in self.model.state_dict().items()}
        try:
            labels = torch.from_numpy(np.asarray(ys)).to(xs.device)
            if self.chain is not None:
                return self._score_chain(choices, recal, xs, labels, advance)
            return self._score_each(choices, recal, xs, labels, advance)
        finally:
            self.model.load_state_dict(state)  # scoring must not change what training continues from
            self.model.train()

    # -- generic ---------------------------------------------------------------------
    def _set_bn(self, forward: Callable[[torch.Tensor], Any], module: nn.Module, recal: Sequence[torch.Tensor]):
        if self.protocol == "recalibrate":
            recalibrate(module, recal, forward)
        elif self.protocol == "batch_stats":
            module.train()
        else:
            module.eval()

    def _score_each(self, choices, recal, xs, ys, advance):
        acc, loss = np.empty(len(choices), np.float32), np.empty(len(choices), np.float32)
        for i, ch in enumerate(choices):
            self._set_bn(lambda x, ch=ch: self.model(x, ch), self.model, recal)
            with torch.inference_mode():
                acc[i], loss[i] = self._metrics(lambda x, ch=ch: self.model(x, ch), xs, ys)
            advance(1)
        return acc, loss

    def _metrics(self, forward, xs: torch.Tensor, ys: torch.Tensor) -> tuple[float, float]:
        correct, total_loss, b = 0, 0.0, self._batch(len(xs))
        for s in range(0, len(xs), b):
            logits = forward(xs[s:s + b])
            correct += int((logits.argmax(1) == ys[s:s + b]).sum())
            total_loss += float(nn.functional.cross_entropy(logits.float(), ys[s:s + b], reduction="sum"))
        return 100.0 * correct / len(xs), total_loss / len(xs)

    # -- chain -----------------------------------------------------------------------
    def _score_chain(self, choices, recal, xs, ys, advance):
        ch = self.chain
        seqs = [tuple(ch.choices(c)) for c in choices]
        acc, loss = np.empty(len(seqs), np.float32), np.empty(len(seqs), np.float32)
        rec, sco = self._apply(ch.head, ch.head, list(recal), xs)

        def walk(depth: int, members: list[int], rec, sco) -> None:
            if depth == len(seqs[members[0]]):
                _, sco_t = self._apply(ch.tail, ch.tail, rec, sco)
                a = 100.0 * float((sco_t.argmax(1) == ys).float().mean())
                lo = float(nn.functional.cross_entropy(sco_t.float(), ys))
                for m in members:
                    acc[m], loss[m] = a, lo
                advance(len(members))
                return
            groups: dict[int, list[int]] = {}
            for m in members:
                groups.setdefault(seqs[m][depth], []).append(m)
            for k, group in groups.items():
                mod = ch.step_module(depth, k)
                nxt = self._apply(lambda x, d=depth, k=k: ch.step(d, k, x), mod, rec, sco)
                walk(depth + 1, group, *nxt)

        walk(0, list(range(len(seqs))), rec, sco)
        return acc, loss

    def _apply(self, fn, module: nn.Module | None, rec: list[torch.Tensor], sco: torch.Tensor):
        """One fixed part on the recalibration inputs (train mode) and the scoring inputs, BN per protocol."""
        if module is None:
            with torch.inference_mode():
                return [fn(r) for r in rec], _batched(fn, sco, self._batch(len(sco)))
        outs: list[torch.Tensor] = []
        if self.protocol == "recalibrate":
            recalibrate(module, rec, lambda r: outs.append(fn(r)))
        else:
            self._set_bn(fn, module, rec)
        with torch.inference_mode():
            return outs, _batched(fn, sco, self._batch(len(sco)))


def _batched(fn, xs: torch.Tensor, b: int) -> torch.Tensor:
    return torch.cat([fn(xs[s:s + b]) for s in range(0, len(xs), b)]) if len(xs) > b else fn(xs)
