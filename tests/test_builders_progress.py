"""Build progress: a rich bar with ETA on a terminal (real pseudo-terminal), nothing when output is a file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = "from builders.engine.progress import bar\nwith bar('scoring', 3) as adv:\n    [adv(1) for _ in range(3)]\nprint('done')"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_bar_draws_on_a_terminal():
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # child: stdout/stderr are the pseudo-terminal
        os.execv(sys.executable, [sys.executable, "-c", CODE])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    assert b"3/3" in out and b"scoring" in out and b"done" in out


def test_no_bar_when_output_is_not_a_terminal():
    r = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "done\n" and r.stderr == ""
