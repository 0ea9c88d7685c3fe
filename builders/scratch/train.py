"""Train-from-scratch ground truth for image spaces: each architecture alone, per GT seed, resumable, shardable.

Every (architecture, seed) result is one small JSON file in a work folder,
written via temp file + rename, so a killed run resumes where it stopped and
shards (``--shard i/n``) never collide: each architecture is independent.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from builders.core.images import augment, to_tensor
from builders.groundtruth.record import GroundTruth


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a ground-truth number (recorded in the store's gt_source)."""

    preset: str
    channels: int
    cells_per_stage: int
    resolution: int
    epochs: int
    batch_size: int
    lr: float
    momentum: float
    nesterov: bool
    weight_decay: float
    train_size: int  # images drawn (seeded) from the training part of the split
    valid_size: int  # held-out images of the official training set: the GT score is accuracy here
    split_seed: int
    crop_padding: int
    flip: bool
    space: str = "nb201"


PRESETS = {
    # NAS-Bench-201's CIFAR-10 recipe (hp 200): 25k/25k split of the training set, SGD Nesterov, cosine, 200 epochs
    "paper": Recipe("paper", 16, 5, 32, 200, 256, 0.1, 0.9, True, 5e-4, 25_000, 25_000, 0, 4, True),
    # sized for 2 CPU cores (~85 s per run, 1 thread): 16x16 images, C=8, one cell per stage, 8k training
    # images for 6 epochs, 5k held out
    "mini": Recipe("mini", 8, 1, 16, 6, 64, 0.1, 0.9, True, 5e-4, 8_000, 5_000, 0, 2, True),
}


def result_name(arch: str, seed: int) -> str:
    return f"{hashlib.md5(arch.encode()).hexdigest()[:16]}-s{seed}.json"


def atomic_json(path: Path, data: dict) -> None:
    """Write ``data`` as JSON via a temp file and an atomic rename: a killed run never leaves half a result."""
    from wsbench.atomic import write_atomic

    write_atomic(path, json.dumps(data))


def prepare_data(data_dir: str | Path, recipe: Recipe) -> tuple[Any, Any]:
    """(train, valid) splits at the recipe's resolution and sizes (seeded; valid is never trained on)."""
    from builders.data.cifar10 import prepare

    return prepare(data_dir, train_size=recipe.train_size, valid_size=recipe.valid_size,
                   split_seed=recipe.split_seed, resolution=recipe.resolution)


def evaluate(model, split, batch: int = 500) -> float:
    import torch

    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(split), batch):
            out = model(to_tensor(split.x[i : i + batch]))
            correct += int((out.argmax(1).numpy() == split.y[i : i + batch]).sum())
    return 100.0 * correct / len(split)


def train_one(arch: str, seed: int, recipe: Recipe, train, valid) -> dict[str, Any]:
    """Train ``arch`` from scratch with ``recipe``; return the held-out accuracy after each epoch."""
    import torch

    from builders.engine.kits import get_kit
    from builders.flops import count_flops, count_params

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = get_kit(recipe.space).standalone(arch, recipe.channels, recipe.cells_per_stage)
    opt = torch.optim.SGD(model.parameters(), lr=recipe.lr, momentum=recipe.momentum, nesterov=recipe.nesterov,
                          weight_decay=recipe.weight_decay)
    steps_per_epoch = len(train) // recipe.batch_size
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=recipe.epochs * steps_per_epoch)
    t0 = time.perf_counter()
    curve = []
    for _ in range(recipe.epochs):
        model.train()
        order = rng.permutation(len(train))
        for b in range(steps_per_epoch):
            idx = np.sort(order[b * recipe.batch_size : (b + 1) * recipe.batch_size])
            x = augment(to_tensor(train.x[idx]), rng, recipe.crop_padding, recipe.flip)
            loss = torch.nn.functional.cross_entropy(model(x), torch.from_numpy(train.y[idx]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        curve.append(evaluate(model, valid))
    return {"arch": arch, "seed": seed, "valid_acc": curve[-1], "curve": curve,
            "train_seconds": time.perf_counter() - t0, "params": count_params(model),
            "flops": count_flops(model, (3, recipe.resolution, recipe.resolution)), "recipe": asdict(recipe)}


def run(archs: list[str], seeds: list[int], recipe: Recipe, data_dir: str | Path, work: str | Path,
        shard: tuple[int, int] = (0, 1), progress: bool = True) -> list[Path]:
    """Train every (arch, seed) of this shard that has no result file yet; return the files written."""
    import torch

    torch.set_num_threads(1)  # two 1-thread processes beat one 2-thread process here
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    i, n = shard
    mine = [a for k, a in enumerate(archs) if k % n == i]
    lm = recipe.space == "darts-rnn"
    wanted = json.dumps(as_recipe_dict(recipe), sort_keys=True)

    def done(a: str, s: int) -> bool:  # a result of exactly this recipe (an LM run of fewer epochs is extended)
        f = work / result_name(a, s)
        return f.exists() and (not lm or json.dumps(json.loads(f.read_text())["recipe"], sort_keys=True) == wanted)

    todo = [(a, s) for a in mine for s in seeds if not done(a, s)]
    if not todo:
        return []
    prepare, train_fn = prepare_data, train_one
    if lm:
        from builders.scratch.lm import prepare
        from builders.scratch.lm import train_one as train_fn
    train, valid = prepare(data_dir, recipe)
    written = []
    t0 = time.perf_counter()
    for k, (a, s) in enumerate(todo, start=1):
        if lm:  # checkpointed: a longer schedule later continues this run instead of repeating it
            res = train_fn(a, s, recipe, train, valid, checkpoint=work / (result_name(a, s)[:-5] + ".ckpt"))
        else:
            res = train_fn(a, s, recipe, train, valid)
        path = work / result_name(a, s)
        atomic_json(path, res)
        written.append(path)
        if progress:
            eta = (time.perf_counter() - t0) / k * (len(todo) - k)
            print(f"[shard {i}/{n}] {k}/{len(todo)} seed {s} score {res.get('score', res.get('valid_acc')):.2f} "
                  f"({res['train_seconds']:.0f} s) ETA {eta / 60:.1f} min", flush=True)
    return written


def as_recipe_dict(recipe: Any) -> dict[str, Any]:
    """The recipe as its result files record it."""
    if getattr(recipe, "space", None) == "darts-rnn":
        from builders.scratch.lm import as_dict

        return as_dict(recipe)
    return asdict(recipe)


def collect(work: str | Path, archs: list[str] | None = None) -> GroundTruth:
    """All results in ``work`` (optionally only ``archs``) as a GroundTruth with the recipe as its source."""
    runs: dict[str, dict[int, float]] = {}
    recipes, seconds, params, flops, metrics = set(), [], {}, {}, set()
    wanted = set(archs) if archs is not None else None
    for f in sorted(Path(work).glob("*.json")):
        r = json.loads(f.read_text())
        if wanted is not None and r["arch"] not in wanted:
            continue
        runs.setdefault(r["arch"], {})[int(r["seed"])] = float(r.get("score", r.get("valid_acc")))
        metrics.add(r.get("metric", "accuracy"))
        recipes.add(json.dumps(r["recipe"], sort_keys=True))
        seconds.append(r["train_seconds"])
        params[r["arch"]], flops[r["arch"]] = float(r["params"]), float(r["flops"])
    if len(recipes) > 1:
        from wsbench.errors import OptionError

        raise OptionError(f"{work} mixes results of {len(recipes)} different recipes; use one work folder per recipe")
    recipe = json.loads(recipes.pop()) if recipes else {}
    metric = metrics.pop() if len(metrics) == 1 else "accuracy"
    data = ("Penn Treebank; GT = perplexity on ptb.valid.txt tokens" if metric == "perplexity" else
            "CIFAR-10 official binary layout; GT = accuracy on the held-out part of the training set")
    source = {"kind": "trained from scratch (wsbench builders.scratch.train)", "recipe": recipe, "data": data,
              "runs": len(seconds), "mean_train_seconds": float(np.mean(seconds)) if seconds else None}
    return GroundTruth.from_runs(recipe.get("space", "nb201"), runs, source, params, flops, metric=metric,
                                 sizes_scale=str(recipe.get("name", "unknown")))  # sizes of the trained network


def recipe_for(preset: str, space: str = "nb201", **overrides: Any):
    """The GT recipe of ``preset``; other spaces take the NB201 recipe's schedule and data scale with the
    network scale (channels, cells, resolution) of their own supernet preset of that name."""
    from wsbench.errors import UnknownNameError

    if space == "darts-rnn":
        from builders.scratch.lm import recipe_for as lm_recipe

        return lm_recipe(preset, **overrides)
    if preset not in PRESETS:
        raise UnknownNameError("ground-truth preset", preset, PRESETS)
    base = PRESETS[preset]
    if space != "nb201":
        from builders.engine.kits import get_kit

        net = get_kit(space).preset(preset)
        base = replace(base, space=space, channels=net.channels, cells_per_stage=net.cells_per_stage,
                       resolution=net.resolution)
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})
