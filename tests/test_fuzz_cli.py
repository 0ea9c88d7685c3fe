"""Bounded fuzz of the CLI (issue: hardening): malformed option values x every statistic command.

Every run must end with exit code 0 (a valid request), 1 (a user error: one line on stderr) or 2 (usage);
never an uncaught exception. The counts are printed for the closing note (``pytest -s``).
"""

from __future__ import annotations

import itertools
from pathlib import Path

from typer.testing import CliRunner

from wsbench.cli.app import app

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
    runner = CliRunner()
    counts = {0: 0, 1: 0, 2: 0}
    crashes = []
    for (cmd, opts), value in itertools.product(OPTIONS.items(), BAD):
        for opt in opts:
            res = runner.invoke(app, [cmd, "--space", str(store_zip), opt, value, "--json"])
            if res.exception is not None and not isinstance(res.exception, SystemExit):
                crashes.append((cmd, opt, value, repr(res.exception)[:120]))
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
