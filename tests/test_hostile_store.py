"""Hostile stores (issue 28, item 1): crafted with the real writer, then tampered; run as real `wsbench` processes.

Memory is bounded where it matters: each command runs in a subprocess under ``RLIMIT_AS`` (1 GiB, where a valid
store needs ~0.5 GiB), so a bomb must be refused, not survived by luck. The subprocess timeout only stops a hang
from stalling the suite (a FIFO that blocks, /dev/zero read without end); it is not what the tests assert.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from factory import make_store

from wsbench.store import zip_store

CAP = 1 << 30


def wsbench(*args: str, cwd: Path, cap: int | None = CAP) -> subprocess.CompletedProcess:
    def limit() -> None:
        if cap is not None:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    env.pop("WSBENCH_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "wsbench", *args], cwd=cwd, env=env, preexec_fn=limit,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("hostile") / "base.zarr", n=60)


@pytest.fixture
def store(base, tmp_path) -> Path:
    return Path(shutil.copytree(base, tmp_path / "s.zarr"))


def set_meta(folder: Path, name: str, **fields) -> None:
    """Change array ``name``'s metadata in the consolidated zarr.json and in its own zarr.json."""
    root = json.loads((folder / "zarr.json").read_text())
    own = json.loads((folder / name / "zarr.json").read_text())
    for m in (root["consolidated_metadata"]["metadata"][name], own):
        m.update(fields)
    (folder / "zarr.json").write_text(json.dumps(root))
    (folder / name / "zarr.json").write_text(json.dumps(own))


def set_attr(folder: Path, key: str, value) -> None:
    root = json.loads((folder / "zarr.json").read_text())
    root["attributes"][key] = value
    (folder / "zarr.json").write_text(json.dumps(root))


def refused(r: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 1 with one line on stderr (the CLI's user error) naming every word."""
    assert r.returncode == 1, (r.returncode, r.stderr[-2000:])
    line = r.stderr.strip()
    assert "\n" not in line and line.startswith("error:"), line[:2000]
    for w in words:
        assert w in line, (w, line[:2000])
    return line


def listed(r: subprocess.CompletedProcess, *words: str) -> str:
    """`wsbench validate`: exit 1, every word in its list of problems."""
    assert r.returncode == 1, (r.returncode, r.stderr[-2000:])
    text = " ".join(r.stderr.split())  # the list is wrapped to the terminal's width
    for w in words:
        assert w in text, (w, text[-2000:])
    return text


def test_a_gzip_bomb_chunk_is_refused_before_it_inflates(store, tmp_path):
    # gt_score's one chunk is declared as 60 float32 = 240 bytes; this one inflates to 1.5 GiB (96 gzip members)
    member = gzip.compress(bytes(16 << 20), 9)
    (store / "gt_score" / "c" / "0").write_bytes(member * 96)
    assert (store / "gt_score" / "c" / "0").stat().st_size < 2 << 20
    zipped = zip_store(store, tmp_path / "s.zip")
    for path in (store, zipped):
        refused(wsbench("topk", "--space", path.name, cwd=tmp_path), "gt_score/c/0", "1.5 MiB")
        listed(wsbench("validate", path.name, cwd=tmp_path), "gt_score/c/0", "1.5 MiB")
    # small enough to pass the stored-size cap (48 kB), still 48 MiB once inflated: the inflate cap stops it
    (store / "gt_score" / "c" / "0").write_bytes(member * 3)
    zipped = zip_store(store, tmp_path / "s.zip")
    for path in (store, zipped):
        refused(wsbench("topk", "--space", path.name, cwd=tmp_path), "gt_score/c/0", "inflates beyond its declared 240 B")
        listed(wsbench("validate", path.name, cwd=tmp_path), "gt_score/c/0", "inflates beyond its declared 240 B")


def test_a_chunk_of_the_wrong_length_is_named(store, tmp_path):
    (store / "gt_score" / "c" / "0").write_bytes(gzip.compress(bytes(100)))
    refused(wsbench("topk", "--space", store.name, cwd=tmp_path), "gt_score/c/0", "decodes to 100 bytes")
    listed(wsbench("validate", store.name, cwd=tmp_path), "gt_score/c/0", "decodes to 100 bytes")


def test_a_chunk_that_is_a_symlink_to_dev_zero_is_not_read(store, tmp_path):
    chunk = store / "gt_score" / "c" / "0"
    chunk.unlink()
    chunk.symlink_to("/dev/zero")
    for args in (("topk", "--space", store.name), ("info", store.name), ("correlation", "--space", store.name)):
        refused(wsbench(*args, cwd=tmp_path), "gt_score/c/0", "symbolic link")
    listed(wsbench("validate", store.name, cwd=tmp_path), "gt_score/c/0 is a symbolic link")


def test_a_folder_that_is_a_symlink_out_of_the_store_is_not_followed(store, tmp_path):
    outside = tmp_path / "outside"
    shutil.move(store / "gt_score" / "c", outside)
    (store / "gt_score" / "c").symlink_to(outside, target_is_directory=True)
    refused(wsbench("topk", "--space", store.name, cwd=tmp_path), "gt_score/c", "symbolic link")
    listed(wsbench("validate", store.name, cwd=tmp_path), "gt_score/c is a symbolic link")


def test_a_chunk_that_is_a_fifo_does_not_hang(store, tmp_path):
    for name in ("gt_score", "epoch"):  # epoch: a coordinate that zarr/xarray would load at open
        chunk = store / name / "c" / "0"
        chunk.unlink()
        os.mkfifo(chunk)
    refused(wsbench("topk", "--space", store.name, cwd=tmp_path), "is a FIFO")
    listed(wsbench("validate", store.name, cwd=tmp_path), "gt_score/c/0 is a FIFO", "epoch/c/0 is a FIFO")


def test_a_declared_shape_beyond_the_stores_bytes_is_refused_before_allocating(store, tmp_path):
    set_meta(store, "gt_score", shape=[10**12])
    for args in (("topk", "--space", store.name), ("info", store.name)):
        refused(wsbench(*args, cwd=tmp_path), "'gt_score' declares shape [1000000000000]", "3.6 TiB",
                "rebuild the store")
    listed(wsbench("validate", store.name, cwd=tmp_path), "'gt_score' declares shape [1000000000000]")


def test_an_absurd_chunk_count_is_refused_before_iterating(store, tmp_path):
    set_meta(store, "gt_score", shape=[10**8],
             chunk_grid={"name": "regular", "configuration": {"chunk_shape": [1]}})
    refused(wsbench("topk", "--space", store.name, cwd=tmp_path), "100,000,000 chunks")
    listed(wsbench("validate", store.name, cwd=tmp_path), "100,000,000 chunks")


def test_a_50_mb_citation_does_not_hang_info(store, tmp_path):
    set_attr(store, "citation", "x" * 50_000_000)
    refused(wsbench("info", store.name, cwd=tmp_path), "zarr.json is 47.7 MiB", "at most 8.0 MiB")
    listed(wsbench("validate", store.name, cwd=tmp_path), "zarr.json is 47.7 MiB")


def test_a_1_mb_attribute_is_over_the_attribute_cap(store, tmp_path):
    set_attr(store, "citation", "x" * 1_000_000)
    refused(wsbench("info", store.name, cwd=tmp_path), "attribute 'citation' is 976.6 KiB", "at most 64.0 KiB")
    listed(wsbench("validate", store.name, cwd=tmp_path), "attribute 'citation' is 976.6 KiB")


def test_a_huge_deflated_zip_member_is_never_extracted(store, tmp_path):
    zipped = zip_store(store, tmp_path / "s.zip")
    members = {i.filename: zipfile.ZipFile(zipped).read(i) for i in zipfile.ZipFile(zipped).infolist()}
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if name != "gt_score/c/0":
                zf.writestr(name, data)
        with zf.open("gt_score/c/0", "w", force_zip64=True) as f:  # 300 MiB once inflated, ~300 kB stored
            block = bytes(1 << 20)
            for _ in range(300):
                f.write(block)
    assert zipped.stat().st_size < 2 << 20
    refused(wsbench("topk", "--space", zipped.name, cwd=tmp_path), "gt_score/c/0 is 300.0 MiB once extracted")
    listed(wsbench("validate", zipped.name, cwd=tmp_path), "gt_score/c/0 is 300.0 MiB once extracted")


def test_a_valid_store_still_answers_under_the_cap(store, tmp_path):
    assert wsbench("topk", "--space", store.name, cwd=tmp_path).returncode == 0
    r = wsbench("validate", store.name, cwd=tmp_path)
    assert r.returncode == 0 and "valid" in r.stdout


def _zstd_bomb(declare: int | None, blocks: int) -> bytes:
    """A zstd frame of ``blocks`` RLE blocks of 128 KiB each (4 bytes apiece), declaring ``declare`` bytes or
    nothing as its content size."""
    header = bytes.fromhex("28b52ffd") + (bytes([0xC0, 0x58]) + declare.to_bytes(8, "little") if declare is not None
                                          else bytes([0x00, 0x58]))
    block = lambda last: (last | (1 << 1) | ((128 << 10) << 3)).to_bytes(3, "little") + b"\0"
    return header + b"".join(block(0) for _ in range(blocks - 1)) + block(1)


def test_a_zstd_bomb_in_an_array_read_through_zarr_is_refused(store, tmp_path):
    import zarr

    g = zarr.open_group(str(store), mode="r+")  # gt_score rewritten with zarr's default codec (zstd): no fast path
    data, arr = g["gt_score"][:], g["gt_score"]
    dims, chunks, fill = list(arr.metadata.dimension_names), arr.chunks, arr.fill_value
    del g["gt_score"]
    g.create_array("gt_score", shape=data.shape, dtype=data.dtype, chunks=chunks, dimension_names=dims,
                   fill_value=fill)[...] = data
    zarr.consolidate_metadata(str(store))
    assert wsbench("topk", "--space", store.name, cwd=tmp_path).returncode == 0
    chunk = store / "gt_score" / "c" / "0"
    for declare, why in ((None, "does not declare its decoded size"), (1 << 31, "declares 2.0 GiB decoded")):
        chunk.write_bytes(_zstd_bomb(declare, 16 << 10))  # 2 GiB once decoded, 64 kB stored
        refused(wsbench("topk", "--space", store.name, cwd=tmp_path), "gt_score/c/0", why)
        listed(wsbench("validate", store.name, cwd=tmp_path), "gt_score/c/0", why)


def test_a_chunk_that_is_a_device_is_not_read(store, tmp_path):
    chunk = store / "gt_score" / "c" / "0"
    chunk.unlink()
    try:
        os.mknod(chunk, 0o644 | __import__("stat").S_IFCHR, os.makedev(1, 5))  # what /dev/zero is
    except OSError as e:
        pytest.skip(f"cannot make a device node here: {e}")
    refused(wsbench("topk", "--space", store.name, cwd=tmp_path), "gt_score/c/0", "a device")
    listed(wsbench("validate", store.name, cwd=tmp_path), "gt_score/c/0 is a device")
