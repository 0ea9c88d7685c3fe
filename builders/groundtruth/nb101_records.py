"""NAS-Bench-101 raw records as NASLib keeps them in a pickle (its test asset ``nb101_dummy.pkl``).

Layout: ``{module_hash: (fixed, computed)}`` with ``fixed`` = ``{module_adjacency, module_operations,
trainable_parameters}`` and ``computed`` = ``{epochs: [run, run, run]}``, each run holding
``final_validation_accuracy`` / ``final_test_accuracy`` (fractions) among others: NAS-Bench-101's own three
training runs per cell, so this is where its seed-to-seed noise can be measured. Read only through the
allow-listed unpickler; our NB101 hash of each cell is checked against the record's key.
"""

from __future__ import annotations

from pathlib import Path

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.record import GroundTruth, sha256_file
from builders.groundtruth.unpickle import safe_loads
from wsbench.errors import InvalidArchError, UnknownNameError

FIELDS = {"validation": "final_validation_accuracy", "test": "final_test_accuracy"}


def load_nb101_records(path: str | Path, *, epochs: int, split: str) -> GroundTruth:
    """Final ``split`` accuracy (%) after ``epochs`` epochs of every run (gt_seed = run index 0, 1, 2)."""
    from wsbench.spaces import get_space

    if split not in FIELDS:
        raise UnknownNameError("NAS-Bench-101 split", split, FIELDS)
    path = Path(path)
    try:
        data = safe_loads(path.read_bytes(), path.name)
    except FileNotFoundError:
        raise SourceFormatError(f"{path}: no such file (expected NASLib's nb101_dummy.pkl)") from None
    if not isinstance(data, dict):
        raise SourceFormatError(f"{path}: expected {{module_hash: (fixed, computed)}}, got {type(data).__name__}")
    space = get_space("nb101")
    runs: dict[str, dict[int, float]] = {}
    params: dict[str, float] = {}
    for pos, (key, value) in enumerate(data.items()):
        where = f"{path} record {pos} ({key})"
        try:
            fixed, computed = value
            spec = {"matrix": [list(map(int, r)) for r in fixed["module_adjacency"]],
                    "ops": list(fixed["module_operations"])}
            arch = space.canonicalize(spec)
            reps = computed[int(epochs)]
        except (TypeError, ValueError, KeyError, InvalidArchError) as e:
            raise SourceFormatError(f"{where}: not a NAS-Bench-101 record with {epochs} epochs: {e}") from None
        if space.hash(spec) != key:
            raise SourceFormatError(f"{where}: our NB101 hash {space.hash(spec)} differs from the record's key")
        runs[arch] = {i: 100.0 * float(r[FIELDS[split]]) for i, r in enumerate(reps)}
        params[arch] = float(fixed["trainable_parameters"])
    source = {"kind": f"NAS-Bench-101 raw records, {epochs}-epoch final {split} accuracy, every training run",
              "file": path.name, "sha256": sha256_file(path), "epochs": int(epochs), "split": split,
              "origin": "automl/NASLib tests/assets/nb101_dummy.pkl (Apache-2.0)", "records": len(runs),
              "sizes": "params_paper = the records' trainable_parameters"}
    return GroundTruth.from_runs("nb101", runs, source, params)
