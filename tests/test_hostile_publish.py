"""Symlinks in a store being published (issue 28, item 6). Decision: refused, wherever they point (out of the
store, to a folder, or to another file of the same store), never followed and never left out: `publish` and
the writer's `zip_store` name each one, write no zip and no catalog entry. The zip `publish` writes is reopened
and validated before it is reported."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from factory import make_store
from test_publish import write_meta

from builders.__main__ import main as builders_main
from wsbench.errors import SchemaError
from wsbench.store import validate_path, zip_store


def _symlinked(tmp_path: Path, how: str) -> Path:
    store = make_store(tmp_path / "toy.zarr", n=40)
    chunk = store / "gt_score" / "c" / "0"
    if how == "file out of the store":
        secret = tmp_path / "secret"
        secret.write_bytes(chunk.read_bytes())  # a valid chunk: the store would validate through the link
        chunk.unlink()
        chunk.symlink_to(secret)
    elif how == "folder out of the store":
        shutil.move(store / "gt_score", tmp_path / "gt_outside")
        (store / "gt_score").symlink_to(tmp_path / "gt_outside", target_is_directory=True)
    elif how == "file inside the store":
        shutil.copy(chunk, store / "spare")
        chunk.unlink()
        chunk.symlink_to("../../spare")
    return store


CASES = {"file out of the store": "gt_score/c/0", "folder out of the store": "gt_score",
         "file inside the store": "gt_score/c/0"}


@pytest.mark.parametrize("how", list(CASES))
def test_publish_refuses_a_symlink_and_writes_nothing(tmp_path, capsys, how):
    store = _symlinked(tmp_path, how)
    meta = write_meta(tmp_path)
    out, cat = tmp_path / "files", tmp_path / "catalog"
    rc = builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(out), "--catalog", str(cat)])
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 1 and f"{CASES[how]} is a symbolic link" in err, err
    assert not (cat / "toy-nb201.toml").exists()
    assert not out.exists() or not list(out.iterdir())
    assert any(f"{CASES[how]} is a symbolic link" in p for p in validate_path(store))


@pytest.mark.parametrize("how", list(CASES))
def test_the_writer_zips_no_symlink(tmp_path, how):
    store = _symlinked(tmp_path, how)
    with pytest.raises(SchemaError, match=f"{CASES[how]} is a symbolic link"):
        zip_store(store, tmp_path / "s.zip")
    assert not list(tmp_path.glob("s.zip*"))


def test_a_published_zip_holds_every_file_and_validates(tmp_path):
    store = make_store(tmp_path / "toy.zarr", n=40)
    meta = write_meta(tmp_path)
    out, cat = tmp_path / "files", tmp_path / "catalog"
    assert builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(out), "--catalog", str(cat)]) == 0
    zipped = out / "toy-nb201-1.0.zip"
    with zipfile.ZipFile(zipped) as zf:
        members = sorted(i.filename for i in zf.infolist())
    assert members == sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file())
    assert validate_path(zipped) == []


def test_a_published_zip_that_does_not_validate_is_deleted(tmp_path, capsys, monkeypatch):
    """The check after zipping: a zip whose reopening finds a problem is removed, not reported."""
    from builders import publish

    store = make_store(tmp_path / "toy.zarr", n=40)
    meta = write_meta(tmp_path)
    out, cat = tmp_path / "files", tmp_path / "catalog"

    def damaging_zip(folder, zip_path):  # what a broken writer would do: drop a member
        made = zip_store(folder, zip_path)
        with zipfile.ZipFile(made) as zf:
            kept = {i.filename: zf.read(i) for i in zf.infolist() if i.filename != "gt_score/c/0"}
        with zipfile.ZipFile(made, "w") as zf:
            for name, data in kept.items():
                zf.writestr(name, data)
        return made

    monkeypatch.setattr("wsbench.store.zip_store", damaging_zip)
    rc = builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(out), "--catalog", str(cat)])
    err = " ".join(capsys.readouterr().err.split())
    assert rc == 1 and "does not validate once reopened, so it was deleted" in err and "gt_score/c/0" in err, err
    assert not (out / "toy-nb201-1.0.zip").exists() and not (cat / "toy-nb201.toml").exists()
    assert publish is not None
