"""Build one dataset: for each supernet seed, train with SPOS and score every sampled subnet at chosen epochs.

Regions are written to the store as soon as they are scored; a checkpoint
after every epoch (and the store itself) lets a killed build resume. A space
plugs in through its kit (``builders/engine/kits.py``): presets, a supernet
with ``forward(x, parsed_arch)`` and its stand-alone network.
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from builders.engine import bn, checkpoint
from builders.engine.dist import Dist
from builders.engine.progress import bar
from builders.engine.scoring import EVAL_BATCH, Scorer
from wsbench.errors import OptionError

BUILDER_VERSION = "0.1.0"
#: BatchNorm at scoring time: re-estimated on R training batches through the subnet (default); the
#: statistics of the scored batch itself; or the supernet's running statistics as training left them
PROTOCOLS = ("recalibrate", "batch_stats", "running_stats")


def _provenance(kit, preset, epochs: int, score_epochs: list[int], seeds: list[int], n: int, sample_seed: int,
                data_dir: str, world_size: int = 1, archs_source: dict | None = None) -> dict[str, Any]:
    import torch

    import wsbench
    from builders.data.cifar10 import fingerprint

    return {
        "metric": "accuracy", "metric_direction": "max",
        "dataset": {"name": "CIFAR-10", "files_sha256": fingerprint(data_dir),
                    "notes": "official binary layout; the wsbench build machine's copy is a JPEG (q75) re-encoding "
                             "of the original pixels",
                    "resolution": preset.resolution, "train_images": preset.train_size,
                    "held_out_images": preset.valid_size, "split_seed": preset.split_seed,
                    "split": "seeded split of the official 50k training set; the held-out part is never trained on"},
        "scale_preset": preset.name,
        "sampler": {"training": "uniform single-path (SPOS): each step one architecture, every op equally likely",
                    **({"arch_sample": f"wsbench.spaces.get_space({kit.space!r}).sample(n, seed)",
                        "arch_sample_seed": sample_seed} if archs_source is None else
                       {"arch_sample": "given list (the architectures that have ground truth)", **archs_source}),
                    "subnets": n},
        "supernet_recipe": {**asdict(preset), "epochs": epochs, "optimizer": "SGD nesterov", "schedule": "cosine",
                            "seeds": seeds, "world_size": world_size,
                            "distributed": "DDP (gloo), batch split across ranks, same subnet per step"
                            if world_size > 1 else "single process"},
        "evaluation_protocol": {"bn": preset.bn_protocol,
                                "bn_batches": preset.bn_batches if preset.bn_protocol == "recalibrate" else None,
                                "split": "held-out part of the training set", "size": preset.score_size,
                                "score_epochs": score_epochs, "eval_batch": EVAL_BATCH,
                                "supernet_loss": "mean cross-entropy (nats) on the same images, same pass",
                                "scoring": "builders.engine.scoring: prefix tree for chain spaces, else per subnet; "
                                           "inference_mode; channels_last"},
        "gt_source": {"kind": "none yet", "notes": "attach with python -m builders import-gt / groundtruth"},
        "gt_noise": {"kendall_tau_between_gt_seeds": None, "why_missing": "no ground truth attached yet"},
        "software": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     "wsbench": wsbench.__version__, "memory_format": "channels_last", "threads_per_process": 1},
        "builder": {"name": f"builders.engine.build ({kit.space})", "version": BUILDER_VERSION},
        "license": "CC-BY-4.0",
        "citation": f"wsbench (2026); {kit.citation}",
    }


def build(space_name: str, out: str | Path, *, preset_name: str, data_dir: str | Path, epochs: int,
          score_epochs: list[int], subnets: int, seeds: list[int], sample_seed: int = 0,
          work: str | Path | None = None, progress: bool = True, max_epochs_this_run: int | None = None,
          overrides: dict[str, Any] | None = None, only_seeds: list[int] | None = None,
          archs: list[str] | None = None, archs_source: dict | None = None) -> Path | None:
    """Create or resume the store at ``out`` (a folder); returns it when every region is scored, else None.

    The store is finalized (validated, ``complete=True``) only once it also has
    ground truth: attach it with ``python -m builders import-gt`` / ``groundtruth``.
    ``overrides`` replace preset fields (recorded in the store's supernet_recipe).
    ``only_seeds`` trains just those seeds of the store: run one process per
    seed (after one process created the store) to use every core. ``archs``
    (with ``archs_source``, recorded) scores a given list instead of a sample. Under
    ``torchrun`` the ranks share each seed's training and scoring (``builders/engine/dist.py``).
    """
    from dataclasses import replace

    import torch

    from builders.engine.kits import get_kit

    if space_name == "darts-rnn":
        from builders.engine.lm_build import build_lm

        return build_lm(Path(out), preset_name=preset_name, data_dir=data_dir, epochs=epochs,
                        score_epochs=_check_epochs(score_epochs, epochs), subnets=subnets, seeds=seeds,
                        sample_seed=sample_seed, work=work, progress=progress,
                        max_epochs_this_run=max_epochs_this_run, overrides=overrides or {}, only_seeds=only_seeds)
    kit = get_kit(space_name)
    preset = replace(kit.preset(preset_name), **{k: v for k, v in (overrides or {}).items() if v is not None})
    if preset.bn_protocol not in PROTOCOLS:
        raise OptionError(f"BN protocol must be one of {list(PROTOCOLS)}, got {preset.bn_protocol!r}")
    score_epochs = _check_epochs(score_epochs, epochs)
    torch.set_num_threads(1)
    dist = Dist.from_env()
    try:
        return _build(kit, space_name, preset, Path(out), data_dir, epochs, score_epochs, subnets, seeds, sample_seed,
                      work, progress, max_epochs_this_run, only_seeds, dist, archs, archs_source)
    finally:
        dist.close()


def _build(kit, space_name, preset, out: Path, data_dir, epochs, score_epochs, subnets, seeds, sample_seed, work,
           progress, max_epochs_this_run, only_seeds, dist: Dist, given=None, given_source=None) -> Path | None:
    import torch

    from builders.groundtruth.train import prepare_data
    from wsbench.spaces import get_space
    from wsbench.store import StoreWriter

    space = get_space(space_name)
    work = Path(work) if work else out.with_name(out.name + ".work")
    wanted = {**asdict(preset), "epochs": epochs, "world_size": dist.world}
    if dist.main and not out.exists():
        archs = list(given) if given is not None else space.sample(subnets, seed=sample_seed)
        writer = StoreWriter.create(out, space=space_name, archs=archs, epochs=score_epochs, seeds=seeds,
                                    attrs=_provenance(kit, preset, epochs, score_epochs, seeds, len(archs), sample_seed,
                                                      str(data_dir), dist.world, given_source),
                                    paper_scale=True, losses=True)
        _write_sizes(writer, archs, kit, preset)
    dist.barrier()  # the store exists for every rank from here on
    writer = StoreWriter.resume(out)
    found = writer.group.attrs.get("space")
    if found != space_name:
        raise OptionError(f"{out} is a {found} store, but the build asks for {space_name}; "
                          "pick the matching space or a new --out")
    _check_same_recipe(out, dict(writer.group.attrs), wanted)
    archs = writer.arch_strings()
    if max_epochs_this_run == 0:
        return None  # created (or found) the store; workers train the seeds
    choices = [space.parse(a) for a in archs]
    mine = list(range(dist.rank, len(choices), dist.world))  # the subnets this rank scores
    missing = set(writer.missing_regions())
    train, valid = prepare_data(data_dir, _as_gt_recipe(preset))
    score = type(valid)(valid.x[: preset.score_size], valid.y[: preset.score_size])
    todo = [s for s in seeds if (only_seeds is None or s in only_seeds)
            and any((s, e) in missing for e in score_epochs)]
    clock = _Clock(len(todo), epochs, len(score_epochs))
    epochs_run = 0
    for seed in todo:
        ckpt = work / f"seed{seed}.ckpt"
        torch.manual_seed(seed)
        # channels_last: 1.4-2.5x faster training and 2-5x faster scoring on CPU here (benchmarks/scoring_floor.py)
        net = kit.supernet(preset).to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(net.parameters(), lr=preset.lr, momentum=preset.momentum, nesterov=True,
                              weight_decay=preset.weight_decay)
        steps = len(train) // preset.batch_size
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps)
        sampler, data_rng = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 2])
        start = checkpoint.resume(ckpt, net, opt, sampler, data_rng, sched)
        model = dist.wrap(net)
        clock.skip(start, sum(e <= start for e in score_epochs))
        for epoch in range(start + 1, epochs + 1):
            if max_epochs_this_run is not None and epochs_run >= max_epochs_this_run:
                return None
            t0 = time.perf_counter()
            model.train()
            order = data_rng.permutation(len(train))
            with bar(f"seed {seed} epoch {epoch} training", steps, progress and dist.main) as advance:
                _train_epoch(model, train, order, steps, preset, data_rng, sampler, space, opt, sched, dist, advance)
            train_s = clock.trained(time.perf_counter() - t0)
            line = f"seed {seed} epoch {epoch}: trained in {train_s:.0f} s"
            if epoch in score_epochs and (seed, epoch) in missing:
                t1 = time.perf_counter()
                with bar(f"seed {seed} epoch {epoch} scoring", len(mine), progress and dist.main) as advance:
                    part = score_all(net, space_name, [choices[i] for i in mine], train, score, preset, seed, epoch,
                                     advance)
                parts = dist.gather(part)
                if dist.main:
                    scores, losses = np.empty(len(choices), np.float32), np.empty(len(choices), np.float32)
                    for r, (acc, loss) in enumerate(parts):
                        scores[r::dist.world], losses[r::dist.world] = acc, loss
                    writer.write_supernet(seed, epoch, scores,
                                          loss=losses if "supernet_loss" in writer.group else None)
                line += f", scored {len(choices)} subnets in {clock.scored(time.perf_counter() - t1):.0f} s"
            elif epoch in score_epochs:
                clock.skip(0, 1)
            if dist.main:
                checkpoint.save(ckpt, model=net.state_dict(), opt=opt.state_dict(), sched=sched.state_dict(),
                                sampler=sampler.bit_generator.state, data_rng=data_rng.bit_generator.state,
                                epoch=epoch)
                if progress:
                    print(f"{line}; ETA {clock.eta() / 60:.1f} min", flush=True)
            dist.barrier()
            epochs_run += 1
    if not dist.main:
        return None
    writer = StoreWriter.resume(out)
    if writer.missing_regions():
        return None
    gt = writer.group["gt_score"][:]
    if np.isfinite(gt).any():
        return writer.finalize()
    writer.update_attrs(scores_complete=True)
    return check_scored(out)


def check_scored(out: Path) -> Path:
    """Every region is scored but no ground truth yet: validate what is there, so problems surface now."""
    from wsbench.errors import SchemaError
    from wsbench.schema import validate
    from wsbench.store import open_store

    problems = validate(open_store(out, check=False, allow_incomplete=True), level="deep")
    if problems:
        raise SchemaError(out, problems)
    return out


class _Clock:
    """ETA of this process's remaining work from the mean epoch training and scoring times so far."""

    def __init__(self, seeds: int, epochs: int, score_epochs: int):
        self.train_left, self.score_left = seeds * epochs, seeds * score_epochs
        self.train_s: list[float] = []
        self.score_s: list[float] = []

    def skip(self, trained: int, scored: int) -> None:
        self.train_left -= trained
        self.score_left -= scored

    def trained(self, s: float) -> float:
        self.train_s.append(s)
        self.train_left -= 1
        return s

    def scored(self, s: float) -> float:
        self.score_s.append(s)
        self.score_left -= 1
        return s

    def eta(self) -> float:
        t = np.mean(self.train_s) if self.train_s else 0.0
        sc = np.mean(self.score_s) if self.score_s else 0.0
        return float(t * max(self.train_left, 0) + sc * max(self.score_left, 0))


def _check_epochs(score_epochs: list[int], epochs: int) -> list[int]:
    out = sorted(set(score_epochs))
    if not out or out[0] < 1 or out[-1] > epochs:
        raise OptionError(f"score epochs must lie in 1..{epochs}, got {out}")
    return out


def _check_same_recipe(out: Path, attrs: dict[str, Any], wanted: dict[str, Any]) -> None:
    """A resumed build must continue with the recipe the store was created with, or the store would mix two."""
    stored = attrs.get("supernet_recipe", {})
    diff = {k: (stored[k], v) for k, v in wanted.items() if k in stored and stored[k] != v}
    if attrs.get("evaluation_protocol", {}).get("bn", wanted["bn_protocol"]) != wanted["bn_protocol"]:
        diff["bn_protocol"] = (attrs["evaluation_protocol"]["bn"], wanted["bn_protocol"])
    if diff:
        raise OptionError(f"{out} was created with a different recipe; (stored, asked): {diff}. Resume with the "
                          "original options or build into a new --out")


def _train_epoch(model, train, order, steps, preset, data_rng, sampler, space, opt, sched, dist, advance) -> None:
    import torch

    from builders.groundtruth.train import augment, to_tensor

    for b in range(steps):
        idx = np.sort(order[b * preset.batch_size:(b + 1) * preset.batch_size])
        x = augment(to_tensor(train.x[idx]), data_rng, preset.crop_padding, preset.flip)
        y = torch.from_numpy(train.y[idx])
        if dist.world > 1:  # every rank augments the whole batch (same RNG stream), trains on its share
            x, y = x[dist.rank::dist.world], y[dist.rank::dist.world]
        arch = space.draw(sampler)
        loss = torch.nn.functional.cross_entropy(model(x, arch), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        advance(1)


def score_all(model, space: str, choices: list, train, score, preset, seed: int, epoch: int,
              advance=lambda n=1: None) -> tuple[np.ndarray, np.ndarray]:
    """(accuracy %, mean cross-entropy) of every subnet on the held-out split (``builders.engine.scoring``).

    With ``recalibrate``, every subnet at this (seed, epoch) is recalibrated on
    the same R seeded training batches.
    """
    from builders.groundtruth.train import to_tensor

    rng = np.random.default_rng([seed, epoch, 3])
    recal = [to_tensor(train.x[np.sort(rng.choice(len(train), preset.batch_size, replace=False))])
             for _ in range(preset.bn_batches)] if preset.bn_protocol == "recalibrate" else []
    scorer = Scorer.for_space(space, model, preset.bn_protocol)
    return scorer.score(choices, recal, to_tensor(score.x), score.y, advance)


def _as_gt_recipe(preset):
    from builders.groundtruth.train import Recipe

    return Recipe(preset.name, preset.channels, preset.cells_per_stage, preset.resolution, 1, preset.batch_size,
                  preset.lr, preset.momentum, True, preset.weight_decay, preset.train_size, preset.valid_size,
                  preset.split_seed, preset.crop_padding, preset.flip)  # data preparation only: space irrelevant


def _write_sizes(writer, archs: list[str], kit, preset) -> None:
    """params/FLOPs of every architecture's stand-alone network at the build preset and at the published scale."""
    from builders.flops import count_flops
    from builders.nb201.network import count_params

    sizes: dict[str, list[int]] = {"params": [], "flops": [], "params_paper": [], "flops_paper": []}
    for a in archs:
        for suffix, net, r in (("", kit.standalone(a, preset.channels, preset.cells_per_stage), preset.resolution),
                               ("_paper", kit.paper_standalone(a), kit.paper_input)):
            sizes["params" + suffix].append(count_params(net))
            sizes["flops" + suffix].append(count_flops(net, (3, r, r)))
    for k, v in sizes.items():
        writer.write_arch_values(k, np.array(v, dtype=float))
