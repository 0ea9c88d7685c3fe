"""NAS-Bench-201 official ``.pth`` files (v1_0 ``NAS-Bench-201-v1_0-e61699.pth``, v1_1) without torch.

The file is ``torch.save`` of plain Python data: either the legacy format (a
sequence of pickles: magic number, protocol, system info, the object, storage
keys) or the zip format (``<name>/data.pkl``). The object is
``{"meta_archs": [...], "arch2infos": {index: {"less": ArchResults, "full":
ArchResults}}, ...}`` where ``less`` is the 12-epoch and ``full`` the
200-epoch schedule; each ``ArchResults`` state has the layout NATS-Bench
later kept (``all_results[(dataset, seed)]["eval_acc1es"]["<split>@<epoch>"]``).
Any tensor in the file is refused.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.nats import check_options, record_scores
from builders.groundtruth.record import GroundTruth, sha256_file
from builders.groundtruth.unpickle import safe_loads

TORCH_MAGIC = 0x1950A86A20F9469CFC6C
HP_KEYS = {"12": ("less", "12"), "200": ("full", "200")}


def read_torch_save(path: Path) -> object:
    """The object of a ``torch.save`` file that holds only plain data."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
            if not names:
                raise SourceFormatError(f"{path}: a zip without data.pkl; not a torch.save file")
            return safe_loads(z.read(names[0]), f"{path}!{names[0]}")
    data = path.read_bytes()
    magic, protocol, _sys_info, obj = safe_loads(data, str(path), count=4)
    if magic != TORCH_MAGIC:
        raise SourceFormatError(f"{path}: not a torch.save file (magic number {magic!r})")
    if protocol != 1001:
        raise SourceFormatError(f"{path}: unsupported torch.save protocol {protocol!r}")
    return obj


def load_nb201_pth(path: str | Path, *, dataset: str, split: str, hp: str) -> GroundTruth:
    """Final-epoch ``split`` accuracy per seed for every architecture of a NAS-Bench-201 ``.pth``."""
    from wsbench.spaces import get_space

    hp = check_options("NAS-Bench-201", dataset, split, hp)
    path = Path(path)
    if not path.is_file():
        raise SourceFormatError(f"{path}: no such file (expected NAS-Bench-201-v1_*.pth)")
    obj = read_torch_save(path)
    if not isinstance(obj, dict) or "meta_archs" not in obj or "arch2infos" not in obj:
        raise SourceFormatError(f"{path}: expected a dict with meta_archs and arch2infos")
    space = get_space("nb201")
    runs: dict[str, dict[int, float]] = {}
    params: dict[str, float] = {}
    flops: dict[str, float] = {}
    for index, infos in obj["arch2infos"].items():
        where = f"{path}: arch2infos[{index}]"
        key = next((k for k in HP_KEYS[str(hp)] if isinstance(infos, dict) and k in infos), None)
        if key is None:
            raise SourceFormatError(f"{where}: no {' or '.join(HP_KEYS[str(hp)])!r} results")
        rec = infos[key]
        arch = rec.get("arch_str") if isinstance(rec, dict) else None
        if arch is None or obj["meta_archs"][int(index)] != arch:
            raise SourceFormatError(f"{where}: arch_str {arch!r} differs from meta_archs[{index}]")
        canon = space.canonicalize(arch)
        scores, p, f = record_scores(rec, dataset, split, f"{where}[{key!r}]")
        if scores:
            runs[canon], params[canon], flops[canon] = scores, p, f
    source = {"kind": "NAS-Bench-201 .pth", "file": path.name, "sha256": sha256_file(path), "dataset": dataset,
              "split": split, "hp": str(hp), "metric": "top-1 accuracy (%) at the final epoch", "license": "MIT",
              "citation": "Dong & Yang, NAS-Bench-201, ICLR 2020"}
    return GroundTruth.from_runs("nb201", runs, source, params, flops)
