"""The supernet engine for DARTS-PTB: SPOS over recurrent cells, every sampled subnet scored by perplexity.

Same contract as the image engine (``builders/engine/build.py``): seeded
per-step sampling, regions written as scored, a checkpoint after every epoch,
resume to the same store. Scores are validation perplexity on ptb.valid.txt
(the supernet trains on ptb.train.txt only); there is no BatchNorm to set.
Single-process only (use one process per seed).
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from builders.engine import checkpoint
from wsbench.errors import OptionError

UNUSED = ("valid_size", "bn_batches")


def build_lm(out: Path, *, preset_name: str, data_dir, epochs: int, score_epochs: list[int], subnets: int,
             seeds: list[int], sample_seed: int, work, progress: bool, max_epochs_this_run: int | None,
             overrides: dict[str, Any], only_seeds: list[int] | None) -> Path | None:
    import os

    import torch

    from builders.darts_rnn import lm
    from builders.darts_rnn.network import DARTSRNN
    from builders.darts_rnn.presets import PRESETS
    from builders.data.ptb import read_ptb
    from builders.engine.build import _check_same_recipe
    from wsbench.spaces import get_space
    from wsbench.store import StoreWriter

    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise OptionError("darts-rnn builds run in one process per seed (--only-seeds), not under torchrun")
    if preset_name not in PRESETS:
        raise OptionError(f"darts-rnn presets: {sorted(PRESETS)}; got {preset_name!r}")
    bad = [k for k in UNUSED if overrides.get(k) is not None]
    if bad or overrides.get("bn_protocol") not in (None, "none"):
        raise OptionError(f"darts-rnn has no such setting: {bad or ['--bn']} (its scores are perplexities on "
                          "ptb.valid tokens; the cell has no BatchNorm)")
    preset = replace(PRESETS[preset_name], **{k: v for k, v in overrides.items()
                                              if v is not None and k in ("train_size", "score_size", "batch_size")})
    torch.set_num_threads(1)
    space = get_space("darts-rnn")
    corpus = read_ptb(data_dir)
    work = Path(work) if work else out.with_name(out.name + ".work")
    if not out.exists():
        archs = space.sample(subnets, seed=sample_seed)
        writer = StoreWriter.create(out, space="darts-rnn", archs=archs, epochs=score_epochs, seeds=seeds,
                                    attrs=_provenance(preset, corpus, epochs, score_epochs, seeds, subnets,
                                                      sample_seed), paper_scale=True)
        _write_sizes(writer, archs, preset, len(corpus.vocab))
    writer = StoreWriter.resume(out)
    if writer.group.attrs.get("space") != "darts-rnn":
        raise OptionError(f"{out} is a {writer.group.attrs.get('space')} store, but the build asks for darts-rnn")
    _check_same_recipe(out, dict(writer.group.attrs), {**asdict(preset), "epochs": epochs})
    if max_epochs_this_run == 0:
        return None
    choices = [space.parse(a) for a in writer.arch_strings()]
    missing = set(writer.missing_regions())
    for seed in seeds:
        if (only_seeds is not None and seed not in only_seeds) or not any((seed, e) in missing for e in score_epochs):
            continue
        ckpt = work / f"seed{seed}.ckpt"
        torch.manual_seed(seed)
        model = DARTSRNN(len(corpus.vocab), preset.nhid, preset.dropout, preset.dropouth, preset.dropoutx,
                         preset.dropouti, preset.dropoute)
        opt = torch.optim.SGD(model.parameters(), lr=preset.lr, weight_decay=preset.weight_decay)
        sampler, data_rng = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 2])
        start = checkpoint.resume(ckpt, model, opt, sampler, data_rng)
        for epoch in range(start + 1, epochs + 1):
            if max_epochs_this_run is not None and max_epochs_this_run <= 0:
                return None
            t0 = time.perf_counter()
            train, valid = lm.windows(corpus, preset, data_rng)
            loss = lm.train_epoch(model, train, opt, preset, lambda s=sampler: space.draw(s))
            line = f"seed {seed} epoch {epoch}: trained in {time.perf_counter() - t0:.0f} s (loss {loss:.2f})"
            if epoch in score_epochs and (seed, epoch) in missing:
                t1 = time.perf_counter()
                scores = np.array([lm.perplexity(model, valid, ch, preset.bptt) for ch in choices], dtype=np.float32)
                writer.write_supernet(seed, epoch, scores)
                line += f", scored {len(choices)} subnets in {time.perf_counter() - t1:.0f} s"
            checkpoint.save(ckpt, model=model.state_dict(), opt=opt.state_dict(), sampler=sampler.bit_generator.state,
                            data_rng=data_rng.bit_generator.state, epoch=epoch)
            if progress:
                print(line, flush=True)
            if max_epochs_this_run is not None:
                max_epochs_this_run -= 1
    if writer.missing_regions():
        return None
    if np.isfinite(writer.group["gt_score"][:]).any():
        return writer.finalize()
    writer.update_attrs(scores_complete=True)
    from builders.engine.build import check_scored

    return check_scored(out)


def _provenance(preset, corpus, epochs, score_epochs, seeds, n, sample_seed) -> dict[str, Any]:
    import torch

    import wsbench
    from builders.engine.build import BUILDER_VERSION

    return {
        "metric": "perplexity", "metric_direction": "min",
        "dataset": {"name": "Penn Treebank (Mikolov's word-level split)", "md5": corpus.md5,
                    "official_files": corpus.official, "vocabulary": len(corpus.vocab),
                    "train_tokens": len(corpus.train), "valid_tokens": len(corpus.valid),
                    "split": "the supernet trains on ptb.train.txt; subnets are scored on ptb.valid.txt"},
        "scale_preset": preset.name,
        "sampler": {"training": "uniform single-path (SPOS): each BPTT step one genotype (activation and predecessor "
                                "of every node uniform)",
                    "arch_sample": "wsbench.spaces.get_space('darts-rnn').sample(n, seed)",
                    "arch_sample_seed": sample_seed, "subnets": n},
        "supernet_recipe": {**asdict(preset), "epochs": epochs, "optimizer": "SGD", "schedule": "constant",
                            "seeds": seeds, "weights": "one W per node shared by every predecessor/activation"},
        "evaluation_protocol": {"bn": "none", "split": "ptb.valid.txt", "size": preset.score_size,
                                "score_epochs": score_epochs, "bptt": preset.bptt,
                                "eval_batch_size": preset.eval_batch_size},
        "gt_source": {"kind": "none yet", "notes": "attach with python -m builders groundtruth darts-rnn"},
        "gt_noise": {"kendall_tau_between_gt_seeds": None, "why_missing": "no ground truth attached yet"},
        "software": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     "wsbench": wsbench.__version__},
        "builder": {"name": "builders.engine.lm_build (darts-rnn)", "version": BUILDER_VERSION},
        "license": "CC-BY-4.0",
        "citation": "wsbench (2026); Liu, Simonyan & Yang, DARTS, ICLR 2019",
    }


def _write_sizes(writer, archs: list[str], preset, ntoken: int) -> None:
    """Every genotype has the same size (one W per node): params and per-token multiply-adds at both scales."""
    from builders.darts_rnn.network import DARTSRNN, count_params, flops_per_token
    from builders.darts_rnn.presets import PRESETS

    for suffix, nhid in (("", preset.nhid), ("_paper", PRESETS["paper"].nhid)):
        p = count_params(DARTSRNN(ntoken, nhid))
        writer.write_arch_values("params" + suffix, np.full(len(archs), float(p)))
        writer.write_arch_values("flops" + suffix, np.full(len(archs), float(flops_per_token(nhid, ntoken))))
