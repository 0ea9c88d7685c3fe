from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from http_server import Server

import wsbench
from wsbench.catalog import catalog_dir, load_catalog
from wsbench.errors import CatalogError

ENTRY = """
name = "{name}"
version = "1"
space = "nb201"
dataset = "synthetic"
title = "Test store"
description = "Written by the test-suite."
scale = "test"
metric = "accuracy"
metric_direction = "max"
license = "CC0-1.0"
citation = "none"
release_notes = "first"
sizes = {{ archs = 60, epochs = 3, seeds = 3 }}
builder = {{ name = "tests.factory", version = "1" }}
[[files]]
filename = "{name}.zip"
url = "{url}"
sha256 = "{sha}"
bytes = {size}
"""


def write_entry(folder: Path, name: str, url: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(
        ENTRY.format(name=name, url=url, sha=hashlib.sha256(data).hexdigest(), size=len(data)))


def test_shipped_catalog_is_valid():
    entries = load_catalog(catalog_dir())
    for e in entries.values():
        assert e.files and len(e.store_file.sha256) == 64


def test_every_bundled_file_is_shipped_with_its_checksum_and_validates():
    """A catalog entry marked bundled must have its exact file in wsbench/datasets/ (else users get nothing)."""
    from wsbench.fetch import bundled_dir, sha256_of
    from wsbench.schema import validate
    from wsbench.store import open_store

    for e in load_catalog(catalog_dir()).values():
        for f in e.files:
            if not f.bundled:
                continue
            path = bundled_dir() / f.filename
            assert path.is_file(), f"{e.name}: {path} is missing"
            assert path.stat().st_size == f.bytes and sha256_of(path) == f.sha256, f"{e.name}: {path} differs"
            ds = open_store(path)
            assert validate(ds) == [], e.name
            assert (ds.sizes["arch"], ds.sizes["epoch"], ds.sizes["seed"]) == (
                e.sizes["archs"], e.sizes["epochs"], e.sizes["seeds"])


def test_catalog_reports_every_problem_of_every_file(tmp_path: Path):
    write_entry(tmp_path, "good", "https://example.org/good.zip", b"x")
    (tmp_path / "bad.toml").write_text('name = "other"\nspace = "nb999"\n')
    (tmp_path / "broken.toml").write_text("name = = 1")
    with pytest.raises(CatalogError) as e:
        load_catalog(tmp_path)
    msg = str(e.value)
    assert "bad.toml: field 'version' is missing" in msg and "broken.toml: invalid TOML" in msg
    bad_sha = (tmp_path / "good.toml").read_text().replace('sha256 = "', 'sha256 = "zz')
    (tmp_path / "bad.toml").unlink()
    (tmp_path / "broken.toml").unlink()
    (tmp_path / "good.toml").write_text(bad_sha)
    with pytest.raises(CatalogError, match="64 lowercase hex"):
        load_catalog(tmp_path)


def test_catalog_name_downloads_once_into_the_cache_then_reads_locally(tmp_path, monkeypatch, store_zip: Path):
    data = store_zip.read_bytes()
    with Server(b"", files={"ds.zip": data}) as server:
        write_entry(tmp_path / "cat", "test-ds", f"{server.url}/ds.zip", data)
        monkeypatch.setenv("WSBENCH_CATALOG", str(tmp_path / "cat"))
        monkeypatch.setenv("WSBENCH_DATA", str(tmp_path / "cache"))
        assert wsbench.list_spaces() == ["test-ds"]
        r1 = wsbench.query("test-ds", "topk", k="1")
        r2 = wsbench.query("test-ds", "topk", k="1")
        assert server.hits["ds.zip"] == 1
    assert r1.to_dict() == r2.to_dict() and r1.dataset == "test-ds"
    assert (tmp_path / "cache" / "test-ds" / "1" / "test-ds.zip").read_bytes() == data


def test_catalog_readme_documents_every_field():
    from wsbench.catalog import FIELDS, FILE_FIELDS

    text = (Path(__file__).resolve().parents[1] / "catalog" / "README.md").read_text()
    for f in [*FIELDS, *FILE_FIELDS]:
        assert f"`{f}`" in text, f


def test_a_file_needs_a_url_or_to_be_bundled(tmp_path: Path):
    write_entry(tmp_path, "good", "https://example.org/good.zip", b"x")
    text = (tmp_path / "good.toml").read_text()
    (tmp_path / "good.toml").write_text(text.replace('url = "https://example.org/good.zip"\n', ""))
    with pytest.raises(CatalogError, match="needs a url, or bundled = true"):
        load_catalog(tmp_path)
    (tmp_path / "good.toml").write_text(text.replace('url = "https://example.org/good.zip"\n', "bundled = true\n"))
    f = load_catalog(tmp_path)["good"].store_file
    assert f.bundled and f.url is None


@pytest.mark.parametrize(("old", "new", "says"), [
    ('bytes = 5', 'bytes = true', "files[0] needs ['bytes']"),
    ('version = "1"', 'version = "../../x"', "path separators"),
    ('filename = "bad.zip"', 'filename = "..\\\\x.zip"', "plain file name"),
    ('bytes = 5', 'bytes = 0', "positive"),
])
def test_catalog_fields_are_type_checked_and_never_paths(tmp_path: Path, old, new, says):
    write_entry(tmp_path, "bad", "https://example.org/bad.zip", b"12345")
    path = tmp_path / "bad.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(CatalogError, match=says.replace("[", r"\[").replace("]", r"\]")):
        load_catalog(tmp_path)


def test_files_that_are_not_tables_and_a_missing_catalog_folder_are_errors(tmp_path: Path, monkeypatch):
    write_entry(tmp_path, "bad", "https://example.org/bad.zip", b"12345")
    path = tmp_path / "bad.toml"
    head = path.read_text().split("[[files]]")[0].replace('builder = {', 'files = [1]\nbuilder = {')
    path.write_text(head)
    with pytest.raises(CatalogError, match="must be a table"):
        load_catalog(tmp_path)
    monkeypatch.setenv("WSBENCH_CATALOG", str(tmp_path / "nowhere"))
    with pytest.raises(CatalogError, match="does not exist.*WSBENCH_CATALOG"):
        load_catalog()


def test_a_dataset_name_parses_its_own_entry_only_and_an_unknown_one_lists_every_entry(tmp_path, monkeypatch):
    """Opening a dataset by name reads <name>.toml alone (each file parsed costs every command's start), even when
    another entry is broken; a name with no file of its own is an error that names every usable entry."""
    import tomllib

    from wsbench.api import locate_dataset
    from wsbench.errors import UnknownNameError

    cat = tmp_path / "cat"
    cat.mkdir()
    for name in ("alpha", "beta", "gamma"):
        write_entry(cat, name, f"http://127.0.0.1:9/{name}.zip", b"zip bytes")
    (cat / "broken.toml").write_text("name = ")
    monkeypatch.setenv("WSBENCH_CATALOG", str(cat))
    monkeypatch.setenv("WSBENCH_DATA", str(tmp_path / "data"))
    parsed: list[str] = []
    loads = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parsed.append(text[:20]) or loads(text))
    store = tmp_path / "data" / "beta" / "1" / "beta.zip"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"zip bytes")
    assert locate_dataset("beta") == (store, "beta")
    assert parsed == ['\nname = "beta"\nversi']
    with pytest.raises(UnknownNameError, match="alpha.*beta.*gamma"):
        locate_dataset("delta")
