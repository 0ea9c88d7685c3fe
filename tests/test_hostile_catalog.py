"""Hostile catalogs and data folders (issue 28, item 8): catalog fields parsed (URL scheme, host and port with
urllib; NUL and over-long file names and versions), each broken entry named while `wsbench list` still lists the
good ones; redirects bounded and never to file:; a full disk, a data folder that is a file and one that cannot
be written are user errors (exit 1) that say the fix. Real `wsbench` processes, a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_cases import BAD_FIELDS
from http_server import Server
from test_catalog import write_entry

from wsbench.catalog import load_catalog, read_catalog
from wsbench.errors import CatalogError, DownloadError


def wsbench(*args: str, env: dict, cwd: Path, wrap: list[str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "COLUMNS": "1000", **env}
    full.pop("WSBENCH_DEBUG", None)
    return subprocess.run([*(wrap or []), sys.executable, "-m", "wsbench", *args], env=full, cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def one_line(r: subprocess.CompletedProcess, *words: str) -> str:
    assert r.returncode == 1, (r.returncode, r.stderr)
    text = " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr and "wsbench bug" not in text, text
    for w in words:
        assert w in text, (w, text)
    return text




@pytest.mark.parametrize(("old", "new", "says"), BAD_FIELDS)
def test_a_bad_field_names_its_entry_and_field_and_list_keeps_the_good_ones(tmp_path, old, new, says):
    cat = tmp_path / "cat"
    write_entry(cat, "good", "https://example.org/good.zip", b"12345")
    write_entry(cat, "bad", "https://example.org/bad.zip", b"12345")
    text = (cat / "bad.toml").read_text()
    assert old in text
    (cat / "bad.toml").write_text(text.replace(old, new))
    entries, problems = read_catalog(cat)
    assert list(entries) == ["good"] and len(problems) == 1 and problems[0].startswith("bad.toml: "), problems
    assert says in problems[0], problems
    with pytest.raises(CatalogError, match="bad.toml"):
        load_catalog(cat)
    env = {"WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(tmp_path / "data")}
    r = wsbench("list", "--json", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    import json

    assert [row["name"] for row in json.loads(r.stdout)] == ["good"]
    assert "catalog entry skipped: bad.toml:" in r.stderr and says.replace("\\x00", "\\x00") in " ".join(r.stderr.split())
    assert "\x00" not in r.stderr
    r = wsbench("list", env=env, cwd=tmp_path)
    assert r.returncode == 0 and "good" in r.stdout, r.stderr
    one_line(wsbench("download", "bad", env=env, cwd=tmp_path), "catalog entry 'bad' cannot be used", "bad.toml")
    one_line(wsbench("topk", "--space", "bad", env=env, cwd=tmp_path), "catalog entry 'bad' cannot be used")


@pytest.mark.parametrize(("route", "says"), [
    ("loop.zip", "more than 5 redirects"), ("to-file.zip", "redirected to file:///etc/passwd"),
    ("to-bad-port.zip", "redirected to http://127.0.0.1:99999/x, which cannot be parsed"),
])
def test_redirects_are_bounded_and_never_to_file(tmp_path, route, says):
    with Server(b"payload") as server:
        cat = tmp_path / "cat"
        write_entry(cat, "ds", f"{server.url}/{route}", b"payload")
        env = {"WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(tmp_path / "data")}
        one_line(wsbench("download", "ds", env=env, cwd=tmp_path), says, "nothing")
        assert server.hits[route] <= 6
    assert not list((tmp_path / "data").rglob("*.zip*")), list((tmp_path / "data").rglob("*"))


def test_a_redirect_to_another_http_path_is_followed(tmp_path, store_zip):
    data = store_zip.read_bytes()
    with Server(data) as server:
        cat = tmp_path / "cat"
        write_entry(cat, "ds", f"{server.url}/moved.zip", data)
        r = wsbench("download", "ds", env={"WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(tmp_path / "d")},
                    cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert server.hits["good.zip"] == 1


def _served_catalog(tmp_path: Path, server: Server, data: bytes) -> Path:
    cat = tmp_path / "cat"
    write_entry(cat, "ds", f"{server.url}/ds.zip", data)
    return cat


def test_a_data_folder_that_is_a_file_is_a_user_error_with_the_fix(tmp_path, store_zip):
    data = store_zip.read_bytes()
    (tmp_path / "not-a-folder").write_text("")
    with Server(b"", files={"ds.zip": data}) as server:
        env = {"WSBENCH_CATALOG": str(_served_catalog(tmp_path, server, data)),
               "WSBENCH_DATA": str(tmp_path / "not-a-folder")}
        for args in (("download", "ds"), ("topk", "--space", "ds")):
            one_line(wsbench(*args, env=env, cwd=tmp_path), "is a file", "set WSBENCH_DATA to a folder")
        r = wsbench("list", env=env, cwd=tmp_path)
        assert r.returncode == 0 and "ds" in r.stdout, r.stderr


def test_a_data_folder_without_write_permission_is_a_user_error_with_the_fix(tmp_path, store_zip):
    """A real EACCES on a 0555 folder. Root ignores permissions, so as root the command runs without the
    capabilities that let it (setpriv drops CAP_DAC_OVERRIDE and CAP_FOWNER from its bounding set)."""
    wrap = None
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root and setpriv is missing: permissions cannot be enforced")
        wrap = [setpriv, "--bounding-set=-dac_override,-fowner"]
    data = store_zip.read_bytes()
    ro = tmp_path / "read-only"
    ro.mkdir(mode=0o555)
    try:
        with Server(b"", files={"ds.zip": data}) as server:
            env = {"WSBENCH_CATALOG": str(_served_catalog(tmp_path, server, data)), "WSBENCH_DATA": str(ro)}
            one_line(wsbench("download", "ds", env=env, cwd=tmp_path, wrap=wrap), "cannot write in the data folder",
                     "Permission denied", "set WSBENCH_DATA to a folder you can write to")
            r = wsbench("topk", "--space", "ds", env=env, cwd=tmp_path, wrap=wrap)
            one_line(r, "cannot write in the data folder")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_a_full_disk_is_a_user_error_that_leaves_nothing(tmp_path):
    """A real ENOSPC: a 64 KiB tmpfs mounted as the data folder in a private mount namespace (unshare -rm, no
    root needed where user namespaces are allowed); the store is 100+ kB. Where no namespace can be made, the
    same download runs in-process with the part file's writes failing with ENOSPC (the one simulated case)."""
    from wsbench.fetch import bundled_dir

    data = next(bundled_dir().glob("nb201-cifar10-[0-9]*.zip")).read_bytes()  # whichever version ships
    assert len(data) > 64 << 10
    small = tmp_path / "small"
    small.mkdir()
    with Server(b"", files={"ds.zip": data}) as server:
        cat = _served_catalog(tmp_path, server, data)
        unshare = shutil.which("unshare")
        probe = subprocess.run([unshare, "-rm", "true"], capture_output=True, check=False) if unshare else None
        if probe is not None and probe.returncode == 0:
            script = (f"mount -t tmpfs -o size=64k tmpfs {small} && exec {sys.executable} -m wsbench download ds; "
                      "echo mount failed >&2; exit 97")
            r = subprocess.run([unshare, "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120,
                               check=False, env={**os.environ, "WSBENCH_CATALOG": str(cat), "WSBENCH_DATA": str(small),
                                                 "COLUMNS": "1000"})
            if "mount failed" not in r.stderr:
                one_line(r, "no space left on the device", "nothing was saved", "WSBENCH_DATA")
                return
        _simulated_enospc(cat, small, data)


def _simulated_enospc(cat: Path, folder: Path, data: bytes) -> None:
    import errno

    from wsbench.fetch import download

    real = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def write(self, b):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

    from wsbench import fetch

    entry = read_catalog(cat)[0]["ds"]
    fetch.os.fdopen = lambda fd, mode="r", *a, **k: Full(real(fd, mode, *a, **k))  # type: ignore[assignment]
    try:
        with pytest.raises(DownloadError, match="no space left on the device"):
            download(entry.store_file.url, folder / "ds.zip", entry.store_file.sha256, len(data), retries=0)
    finally:
        fetch.os.fdopen = real
    assert not list(folder.glob("ds.zip*"))
