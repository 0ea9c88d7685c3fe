"""NATS-Bench topology space (= NAS-Bench-201 cells), fast-mode folders of ``*.pickle.pbz2``.

Layout (NATS-tss-v1_0-3ffb9-simple/): ``meta.pickle.pbz2`` holds ``meta_archs``
(the 15,625 NB201 strings in official index order); ``{index:06d}.pickle.pbz2``
holds one architecture: ``{hp: {"arch_str", "all_results", "dataset_seed", …}}``
with hp ``"12"`` or ``"200"`` (training epochs). ``all_results[(dataset, seed)]``
has ``eval_acc1es`` keyed ``"<split>@<epoch>"``, ``params`` (M) and ``flop`` (M).

Nothing is defaulted: the caller names dataset, split and budget. Notes from
the files: seeds are ints in ``dataset_seed`` but strings (``'0777'``) inside
results; 200-epoch records are sparse (not every architecture has every seed);
``cifar10`` has only ``ori-test`` (it trains on train+valid), ``cifar10-valid``
has ``x-valid`` and ``ori-test``, cifar100 / ImageNet16-120 have ``x-valid``,
``x-test`` (halves of the original test set) and ``ori-test``.
"""

from __future__ import annotations

import bz2
from pathlib import Path

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.record import GroundTruth, sha256_file
from builders.groundtruth.unpickle import safe_loads
from wsbench.errors import UnknownNameError

DATASETS = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")
BUDGETS = ("12", "200")
SPLITS = {"cifar10-valid": ("x-valid", "ori-test"), "cifar10": ("ori-test",),
          "cifar100": ("x-valid", "x-test", "ori-test"), "ImageNet16-120": ("x-valid", "x-test", "ori-test")}


def _load(path: Path) -> object:
    try:
        data = bz2.decompress(path.read_bytes())
    except (OSError, EOFError, ValueError) as e:
        raise SourceFormatError(f"{path}: not a complete bz2 file ({e}); re-download it") from None
    return safe_loads(data, str(path))


def _field(d: object, key: object, where: str) -> object:
    if not isinstance(d, dict) or key not in d:
        have = sorted(map(str, d)) if isinstance(d, dict) else type(d).__name__
        raise SourceFormatError(f"{where}: field {key!r} is missing (found {have})")
    return d[key]


def record_scores(rec: object, dataset: str, split: str, where: str) -> tuple[dict[int, float], float, float]:
    """Final-epoch ``split`` accuracy per seed of one architecture's record (NATS ``ArchResults`` state),
    plus its params and FLOPs (converted from millions)."""
    results = _field(rec, "all_results", where)
    seeds = _field(_field(rec, "dataset_seed", where), dataset, f"{where}.dataset_seed")
    scores: dict[int, float] = {}
    params = flops = float("nan")
    for seed in seeds:
        seed = int(seed)
        r = results.get((dataset, seed)) if isinstance(results, dict) else None
        if r is None:
            continue  # sparse records: this seed was not run for this architecture
        at = f"{where}.all_results[({dataset!r}, {seed})]"
        epochs = int(_field(r, "epochs", at))
        acc = _field(r, "eval_acc1es", at)
        key = f"{split}@{epochs - 1}"
        if key not in acc:
            names = sorted({k.split("@")[0] for k in acc})
            raise SourceFormatError(f"{at}.eval_acc1es: no {key!r}; splits present: {names}")
        scores[seed] = float(acc[key])
        params = float(_field(r, "params", at)) * 1e6
        flops = float(_field(r, "flop", at)) * 1e6
    return scores, params, flops


def check_options(benchmark: str, dataset: str, split: str, hp: object) -> str:
    """Refuse unknown dataset / split / budget names (listing the allowed ones); returns hp as a string."""
    if dataset not in DATASETS:
        raise UnknownNameError(f"{benchmark} dataset", dataset, DATASETS)
    if split not in SPLITS[dataset]:
        raise UnknownNameError(f"split of {dataset}", split, SPLITS[dataset])
    if str(hp) not in BUDGETS:
        raise UnknownNameError(f"{benchmark} budget hp (training epochs)", hp, BUDGETS)
    return str(hp)


def load_nats_tss(folder: str | Path, *, dataset: str, split: str, hp: str) -> GroundTruth:
    """Final-epoch top-1 accuracy on ``split`` for every architecture record in ``folder``, per seed."""
    from wsbench.spaces import get_space

    hp = check_options("NATS-Bench", dataset, split, hp)
    folder = Path(folder)
    meta_path = folder / "meta.pickle.pbz2"
    if not meta_path.is_file():
        raise SourceFormatError(f"{folder}: no meta.pickle.pbz2; expected a NATS-Bench fast-mode topology folder")
    meta = _load(meta_path)
    archs = _field(meta, "meta_archs", str(meta_path))
    space = get_space("nb201")
    files = sorted(p for p in folder.glob("*.pickle.pbz2") if p.name != meta_path.name)
    per_arch: dict[str, dict[int, float]] = {}
    params: dict[str, float] = {}
    flops: dict[str, float] = {}
    for path in files:
        try:
            index = int(path.name.split(".")[0])
        except ValueError:
            raise SourceFormatError(f"{path}: expected a file named <index>.pickle.pbz2") from None
        rec = _field(_load(path), hp, str(path))
        arch = str(_field(rec, "arch_str", f"{path}[{hp}]"))
        if index >= len(archs) or archs[index] != arch:
            raise SourceFormatError(f"{path}: arch_str {arch!r} is not meta_archs[{index}]; the folder is inconsistent")
        canon = space.canonicalize(arch)
        scores, p, f = record_scores(rec, dataset, split, f"{path}[{hp}]")
        if scores:
            per_arch[canon], params[canon], flops[canon] = scores, p, f
    source = {"kind": "NATS-Bench topology (fast mode)", "folder": str(folder), "dataset": dataset, "split": split,
              "hp": hp, "metric": "top-1 accuracy (%) at the final epoch", "records": len(files),
              "meta_sha256": sha256_file(meta_path), "license": "MIT",
              "citation": "Dong et al., NATS-Bench, TPAMI 2021; Dong & Yang, NAS-Bench-201, ICLR 2020"}
    return GroundTruth.from_runs("nb201", per_arch, source, params, flops)
