"""Builds that outlive their machine: one compressed file per seed that a fresh clone resumes from exactly.

A long build keeps its store and checkpoints outside the work tree while it
runs. When work stops, ``save`` writes, per seed, the latest checkpoint
(supernet, optimiser, schedule, sampler / data-order / torch RNG states) and
that seed's scores so far into ``<dir>/seed<S>.pt.gz`` (overwritten; written
atomically), keyed by the store's architecture list and recipe. On a fresh
machine: recreate the store with the same build command and ``--create-only``,
``restore`` the files into it and into the checkpoint folder, rerun the build.
Restoring refuses another store (architectures), another recipe, or a region
the store already holds with other numbers, and never moves a checkpoint back
in time: nothing is overwritten by something older or foreign.

The file also carries what the fine-tuned protocol needs and has done for that
seed, so a fresh clone loses none of it: the supernets a build kept
(``--keep-checkpoints``: ``seed<S>.epoch<E>.ckpt``), every finished fine-tuned
region (``finetune_score`` / ``finetune_loss`` of (seed, epoch) and the store's
protocol) and a fine-tune's progress file if one was stopped part-way. A latest
checkpoint identical to a kept one (a build that keeps its last epoch) is carried
once, by name (one checkpoint fewer in the file: what keeps a mini build with five
kept supernets under the 5 MB a committed file may take).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import numpy as np

from builders.engine.checkpoint import same_recipe
from wsbench.errors import OptionError

FORMAT = "wsbench-build-carry/1"
_NAME = re.compile(r"^seed(-?\d+)\.pt\.gz$")


def _work_files(work: Path, seed: int) -> list[Path]:
    """The seed's files a fine-tune needs besides its latest checkpoint: kept supernets and progress files."""
    return sorted([*work.glob(f"seed{seed}.epoch*.ckpt"), *work.glob(f"finetune-seed{seed}-epoch*.npz")])


def _finetuned(writer, i: int, seed: int) -> dict[str, Any] | None:
    """The seed's finished fine-tuned regions and the protocol that made them (None when it has none)."""
    proto = writer.group.attrs.get("finetune")
    if not isinstance(proto, dict) or "finetune_score" not in writer.group:
        return None
    epochs = writer.group["epoch"][:].tolist()
    regions = {int(e): {"score": writer.group["finetune_score"][i, epochs.index(e)].copy(),
                        "loss": writer.group["finetune_loss"][i, epochs.index(e)].copy()}
               for s, e in proto.get("regions", []) if s == seed}
    if not regions:
        return None
    return {"protocol": {k: v for k, v in proto.items() if k != "regions"}, "regions": regions}


def _identity(writer) -> dict[str, Any]:
    """What a carried seed must match: the store's architectures and recipe."""
    archs = "\n".join(writer.arch_strings()).encode()
    return {"archs_sha256": hashlib.sha256(archs).hexdigest(),
            "supernet_recipe": dict(writer.group.attrs.get("supernet_recipe", {})),
            "space": writer.group.attrs.get("space")}


def save(store: str | Path, work: str | Path, to: str | Path) -> list[Path]:
    """Write ``<to>/seed<S>.pt.gz`` for every seed with a checkpoint in ``work``; returns the files written."""
    import torch

    from builders.engine import checkpoint
    from wsbench.atomic import write_atomic
    from wsbench.store import StoreWriter

    writer = StoreWriter.resume(store)
    ident = _identity(writer)
    seeds = writer.group["seed"][:].tolist()
    epochs = writer.group["epoch"][:].tolist()
    score, loss = writer.group["supernet_score"][:], (writer.group["supernet_loss"][:]
                                                       if "supernet_loss" in writer.group else None)
    out_dir = Path(to)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i, seed in enumerate(seeds):
        state = checkpoint.read(Path(work) / f"seed{seed}.ckpt")
        if state is None:
            continue
        scored = {int(e): {"score": score[i, j].copy(), "loss": None if loss is None else loss[i, j].copy()}
                  for j, e in enumerate(epochs) if not np.all(np.isnan(score[i, j]))}
        files = {p.name: p.read_bytes() for p in _work_files(Path(work), seed)}
        # a build that keeps its last epoch's supernet has two byte-identical files: carry it once, by name
        latest = (Path(work) / f"seed{seed}.ckpt").read_bytes()
        same = next((name for name, data in files.items() if name.endswith(".ckpt") and data == latest), None)
        buf = io.BytesIO()
        torch.save({"format": FORMAT, "seed": seed, **ident, "checkpoint": None if same else state,
                    "checkpoint_file": same, "scored": scored, "files": files,
                    "finetune": _finetuned(writer, i, seed)}, buf)
        path = out_dir / f"seed{seed}.pt.gz"
        write_atomic(path, gzip.compress(buf.getvalue(), compresslevel=6, mtime=0))
        written.append(path)
    return written


def restore(store: str | Path, work: str | Path, src: str | Path) -> dict[int, int]:
    """Put every ``<src>/seed<S>.pt.gz`` back: scores into the store, checkpoint into ``work``.

    Returns {seed: epoch of the restored checkpoint}. Everything is checked before anything is written.
    """
    import torch

    from wsbench.atomic import write_atomic
    from wsbench.store import StoreWriter

    writer = StoreWriter.resume(store)
    ident = _identity(writer)
    files = sorted(p for p in Path(src).iterdir() if _NAME.match(p.name)) if Path(src).is_dir() else []
    if not files:
        raise OptionError(f"{src}: no seed<S>.pt.gz files to restore (expected the folder `checkpoint save` wrote)")
    plans = []
    for path in files:
        try:
            blob = torch.load(io.BytesIO(gzip.decompress(path.read_bytes())), map_location="cpu", weights_only=False)
        except Exception as e:
            raise OptionError(f"{path} cannot be read ({type(e).__name__}: {str(e)[:80]}); nothing was restored. "
                              "Fetch it again (git checkout the file) or drop it to restart that seed") from None
        if not isinstance(blob, dict) or blob.get("format") != FORMAT:
            raise OptionError(f"{path} is not a carried build checkpoint ({FORMAT}); nothing was restored")
        _resolve_checkpoint(blob, path)
        for key in ("space", "archs_sha256", "supernet_recipe"):
            if not (same_recipe(blob[key], ident[key]) if key == "supernet_recipe" else blob[key] == ident[key]):
                what = {"space": "space", "archs_sha256": "architecture list",
                        "supernet_recipe": "recipe"}[key]
                raise OptionError(f"{path} belongs to another {what} than {store} (carried: {str(blob[key])[:200]}; "
                                  f"store: {str(ident[key])[:200]}); recreate the store with the build's original "
                                  "command and --create-only, then restore. Nothing was restored")
        seed = blob["seed"]
        i = writer._index("seed", seed)
        for epoch, arrays in blob["scored"].items():
            j = writer._index("epoch", epoch)
            have = writer.group["supernet_score"][i, j]
            if not np.all(np.isnan(have)) and not np.array_equal(have, arrays["score"], equal_nan=True):
                raise OptionError(f"{store} already holds other scores for seed {seed}, epoch {epoch} than {path}; "
                                  "nothing was restored")
        ckpt = Path(work) / f"seed{seed}.ckpt"
        if ckpt.is_file():
            from builders.engine import checkpoint

            current = checkpoint.read(ckpt)["epoch"]
            if current > blob["checkpoint"]["epoch"]:
                raise OptionError(f"{ckpt} is at epoch {current}, later than {path} (epoch "
                                  f"{blob['checkpoint']['epoch']}); keeping it. Nothing was restored")
        _check_extras(writer, store, work, path, seed, blob)
        plans.append((seed, blob, ckpt))
    restored = {}
    for seed, blob, ckpt in plans:
        for epoch, arrays in blob["scored"].items():
            writer.write_supernet(seed, epoch, arrays["score"],
                                  loss=arrays["loss"] if "supernet_loss" in writer.group else None)
        data = blob.get("checkpoint_bytes")
        if data is None:
            buf = io.BytesIO()
            torch.save(blob["checkpoint"], buf)
            data = buf.getvalue()
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(ckpt, data)
        for name, data in (blob.get("files") or {}).items():
            if not (Path(work) / name).exists():  # a local progress file is at least as far along: kept
                write_atomic(Path(work) / name, data)
        tuned = blob.get("finetune")
        if tuned:
            from builders.engine.finetune import record_protocol, write_region

            record_protocol(store, {k: v for k, v in tuned["protocol"].items() if k != "lr_at_epoch"})
            for epoch, arrays in tuned["regions"].items():
                lr = (tuned["protocol"].get("lr_at_epoch") or {}).get(str(epoch), tuned["protocol"].get("lr"))
                write_region(store, seed, epoch, arrays["score"], arrays["loss"], lr)
        restored[seed] = int(blob["checkpoint"]["epoch"])
    return restored


def _resolve_checkpoint(blob: dict[str, Any], path: Path) -> None:
    """Fill in the latest checkpoint of a file that carries it by name (the kept supernet it is identical to)."""
    import torch

    name = blob.get("checkpoint_file")
    if name is None:
        return
    data = (blob.get("files") or {}).get(name)
    if data is None:
        raise OptionError(f"{path} names {name!r} as its latest checkpoint but does not carry it; the file is "
                          "damaged. Fetch it again (git checkout the file); nothing was restored")
    blob["checkpoint"] = torch.load(io.BytesIO(data), map_location="cpu", weights_only=False)
    blob["checkpoint_bytes"] = data


def _check_extras(writer, store, work, path: Path, seed: int, blob: dict[str, Any]) -> None:
    """Refuse (before anything is written) a carried kept supernet that differs from the one in ``work``, and
    fine-tuned scores of another protocol or other numbers than the store's."""
    from builders.engine.finetune import protocol_diff

    for name, data in (blob.get("files") or {}).items():
        if not re.fullmatch(rf"(seed{seed}\.epoch\d+\.ckpt|finetune-seed{seed}-epoch\d+\.npz)", name):
            raise OptionError(f"{path} carries a file {name!r} that is not seed {seed}'s; nothing was restored")
        here = Path(work) / name
        if name.endswith(".ckpt") and here.is_file() and here.read_bytes() != data:
            raise OptionError(f"{here} differs from the kept supernet {path} carries; a kept checkpoint never "
                              "changes, so one of them is another build's. Nothing was restored")
    tuned = blob.get("finetune")
    if not tuned:
        return
    have = writer.group.attrs.get("finetune")
    if isinstance(have, dict):
        diff = protocol_diff(have, tuned["protocol"])
        if diff:
            raise OptionError(f"{path} carries fine-tuned scores of another protocol than {store} holds; (store, "
                              f"carried): {str(diff)[:300]}. Nothing was restored")
    if "finetune_score" in writer.group:
        i, epochs = writer._index("seed", seed), writer.group["epoch"][:].tolist()
        for epoch, arrays in tuned["regions"].items():
            cur = writer.group["finetune_score"][i, epochs.index(epoch)]
            if np.isfinite(cur).any() and not np.array_equal(cur, arrays["score"], equal_nan=True):
                raise OptionError(f"{store} already holds other fine-tuned scores for seed {seed}, epoch {epoch} "
                                  f"than {path}; nothing was restored")
