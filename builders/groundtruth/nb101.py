"""NAS-Bench-101 ``nasbench_only108.tfrecord`` / ``nasbench_full.tfrecord`` without TensorFlow.

Each record is the JSON row ``[module_hash, epochs, adjacency, operations,
metrics]``: ``adjacency`` is the flattened 0/1 matrix as a digit string,
``operations`` comma-separated, ``metrics`` a base64 ``ModelMetrics``
protobuf (``evaluation_data`` = [start, halfway, final], each with
``validation_accuracy`` / ``test_accuracy`` as fractions;
``trainable_parameters``). Every model was trained 3 times per budget: the
repeats become ``gt_seed`` 0, 1, 2. Rows are aligned by our canonical string,
and our NB101 hash is checked against the file's ``module_hash``.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path

import numpy as np

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.record import GroundTruth, sha256_file
from builders.groundtruth.tfrecord import as_double, parse_message, read_records
from wsbench.errors import UnknownNameError

EPOCHS = (4, 12, 36, 108)
SPLITS = {"validation": 4, "test": 5}  # EvaluationData field numbers (model_metrics.proto)
#: published in NAS-Bench-101's README; checked when the file has its published name
PUBLISHED_SHA256 = {
    "nasbench_full.tfrecord": "3d64db8180fb1b0207212f9032205064312b6907a3bbc81eabea10db2f5c7e9c",
    "nasbench_only108.tfrecord": "4c39c3936e36a85269881d659e44e61a245babcb72cb374eacacf75d0e5f4fd1",
}


def load_nb101(path: str | Path, *, epochs: int, split: str, verify_crc: bool = False) -> GroundTruth:
    """Final ``split`` accuracy (%) after ``epochs`` epochs, per repeat, for every model in the file."""
    from wsbench.spaces import get_space

    if int(epochs) not in EPOCHS:
        raise UnknownNameError("NAS-Bench-101 training budget (epochs)", epochs, EPOCHS)
    if split not in SPLITS:
        raise UnknownNameError("NAS-Bench-101 split", split, SPLITS)
    space = get_space("nb101")
    path = Path(path)
    if not path.is_file():
        raise SourceFormatError(f"{path}: no such file (expected nasbench_only108.tfrecord or nasbench_full.tfrecord)")
    digest = sha256_file(path)
    if path.name in PUBLISHED_SHA256 and digest != PUBLISHED_SHA256[path.name]:
        raise SourceFormatError(f"{path}: sha256 expected {PUBLISHED_SHA256[path.name]} (published) but got {digest}; "
                                "the file is corrupted or not the published release")
    runs: dict[str, dict[int, float]] = {}
    params: dict[str, float] = {}
    budgets: set[int] = set()
    for n, data in enumerate(read_records(path, verify_data=verify_crc)):
        where = f"{path}: record {n}"
        try:
            module_hash, ep, adjacency, operations, metrics = json.loads(data.decode("utf-8"))
            dim = int(round(len(adjacency) ** 0.5))
            matrix = np.array([int(c) for c in adjacency], dtype=np.int8).reshape(dim, dim)
            blob = base64.b64decode(metrics, validate=True)
        except (ValueError, TypeError, binascii.Error) as e:
            raise SourceFormatError(f"{where}: not a NAS-Bench-101 row ({type(e).__name__}: {e})") from None
        budgets.add(int(ep))
        if int(ep) != int(epochs):
            continue
        spec = {"matrix": matrix.tolist(), "ops": operations.split(",")}
        canon = space.canonicalize(spec)
        if space.hash(canon) != module_hash:
            raise SourceFormatError(f"{where}: module_hash {module_hash} differs from the graph's NB101 hash "
                                    f"{space.hash(canon)}; file and hash function disagree")
        try:
            msg = parse_message(blob)
            evals = [parse_message(e) for e in msg[1]]
            final = evals[2]
            acc = as_double(final[SPLITS[split]][0]) * 100.0
        except (KeyError, IndexError) as e:
            raise SourceFormatError(f"{where}: metrics lack evaluation_data[2].{split}_accuracy ({e})") from None
        repeats = runs.setdefault(canon, {})
        repeats[len(repeats)] = acc  # the file has no seed: repeats are numbered in file order
        if 2 in msg:
            params[canon] = float(msg[2][0])
    if not runs:
        raise SourceFormatError(f"{path}: no rows with epochs={epochs}; budgets in the file: {sorted(budgets)}")
    repeats = max(len(v) for v in runs.values())
    source = {"kind": "NAS-Bench-101", "file": path.name, "sha256": digest,
              "sha256_published": PUBLISHED_SHA256.get(path.name), "epochs": int(epochs),
              "split": split, "metric": f"final {split} accuracy (%)", "repeats": repeats,
              "license": "Apache-2.0", "citation": "Ying et al., NAS-Bench-101, ICML 2019"}
    return GroundTruth.from_runs("nb101", runs, source, params)
