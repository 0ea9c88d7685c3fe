"""Downloads against a real HTTP server on 127.0.0.1: every failure ends clean, never a poisoned cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from http_server import Server

from wsbench.errors import ChecksumError, DownloadError
from wsbench.fetch import download

PAYLOAD = os.urandom(200_000)
SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture(scope="module")
def server():
    with Server(PAYLOAD) as s:
        yield s


def _clean(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_download_is_verified_and_moved_into_place(server, tmp_path):
    dest = tmp_path / "c" / "d.zip"
    assert download(f"{server.url}/good.zip", dest, SHA, len(PAYLOAD), backoff=0) == dest
    assert dest.read_bytes() == PAYLOAD
    assert _clean(dest.parent) == ["d.zip"]


def test_wrong_hash_deletes_the_file_and_names_both_hashes(server, tmp_path):
    dest = tmp_path / "d.zip"
    with pytest.raises(ChecksumError) as e:
        download(f"{server.url}/wrong.zip", dest, SHA, len(PAYLOAD), backoff=0)
    msg = str(e.value)
    assert SHA in msg and hashlib.sha256(PAYLOAD[::-1]).hexdigest() in msg and "wrong.zip" in msg
    assert _clean(tmp_path) == []


def test_truncated_body_fails_after_retries_and_leaves_nothing(server, tmp_path):
    with pytest.raises(DownloadError, match="failed after 3 attempt"):
        download(f"{server.url}/truncated.zip", tmp_path / "d.zip", SHA, len(PAYLOAD), retries=2, backoff=0)
    assert server.hits["truncated.zip"] == 3
    assert _clean(tmp_path) == []


def test_404_is_not_retried(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(f"{server.url}/missing.zip", tmp_path / "d.zip", SHA, len(PAYLOAD), backoff=0)
    assert server.hits["missing.zip"] == 1
    assert _clean(tmp_path) == []


def test_500_then_success(server, tmp_path):
    dest = download(f"{server.url}/flaky.zip", tmp_path / "d.zip", SHA, len(PAYLOAD), backoff=0)
    assert dest.read_bytes() == PAYLOAD and server.hits["flaky.zip"] == 2


def test_connection_dropped_mid_body_then_success(server, tmp_path):
    dest = download(f"{server.url}/drop.zip", tmp_path / "d.zip", SHA, len(PAYLOAD), backoff=0)
    assert dest.read_bytes() == PAYLOAD and server.hits["drop.zip"] == 2
    assert _clean(tmp_path) == ["d.zip"]


def test_timeout_fails_cleanly(server, tmp_path):
    with pytest.raises(DownloadError, match="Timeout"):
        download(f"{server.url}/slow.zip", tmp_path / "d.zip", SHA, len(PAYLOAD), retries=1, backoff=0, timeout=0.2)
    assert _clean(tmp_path) == []


def test_existing_good_file_is_not_replaced_by_a_failed_download(server, tmp_path):
    dest = tmp_path / "d.zip"
    dest.write_bytes(b"previous good file")
    with pytest.raises(ChecksumError):
        download(f"{server.url}/wrong.zip", dest, SHA, len(PAYLOAD), backoff=0)
    assert dest.read_bytes() == b"previous good file"


def test_a_trickling_server_meets_the_overall_deadline(server, tmp_path):
    with pytest.raises(DownloadError, match="deadline"):
        download(f"{server.url}/trickle.zip", tmp_path / "d.zip", SHA, len(PAYLOAD), retries=0, deadline=1.0)
    assert _clean(tmp_path) == []


def test_a_body_longer_than_the_catalog_says_is_cut_off(server, tmp_path):
    with pytest.raises(DownloadError, match="more than the catalog's"):
        download(f"{server.url}/endless.zip", tmp_path / "d.zip", SHA, len(PAYLOAD), retries=0)
    assert _clean(tmp_path) == []


def test_leftovers_of_a_killed_download_are_removed(server, tmp_path):
    (tmp_path / "d.zip.k1ll3d.part").write_bytes(b"half")
    download(f"{server.url}/good.zip", tmp_path / "d.zip", SHA, len(PAYLOAD))
    assert _clean(tmp_path) == ["d.zip"]


def test_a_cached_file_is_hashed_once_and_a_corrupt_one_never_opened(tmp_path):
    import os

    from wsbench.fetch import verified

    f = tmp_path / "s.zip"
    f.write_bytes(PAYLOAD)
    assert verified(f, SHA) and (tmp_path / "s.zip.verified").is_file()
    assert verified(f, SHA)  # from the stamp
    f.write_bytes(PAYLOAD[::-1])  # same size, other bytes: the changed mtime voids the stamp
    os.utime(f, ns=(1, 1))
    assert not verified(f, SHA) and _clean(tmp_path) == []  # deleted: it will be fetched again


def test_three_concurrent_downloads_of_one_dataset_all_succeed(tmp_path, store_zip):
    """Three real `wsbench download` processes, started while the first one's .part file is live: none deletes
    another's part, all exit 0, and one verified file is left, nothing else. Every body is held after its first
    piece until all three requests have arrived, so the three overlap however slowly the processes start."""
    import subprocess
    import sys
    import time

    from test_catalog import write_entry

    data = store_zip.read_bytes()
    env = {**os.environ, "WSBENCH_CATALOG": str(tmp_path / "cat"), "WSBENCH_DATA": str(tmp_path / "cache")}
    cache = tmp_path / "cache" / "test-ds" / "1"
    cmd = [sys.executable, "-m", "wsbench", "download", "test-ds"]
    with Server(b"", files={"ds.zip": data}) as server:
        write_entry(tmp_path / "cat", "test-ds", f"{server.url}/gated/ds.zip", data)
        procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
        while procs[0].poll() is None and not list(cache.glob("*.part")):  # the first one is downloading
            time.sleep(0.01)
        procs += [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(2)]
        deadline = time.monotonic() + 60
        while server.hits["gated/ds.zip"] < 3 and time.monotonic() < deadline and procs[0].poll() is None:
            time.sleep(0.01)
        hits = server.hits["gated/ds.zip"]
        server.gate.set()
        outs = [p.communicate(timeout=120) for p in procs]
        assert hits == 3  # all three really downloading side by side before any could finish
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "sha256 verified" in out
    assert (cache / "test-ds.zip").read_bytes() == data
    assert _clean(cache) == ["test-ds.zip"]


@pytest.mark.skipif(not os.sys.platform.startswith("linux"), reason="the XDG rule is wsbench's own on Linux only")
@pytest.mark.parametrize("xdg", [None, "", "   ", "/tmp/xdg-cache", "relative/cache", "~/cache"])
def test_the_cache_folder_is_platformdirs_own_without_importing_it(monkeypatch, xdg):
    """On Linux the data folder follows the XDG rule as platformdirs does (unset, blank or relative XDG_CACHE_HOME:
    ~/.cache),
    computed without importing it (its import brings tempfile and random to every command's start)."""
    import platformdirs

    from wsbench.fetch import cache_dir

    monkeypatch.delenv("WSBENCH_DATA", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache_dir() == Path(platformdirs.user_cache_dir("wsbench", appauthor=False))
