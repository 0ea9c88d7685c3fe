"""Hostile scores files: each is one clear error line and exit 1 from a real ``wsbench evaluate`` process, in
bounded memory (the child's peak RSS is read back; no timing is asserted)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

MiB = 2**20


def garbage_100mb(path: Path) -> Path:
    """100 MB of printable noise with newlines (a text file, so only its content says it is no table)."""
    import numpy as np

    rng = np.random.default_rng(0)
    chunk = rng.integers(33, 127, size=MiB, dtype=np.uint8)
    chunk[96::97] = ord("\n")
    with open(path.with_suffix(".csv"), "wb") as f:
        f.writelines(np.roll(chunk, i).tobytes() for i in range(100))
    return path.with_suffix(".csv")


def million_columns(path: Path) -> Path:
    p = path.with_suffix(".csv")
    with open(p, "w") as f:
        f.write(",".join(["arch", "score"] + [f"c{i}" for i in range(10**6 - 2)]) + "\n")
        f.write(",".join(["x"] * 10**6) + "\n")
    return p


def binary_junk(path: Path) -> Path:
    """Seeded random bytes after a first byte no known file signature starts with: os.urandom's first byte was
    0x80, a pickle's, one run in 256, and the clear error then named a pickle instead."""
    p = path.with_suffix(".csv")
    p.write_bytes(b"\x01" + random.Random(0).randbytes(4 * MiB - 1))
    return p


def list_of_lists(path: Path) -> Path:
    p = path.with_suffix(".json")
    p.write_text(json.dumps([["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 1.0], ["x", 2.0]]))
    return p


def xlsx_renamed(path: Path) -> Path:
    p = path.with_suffix(".csv")
    with zipfile.ZipFile(p, "w") as z:  # the parts every .xlsx has (a real workbook is this zip)
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
    return p


def huge_single_line(path: Path) -> Path:
    p = path.with_suffix(".csv")
    p.write_bytes(b"arch,score\n" + b"a" * (50 * MiB) + b",1\n")
    return p


def deep_json(path: Path) -> Path:
    p = path.with_suffix(".json")
    p.write_text("[" * 100_000 + "]" * 100_000)
    return p


def big_json(path: Path) -> Path:
    p = path.with_suffix(".json")
    with open(p, "wb") as f:
        f.write(b"[" + b" " * (65 * MiB) + b"]")
    return p


def too_many_rows(path: Path) -> Path:
    p = path.with_suffix(".csv")
    row = b"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,1\n"
    with open(p, "wb") as f:
        f.write(b"arch,score\n")
        f.writelines(row * 100_000 for _ in range(21))
    return p


CASES = {
    "100 MB garbage": (garbage_100mb, "no 'arch' column|is not a CSV header"),
    "10^6 columns": (million_columns, "columns; a scores table has arch, score"),
    "binary junk": (binary_junk, "binary data|not UTF-8"),
    "JSON list of lists": (list_of_lists, "item 0 of the JSON list is a list; expected a list of records"),
    "xlsx renamed .csv": (xlsx_renamed, "this is a zip archive \\(an .xlsx/.ods workbook is one\\)"),
    "a 50 MB field": (huge_single_line, "not a CSV table"),
    "JSON nested 10^5 deep": (deep_json, "invalid JSON"),
    "65 MiB of JSON": (big_json, "65 MiB of JSON; JSON tables are read whole"),
    "2.1 million rows": (too_many_rows, "more than 2,000,000 rows"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_file_is_one_clear_error_in_bounded_memory(case: str, tmp_path: Path, store_dir: Path):
    import re

    make, expected = CASES[case]
    path = make(tmp_path / "scores")
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "sys.stdout.write(p.stderr); sys.stderr.write(p.stdout); "
            "print('RSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
            "sys.exit(p.returncode)")
    p = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "wsbench", "evaluate", str(path),
                        "--space", str(store_dir), "--higher-is-better"], capture_output=True, text=True,
                       timeout=300, check=False)
    err, rss_kib = p.stdout, int(p.stderr.rsplit("RSS", 1)[1])
    assert p.returncode == 1, (case, err, p.stderr)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(" ".join(lines)) < 600 and lines[0].startswith("error:"), err  # one message, no traceback
    assert re.search(expected, " ".join(lines)), err
    assert "Traceback" not in err
    assert rss_kib < 400 * 1024, f"{case}: peak RSS {rss_kib / 1024:.0f} MiB"
