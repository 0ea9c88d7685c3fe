"""Publishing: finished store -> reproducible zip + catalog entry that wsbench then serves by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from factory import make_store

from builders.__main__ import main as builders_main
from wsbench.catalog import load_catalog

META = """
name = "toy-nb201"
version = "1.0"
dataset = "synthetic scores written by the test-suite"
title = "Toy store"
description = "Only for tests."
license = "CC0-1.0"
citation = "none"
release_notes = "first"
[builder]
command = "tests/factory.py make_store"
"""


def write_meta(folder: Path) -> Path:
    """The meta file and, beside it, the dataset card publish requires."""
    (folder / "toy-nb201.md").write_text("# toy-nb201\n\nOnly for tests.\n")
    meta = folder / "meta.toml"
    meta.write_text(META)
    return meta


@pytest.fixture()
def published(tmp_path: Path) -> tuple[Path, Path, Path]:
    store = make_store(tmp_path / "toy.zarr", n=40)
    meta = write_meta(tmp_path)
    out, cat = tmp_path / "files", tmp_path / "catalog"
    assert builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(out), "--catalog", str(cat)]) == 0
    return store, out, cat


def test_entry_takes_sizes_and_checksum_from_the_store(published):
    store, out, cat = published
    e = load_catalog(cat)["toy-nb201"]
    assert e.sizes == {"archs": 40, "epochs": 3, "seeds": 3} and e.space == "nb201"
    f = e.store_file
    assert f.bundled and f.url is None and f.filename == "toy-nb201-1.0.zip"
    assert (out / f.filename).stat().st_size == f.bytes
    import hashlib

    assert hashlib.sha256((out / f.filename).read_bytes()).hexdigest() == f.sha256


def test_publishing_twice_gives_the_same_bytes(published, tmp_path):
    store, out, cat = published
    first = load_catalog(cat)["toy-nb201"].store_file.sha256
    meta = tmp_path / "meta.toml"
    assert builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(out), "--catalog", str(cat)]) == 0
    assert load_catalog(cat)["toy-nb201"].store_file.sha256 == first


def test_a_store_that_does_not_validate_is_not_published(tmp_path, capsys):
    store = make_store(tmp_path / "toy.zarr", n=40)
    import zarr

    zarr.open_group(str(store), mode="r+").attrs["complete"] = False
    meta = write_meta(tmp_path)
    cat = tmp_path / "catalog"
    assert builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(tmp_path / "f"),
                          "--catalog", str(cat)]) == 1
    err = capsys.readouterr().err
    assert "the store is incomplete" in err and "import-gt" in err and not (cat / "toy-nb201.toml").exists()


@pytest.mark.parametrize(("card", "says"), [
    (None, "the dataset card {tmp}/toy-nb201.md does not exist; write it"),
    ("# toy-nb201\n\nTODO(new-space): one paragraph\n",
     "toy-nb201.md still holds 1 TODO(new-space) mark(s), the first on line 3"),
])
def test_publish_needs_the_card_and_no_scaffold_todo(tmp_path, capsys, card, says):
    store = make_store(tmp_path / "toy.zarr", n=40)
    meta = tmp_path / "meta.toml"
    meta.write_text(META)
    if card is not None:
        (tmp_path / "toy-nb201.md").write_text(card)
    cat = tmp_path / "catalog"
    assert builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(tmp_path / "f"),
                          "--catalog", str(cat)]) == 1
    assert says.format(tmp=tmp_path) in capsys.readouterr().err and not cat.exists()
    (tmp_path / "elsewhere.md").write_text("# card\n")
    assert builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(tmp_path / "f"),
                          "--catalog", str(cat), "--card", str(tmp_path / "elsewhere.md")]) == 0


def test_meta_without_required_fields_is_refused(tmp_path, capsys):
    store = make_store(tmp_path / "toy.zarr", n=40)
    meta = tmp_path / "meta.toml"
    meta.write_text('name = "toy"\n')
    assert builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(tmp_path / "f"),
                          "--catalog", str(tmp_path / "c")]) == 1
    assert "builder.command" in capsys.readouterr().err


def _env_with_file_in_cache(published, tmp_path) -> dict[str, str]:
    """Move the published zip into a WSBENCH_DATA cache; the environment that points wsbench at it."""
    _store, out, cat = published
    e = load_catalog(cat)["toy-nb201"]
    cache = tmp_path / "cache"
    (cache / e.name / e.version).mkdir(parents=True)
    (out / e.store_file.filename).rename(cache / e.name / e.version / e.store_file.filename)
    return {**os.environ, "WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(cache)}


def test_cli_answers_by_name_from_the_cache_without_network(published, tmp_path):
    """A real `wsbench topk --space NAME` process; the file sits in the cache (WSBENCH_DATA), no URL exists."""
    env = _env_with_file_in_cache(published, tmp_path)
    r = subprocess.run([sys.executable, "-m", "wsbench.cli.app", "topk", "--space", "toy-nb201", "--json"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)
    listed = subprocess.run([sys.executable, "-m", "wsbench.cli.app", "list", "--json"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert json.loads(listed.stdout)[0]["where"] == "cached"


def test_wheel_only_file_that_is_missing_says_how_to_fix(published, tmp_path):
    store, out, cat = published
    (out / "toy-nb201-1.0.zip").unlink()
    env = {**os.environ, "WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(tmp_path / "empty")}
    r = subprocess.run([sys.executable, "-m", "wsbench.cli.app", "topk", "--space", "toy-nb201"], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 1 and "ships inside the wsbench wheel only" in r.stderr and "Traceback" not in r.stderr
    listed = subprocess.run([sys.executable, "-m", "wsbench.cli.app", "list", "--json"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert json.loads(listed.stdout)[0]["where"] == "missing"


def test_catalog_name_wins_over_a_folder_of_the_same_name_in_the_working_dir(published, tmp_path):
    env = _env_with_file_in_cache(published, tmp_path)
    work = tmp_path / "work"
    (work / "toy-nb201").mkdir(parents=True)  # unrelated folder with the dataset's name
    r = subprocess.run([sys.executable, "-m", "wsbench.cli.app", "topk", "--space", "toy-nb201", "--json"],
                       capture_output=True, text=True, env=env, timeout=120, cwd=work)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["dataset"] == "toy-nb201"


def test_the_published_store_says_the_same_licence_and_citation_as_its_entry(published):
    from wsbench.store import open_store

    store, out, cat = published
    entry = load_catalog(cat)["toy-nb201"]
    for path in (store, out / "toy-nb201-1.0.zip"):
        attrs = open_store(path).attrs
        assert attrs["license"] == entry.license == "CC0-1.0" and attrs["citation"] == entry.citation == "none"


def test_reissue_changes_attributes_only_and_says_so(tmp_path, capsys):
    import numpy as np

    from wsbench.store import open_store

    src = make_store(tmp_path / "toy.zarr", n=30, zip_path=tmp_path / "toy.zip")
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps({"dataset": {"notes": None, "files_sha256": {"a.bin": "00"}}, "license": "MIT"}))
    out = tmp_path / "re.zarr"
    assert builders_main(["reissue", str(src), "--out", str(out), "--changes", str(changes), "--version", "1.0.1",
                          "--why", "test"]) == 0
    old, new = open_store(src), open_store(out)
    assert new.attrs["complete"] is True and new.attrs["license"] == "MIT"
    assert "notes" not in new.attrs["dataset"] and new.attrs["dataset"]["files_sha256"] == {"a.bin": "00"}
    assert new.attrs["reissues"][-1]["changed"] == ["dataset", "license"]
    for name in ("supernet_score", "gt_score", "arch_string"):
        assert np.array_equal(old[name].values, new[name].values)
    # nothing to change, or an existing target: one clear error, nothing written
    assert builders_main(["reissue", str(out), "--out", str(tmp_path / "again.zarr"), "--changes", str(changes),
                          "--version", "1.0.2", "--why", "test"]) == 1
    assert "nothing to re-issue" in capsys.readouterr().err and not (tmp_path / "again.zarr").exists()
    assert builders_main(["reissue", str(src), "--out", str(out), "--changes", str(changes), "--version", "1",
                          "--why", "x"]) == 1


def test_bundled_nb201_records_its_data_by_checksum_and_the_catalogs_terms():
    """1.0.1 corrected provenance (the data by the sha256 of the six CIFAR-10 files, no path of a build machine);
    every later version keeps that, and the catalog's licence and citation."""
    from wsbench.catalog import load_catalog as load
    from wsbench.fetch import bundled_dir
    from wsbench.store import open_store

    entry = load()["nb201-cifar10"]
    attrs = open_store(bundled_dir() / entry.store_file.filename).attrs
    assert "source" not in attrs["dataset"] and len(attrs["dataset"]["files_sha256"]) == 6
    assert attrs["license"] == entry.license and attrs["citation"] == entry.citation


def test_reissue_adds_function_ids_and_leaves_every_array_as_it_was(tmp_path):
    """nb201 isomorphs: a published store gains function_id; every chunk it had stays byte-identical."""
    import zipfile

    from builders.reissue import reissue
    from wsbench.schema import validate
    from wsbench.spaces import get_space
    from wsbench.store import open_store, zip_store

    src = make_store(tmp_path / "s.zarr", space="nb201", n=30, function_ids=False)
    before = zip_store(src, tmp_path / "before.zip")
    reissue(before, tmp_path / "after.zarr", {}, version="9", why="test", add_function_ids=True)
    after = zip_store(tmp_path / "after.zarr", tmp_path / "after.zip")
    a, b = zipfile.ZipFile(before), zipfile.ZipFile(after)
    chunks = [n for n in a.namelist() if not n.endswith("zarr.json")]
    assert chunks and all(a.read(n) == b.read(n) for n in chunks)
    ds = open_store(after)
    assert validate(ds) == [] and [str(x) for x in ds["function_id"].values] == \
        get_space("nb201").function_ids([str(x) for x in ds["arch_string"].values])
    assert ds.attrs["reissues"][-1]["arrays"] == "unchanged; added: function_id"


def _zstd_strings(path: Path) -> None:
    """Re-write a store's string arrays with zstd, as every store written before the writer chose gzip has them."""
    import numpy as np
    import zarr
    from zarr.codecs import ZstdCodec

    g = zarr.open_group(str(path), mode="r+")
    for name in [n for n in g.array_keys() if g[n].metadata.to_dict()["codecs"][0]["name"] == "vlen-utf8"]:
        a = g[name]
        values, attrs, dims, chunks = np.asarray(a[...], dtype=object), dict(a.attrs), a.metadata.dimension_names, \
            a.chunks
        del g[name]
        b = g.create_array(name, shape=values.shape, dtype=str, dimension_names=dims, chunks=chunks,
                           compressors=ZstdCodec(), attributes=attrs)
        b[...] = values
    zarr.consolidate_metadata(str(path))  # the store's metadata index names the arrays again


def _codecs(path: Path, name: str) -> list[str]:
    return [c["name"] for c in json.loads((path / name / "zarr.json").read_text())["codecs"]]


def _imports_numcodecs(store: Path) -> bool:
    """Whether opening ``store`` and reading its architecture strings imports numcodecs, in a fresh process."""
    code = ("import sys, wsbench; b = wsbench.open(sys.argv[1]); b.arch_values('arch_string'); "
            "print('numcodecs' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=True)
    return res.stdout.strip() == "True"


def test_the_writer_stores_strings_with_gzip_so_reading_needs_no_numcodecs(tmp_path):
    store = make_store(tmp_path / "s.zarr", space="nb201", n=20, function_ids=True)
    for name in ("arch_string", "decision", "function_id"):
        assert _codecs(store, name) == ["vlen-utf8", "gzip"], name
    assert not _imports_numcodecs(store)
    _zstd_strings(store)  # the codec of every store published before: the same read costs the numcodecs import
    assert _codecs(store, "arch_string") == ["vlen-utf8", "zstd"] and _imports_numcodecs(store)


def test_reissue_gzip_strings_re_encodes_strings_only(tmp_path, capsys):
    import zipfile

    from wsbench.schema import validate
    from wsbench.store import open_store, zip_store

    src = make_store(tmp_path / "s.zarr", space="nb201", n=30, function_ids=True)
    _zstd_strings(src)
    before = zip_store(src, tmp_path / "before.zip")
    out = tmp_path / "after.zarr"
    assert builders_main(["reissue", str(before), "--out", str(out), "--gzip-strings", "--version", "1.0.1",
                          "--why", "test"]) == 0
    for name in ("arch_string", "decision", "function_id"):
        assert _codecs(out, name) == ["vlen-utf8", "gzip"], name
    old, new = open_store(before), open_store(out)
    assert validate(new) == [] and new.attrs["complete"] is True
    for name in ("arch_string", "decision", "function_id", "supernet_score", "gt_score", "choice"):
        assert (old[name].values == new[name].values).all(), name
        assert old[name].attrs == new[name].attrs and old[name].dims == new[name].dims, name
    a, b = zipfile.ZipFile(before), zipfile.ZipFile(zip_store(out, tmp_path / "after.zip"))
    numeric = [n for n in a.namelist() if not n.endswith("zarr.json")
               and n.split("/")[0] not in ("arch_string", "decision", "function_id")]
    assert numeric and all(a.read(n) == b.read(n) for n in numeric)
    last = new.attrs["reissues"][-1]
    assert last["changed"] == ["codecs"] and "re-encoded with gzip: arch_string, decision, function_id" in last["arrays"]
    assert not _imports_numcodecs(out)
    # a store whose strings are gzip already: nothing to re-issue, nothing written
    assert builders_main(["reissue", str(out), "--out", str(tmp_path / "again.zarr"), "--gzip-strings",
                          "--version", "1.0.2", "--why", "test"]) == 1
    assert "nothing to re-issue" in capsys.readouterr().err and not (tmp_path / "again.zarr").exists()
