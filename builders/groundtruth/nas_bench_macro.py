"""NAS-Bench-Macro (Su et al., CVPR 2021): ``nas-bench-macro_cifar10.json`` of xiusu/NAS-Bench-Macro.

Layout: ``{"02012100": {"test_acc": [a, b, c], "mean_acc", "std", "params", "flops"}, ...}``, one key per
encoding (6,561). ``test_acc`` holds three independent trainings (50 epochs, CIFAR-10; NAS-Bench-Macro's
``train.py`` keeps each run's best test accuracy over its epochs). Encodings of one network (``wsbench.spaces.macro``)
must carry identical records; that is checked, so the 6,561 keys become 3,969 architectures with three GT
seeds each (gt_seed = run index 0, 1, 2). The file's sizes are only checked for consistency, never written: the
builder's ``params_paper`` equals the file's ``params`` for all 6,561 encodings (tests/test_macro_torch.py).
"""

from __future__ import annotations

from pathlib import Path

from builders.groundtruth.errors import SourceFormatError, read_json
from builders.groundtruth.record import GroundTruth, sha256_file
from wsbench.errors import InvalidArchError


def load_nas_bench_macro(path: str | Path) -> GroundTruth:
    from wsbench.spaces import get_space

    path = Path(path)
    data = read_json(path, "NAS-Bench-Macro's nas-bench-macro_cifar10.json")
    if not isinstance(data, dict) or not data:
        raise SourceFormatError(f"{path}: expected {{encoding: record}}, got {type(data).__name__}")
    space = get_space("macro")
    runs: dict[str, dict[int, float]] = {}
    params: dict[str, float] = {}
    flops: dict[str, float] = {}
    first_key: dict[str, str] = {}
    for pos, (key, rec) in enumerate(data.items()):
        where = f"{path} record {pos} ({key!r})"
        try:
            arch = space.canonicalize(key)
            accs = [float(a) for a in rec["test_acc"]]
            size, mults = float(rec["params"]), float(rec["flops"])
        except (TypeError, ValueError, KeyError, InvalidArchError) as e:
            raise SourceFormatError(f"{where}: not a NAS-Bench-Macro record (test_acc, params, flops): {e}") from None
        if len(accs) != 3:
            raise SourceFormatError(f"{where}: expected 3 trainings in test_acc, got {len(accs)}")
        row = dict(enumerate(accs))
        if arch in runs:
            if runs[arch] != row or params[arch] != size or flops[arch] != mults:
                raise SourceFormatError(f"{where}: the same network as {first_key[arch]!r} (canonical {arch}) "
                                        f"but a different record; the file is not NAS-Bench-Macro's")
            continue
        runs[arch], params[arch], flops[arch], first_key[arch] = row, size, mults, key
    source = {"kind": "NAS-Bench-Macro, CIFAR-10 test accuracy (best over 50 epochs) of 3 independent trainings",
              "file": path.name, "sha256": sha256_file(path), "encodings": len(data), "networks": len(runs),
              "origin": "xiusu/NAS-Bench-Macro data/nas-bench-macro_cifar10.json (Apache-2.0)",
              "sizes": "not used: the builder's params_paper equals the file's params for every encoding; its "
                       "flops_paper is the file's flops + 10 (the classifier's bias adds, which the file omits)"}
    return GroundTruth.from_runs("macro", runs, source)
