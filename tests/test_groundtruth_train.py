"""Train-from-scratch ground truth on tiny synthetic CIFAR files: real (tiny) training, resume, shards."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from builders.__main__ import main as builders_main
from builders.data.cifar10 import DataFormatError, Split, load_cifar10, write_cifar10_bin
from builders.scratch.train import collect, recipe_for, result_name, run
from wsbench.spaces import get_space


@pytest.fixture(scope="module")
def tiny_cifar(tmp_path_factory):
    """600 train + 100 test images whose class is visible in the mean colour, in the official layout."""
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 10, n)
        x = rng.integers(0, 60, (n, 3, 32, 32)) + (y * 20)[:, None, None, None]
        return Split(x.astype(np.uint8), y.astype(np.int64))

    d = tmp_path_factory.mktemp("cifar")
    write_cifar10_bin(d, make(600), make(100))
    return d


def test_reader_round_trip_and_errors(tiny_cifar, tmp_path):
    train, test = load_cifar10(tiny_cifar)
    assert train.x.shape == (600, 3, 32, 32) and len(test) == 100
    import shutil

    bad = tmp_path / "cifar-10-batches-bin"
    shutil.copytree(tiny_cifar / "cifar-10-batches-bin", bad)
    (bad / "test_batch.bin").write_bytes(b"\x00" * 3000)  # a download cut short
    with pytest.raises(DataFormatError, match="not a whole number of 3073-byte records"):
        load_cifar10(tmp_path)


def test_train_resume_shards_and_collect(tiny_cifar, tmp_path):
    archs = get_space("nb201").sample(3, seed=0)
    recipe = recipe_for("mini", epochs=1, train_size=300, valid_size=100)
    work = tmp_path / "work"
    w0 = run(archs, [0, 1], recipe, tiny_cifar, work, shard=(0, 2), progress=False)
    w1 = run(archs, [0, 1], recipe, tiny_cifar, work, shard=(1, 2), progress=False)
    assert len(w0) == 4 and len(w1) == 2  # archs 0 and 2 in shard 0, arch 1 in shard 1
    assert run(archs, [0, 1], recipe, tiny_cifar, work, progress=False) == []  # all done: nothing retrained
    (work / result_name(archs[1], 1)).unlink()  # as if killed before that result
    assert [p.name for p in run(archs, [0, 1], recipe, tiny_cifar, work, progress=False)] == [result_name(archs[1], 1)]
    r = json.loads((work / result_name(archs[0], 0)).read_text())
    assert 0 <= r["valid_acc"] <= 100 and len(r["curve"]) == 1 and r["recipe"]["train_size"] == 300
    gt = collect(work, archs)
    assert gt.seeds == [0, 1] and set(gt.scores) == set(archs)
    assert gt.source["recipe"]["preset"] == "mini"


def test_same_seed_same_result(tiny_cifar, tmp_path):
    from builders.scratch.train import prepare_data, train_one

    arch = get_space("nb201").sample(1, seed=5)[0]
    recipe = recipe_for("mini", epochs=1, train_size=200, valid_size=100)
    torch.set_num_threads(1)
    tr, va = prepare_data(tiny_cifar, recipe)
    a, b = train_one(arch, 3, recipe, tr, va), train_one(arch, 3, recipe, tr, va)
    assert a["curve"] == b["curve"]


def test_cli_groundtruth_writes_into_a_store(tiny_cifar, tmp_path, capsys):
    from factory import make_store

    from wsbench.store import open_store

    store = make_store(tmp_path / "s.zarr", n=2)
    args = ["groundtruth", "nb201", "--preset", "mini", "--archs-from", str(store), "--seeds", "0",
            "--data-dir", str(tiny_cifar), "--work", str(tmp_path / "w"), "--epochs", "1", "--train-size", "200",
            "--valid-size", "100", "--store", str(store)]
    assert builders_main(args) == 0
    ds = open_store(store)
    assert np.isfinite(ds["gt_score_mini"].values).all()
    assert ds.attrs["extra_gt"]["gt_score_mini"]["source"]["recipe"]["epochs"] == 1
    assert builders_main([*args[:-2], "--shard", "3/2"]) == 1


def test_cifar10_downloader_against_a_local_http_server(tiny_cifar, tmp_path):
    import hashlib
    import io
    import tarfile

    from http_server import Server

    from builders.data.cifar10 import download_cifar10
    from wsbench.errors import ChecksumError

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(tiny_cifar / "cifar-10-batches-bin", arcname="cifar-10-batches-bin")
    blob = buf.getvalue()
    with Server(b"", files={"cifar-10-binary.tar.gz": blob}) as srv:
        url = f"{srv.url}/cifar-10-binary.tar.gz"
        with pytest.raises(ChecksumError, match="md5 does not match"):
            download_cifar10(tmp_path / "bad", url=url, progress=False)  # the official md5 is not this archive's
        assert not (tmp_path / "bad" / "cifar-10-binary.tar.gz").exists()
        d = download_cifar10(tmp_path / "ok", url=url, md5=hashlib.md5(blob).hexdigest(), progress=False)
    train, test = load_cifar10(d)
    assert len(train) == 600 and len(test) == 100
