"""NAS-Bench-201 .pth importer on tiny torch.save files (legacy and zip layouts) written without torch."""

from __future__ import annotations

import io
import pickle
import zipfile

import pytest
from test_groundtruth_import import _nats_record

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.nb201_pth import TORCH_MAGIC, load_nb201_pth
from wsbench.spaces import get_space

NB201 = get_space("nb201")


def _payload(archs: list[str]) -> dict:
    infos = {}
    for i, a in enumerate(archs):
        infos[i] = {"less": _nats_record(i, a, {"cifar10-valid": [111]}, 50.0 + i, 12),
                    "full": _nats_record(i, a, {"cifar10-valid": [777, 888]}, 60.0 + i, 200)}
    return {"meta_archs": archs, "arch2infos": infos, "evaluated_indexes": list(range(len(archs))), "total_archs": 3}


def write_legacy(path, obj) -> None:
    buf = io.BytesIO()
    for part in (TORCH_MAGIC, 1001, {"protocol_version": 1001, "little_endian": True,
                                      "type_sizes": {"short": 2, "int": 4, "long": 4}}, obj, []):
        pickle.dump(part, buf, protocol=2)
    path.write_bytes(buf.getvalue())


def write_zip(path, obj) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(obj, protocol=2))
        z.writestr("archive/version", "3\n")


@pytest.mark.parametrize("writer", [write_legacy, write_zip])
def test_nb201_pth_both_layouts(tmp_path, writer):
    archs = NB201.sample(3, seed=4)
    f = tmp_path / "NAS-Bench-201-v1_0-tiny.pth"
    writer(f, _payload(archs))
    gt = load_nb201_pth(f, dataset="cifar10-valid", split="x-valid", hp="200")
    assert gt.seeds == [777, 888]
    assert gt.scores[archs[2]].tolist() == pytest.approx([62 + 0.777 + 199, 62 + 0.888 + 199])
    less = load_nb201_pth(f, dataset="cifar10-valid", split="ori-test", hp="12")
    assert less.seeds == [111]


def test_nb201_pth_refuses_tensors_and_bad_files(tmp_path):
    class Tensorish:  # a persistent id, as torch writes for storages
        pass

    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=2)
    p.persistent_id = lambda obj: ("storage", "FloatStorage", "0", "cpu", 4) if isinstance(obj, Tensorish) else None
    p.dump({"meta_archs": [], "arch2infos": {0: Tensorish()}})
    f = tmp_path / "t.pth"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("archive/data.pkl", buf.getvalue())
    with pytest.raises(SourceFormatError, match="holds tensors"):
        load_nb201_pth(f, dataset="cifar10", split="ori-test", hp="200")
    g = tmp_path / "g.pth"
    write_legacy(g, {"meta_archs": []})
    with pytest.raises(SourceFormatError, match="meta_archs and arch2infos"):
        load_nb201_pth(g, dataset="cifar10", split="ori-test", hp="200")
    h = tmp_path / "h.pth"
    h.write_bytes(pickle.dumps(12345) * 4)
    with pytest.raises(SourceFormatError, match="magic number"):
        load_nb201_pth(h, dataset="cifar10", split="ori-test", hp="200")
