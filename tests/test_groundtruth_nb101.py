"""NAS-Bench-101 importer on tiny TFRecord files written here in the exact on-disk format."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.nb101 import load_nb101
from builders.groundtruth.tfrecord import crc32c, masked_crc, parse_message
from wsbench.errors import UnknownNameError
from wsbench.spaces import get_space

NB101 = get_space("nb101")


def test_crc32c_check_value():
    assert crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _double(field: int, x: float) -> bytes:
    return _varint(field << 3 | 1) + struct.pack("<d", x)


def _message(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def metrics_blob(valid: float, test: float, params: int) -> str:
    evals = b""
    for epoch, (v, t) in enumerate([(0.1, 0.1), (valid / 2, test / 2), (valid, test)]):
        ed = _double(1, float(epoch)) + _double(2, 100.0 * epoch) + _double(4, v) + _double(5, t)
        evals += _message(1, ed)
    msg = evals + _varint(2 << 3 | 0) + _varint(params) + _double(3, 1234.5)
    return base64.b64encode(msg).decode()


def record(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc(length)) + data + struct.pack("<I", masked_crc(data))


SPECS = [
    {"matrix": [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
     "ops": ["input", "conv3x3-bn-relu", "maxpool3x3", "output"]},
    {"matrix": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv1x1-bn-relu", "output"]},
]


def write_tfrecord(path: Path, wrong_hash: bool = False) -> Path:
    rows = []
    for i, spec in enumerate(SPECS):
        h = NB101.hash(spec) if not wrong_hash else "0" * 32
        adjacency = "".join(str(x) for row in spec["matrix"] for x in row)
        for rep in range(3):
            rows.append([h, 108, adjacency, ",".join(spec["ops"]), metrics_blob(0.9 - i / 10 + rep / 100, 0.8 + rep / 100, 1000 + i)])
        rows.append([h, 4, adjacency, ",".join(spec["ops"]), metrics_blob(0.5, 0.4, 1000 + i)])
    path.write_bytes(b"".join(record(json.dumps(r).encode()) for r in rows))
    return path


def test_nb101_tiny_file_aligned_by_canonical_graph(tmp_path):
    f = write_tfrecord(tmp_path / "nasbench_tiny.tfrecord")
    gt = load_nb101(f, epochs=108, split="validation", verify_crc=True)
    assert gt.seeds == [0, 1, 2] and len(gt) == 2
    a0 = NB101.canonicalize(SPECS[0])
    assert gt.scores[a0] == pytest.approx([90.0, 91.0, 92.0])
    assert gt.params[a0] == 1000
    test4 = load_nb101(f, epochs=4, split="test")
    assert test4.scores[NB101.canonicalize(SPECS[1])].tolist()[:1] == pytest.approx([40.0])
    noise = gt.noise()
    assert noise["kendall_tau_between_gt_seeds"] is None or np.isfinite(noise["kendall_tau_between_gt_seeds"])


def test_nb101_errors_name_file_and_field(tmp_path):
    f = write_tfrecord(tmp_path / "t.tfrecord")
    with pytest.raises(UnknownNameError, match="budget"):
        load_nb101(f, epochs=200, split="test")
    with pytest.raises(SourceFormatError, match="no rows with epochs=36; budgets in the file: \\[4, 108\\]"):
        load_nb101(f, epochs=36, split="test")
    cut = tmp_path / "cut.tfrecord"
    cut.write_bytes(f.read_bytes()[:-7])
    with pytest.raises(SourceFormatError, match="cut.tfrecord: record 7: file ends inside the record"):
        load_nb101(cut, epochs=108, split="test")
    bad = write_tfrecord(tmp_path / "h.tfrecord", wrong_hash=True)
    with pytest.raises(SourceFormatError, match="record 0: module_hash 0{32} differs"):
        load_nb101(bad, epochs=108, split="test")
    junk = tmp_path / "junk.tfrecord"
    junk.write_bytes(b"x" * 40)
    with pytest.raises(SourceFormatError, match="length CRC mismatch"):
        load_nb101(junk, epochs=108, split="test")


def test_protobuf_reader_rejects_truncation():
    msg = base64.b64decode(metrics_blob(0.9, 0.8, 5))
    assert 2 in parse_message(msg)
    with pytest.raises(SourceFormatError):
        parse_message(msg[:-3])


def test_published_file_name_with_wrong_content_is_refused(tmp_path):
    f = write_tfrecord(tmp_path / "nasbench_only108.tfrecord")
    with pytest.raises(SourceFormatError, match="sha256 expected 4c39c393.* \\(published\\) but got"):
        load_nb101(f, epochs=108, split="test")
