"""Fine-tuned inheritance: the study's second protocol (Zhang et al., *How Does Supernet Help in NAS?*).

The study concludes that a subnet's inherited weights rank better after a short fine-tune of that subnet
alone. For one supernet seed, from the checkpoint a build kept (``--keep-work``), every chosen subnet:

1. starts from the supernet's weights at that (seed, epoch), restored before each subnet, so no subnet's
   fine-tune touches another's (no weight sharing; the order of the subnets changes nothing);
2. trains alone for B batches of the training split: the preset's SGD (momentum, nesterov, weight decay), a
   fresh optimiser state, a constant learning rate (default: the
   supernet's schedule at that epoch, floored at 0.001 as the authors' finetune.py), the training precision;
   the B batches and their augmentation are drawn once per (seed, epoch) and are the same for every subnet
   (a paired design: subnets differ only by their weights);
3. is scored exactly as ``supernet_score`` was: the task's own ``score`` (the same BN recalibration batches of
   that (seed, epoch), the same held-out images, the same scoring precision).

With B = 0 the result is the plain score. Scores go to ``finetune_score`` / ``finetune_loss`` (dims of
``supernet_score``, NaN where not fine-tuned); the protocol, the chosen subnets and the (seed, epoch) regions
done are the store's ``finetune`` attribute. Work per seed is resumable subnet by subnet (a progress file in
the work folder), a region is written only once all its subnets are done, and processes of different seeds
may run at once on one store (they share the work folder, whose lock file orders their store writes).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from wsbench.errors import OptionError

#: NumPy stream of the fine-tuning batches: ``default_rng([seed, epoch, DATA_STREAM])`` (3 is BN recalibration's)
DATA_STREAM = 4
RULE = ("inherit the supernet's weights at (seed, epoch); train the subnet alone (no weight sharing: the "
        "supernet's weights are restored before each subnet) for `batches` batches of the training split, the "
        "same seeded batches and augmentation for every subnet; then score it as supernet_score (same BN "
        "protocol and recalibration batches of that (seed, epoch), same held-out images, same scoring precision)")
#: the keys of the ``finetune`` attribute that must agree between runs on one store (all but ``regions`` and
#: ``lr_at_epoch``: under the default rule each epoch fine-tunes at its own learning rate, recorded there)
SAME = ("rule", "batches", "batch_size", "lr", "lr_rule", "optimizer", "precision", "data", "scoring", "subnets",
        "subnet_choice", "subnets_sha256", "builder")


def choose(n: int, k: int, seed: int) -> np.ndarray:
    """The default subnets: ``k`` of the store's ``n``, a seeded draw without replacement, in store order."""
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))


def finetune(store: str | Path, work: str | Path, *, seed: int, data_dir: str | Path, epoch: int | None = None,
             subnets: int | str | None = None, archs: list[str] | None = None,
             archs_source: dict[str, Any] | None = None, subnet_seed: int = 0, batches: int = 10,
             lr: float | None = None, checkpoint_path: str | Path | None = None, device: str = "cpu",
             progress: bool = True) -> dict[str, Any]:
    """Fine-tune the chosen subnets of supernet ``seed`` (checkpoint ``<work>/seed<S>.ckpt``) and write their
    scores into ``store``; returns a summary. ``subnets``: how many (a seeded draw, ``subnet_seed``) or "all";
    ``archs``: these architectures instead (``archs_source`` records where they came from). Every check runs
    before anything is written; a rerun continues where a killed run stopped and redoes nothing done."""
    from builders.engine import checkpoint
    from builders.engine.build import BUILDER_VERSION

    batches = _count(batches, "--batches", 0)
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, float | int) or not 0 < lr < 10):
        raise OptionError(f"--lr must lie in (0, 10), got {lr!r}")
    writer = _writer(store)
    attrs = dict(writer.group.attrs)
    space_name, recipe = attrs.get("space"), dict(attrs.get("supernet_recipe", {}))
    if space_name == "darts-rnn" or attrs.get("metric") != "accuracy":
        raise OptionError(f"{store}: fine-tuning is implemented for the image (CIFAR-10) spaces; this store is "
                          f"{space_name} ({attrs.get('metric')})")
    if "prune" in writer.group:
        raise OptionError(f"{store} has a prune dimension; fine-tuning supernets trained on pruned spaces is not "
                          "implemented yet")
    seeds = [int(s) for s in writer.group["seed"][:]]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed not in seeds:
        raise OptionError(f"--seed {seed} is not a supernet seed of {store}; it has {seeds}")
    all_archs = writer.arch_strings()
    index, choice = _subnets(all_archs, space_name, subnets, archs, archs_source, subnet_seed)
    ckpt = Path(checkpoint_path) if checkpoint_path else Path(work) / f"seed{seed}.ckpt"
    if not checkpoint_path and epoch is not None and (Path(work) / f"seed{seed}.epoch{epoch}.ckpt").is_file():
        ckpt = Path(work) / f"seed{seed}.epoch{epoch}.ckpt"  # kept by `build --keep-checkpoints`
    state = checkpoint.read(ckpt)
    if state is None:
        raise OptionError(f"no checkpoint {ckpt}: fine-tuning starts from a build's kept checkpoint (build with "
                          "--keep-work, or restore one with `python -m builders checkpoint restore`)")
    at = int(state["epoch"])
    epochs = [int(e) for e in writer.group["epoch"][:]]
    if epoch is not None and epoch != at:
        raise OptionError(f"--epoch {epoch}, but {ckpt} holds the supernet of epoch {at}; fine-tune at epoch {at} "
                          "or keep that epoch's checkpoint in the build (--keep-checkpoints) or give it (--checkpoint)")
    if at not in epochs:
        raise OptionError(f"{ckpt} is at epoch {at}, which is not a score epoch of {store} ({epochs}): the plain "
                          "scores to pair with would be missing")
    plain = writer.group["supernet_score"][seeds.index(seed), epochs.index(at)]
    if not np.isfinite(plain[index]).all():
        raise OptionError(f"{store} has no supernet_score yet for seed {seed}, epoch {at}: finish the build first")
    task, wanted = _task(space_name, recipe, device)
    checkpoint.check_same(ckpt, state, wanted, BUILDER_VERSION)
    _same_data(attrs, data_dir)
    p = task.preset
    used = float(schedule_lr(p.lr, p.lr_min, at, int(recipe["epochs"])) if lr is None else lr)
    proto = {"rule": RULE, "batches": batches, "batch_size": p.batch_size,
             "lr": None if lr is None else float(lr), "lr_rule": LR_RULE if lr is None else "given, constant",
             "lr_at_epoch": {str(at): used},
             "optimizer": {"name": "SGD", "nesterov": True, "momentum": p.momentum, "weight_decay": p.weight_decay,
                           "state": "fresh for each subnet", "schedule": "constant"},
             "precision": p.precision,
             "data": {"split": "the supernet's training split", "rng": f"numpy.random.default_rng([seed, epoch, "
                                                                       f"{DATA_STREAM}])",
                      "augmentation": {"crop_padding": p.crop_padding, "flip": p.flip},
                      "same_for_every_subnet": True},
             "scoring": "as supernet_score (evaluation_protocol): builders.engine.task_image.ImageTask.score",
             "subnets": len(index), "subnet_choice": choice,
             "subnets_sha256": hashlib.sha256("\n".join(all_archs[i] for i in index).encode()).hexdigest(),
             "builder": {"name": "builders.engine.finetune", "version": BUILDER_VERSION}}
    key = hashlib.sha256(json.dumps([proto[k] for k in SAME] + [used], sort_keys=True).encode()).hexdigest()
    lock = Path(work) / "finetune.lock"
    with _locked(lock):
        record_protocol(store, proto)  # refuses another protocol already in the store; writes nothing then
    t0 = time.perf_counter()
    done = _region_done(writer, seed, at, index)
    if done is None:
        scores, losses, trained = _run(task, data_dir, state, space_name, [all_archs[i] for i in index], seed, at,
                                       batches, used, Path(work) / f"finetune-seed{seed}-epoch{at}.npz", key,
                                       progress)
        n = len(all_archs)
        full_s, full_l = np.full(n, np.nan, np.float32), np.full(n, np.nan, np.float32)
        full_s[index], full_l[index] = scores, losses
    else:
        full_s, full_l, trained = done[0], done[1], 0
    with _locked(lock):
        write_region(store, seed, at, full_s, full_l, used)
    (Path(work) / f"finetune-seed{seed}-epoch{at}.npz").unlink(missing_ok=True)
    return {"store": str(store), "seed": seed, "epoch": at, "subnets": len(index), "batches": batches,
            "lr": used, "fine_tuned_now": trained, "seconds": round(time.perf_counter() - t0, 1),
            "mean_plain": float(np.mean(plain[index])), "mean_finetune": float(np.nanmean(full_s[index])),
            "changed": int(np.sum(full_s[index] != plain[index]))}


# -- checks ------------------------------------------------------------------------------------------------------
def _count(value: Any, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise OptionError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def _writer(store: str | Path):
    from wsbench.errors import StoreNotFoundError
    from wsbench.store import StoreWriter

    p = Path(store)
    if p.is_file():
        raise OptionError(f"{p} is a zipped store; fine-tune into the build's store folder (unzip it first)")
    if not (p / "zarr.json").is_file():
        raise StoreNotFoundError(f"{p}: no store folder (expected the build's --out, with its zarr.json)")
    writer = StoreWriter.resume(p)
    if "space" not in writer.group.attrs or "supernet_score" not in writer.group:
        raise OptionError(f"{p} is not a wsbench store built by `python -m builders build`")
    return writer


def _subnets(all_archs: list[str], space_name: str, subnets: int | str | None, archs: list[str] | None,
             archs_source: dict[str, Any] | None, subnet_seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """(indices of the chosen subnets in store order, how they were chosen: recorded)."""
    n = len(all_archs)
    if archs is not None:
        if subnets is not None:
            raise OptionError("give --subnets K or --archs-from FILE, not both")
        from wsbench.spaces import get_space

        space = get_space(space_name)
        where = {a: i for i, a in enumerate(all_archs)}
        picked = []
        for a in archs:
            c = space.canonicalize(a)
            if c not in where:
                raise OptionError(f"{a!r} is not one of the store's {n} subnets; list only architectures of its "
                                  "arch_string")
            picked.append(where[c])
        if not picked or len(set(picked)) != len(picked):
            raise OptionError("the architecture list is empty or names one subnet twice; list each once")
        return np.sort(np.array(picked)), {"rule": "given list", **(archs_source or {})}
    if subnets == "all":
        return np.arange(n), {"rule": "every subnet of the store"}
    if subnets is None:
        raise OptionError("give --subnets K (a seeded choice of K of the store's subnets), --subnets all, or "
                          "--archs-from FILE")
    k = _count(subnets, "--subnets", 1)
    if k > n:
        raise OptionError(f"--subnets {k}, but the store has {n} subnets; choose at most {n} (or all)")
    _count(subnet_seed, "--subnet-seed", 0)
    return choose(n, k, subnet_seed), {"rule": "builders.engine.finetune.choose(n, k, seed): numpy.sort(numpy."
                                               "random.default_rng(seed).choice(n, k, replace=False))",
                                       "seed": subnet_seed}


#: the authors' own rule (ultmaster/deeper-insights-weight-sharing finetune.py): the learning rate the supernet's
#: cosine schedule has at the checkpoint's epoch, with their floor w_lr_min = 0.001 where the recipe has none
#: (a recipe that anneals to 0 would otherwise fine-tune its last epoch at lr 0, i.e. not at all)
AUTHORS_LR_FLOOR = 0.001
LR_RULE = ("the supernet's cosine schedule at the checkpoint's epoch: lr_min + (lr - lr_min) * (1 + cos(pi * "
           "epoch / epochs)) / 2, lr_min = the recipe's floor or 0.001 (the authors' finetune.py and w_lr_min), "
           "constant during the fine-tune")


def schedule_lr(lr: float, lr_min: float | None, epoch: int, epochs: int) -> float:
    """The fine-tune's default learning rate (``LR_RULE``)."""
    floor = AUTHORS_LR_FLOOR if not lr_min else lr_min
    return floor + (lr - floor) * (1 + math.cos(math.pi * epoch / epochs)) / 2


def _task(space_name: str, recipe: dict[str, Any], device: str):
    """The build's task from the store's recorded recipe (overrides included), and the recipe its checkpoints
    carry (what ``checkpoint.check_same`` compares)."""
    from builders.engine.kits import get_kit
    from builders.engine.tasks import get_task

    if "name" not in recipe or "epochs" not in recipe:
        raise OptionError("the store's supernet_recipe has no preset name or epochs: not a store of "
                          "`python -m builders build`")
    fields = set(asdict(get_kit(space_name).preset(recipe["name"]))) - {"name"}
    task = get_task(space_name, recipe["name"], {k: v for k, v in recipe.items() if k in fields}, device)
    wanted = {**asdict(task.preset), "epochs": recipe["epochs"], "world_size": recipe.get("world_size", 1),
              **({"allowed": recipe["allowed"]} if "allowed" in recipe else {})}  # a pruned run's rule
    return task, wanted


def _same_data(attrs: dict[str, Any], data_dir: str | Path) -> None:
    from builders.data.cifar10 import fingerprint

    want = (attrs.get("dataset") or {}).get("files_sha256")
    try:
        have = fingerprint(data_dir)
    except OSError as e:
        raise OptionError(f"--data-dir {data_dir}: {e}") from None
    if want is not None and have != want:
        raise OptionError(f"--data-dir {data_dir} holds other CIFAR-10 files than the store was built on "
                          "(dataset.files_sha256 differs); give the build's data folder")


# -- the store: protocol attribute and regions -------------------------------------------------------------------
@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Exclusive lock between the processes fine-tuning one store (one per seed), for their store writes."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def protocol_diff(have: dict[str, Any], proto: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """(stored, asked) of every protocol key that differs, and of every epoch fine-tuned at another learning rate:
    empty when ``proto``'s fine-tunes may join the store's."""
    diff = {k: (have.get(k), proto.get(k)) for k in SAME if have.get(k) != proto.get(k)}
    lrs = have.get("lr_at_epoch") or {}
    diff.update({f"lr_at_epoch[{e}]": (lrs[e], v) for e, v in (proto.get("lr_at_epoch") or {}).items()
                 if e in lrs and lrs[e] != v})
    return diff


def record_protocol(store: str | Path, proto: dict[str, Any]) -> None:
    """Record the protocol (and add the NaN-filled arrays) in a store without one; refuse a store that holds
    another (``lr_at_epoch`` included: an epoch already fine-tuned at another learning rate). A complete store is
    re-finalized, so its consolidated metadata lists the new arrays."""
    from wsbench.store import StoreWriter

    writer = StoreWriter.resume(store)
    have = writer.group.attrs.get("finetune")
    if isinstance(have, dict):
        diff = protocol_diff(have, proto)
        if diff:
            raise OptionError(f"{store} holds fine-tuned scores of another protocol; (stored, asked): "
                              f"{json.dumps(diff)[:400]}. Rerun with the stored options; nothing was written")
        if "finetune_score" in writer.group and "finetune_loss" in writer.group:
            return
    writer.ensure_finetune()  # also repairs a run killed between the two steps
    if not isinstance(have, dict):  # an epoch's learning rate is added with its first region (write_region)
        writer.update_attrs(finetune={**proto, "lr_at_epoch": {}, "regions": []})
    if writer.group.attrs.get("complete"):
        writer.finalize()


def _region_done(writer, seed: int, epoch: int, index: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The (score, loss) slice if this (seed, epoch) is already fine-tuned (a rerun), else None."""
    if "finetune_score" not in writer.group:
        return None
    seeds, epochs = [int(s) for s in writer.group["seed"][:]], [int(e) for e in writer.group["epoch"][:]]
    i, j = seeds.index(seed), epochs.index(epoch)
    s = writer.group["finetune_score"][i, j]
    if not np.isfinite(s[index]).all():
        return None
    return s, writer.group["finetune_loss"][i, j]


def write_region(store: str | Path, seed: int, epoch: int, scores: np.ndarray, losses: np.ndarray,
                 lr: float) -> None:
    """Write one (seed, epoch) region, record it and the learning rate it was fine-tuned at, and re-finalize a
    store that was complete (new arrays must enter its consolidated metadata; finalize validates them)."""
    from wsbench.store import StoreWriter

    writer = StoreWriter.resume(store)
    writer.write_finetune(seed, epoch, scores, losses)
    proto = dict(writer.group.attrs["finetune"])
    regions = [list(r) for r in proto.get("regions", [])]
    if [seed, epoch] not in regions:
        regions = sorted([*regions, [seed, epoch]])
    lrs = {**proto.get("lr_at_epoch", {}), str(epoch): lr}
    writer.update_attrs(finetune={**proto, "regions": regions,
                                  "lr_at_epoch": dict(sorted(lrs.items(), key=lambda kv: int(kv[0])))})
    if writer.group.attrs.get("complete"):
        writer.finalize()


# -- the work ----------------------------------------------------------------------------------------------------
def _run(task, data_dir: str | Path, state: dict[str, Any], space_name: str, archs: list[str], seed: int, epoch: int,
         batches: int, lr: float, progress_file: Path, key: str, progress: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """Fine-tune and score each of ``archs`` (resuming ``progress_file``); (scores, losses, how many now)."""
    import torch

    from builders.engine.progress import bar
    from wsbench.spaces import get_space

    torch.set_num_threads(1)
    space = get_space(space_name)
    task.load_data(data_dir)
    net = task.new_model()
    net.load_state_dict(state["model"])
    start = {k: v.clone() for k, v in net.state_dict().items()}
    data = _batches(task, seed, epoch, batches)
    scores, losses, have = _progress(progress_file, key, len(archs))
    todo = np.flatnonzero(~have)
    p = task.preset
    with bar(f"seed {seed} epoch {epoch} fine-tuning", len(todo), progress) as advance:
        for m in todo:
            choice = space.parse(archs[m])
            net.load_state_dict(start)  # every subnet starts from the supernet, never from another's fine-tune
            torch.manual_seed(seed)  # nothing here draws from torch; should a supernet ever, every subnet alike
            if data:
                opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=p.momentum, nesterov=True,
                                      weight_decay=p.weight_decay)
                net.train()
                for x, y in data:
                    with task.autocast():
                        loss = torch.nn.functional.cross_entropy(net(x, choice), y)
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
            acc, lo = task.score(net, [choice], seed, epoch, lambda n=1: None)
            scores[m], losses[m], have[m] = acc[0], lo[0], True
            _save_progress(progress_file, key, scores, losses, have)
            advance(1)
    net.load_state_dict(start)
    return scores, losses, len(todo)


def _batches(task, seed: int, epoch: int, n: int) -> list[tuple[Any, Any]]:
    """The B fine-tuning batches of (seed, epoch), drawn and augmented as a training step draws them."""
    import torch

    from builders.core.images import augment, to_tensor

    p, train = task.preset, task.train
    rng = np.random.default_rng([seed, epoch, DATA_STREAM])
    out = []
    for _ in range(n):
        idx = np.sort(rng.choice(len(train), p.batch_size, replace=False))
        x = augment(to_tensor(train.x[idx]), rng, p.crop_padding, p.flip)
        out.append((x.to(task.device), torch.from_numpy(train.y[idx]).to(task.device)))
    return out


def _progress(path: Path, key: str, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scores, losses, done) of a killed run of the same protocol, or empty ones."""
    empty = np.full(k, np.nan, np.float32), np.full(k, np.nan, np.float32), np.zeros(k, bool)
    if not path.is_file():
        return empty
    try:
        with np.load(path, allow_pickle=False) as f:
            got = str(f["key"]), f["scores"], f["losses"], f["done"]
    except Exception as e:  # noqa: BLE001 (a truncated or foreign file)
        raise OptionError(f"{path} cannot be read ({type(e).__name__}); delete it to fine-tune this seed from its "
                          "first subnet") from None
    if got[0] != key or got[3].shape != (k,):
        raise OptionError(f"{path} holds a fine-tune of this seed with another protocol or subnet choice; rerun "
                          "with the options it was started with, or delete it to start over")
    return got[1].astype(np.float32), got[2].astype(np.float32), got[3].astype(bool)


def _save_progress(path: Path, key: str, scores: np.ndarray, losses: np.ndarray, done: np.ndarray) -> None:
    from wsbench.atomic import write_atomic

    buf = io.BytesIO()
    np.savez(buf, key=np.array(key), scores=scores, losses=losses, done=done)
    write_atomic(path, buf.getvalue())
