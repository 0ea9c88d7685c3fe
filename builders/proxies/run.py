"""Zero-cost proxies for every subnet of a store: one JSON result per architecture (resumable, shardable), then
``proxy_<name>`` variables written into the store with how they were computed.

Every subnet gets the same batch (the first ``batch`` images of a seeded
permutation of the CIFAR-10 training set, normalised, no augmentation) and a
network initialised from ``torch.manual_seed(seed)`` with the builder's
default initialisation, so the proxies differ only by architecture.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from builders.proxies.measures import PROXIES
from builders.scratch.train import atomic_json
from wsbench.errors import OptionError, UnknownNameError


def check_names(names: list[str]) -> list[str]:
    if not names:
        raise OptionError(f"--names is empty; choose from {', '.join(PROXIES)}")
    for n in names:
        if n not in PROXIES:
            raise UnknownNameError("zero-cost proxy", n, list(PROXIES))
    if len(set(names)) != len(names):
        raise OptionError(f"--names lists a proxy twice: {names}")
    return names


def result_name(arch: str) -> str:
    return hashlib.md5(arch.encode()).hexdigest()[:16] + ".json"


def network_factory(space: str, preset: str):
    """(arch string -> fresh nn.Module, input resolution, scale description) at ``preset``'s scale."""
    from builders.engine.kits import get_kit

    kit = get_kit(space)
    if preset == "paper":  # the networks parse the arch string themselves, as everywhere in the builders
        return ((lambda a: kit.paper_standalone(a)), kit.paper_input,
                f"paper: the network of {kit.citation}, {kit.paper_input}x{kit.paper_input} input")
    p = kit.preset(preset)
    return ((lambda a: kit.standalone(a, p.channels, p.cells_per_stage)), p.resolution,
            f"channels {p.channels}, cells per stage {p.cells_per_stage}, {p.resolution}x{p.resolution} input")


def batch_of(data_dir: str | Path, batch: int, seed: int, resolution: int):
    """The proxies' batch: ``batch`` training images of a seeded permutation, normalised as the builders train."""
    import torch

    from builders.core.images import to_tensor
    from builders.data.cifar10 import downsample, load_cifar10

    train, _ = load_cifar10(data_dir)
    if resolution != 32:
        train = downsample(train, resolution)
    idx = np.random.default_rng(seed).permutation(len(train))[:batch]
    return to_tensor(train.x[idx]), torch.from_numpy(train.y[idx])


def run(archs: list[str], space: str, preset: str, names: list[str], data_dir: str | Path, work: str | Path,
        batch: int = 64, seed: int = 0, shard: tuple[int, int] = (0, 1), progress: bool = True) -> list[Path]:
    """Compute ``names`` for every architecture of this shard that has no result yet; return the files written."""
    import torch

    from builders.data.cifar10 import fingerprint
    from builders.proxies.measures import compute

    torch.set_num_threads(1)  # one 1-thread process per shard beats threads here
    check_names(names)
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    i, n = shard
    todo = [a for k, a in enumerate(archs) if k % n == i and not (work / result_name(a)).exists()]
    if not todo:
        return []
    make, resolution, scale = network_factory(space, preset)
    x, y = batch_of(data_dir, batch, seed, resolution)
    setup = {"space": space, "preset": preset, "scale": scale, "batch": batch, "seed": seed,
             "resolution": resolution, "data": {"name": "CIFAR-10 training images (first `batch` of a seeded permutation), "
             "normalised, no augmentation", "sha256": fingerprint(data_dir)}, "torch": torch.__version__}
    written, t0 = [], time.perf_counter()
    for k, arch in enumerate(todo, start=1):
        torch.manual_seed(seed)
        net = make(arch)
        values, reasons, seconds = {}, {}, {}
        for name in names:
            t = time.perf_counter()
            values[name], reasons[name] = compute(name, net, x, y)
            seconds[name] = time.perf_counter() - t
        path = work / result_name(arch)
        atomic_json(path, {"arch": arch, "setup": setup, "values": values, "reasons": reasons, "seconds": seconds})
        written.append(path)
        if progress:
            eta = (time.perf_counter() - t0) / k * (len(todo) - k)
            print(f"[proxies {i}/{n}] {k}/{len(todo)} {sum(seconds.values()):.1f} s ETA {eta / 60:.1f} min", flush=True)
    return written


def collect(work: str | Path, archs: list[str]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Per proxy, the values aligned with ``archs`` (NaN where undefined or not computed) and the attributes that
    say how they were computed; every result must come from one setup."""
    from builders.proxies import measures

    results = {}
    for f in Path(work).glob("*.json"):
        r = json.loads(f.read_text())
        results[r["arch"]] = r
    setups = {json.dumps(r["setup"], sort_keys=True) for r in results.values()}
    if len(setups) > 1:
        raise OptionError(f"{work} mixes results of {len(setups)} different setups; use one work folder per setup")
    if not results:
        raise OptionError(f"{work} holds no proxy results; run `python -m builders proxies` first")
    setup = json.loads(setups.pop())
    names = sorted({n for r in results.values() for n in r["values"]})
    values, attrs = {}, {}
    for name in names:
        vals = np.array([results[a]["values"].get(name, np.nan) if a in results else np.nan for a in archs],
                        dtype=float)
        reasons: dict[str, int] = {}
        for a in archs:
            why = results.get(a, {}).get("reasons", {}).get(name)
            if why:
                reasons[why] = reasons.get(why, 0) + 1
        secs = [r["seconds"][name] for r in results.values() if name in r["seconds"]]
        values[name] = vals
        attrs[name] = {"variable": f"proxy_{name}", "source": "computed by wsbench builders.proxies",
                       "definition": measures.DEFINITIONS[name], "larger_is_better": True, **setup,
                       "computed": int(np.isfinite(vals).sum()), "undefined": reasons,
                       "missing": int(sum(a not in results for a in archs)),
                       "seconds_per_subnet_mean": float(np.mean(secs)) if secs else None}
    return values, attrs


def write(store: str | Path, work: str | Path, replace: bool = False) -> dict[str, Any]:
    """Write every proxy in ``work`` into ``store`` as ``proxy_<name>`` and record its attributes; re-finalize."""
    from wsbench.store import StoreWriter

    w = StoreWriter.resume(store)
    values, attrs = collect(work, w.arch_strings())
    described = dict(w.group.attrs.get("proxies", {}))
    for name in values:
        old = described.get(name, {})
        if old and old.get("source") != attrs[name]["source"] and not replace:
            raise OptionError(f"{store} already holds proxy_{name} from {old.get('source')!r}; pass --replace to "
                              "overwrite it with the computed one")
    for name, vals in values.items():
        w.ensure_arch_variable(f"proxy_{name}")
        w.write_arch_values(f"proxy_{name}", vals)
        described[name] = attrs[name]
    w.update_attrs(proxies=described)
    w.finalize()
    return {"store": str(store), "proxies": {n: {k: attrs[n][k] for k in ("computed", "undefined", "missing")}
                                             for n in values}}
