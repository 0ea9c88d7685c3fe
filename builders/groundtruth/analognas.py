"""AnalogNAS-Bench: CIFAR-10 results of all 15,625 NAS-Bench-201 architectures.

The PyPI wheel ``analog-nasbench`` carries ``analognasbench/data.anb``: a
pickle of ``{key: analognasbench.data.Architecture}``. Keys are 6-tuples of op
indices in edge order (0->1, 0->2, 0->3, 1->2, 1->3, 2->3) with ops in NASLib's
order (0 skip_connect, 1 none, 2 nor_conv_3x3, 3 nor_conv_1x1, 4 avg_pool_3x3),
not NB201's string order (1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2). We read the
file from the wheel (or on its own) through the allow-listed unpickler; the
package itself is never imported. ``baseline_accuracy`` is the accuracy after
standard (digital) training, the ground truth we use.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.record import GroundTruth, sha256_file
from builders.groundtruth.unpickle import safe_loads

#: NASLib op index -> NB201 op name
NASLIB_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
#: AnalogNAS edge order (from, to)
ANALOG_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
MEMBER = "analognasbench/data.anb"
STAND_INS = {("analognasbench.data", "Architecture"): "Architecture",
             ("analognasbench.data", "DriftMeasurement"): "DriftMeasurement"}


def key_to_nb201(key: tuple[int, ...]) -> str:
    """AnalogNAS key -> canonical NB201 string."""
    from wsbench.spaces import get_space

    if len(key) != 6 or not all(isinstance(k, int) and 0 <= k < 5 for k in key):
        raise SourceFormatError(f"AnalogNAS key {key!r} is not 6 op indices in 0..4")
    by_edge = {edge: NASLIB_OPS[k] for edge, k in zip(ANALOG_EDGES, key)}
    space = get_space("nb201")
    names = [by_edge[(j, i)] for i, j in space.edges]  # NB201 edges are (to, from)
    return space.canonicalize(tuple(space.ops.index(n) for n in names))


def read_anb_bytes(path: str | Path) -> tuple[bytes, str]:
    """The pickle bytes from the wheel (``*.whl``) or a bare ``data.anb``, and a label for messages."""
    path = Path(path)
    if not path.is_file():
        raise SourceFormatError(f"{path}: no such file; get it with `pip download --no-deps analog-nasbench`")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            if MEMBER not in z.namelist():
                raise SourceFormatError(f"{path}: the wheel has no {MEMBER}")
            data = z.read(MEMBER)
            _check_record(z, data, path)
            return data, f"{path}!{MEMBER}"
    return path.read_bytes(), str(path)


def _check_record(z: zipfile.ZipFile, data: bytes, path: Path) -> None:
    """Compare the member with the sha256 the wheel's RECORD publishes for it (when the wheel has one)."""
    import base64
    import hashlib

    records = [n for n in z.namelist() if n.endswith(".dist-info/RECORD")]
    for line in z.read(records[0]).decode().splitlines() if records else []:
        name, _, rest = line.partition(",")
        if name == MEMBER and rest.startswith("sha256="):
            want = rest[len("sha256="):].split(",")[0]
            got = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            if got != want:
                raise SourceFormatError(f"{path}: {MEMBER} sha256 {got} differs from the wheel's RECORD ({want}); "
                                        "the wheel is corrupted or was altered")


def load_analognas(path: str | Path, *, field: str = "baseline_accuracy") -> GroundTruth:
    """CIFAR-10 ``field`` (default: baseline accuracy, %) of every architecture in the file."""
    data, label = read_anb_bytes(path)
    table = safe_loads(data, label, STAND_INS)
    if not isinstance(table, dict) or not table:
        raise SourceFormatError(f"{label}: expected a non-empty dict of architectures, got {type(table).__name__}")
    scores: dict[str, np.ndarray] = {}
    for key, rec in table.items():
        attrs = vars(rec) if hasattr(rec, "__dict__") else {}
        if field not in attrs:
            raise SourceFormatError(f"{label}[{key!r}]: field {field!r} is missing (found {sorted(attrs)})")
        scores[key_to_nb201(tuple(key))] = np.array([float(attrs[field])])
    if len(scores) != len(table):
        raise SourceFormatError(f"{label}: two keys map to one NB201 architecture; the key mapping is wrong")
    source = {"kind": "AnalogNAS-Bench", "file": Path(path).name, "sha256": sha256_file(path), "field": field,
              "dataset": "CIFAR-10", "metric": f"{field} (%)",
              "notes": "one training run per architecture (no GT seeds); keys mapped from NASLib op/edge order",
              "license": "see the analog-nasbench package (PyPI)",
              "citation": "Benmeziane et al., AnalogNAS-Bench (2025); Dong & Yang, NAS-Bench-201, ICLR 2020"}
    return GroundTruth(space="nb201", metric="accuracy", seeds=[0], scores=scores, source=source)
