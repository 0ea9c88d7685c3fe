"""Build one dataset: for each supernet seed, train with SPOS and score every subnet at chosen epochs.

One loop for every space and task (``builders/engine/task.py``): the task
brings data, network, one training epoch and scoring; the loop brings the
store (created once, resumed after a kill), the recipe check, seeded
sampling, checkpoints, the torchrun split, progress and provenance.
Regions are written as soon as they are scored; a checkpoint after every
epoch lets a killed build resume to an identical store.
"""

from __future__ import annotations

import os
import platform
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from builders.engine import checkpoint
from builders.engine.allowed import Allowed
from builders.engine.dist import Dist
from builders.engine.progress import bar
from wsbench.errors import OptionError

BUILDER_VERSION = "0.2.0"
LICENSE = "CC-BY-4.0"


def build(space_name: str, out: str | Path, *, preset_name: str, data_dir: str | Path, epochs: int,
          score_epochs: list[int], subnets: int, seeds: list[int], sample_seed: int = 0,
          work: str | Path | None = None, progress: bool = True, max_epochs_this_run: int | None = None,
          overrides: dict[str, Any] | None = None, only_seeds: list[int] | None = None,
          archs: list[str] | None = None, archs_source: dict | None = None, keep_work: bool = False,
          device: str = "cpu", keep_checkpoints: list[int] | None = None, allowed: Allowed | None = None,
          stop_by: float | None = None) -> Path | None:
    """Create or resume the store at ``out`` (a folder); returns it when every region is scored, else None.

    The store is finalized (validated, ``complete=True``) only once it also has
    ground truth: attach it with ``python -m builders import-gt`` / ``groundtruth``.
    ``overrides`` replace preset fields (recorded in the store's supernet_recipe).
    ``only_seeds`` trains just those seeds: run one process per seed (after one
    process created the store) to use every core. ``archs`` (with
    ``archs_source``, recorded) scores a given list instead of a seeded sample.
    Under ``torchrun`` the ranks share each seed's training and scoring. The
    checkpoint folder is removed once every region is scored, unless ``keep_work``.
    ``device`` ("cpu", "cuda", "cuda:N") is where training and scoring run; it is not part of the recipe.
    ``keep_checkpoints``: score epochs whose checkpoint is also kept as ``<work>/seed<S>.epoch<E>.ckpt`` (implies
    ``keep_work``), for protocols that start from a supernet of an earlier epoch (``builders finetune --epoch``).
    ``allowed`` (``builders.engine.allowed.resolve``): train on that set only (each step uniform over it) and
    score only the store's subnets in it (others NaN); its record is part of the recipe, so a resume with
    another rule is refused. ``stop_by`` (seconds since the epoch): stop at the last epoch boundary before that
    time, judged from the seed's slowest measured epochs (its training, plus its scoring if the next epoch is a
    score epoch; measured by this process or, through the checkpoint, by the ones before it), so a session ends
    on a checkpoint instead of losing an epoch under way.
    """
    import torch

    from builders.engine.tasks import get_task

    task = get_task(space_name, preset_name, overrides or {}, device)
    if allowed is not None:
        from wsbench.spaces import get_space

        task.drawer = allowed.draw_from(get_space(task.space))
    score_epochs = _check_counts(epochs, score_epochs, subnets if archs is None else len(archs), seeds)
    keep_checkpoints = sorted(set(keep_checkpoints or ()))
    if not set(keep_checkpoints) <= set(score_epochs):
        raise OptionError(f"--keep-checkpoints {keep_checkpoints} must be score epochs ({score_epochs}): a kept "
                          "supernet is only useful beside the plain scores of its epoch")
    keep_work = keep_work or bool(keep_checkpoints)
    torch.set_num_threads(1)
    dist = Dist.from_env()
    if stop_by is not None and dist.world > 1:
        dist.close()
        raise OptionError("--stop-by works in one process per seed (each decides from its own clock); under "
                          "torchrun stop with --stop-after-epochs")
    try:
        task.check(dist.world)
        return _build(task, Path(out), data_dir, epochs, score_epochs, subnets, seeds, sample_seed, work, progress,
                      max_epochs_this_run, only_seeds, dist, archs, archs_source, keep_work, keep_checkpoints,
                      allowed, stop_by)
    finally:
        dist.close()


def _build(task, out: Path, data_dir, epochs, score_epochs, subnets, seeds, sample_seed, work, progress,
           max_epochs_this_run, only_seeds, dist: Dist, given, given_source, keep_work,
           keep_checkpoints: list[int] = (), allowed: Allowed | None = None,
           stop_by: float | None = None) -> Path | None:
    import torch

    from wsbench.spaces import get_space
    from wsbench.store import StoreWriter

    space = get_space(task.space)
    work = Path(work) if work else out.with_name(out.name + ".work")
    wanted = {**asdict(task.preset), "epochs": epochs, "world_size": dist.world,
              **({"allowed": allowed.record} if allowed is not None else {})}
    if not out.exists():
        archs = list(given) if given is not None else space.sample(subnets, seed=sample_seed)
        _scored_subnets(space, archs, allowed)  # an allowed set that scores nothing is refused before any write
    task.load_data(data_dir)
    if dist.main and not out.exists():
        attrs = _provenance(task, data_dir, epochs, score_epochs, seeds, len(archs), sample_seed, dist.world,
                            given_source, allowed)
        writer = StoreWriter.create(out, space=task.space, archs=archs, epochs=score_epochs, seeds=seeds,
                                    attrs=attrs, paper_scale=True, losses=True)
        task.write_sizes(writer, archs)
    dist.barrier()  # the store exists for every rank from here on
    writer = StoreWriter.resume(out)
    found = writer.group.attrs.get("space")
    if found != task.space:
        raise OptionError(f"{out} is a {found} store, but the build asks for {task.space}; "
                          "pick the matching space or a new --out")
    _check_same_recipe(out, dict(writer.group.attrs), wanted)
    if max_epochs_this_run == 0:
        return None  # created (or found) the store; workers train the seeds
    choices = [space.parse(a) for a in writer.arch_strings()]
    scored = _scored_subnets(space, writer.arch_strings(), allowed)  # store indices scored (all, or the allowed)
    mine = scored[dist.rank::dist.world]  # the subnets this rank scores
    missing = set(writer.missing_regions())
    todo = [s for s in seeds if (only_seeds is None or s in only_seeds)
            and any((s, e) in missing for e in score_epochs)]
    clock = _Clock(len(todo), epochs, len(score_epochs))
    epochs_run = 0
    for seed in todo:
        ckpt = work / f"seed{seed}.ckpt"
        torch.manual_seed(seed)
        net = task.new_model()
        opt, sched = task.new_optimizer(net, epochs)
        sampler, data_rng = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 2])
        start, timing = checkpoint.resume(ckpt, net, opt, sampler, data_rng, sched, recipe=wanted,
                                          version=BUILDER_VERSION)
        clock.remember(timing)  # the epochs measured before this process, for --stop-by's prediction
        model = dist.wrap(net)
        clock.skip(start, sum(e <= start for e in score_epochs))
        for epoch in range(start + 1, epochs + 1):
            if max_epochs_this_run is not None and epochs_run >= max_epochs_this_run:
                return None
            if stop_by is not None and (end := clock.next_epoch_ends(epoch in score_epochs)) > stop_by:
                print(f"seed {seed}: stopping before epoch {epoch} (its checkpoint of epoch {epoch - 1} is written): "
                      f"epoch {epoch} would end at {time.strftime('%H:%M:%S', time.localtime(end))}, after "
                      f"--stop-by {time.strftime('%H:%M:%S', time.localtime(stop_by))}; rerun to continue",
                      flush=True)
                return None
            t0, c0 = time.perf_counter(), time.process_time()
            with bar(f"seed {seed} epoch {epoch} training", task.steps_per_epoch(), progress and dist.main) as advance:
                note = task.train_epoch(model, sampler, data_rng, opt, sched, dist, advance)
            # CPU seconds beside wall seconds: on shared cores the CPU time is what a core-hour budget counts
            line = (f"seed {seed} epoch {epoch}: trained in {clock.trained(time.perf_counter() - t0):.0f} s "
                    f"({time.process_time() - c0:.0f} CPU s; {note})")
            if epoch in score_epochs and (seed, epoch) in missing:
                t1, c1 = time.perf_counter(), time.process_time()
                with bar(f"seed {seed} epoch {epoch} scoring", len(mine), progress and dist.main) as advance:
                    part = task.score(net, [choices[i] for i in mine], seed, epoch, advance)
                parts = dist.gather(part)
                if dist.main:  # NaN: not in the allowed set, never scored
                    scores, losses = np.full(len(choices), np.nan, np.float32), np.full(len(choices), np.nan, np.float32)
                    for r, (score, loss) in enumerate(parts):
                        scores[scored[r::dist.world]], losses[scored[r::dist.world]] = score, loss
                    writer.write_supernet(seed, epoch, scores,
                                          loss=losses if "supernet_loss" in writer.group else None)
                line += (f", scored {len(scored)} subnets in {clock.scored(time.perf_counter() - t1):.0f} s "
                         f"({time.process_time() - c1:.0f} CPU s)")
            elif epoch in score_epochs:
                clock.skip(0, 1)
            if dist.main:
                checkpoint.save(ckpt, model=net.state_dict(), opt=opt.state_dict(),
                                sched=sched.state_dict() if sched is not None else None,
                                sampler=sampler.bit_generator.state, data_rng=data_rng.bit_generator.state,
                                epoch=epoch, recipe=wanted, builder_version=BUILDER_VERSION,
                                timing={"train_s": clock.train_s[-8:], "score_s": clock.score_s[-4:]})
                if epoch in keep_checkpoints:
                    kept = work / f"seed{seed}.epoch{epoch}.ckpt"
                    shutil.copyfile(ckpt, kept.with_name(kept.name + ".part"))
                    os.replace(kept.with_name(kept.name + ".part"), kept)
                if progress:
                    print(f"{line}; ETA {clock.eta() / 60:.1f} min", flush=True)
            dist.barrier()
            epochs_run += 1
    if not dist.main:
        return None
    writer = StoreWriter.resume(out)
    if writer.missing_regions():
        return None
    if not keep_work and work.is_dir():
        shutil.rmtree(work)  # every region is in the store: the checkpoints have nothing left to resume
    if np.isfinite(writer.group["gt_score"][:]).any():
        return writer.finalize()
    writer.update_attrs(scores_complete=True)
    return check_scored(out)


def _scored_subnets(space, archs: list[str], allowed: Allowed | None) -> list[int]:
    """Store indices of the subnets a build scores: every one, or those in the allowed set (at least one)."""
    if allowed is None:
        return list(range(len(archs)))
    keep = set(allowed.archs)
    out = [i for i, a in enumerate(archs) if space.canonicalize(a) in keep]
    if not out:
        raise OptionError(f"none of the store's {len(archs)} subnets is in the allowed set of {len(keep)} "
                          f"architectures ({allowed.record['mode']}): nothing would be scored; score the pool "
                          "the set was chosen from (--archs-from)")
    return out


def _provenance(task, data_dir, epochs: int, score_epochs: list[int], seeds: list[int], n: int, sample_seed: int,
                world_size: int, archs_source: dict | None, allowed: Allowed | None = None) -> dict[str, Any]:
    import torch

    import wsbench

    parts = task.provenance(data_dir)
    arch_sample = ({"arch_sample": f"wsbench.spaces.get_space({task.space!r}).sample(n, seed)",
                    "arch_sample_seed": sample_seed} if archs_source is None else
                   {"arch_sample": "given list (--archs-from; how it was chosen: the dataset card)", **archs_source})
    return {
        "metric": task.metric, "metric_direction": task.direction,
        "dataset": parts["dataset"],
        "scale_preset": task.preset.name,
        "sampler": {"training": parts["training"] if allowed is None else
                    f"uniform single-path (SPOS) over an allowed set of {len(allowed.archs)} architectures: each "
                    "step one of them, each equally likely (allowed); subnets outside it are not scored (NaN)",
                    **arch_sample, "subnets": n, **({"allowed": allowed.record} if allowed is not None else {})},
        "supernet_recipe": {**asdict(task.preset), "epochs": epochs, **parts["recipe_extra"], "seeds": seeds,
                            **({"allowed": allowed.record} if allowed is not None else {}),
                            "world_size": world_size,
                            "distributed": "DDP (gloo), batch split across ranks, same subnet per step"
                            if world_size > 1 else "single process"},
        "evaluation_protocol": {**parts["evaluation_protocol"], "score_epochs": score_epochs},
        "gt_source": {"kind": "none yet", "notes": "attach with python -m builders import-gt / groundtruth"},
        "gt_noise": {"kendall_tau_between_gt_seeds": None, "why_missing": "no ground truth attached yet"},
        "software": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     "wsbench": wsbench.__version__, "threads_per_process": 1,
                     "device_at_creation": _device_name(task.device),
                     "memory_format": "channels_last" if task.metric == "accuracy" else "default"},
        "builder": {"name": f"builders.engine.build ({task.space})", "version": BUILDER_VERSION},
        "license": LICENSE,
        "citation": f"wsbench (2026); {task.citation}",
    }


def _device_name(device) -> str:
    import torch

    if device is None or device.type == "cpu":
        return f"cpu ({platform.processor() or platform.machine()})"
    return f"{device} ({torch.cuda.get_device_name(device)})"


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

    def remember(self, timing: dict | None) -> None:
        """Seed the measured times with a checkpoint's (a resumed process has measured nothing yet)."""
        if isinstance(timing, dict):
            self.train_s = [float(t) for t in timing.get("train_s", [])] + self.train_s
            self.score_s = [float(t) for t in timing.get("score_s", [])] + self.score_s

    def next_epoch_ends(self, scored: bool) -> float:
        """When the next epoch would end (wall clock), from the slowest of the last 3 trainings and scorings
        measured by this seed's build (this process, and the ones before it through the checkpoint): cautious,
        yet one slow epoch long ago does not stop a build early; now when nothing is measured yet (the first
        epoch then always runs)."""
        t = max(self.train_s[-3:], default=0.0)
        return time.time() + t + (max(self.score_s[-3:], default=0.0) if scored else 0.0)

    def eta(self) -> float:
        t = np.mean(self.train_s) if self.train_s else 0.0
        sc = np.mean(self.score_s) if self.score_s else 0.0
        return float(t * max(self.train_left, 0) + sc * max(self.score_left, 0))


def _check_counts(epochs: int, score_epochs: list[int], subnets: int | None, seeds: list[int]) -> list[int]:
    """Nonsense counts are refused before anything is written; returns the sorted score epochs."""
    if not isinstance(epochs, int) or epochs < 1:
        raise OptionError(f"--epochs must be a positive integer, got {epochs!r}")
    if not isinstance(subnets, int) or subnets < 1:
        raise OptionError(f"--subnets must be a positive integer, got {subnets!r}")
    if not seeds:
        raise OptionError("--seeds must name at least one supernet seed, e.g. 0,1,2")
    if len(set(seeds)) != len(seeds):
        raise OptionError(f"--seeds has duplicates: {seeds}")
    out = sorted(set(score_epochs))
    if not out or out[0] < 1 or out[-1] > epochs:
        raise OptionError(f"score epochs must lie in 1..{epochs}, got {out}")
    return out


def _rule_line(record: dict | None) -> str:
    """A pruning rule in a few words, for the one line that refuses another."""
    if record is None:
        return "the whole space"
    keys = ("mode", "factor", "rule_seed", "score", "allowed", "allowed_sha256")
    return ", ".join(f"{k}={record[k]}" for k in keys if k in record)[:300]


def _check_same_recipe(out: Path, attrs: dict[str, Any], wanted: dict[str, Any]) -> None:
    """A resumed build must continue with the recipe the store was created with, or the store would mix two."""
    stored = attrs.get("supernet_recipe", {})
    diff = {k: (stored[k], v) for k, v in wanted.items() if k in stored and stored[k] != v}
    if stored.get("allowed") != wanted.get("allowed"):  # the pruning rule: absent on one side is a difference too
        diff["allowed"] = (_rule_line(stored.get("allowed")), _rule_line(wanted.get("allowed")))
    if attrs.get("evaluation_protocol", {}).get("bn", wanted["bn_protocol"]) != wanted["bn_protocol"]:
        diff["bn_protocol"] = (attrs["evaluation_protocol"]["bn"], wanted["bn_protocol"])
    if diff:
        raise OptionError(f"{out} was created with a different recipe; (stored, asked): {diff}. Resume with the "
                          "original options or build into a new --out")
