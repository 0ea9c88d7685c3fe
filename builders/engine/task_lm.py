"""Language modelling on Penn Treebank: the task of the darts-rnn (DARTS-PTB) builds.

Scores are validation perplexity on ptb.valid.txt (the supernet trains on
ptb.train.txt only) and ``supernet_loss`` is the mean token cross-entropy,
``log(perplexity)``. The cell has no BatchNorm; one process per seed.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from builders.engine.task import Task
from wsbench.errors import OptionError

#: image-only settings: refused rather than silently ignored
UNUSED = ("valid_size", "bn_batches")
SETTABLE = ("train_size", "score_size", "batch_size")


class LanguageModelTask(Task):
    space, metric, direction, distributed = "darts-rnn", "perplexity", "min", False
    citation = "Liu, Simonyan & Yang, DARTS, ICLR 2019"

    def __init__(self, preset_name: str, overrides: dict[str, Any]):
        from builders.darts_rnn.presets import PRESETS

        if preset_name not in PRESETS:
            raise OptionError(f"darts-rnn presets: {sorted(PRESETS)}; got {preset_name!r}")
        bad = [k for k in UNUSED if overrides.get(k) is not None]
        if bad or overrides.get("bn_protocol") not in (None, "none"):
            raise OptionError(f"darts-rnn has no such setting: {bad or ['--bn']} (its scores are perplexities on "
                              "ptb.valid tokens; the cell has no BatchNorm)")
        given = {k: v for k, v in overrides.items() if v is not None and k in SETTABLE}
        if "batch_size" in given and given["batch_size"] < 1:
            raise OptionError(f"--batch-size must be a positive integer, got {given['batch_size']}")
        for k in ("train_size", "score_size"):
            if k in given and given[k] < 0:
                raise OptionError(f"--{k.replace('_', '-')} must be >= 0 tokens (0 = all), got {given[k]}")
        self.preset = replace(PRESETS[preset_name], **given)

    def set_device(self, device: str) -> None:
        if device != "cpu":
            raise OptionError(f"darts-rnn builds run on the CPU only (one process per seed); got --device {device}")
        super().set_device(device)

    def load_data(self, data_dir: str | Path) -> None:
        from builders.data.ptb import read_ptb

        self.corpus = read_ptb(data_dir)
        if self.preset.train_size > len(self.corpus.train):
            raise OptionError(f"train size {self.preset.train_size} tokens exceeds ptb.train's "
                              f"{len(self.corpus.train)}; lower --train-size (0 = all)")

    def provenance(self, data_dir: str | Path) -> dict[str, Any]:
        corpus = self.corpus
        return {
            "dataset": {"name": "Penn Treebank (Mikolov's word-level split)", "md5": corpus.md5,
                        "official_files": corpus.official, "vocabulary": len(corpus.vocab),
                        "train_tokens": len(corpus.train), "valid_tokens": len(corpus.valid),
                        "split": "the supernet trains on ptb.train.txt; subnets are scored on ptb.valid.txt"},
            "training": "uniform single-path (SPOS): each BPTT step one genotype (activation and predecessor of "
                        "every node uniform)",
            "recipe_extra": {"optimizer": "SGD", "schedule": "constant",
                             "weights": "one W per node shared by every predecessor/activation"},
            "evaluation_protocol": {"bn": "none", "split": "ptb.valid.txt", "size": self.preset.score_size,
                                    "bptt": self.preset.bptt, "eval_batch_size": self.preset.eval_batch_size,
                                    "supernet_loss": "mean token cross-entropy (nats) = log(perplexity), same pass"},
        }

    def write_sizes(self, writer, archs: list[str]) -> None:
        """Every genotype has the same size (one W per node): params and per-token multiply-adds at both scales."""
        from builders.darts_rnn.network import DARTSRNN, count_params, flops_per_token
        from builders.darts_rnn.presets import PRESETS

        ntoken = len(self.corpus.vocab)
        for suffix, nhid in (("", self.preset.nhid), ("_paper", PRESETS["paper"].nhid)):
            writer.write_arch_values("params" + suffix, np.full(len(archs), float(count_params(DARTSRNN(ntoken, nhid)))))
            writer.write_arch_values("flops" + suffix, np.full(len(archs), float(flops_per_token(nhid, ntoken))))

    def new_model(self):
        from builders.darts_rnn.network import DARTSRNN

        p = self.preset
        return DARTSRNN(len(self.corpus.vocab), p.nhid, p.dropout, p.dropouth, p.dropoutx, p.dropouti, p.dropoute)

    def new_optimizer(self, model, epochs: int):
        import torch

        return torch.optim.SGD(model.parameters(), lr=self.preset.lr, weight_decay=self.preset.weight_decay), None

    def steps_per_epoch(self) -> int:
        n = self.preset.train_size or len(self.corpus.train)
        return max(1, math.ceil((n // self.preset.batch_size - 1) / self.preset.bptt))

    def train_epoch(self, model, sampler, data_rng, opt, sched, dist, advance) -> str:
        from builders.darts_rnn import lm
        from wsbench.spaces import get_space

        space = get_space(self.space)
        train, self.valid = lm.windows(self.corpus, self.preset, data_rng)
        loss = lm.train_epoch(model, train, opt, self.preset, lambda: self.draw(space, sampler))
        advance(self.steps_per_epoch())
        return f"loss {loss:.2f}"

    def score(self, model, choices, seed: int, epoch: int, advance):
        from builders.darts_rnn import lm

        valid = getattr(self, "valid", None)
        if valid is None:  # the held-out tokens do not depend on the epoch's window
            valid = lm.windows(self.corpus, self.preset, np.random.default_rng(0))[1]
        state = {k: v.clone() for k, v in model.state_dict().items()}
        nll = np.empty(len(choices), np.float32)
        for i, ch in enumerate(choices):
            nll[i] = lm.mean_nll(model, valid, ch, self.preset.bptt)
            advance(1)
        model.load_state_dict(state)
        model.train()
        return np.exp(nll.astype(np.float64)).astype(np.float32), nll
