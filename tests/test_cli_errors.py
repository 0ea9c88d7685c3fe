"""Corrupt stores and internal errors on the real console script: one line on stderr, an exit code, no traceback."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import pytest
from factory import make_store
from test_cli import run

import wsbench.cli.app as cli
from wsbench.cli import commands


@pytest.fixture()
def folder_store(tmp_path: Path) -> Path:
    return make_store(tmp_path / "s.zarr", n=30)


def _one_clean_line(res, code: int) -> str:
    assert res.returncode == code, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    return res.stderr


@pytest.mark.parametrize("damage", ["not gzip", "wrong length"])
def test_a_corrupted_chunk_is_a_schema_error_naming_it(folder_store: Path, damage: str):
    chunk = folder_store / "supernet_score" / "c" / "0" / "2" / "0"
    chunk.write_bytes(b"garbage" if damage == "not gzip" else gzip.compress(b"\0" * 12))
    err = _one_clean_line(run("topk", "--space", str(folder_store)), 1)
    assert "supernet_score/c/0/2/0" in err and "corrupted" in err


def test_a_zip_member_with_a_bad_crc_is_a_schema_error(folder_store: Path, tmp_path: Path):
    z = tmp_path / "s.zip"
    shutil.make_archive(str(z.with_suffix("")), "zip", folder_store)
    data = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("supernet_score/c/0/2/0")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF  # one flipped byte inside the member
    z.write_bytes(bytes(data))
    err = _one_clean_line(run("topk", "--space", str(z)), 1)
    assert "supernet_score/c/0/2/0" in err


def test_an_internal_error_is_exit_3_with_one_line_and_the_traceback_only_on_request(monkeypatch, capsys):
    """A bug cannot be made on purpose in real code, so one command is replaced by one that raises."""

    def broken(*args, **kwargs):
        raise RuntimeError("deliberate")

    monkeypatch.setattr(commands, "_stat", broken)
    monkeypatch.delenv("WSBENCH_DEBUG", raising=False)
    monkeypatch.setattr("sys.argv", ["wsbench", "topk", "--space", "x"])
    with pytest.raises(SystemExit) as e:
        cli.main()
    err = capsys.readouterr().err
    assert e.value.code == cli.INTERNAL_ERROR == 3 and "wsbench bug" in err and "deliberate" in err
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setattr("sys.argv", ["wsbench", "topk", "--space", "x", "--debug"])
    with pytest.raises(RuntimeError, match="deliberate"):
        cli.main()


def _damage(store: Path, how: str) -> None:
    import numpy as np
    import zarr

    g = zarr.open_group(str(store), mode="r+", zarr_format=3, use_consolidated=False)
    if how == "duplicate seeds":
        g["seed"][:] = np.array([0, 0, 1], dtype="int32")
    elif how == "unsorted epochs":
        g["epoch"][:] = np.array([4, 1, 2], dtype="int32")
    elif how == "wrong ops":
        g.attrs["ops"] = ["a", "b", "c", "d", "e"]
    elif how == "choice out of range":
        c = g["choice"][:]
        c[0, 0] = 9
        g["choice"][:] = c
    elif how == "negative epoch":
        g["epoch"][:] = np.array([-1, 2, 4], dtype="int32")
    elif how == "wrong decisions":
        g.attrs["decisions"] = list(reversed(g.attrs["decisions"]))
    elif how == "duplicate gt seeds":
        g["gt_seed"][:] = np.array([3, 3], dtype="int32")
    elif how in ("inf score", "huge score"):
        v = g["supernet_score"][:]
        v[0, -1, 0] = np.inf if how == "inf score" else 1e30
        g["supernet_score"][:] = v
    zarr.consolidate_metadata(str(store))


@pytest.mark.parametrize("how,named", [
    ("duplicate seeds", "seed coordinate"), ("unsorted epochs", "epoch coordinate"), ("wrong ops", "attribute ops"),
    ("choice out of range", "choice holds op indices outside -1..4"), ("inf score", "+-inf"),
    ("huge score", "values must lie in [0.0, 100.0]"), ("negative epoch", "epoch coordinate"),
    ("wrong decisions", "attribute decisions"), ("duplicate gt seeds", "gt_seed coordinate has duplicates")])
def test_no_statistic_answers_a_store_that_validate_rejects(tmp_path: Path, how: str, named: str):
    """Every statistic command refuses the store (exit 1, one line naming the problem), whatever it reads."""
    import warnings

    from wsbench.schema import validate
    from wsbench.store import open_store

    store = make_store(tmp_path / "s.zarr", n=30, gt_seeds=(0, 1) if how == "duplicate gt seeds" else None)
    _damage(store, how)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert validate(open_store(store, check=False)) != []
    for cmd in (["topk"], ["correlation"], ["bias"], ["bias", "--by", "operator"], ["prune"], ["stability"]):
        assert named in _one_clean_line(run(*cmd, "--space", str(store)), 1), (how, cmd)


def _unreadable(tmp_path: Path, how: str) -> Path:
    """A store whose supernet_score chunk (0, 2, 0) cannot be read: not gzip, of the wrong length, or (zipped) with
    one flipped byte, so its CRC fails."""
    store = make_store(tmp_path / "s.zarr", n=30)
    chunk = store / "supernet_score" / "c" / "0" / "2" / "0"
    if how != "bad CRC":
        chunk.write_bytes(b"garbage" if how == "not gzip" else gzip.compress(b"\0" * 12))
        return store
    z = tmp_path / "s.zip"
    shutil.make_archive(str(z.with_suffix("")), "zip", store)
    data = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("supernet_score/c/0/2/0")
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2] ^= 0xFF
    z.write_bytes(bytes(data))
    return z


@pytest.mark.parametrize("how", ["not gzip", "wrong length", "bad CRC"])
def test_validate_lists_an_unreadable_chunk_as_a_schema_problem(tmp_path: Path, how: str):
    import json

    store = _unreadable(tmp_path, how)
    res = run("validate", str(store), "--json")
    assert res.returncode == 1 and "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    out = json.loads(res.stdout)
    assert out["valid"] is False and len(out["problems"]) == 1
    problem = out["problems"][0]  # names the variable and the chunk (whichever check met it first)
    assert "supernet_score" in problem and ("c/0/2/0" in problem or "(0, 2, 0)" in problem), problem
    assert any(w in problem for w in ("cannot be read", "corrupted", "decodes to")), problem
    res = run("validate", str(store))  # the listing on stderr names it too
    assert res.returncode == 1 and "supernet_score" in res.stderr.replace("\n", " ")


def test_devices_fifos_and_foreign_zarr_groups_are_named_for_what_they_are(tmp_path: Path):
    import os

    import zarr

    fifo = tmp_path / "x.zip"
    os.mkfifo(fifo)
    assert "not a regular file or folder" in _one_clean_line(run("topk", "--space", str(fifo)), 1)
    assert "not a regular file or folder" in _one_clean_line(run("topk", "--space", "/dev/null"), 1)
    zarr.open_group(str(tmp_path / "g.zarr"), mode="w", zarr_format=3)
    assert "not a wsbench store" in _one_clean_line(run("topk", "--space", str(tmp_path / "g.zarr")), 1)


def test_a_deeply_nested_zarr_json_is_a_schema_error(tmp_path: Path):
    store = tmp_path / "deep.zarr"
    store.mkdir()
    (store / "zarr.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    assert "nested too deeply" in _one_clean_line(run("topk", "--space", str(store)), 1)
    res = run("validate", str(store))  # validate lists every problem (several lines), exit 1, no traceback
    # the same words as every other command (validate reads the metadata with the fast reader first)
    assert res.returncode == 1 and "nested too deeply" in res.stdout + res.stderr and "Traceback" not in res.stderr
