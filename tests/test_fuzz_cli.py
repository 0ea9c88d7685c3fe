"""Bounded fuzz of the CLI (issue: hardening): malformed option values x every statistic command.

Every run must end with exit code 0 (a valid request), 1 (a user error: one line on stderr) or 2 (usage);
never an uncaught exception. The counts are printed for the closing note (``pytest -s``).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from cli_invoke import invoke

from wsbench.cli.app import INTERNAL_ERROR

BAD = ["", ",", "0,0", "-1", "1e309", "nan", "inf", "abc", "1,,2", "10**9", "0.5", "-0", " ", "all,all", "last,1",
       "999999999999999999999", "%", "101%", "0%", "1%,1%", "\x00", "ü"]
OPTIONS = {
    "topk": ["--k", "--epoch", "--seed", "--samples", "--trials", "--rng-seed", "--gt"],
    "correlation": ["--epoch", "--seed", "--method", "--gt"],
    "bias": ["--by", "--epoch", "--seed", "--top", "--flag", "--gt"],
    "prune": ["--mode", "--factor", "--epoch", "--seed", "--k", "--trials", "--rng-seed"],
    "stability": ["--epoch", "--seed", "--method"],
}


def test_malformed_option_values_never_crash(store_zip: Path):
    counts = {0: 0, 1: 0, 2: 0}
    crashes = []
    for (cmd, opts), value in itertools.product(OPTIONS.items(), BAD):
        for opt in opts:
            res = invoke([cmd, "--space", str(store_zip), opt, value, "--json"])
            if res.exception is not None or res.exit_code == INTERNAL_ERROR:  # let through, or caught as a bug
                crashes.append((cmd, opt, value, repr(res.exception)[:120] if res.exception else res.stderr[-120:]))
                continue
            counts[res.exit_code] = counts.get(res.exit_code, 0) + 1
            if res.exit_code == 1:
                assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr, (cmd, opt, value)
    total = sum(len(o) for o in OPTIONS.values()) * len(BAD)
    print(f"\nfuzz: {total} malformed inputs; exit 0: {counts.get(0)}, 1: {counts.get(1)}, 2: {counts.get(2)}, "
          f"crashes: {len(crashes)}")
    assert not crashes, crashes[:10]
    # exit 0 only where the value is a valid request: "-0" (= 0), "0.5" as a prune factor, huge integers as
    # an RNG seed or a trial count of a full-pool sample (one trial)
    assert counts[0] <= 16, counts


def _crafted_stores(tmp: Path) -> dict[str, Path]:
    """One store per kind of damage a user or an attacker can hand over, each made by the project's own writer
    and then broken on disk."""
    import gzip
    import os
    import shutil
    import zipfile

    import zarr
    from factory import make_store
    from test_cli_errors import _damage

    out: dict[str, Path] = {}
    for how in ("duplicate seeds", "unsorted epochs", "wrong ops", "choice out of range", "inf score", "huge score"):
        out[how] = make_store(tmp / f"{how.replace(' ', '_')}.zarr", n=30)
        _damage(out[how], how)
    for how, data in (("chunk not gzip", b"garbage"), ("chunk of wrong length", gzip.compress(b"\0" * 12))):
        out[how] = make_store(tmp / f"{how.replace(' ', '_')}.zarr", n=30)
        (out[how] / "supernet_score" / "c" / "0" / "2" / "0").write_bytes(data)
    z = tmp / "crc.zip"
    shutil.make_archive(str(z.with_suffix("")), "zip", make_store(tmp / "crc.zarr", n=30))
    raw = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("supernet_score/c/0/2/0")
    raw[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2] ^= 0xFF
    z.write_bytes(bytes(raw))
    out["zip member with a bad CRC"] = z
    deep = tmp / "deep.zarr"
    deep.mkdir()
    (deep / "zarr.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    out["deeply nested zarr.json"] = deep
    zarr.open_group(str(tmp / "foreign.zarr"), mode="w", zarr_format=3)
    out["foreign Zarr group"] = tmp / "foreign.zarr"
    os.mkfifo(tmp / "fifo.zip")
    out["FIFO named .zip"] = tmp / "fifo.zip"
    out["/dev/null"] = Path("/dev/null")
    (tmp / "text.zip").write_text("not a zip")
    out["text file named .zip"] = tmp / "text.zip"
    (tmp / "empty.zip").write_bytes(b"")
    out["empty file"] = tmp / "empty.zip"
    out["missing path"] = tmp / "nowhere.zarr"
    for name in ("gt_score", "supernet_score"):  # chunks deleted: read as all-NaN fill values
        out[f"{name} chunks missing"] = make_store(tmp / f"no_{name}.zarr", n=30)
        shutil.rmtree(out[f"{name} chunks missing"] / name / "c")
    n = 30
    gt, sn = np.linspace(50, 90, n), np.full((3, 3, n), 50.0)
    gt[:15], sn[:, :, 15:] = np.nan, np.nan
    out["no subnet with both scores"] = make_store(tmp / "disjoint.zarr", n=n, gt=gt, supernet=sn)
    return out


VALUE_DAMAGE = ("choice out of range", "inf score", "huge score", "chunk not gzip", "chunk of wrong length",
                "zip member with a bad CRC", "gt_score chunks missing", "supernet_score chunks missing",
                "no subnet with both scores")


def test_crafted_stores_times_every_statistic_command(tmp_path: Path):
    """Every crafted store x every statistic command (in-process CLI): exit 1 with one line on stderr, no
    traceback, never exit 0 (each store here is one `wsbench validate` rejects or cannot open)."""
    commands = [["topk"], ["correlation"], ["bias"], ["bias", "--by", "operator"], ["prune"],
                ["prune", "--mode", "random"], ["stability"], ["info"]]
    counts: dict[int, int] = {}
    bad = []
    stores = _crafted_stores(tmp_path)
    for (kind, store), cmd in itertools.product(stores.items(), commands):
        args = [*cmd, str(store)] if cmd == ["info"] else [*cmd, "--space", str(store)]
        res = invoke(args)
        counts[res.exit_code] = counts.get(res.exit_code, 0) + 1
        clean = res.exception is None and "Traceback" not in res.stderr  # an internal error is exit 3: not ok
        one_line = len(res.stderr.strip().splitlines()) == 1
        # answers that stay right: info shows metadata, not values; stability compares supernet rankings (no
        # GT); correlation/bias of disjoint scores are NaN (n = 0)
        lenient = ((cmd == ["info"] and kind in VALUE_DAMAGE)
                   or (cmd == ["stability"] and kind in ("gt_score chunks missing", "no subnet with both scores"))
                   or (kind == "no subnet with both scores" and cmd[0] in ("correlation", "bias")))
        if lenient:
            ok = clean and (res.exit_code == 0 or (res.exit_code == 1 and one_line))
        else:
            ok = clean and res.exit_code == 1 and one_line
        if not ok:
            bad.append((kind, cmd, res.exit_code, res.stderr[-200:], repr(res.exception)[:100]))
    print(f"\ncrafted stores: {len(stores)} kinds x {len(commands)} commands = {len(stores) * len(commands)} runs; "
          f"exit codes {dict(sorted(counts.items()))}; wrong: {len(bad)}")
    assert not bad, bad
