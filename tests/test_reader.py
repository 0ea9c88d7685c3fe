"""The stdlib fast reader must return exactly what zarr returns, and fall back to zarr when it cannot."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import zarr
from factory import provenance
from hypothesis import given, settings
from hypothesis import strategies as st

import wsbench
from wsbench.benchmark import Benchmark
from wsbench.reader import FastReader, NotReadable, XarrayReader
from wsbench.spaces import get_space
from wsbench.store import StoreWriter, open_store


@pytest.fixture(scope="module")
def chunked(tmp_path_factory) -> tuple[Path, Path]:
    """60 subnets in arch chunks of 16 (the last one partial), one (seed, epoch) slice never written."""
    d = tmp_path_factory.mktemp("chunked")
    rng = np.random.default_rng(0)
    archs = get_space("proxylessnas").sample(60, seed=0)
    w = StoreWriter.create(d / "c.zarr", space="proxylessnas", archs=archs, epochs=[1, 3], seeds=[5, 6, 7],
                           attrs=provenance(), arch_chunk=16, gt_seeds=[0, 1])
    for s in (5, 6, 7):
        for e in (1, 3):
            vals = rng.uniform(10, 90, 60)
            vals[rng.random(60) < 0.1] = np.nan
            w.write_supernet(s, e, vals[:40], start=0)
            w.write_supernet(s, e, vals[40:], start=40)
    for name in ("gt_score", "params", "flops"):
        w.write_arch_values(name, rng.uniform(20, 80, 60))
    w.write_gt_seed(1, rng.uniform(20, 80, 60)[:33])  # partial: the rest stays NaN (fill value)
    folder = w.finalize()
    from wsbench.store import zip_store

    return folder, zip_store(folder, d / "c.zip")


def test_fast_reader_equals_zarr_for_every_numeric_array(chunked):
    for path in chunked:
        fast = FastReader(path)
        g = zarr.open_group(str(chunked[0]), mode="r")
        for name, meta in fast.meta.arrays.items():
            if meta.kind == "U":  # variable-length strings (arch_string, function_id, decision)
                assert fast.read(name).tolist() == [str(v) for v in g[name][:]], name
                continue
            np.testing.assert_array_equal(fast.read(name), g[name][:], err_msg=name)
            if len(meta.shape) == 3:
                for i in range(meta.shape[0]):
                    for j in range(meta.shape[1]):
                        np.testing.assert_array_equal(fast.read(name, (i, j)), g[name][i, j], err_msg=name)


def test_metadata_matches_xarray_view(chunked):
    fast = FastReader(chunked[1]).meta
    slow = XarrayReader(chunked[1], open_store(chunked[1])).meta
    assert fast.attrs == slow.attrs
    assert fast.sizes == slow.sizes
    for name, a in fast.arrays.items():
        assert (a.dims, a.shape, a.kind) == (slow.arrays[name].dims, slow.arrays[name].shape, slow.arrays[name].kind)


def test_benchmark_results_identical_on_both_readers(chunked):
    path = chunked[1]
    fast = Benchmark(FastReader(path), "x")
    slow = Benchmark(XarrayReader(path, open_store(path)), "x")
    for stat, opts in (("topk", {"samples": 30, "trials": 5}), ("correlation", {"epoch": "all"}),
                       ("bias", {"by": "operator"}), ("prune", {}), ("stability", {})):
        assert getattr(fast, stat)(**opts).to_dict() == getattr(slow, stat)(**opts).to_dict(), stat


def test_unsupported_codec_falls_back_to_zarr(chunked, tmp_path):
    src = chunked[0]
    copy = tmp_path / "zstd.zarr"
    shutil.copytree(src, copy)
    g = zarr.open_group(str(copy), mode="r+")
    for name in ("supernet_score", "epoch", "seed"):  # rewrite with zarr's default codec (zstd)
        data = g[name][:]
        arr = g[name]
        dims, chunks, fill = list(arr.metadata.dimension_names), arr.chunks, arr.fill_value
        del g[name]
        g.create_array(name, shape=data.shape, dtype=data.dtype, chunks=chunks, dimension_names=dims,
                       fill_value=fill)[...] = data
    zarr.consolidate_metadata(str(copy))
    with pytest.raises(NotReadable, match="codecs"):
        FastReader(copy).read("supernet_score", (0, 0))
    assert wsbench.open(copy).topk(k="1").to_dict()["rows"] == wsbench.open(src).topk(k="1").to_dict()["rows"]


def test_incomplete_store_is_read_through_zarr(tmp_path):
    archs = get_space("nb201").sample(8, seed=0)
    w = StoreWriter.create(tmp_path / "i.zarr", space="nb201", archs=archs, epochs=[1], seeds=[0], attrs=provenance())
    w.write_supernet(0, 1, np.arange(8.0))
    w.write_arch_values("gt_score", np.arange(8.0))
    with pytest.raises(NotReadable):
        FastReader(tmp_path / "i.zarr")  # not consolidated until finalize()
    b = wsbench.open(tmp_path / "i.zarr", allow_incomplete=True)
    assert b.correlation(method="kendall").rows[0]["kendall"] == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=50))
def test_vlen_utf8_decodes_what_zarr_encodes(strings):
    """The fast reader's vlen-utf8 decoder against numcodecs' encoder (zarr's own), any text; a chunk cut short
    anywhere is an error, never a shorter list."""
    from numcodecs import VLenUTF8

    from wsbench.reader import _vlen_utf8

    raw = bytes(VLenUTF8().encode(np.array(strings, dtype=object)))
    assert _vlen_utf8(raw) == strings
    if len(raw) > 4 and strings:
        for cut in {5, len(raw) // 2, len(raw) - 1}:
            if 4 < cut < len(raw):
                with pytest.raises(ValueError, match="truncated"):
                    _vlen_utf8(raw[:cut])
