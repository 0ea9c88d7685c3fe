"""Train-from-scratch ground truth for DARTS-PTB: one genotype, one seed, validation perplexity per epoch."""

from __future__ import annotations

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


def recipe_for(preset: str, epochs: int | None = None, train_size: int | None = None,
               valid_size: int | None = None) -> LMRecipe:
    from wsbench.errors import UnknownNameError

    if preset not in PRESETS:
        raise UnknownNameError("darts-rnn preset", preset, PRESETS)
    p = replace(PRESETS[preset], **{k: v for k, v in (("train_size", train_size), ("score_size", valid_size))
                                    if v is not None})
    return LMRecipe(p, epochs if epochs is not None else 6)


def as_dict(recipe: LMRecipe) -> dict[str, Any]:
    return {**asdict(recipe.preset), "epochs": recipe.epochs, "space": recipe.space}


def prepare(data_dir: str | Path, recipe: LMRecipe):
    from builders.data.ptb import read_ptb

    return read_ptb(data_dir), None


def train_one(arch: str, seed: int, recipe: LMRecipe, corpus, _unused=None,
              checkpoint: Path | None = None) -> dict[str, Any]:
    """Train ``arch`` alone with the LM recipe; score = perplexity on the preset's ptb.valid tokens.

    With ``checkpoint``, the state after the last epoch (weights, optimiser, both random generators, the curve)
    is saved there, and a later call with more epochs continues from it: the learning rate is constant, so
    training e epochs and then e' more is exactly training e + e' epochs (tested), and a longer schedule reuses
    every shorter run.
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
        same = {k: v for k, v in state["recipe"].items() if k != "epochs"} == \
            {k: v for k, v in as_dict(recipe).items() if k != "epochs"}
        if same and state["arch"] == arch and state["seed"] == seed and len(state["curve"]) <= recipe.epochs:
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["opt"])
            torch.set_rng_state(state["torch_rng"])
            rng.bit_generator.state = state["numpy_rng"]
            curve, seconds = list(state["curve"]), float(state["train_seconds"])
    t0 = time.perf_counter()
    for _ in range(len(curve), recipe.epochs):
        train, valid = lm.windows(corpus, p, rng)
        lm.train_epoch(model, train, opt, p, lambda: pairs)
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
