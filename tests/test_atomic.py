"""wsbench.atomic.write_atomic: the one whole-file writer the report, the catalog publisher, ground-truth results
and training checkpoints share."""

from __future__ import annotations

import os
import stat

import pytest

from wsbench.atomic import write_atomic


def test_a_write_replaces_the_file_whole_with_the_usual_permissions(tmp_path):
    path = tmp_path / "sub" / "result.json"
    write_atomic(path, "first")
    write_atomic(path, b"second")
    assert path.read_bytes() == b"second" and [p.name for p in path.parent.iterdir()] == ["result.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "result.json"
    write_atomic(path, "old")

    with pytest.raises(TypeError):
        write_atomic(path, 12345)  # type: ignore[arg-type]  # not bytes: the write fails after the temp exists
    assert path.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]
