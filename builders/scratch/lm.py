"""Train-from-scratch ground truth for DARTS-PTB: one genotype, one seed, validation perplexity per epoch."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from builders.darts_rnn.presets import PRESETS, LMPreset


@dataclass(frozen=True)
class LMRecipe:
    preset: LMPreset
    epochs: int
    space: str = "darts-rnn"
    lr_schedule: str = "constant"  # or "cosine": lr * (1 + cos(pi * step / all steps)) / 2, to 0 at the end


LR_SCHEDULES = ("constant", "cosine")


def recipe_for(preset: str, epochs: int | None = None, train_size: int | None = None,
               valid_size: int | None = None, lr_schedule: str | None = None) -> LMRecipe:
    from wsbench.errors import UnknownNameError

    if preset not in PRESETS:
        raise UnknownNameError("darts-rnn preset", preset, PRESETS)
    if lr_schedule is not None and lr_schedule not in LR_SCHEDULES:
        raise UnknownNameError("learning-rate schedule", lr_schedule, LR_SCHEDULES)
    p = replace(PRESETS[preset], **{k: v for k, v in (("train_size", train_size), ("score_size", valid_size))
                                    if v is not None})
    return LMRecipe(p, epochs if epochs is not None else 6, lr_schedule=lr_schedule or "constant")


def as_dict(recipe: LMRecipe) -> dict[str, Any]:
    """The recipe as result files record it (runs before the schedule option were all ``constant`` and lack
    the key)."""
    d = {**asdict(recipe.preset), "epochs": recipe.epochs, "space": recipe.space}
    if recipe.lr_schedule != "constant":
        d["lr_schedule"] = recipe.lr_schedule
    return d


def _steps_per_epoch(preset: LMPreset, tokens: int) -> int:
    rows = tokens // preset.batch_size
    return len(range(0, rows - 1, preset.bptt))


def prepare(data_dir: str | Path, recipe: LMRecipe):
    from builders.data.ptb import read_ptb

    return read_ptb(data_dir), None


def train_one(arch: str, seed: int, recipe: LMRecipe, corpus, _unused=None,
              checkpoint: Path | None = None) -> dict[str, Any]:
    """Train ``arch`` alone with the LM recipe; score = perplexity on the preset's ptb.valid tokens.

    With ``checkpoint``, the state after the last epoch (weights, optimiser, both random generators, the curve)
    is saved there, and a later call with more epochs continues from it when the learning rate is constant:
    training e epochs and then e' more is exactly training e + e' epochs (tested), and a longer schedule reuses
    every shorter run. A cosine schedule depends on its length, so it continues only a run of the same length
    (an interrupted one); a run of another length starts afresh.
    """
    import torch

    from builders.darts_rnn import lm
    from builders.darts_rnn.network import DARTSRNN, SPACE, count_params, flops_per_token

    p = recipe.preset
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pairs = SPACE.parse(arch)
    model = DARTSRNN(len(corpus.vocab), p.nhid, p.dropout, p.dropouth, p.dropoutx, p.dropouti, p.dropoute)
    opt = torch.optim.SGD(model.parameters(), lr=p.lr, weight_decay=p.weight_decay)
    curve: list[float] = []
    seconds = 0.0
    if checkpoint is not None and checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        free = {"epochs"} if recipe.lr_schedule == "constant" else set()
        same = {k: v for k, v in state["recipe"].items() if k not in free} == \
            {k: v for k, v in as_dict(recipe).items() if k not in free}
        if same and state["arch"] == arch and state["seed"] == seed and len(state["curve"]) <= recipe.epochs:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            torch.set_rng_state(state["torch_rng"])
            rng.bit_generator.state = state["numpy_rng"]
            curve, seconds = list(state["curve"]), float(state["train_seconds"])
    lr_at = None
    if recipe.lr_schedule == "cosine":
        total = recipe.epochs * _steps_per_epoch(p, p.train_size or len(corpus.train))
        step = [len(curve) * _steps_per_epoch(p, p.train_size or len(corpus.train))]

        def lr_at() -> float:
            step[0] += 1
            return p.lr * 0.5 * (1.0 + math.cos(math.pi * (step[0] - 1) / total))
    t0 = time.perf_counter()
    for _ in range(len(curve), recipe.epochs):
        train, valid = lm.windows(corpus, p, rng)
        lm.train_epoch(model, train, opt, p, lambda: pairs, lr_at=lr_at)
        curve.append(lm.perplexity(model, valid, pairs, p.bptt))
    seconds += time.perf_counter() - t0
    if checkpoint is not None:
        tmp = checkpoint.with_suffix(".part")
        torch.save({"arch": arch, "seed": seed, "recipe": as_dict(recipe), "model": model.state_dict(),
                    "opt": opt.state_dict(), "torch_rng": torch.get_rng_state(), "numpy_rng": rng.bit_generator.state,
                    "curve": curve, "train_seconds": seconds}, tmp)
        tmp.replace(checkpoint)
    return {"arch": arch, "seed": seed, "score": curve[-1], "metric": "perplexity", "curve": curve,
            "train_seconds": seconds, "params": count_params(model),
            "flops": flops_per_token(p.nhid, len(corpus.vocab)), "recipe": as_dict(recipe)}
