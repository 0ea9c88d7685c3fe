"""One trust boundary (issue 28, item 5): no statistic command answers from a store that `wsbench validate`
rejects. Each rejected store is a valid one written by the real writer, changed in one way (tests/hostile_cases.py);
every statistic command runs on it in-process (tests/cli_invoke.py: ~20 cases x 12 commands) and one per case as
the real console script, and each must exit 1 naming the problem.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from cli_invoke import invoke
from hostile_cases import CASES, STAT_COMMANDS, base_store, make_case

import wsbench
from wsbench.errors import SchemaError


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return base_store(tmp_path_factory.mktemp("trust"))


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("WSBENCH_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


def test_the_base_store_is_valid_and_every_command_answers_it(base):
    from wsbench.store import validate_path

    assert validate_path(base) == []
    for cmd in STAT_COMMANDS:
        res = invoke([*cmd, "--space", str(base)])
        assert res.exit_code == 0, (cmd, res.output)


@pytest.mark.parametrize("case", list(CASES))
def test_no_statistic_command_answers_a_store_validate_rejects(base, tmp_path, case):
    from wsbench.store import validate_path

    store = make_case(base, tmp_path, case)
    words = CASES[case][1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problems = validate_path(store)
    assert problems and any(words in p for p in problems), problems
    for cmd in STAT_COMMANDS:
        res = invoke([*cmd, "--space", str(store)], env={"COLUMNS": "1000"})
        assert res.exit_code == 1 and res.exception is None, (cmd, res.exit_code, res.output)
        assert words in " ".join(res.stderr.split()), (cmd, res.stderr)
    r = subprocess.run([sys.executable, "-m", "wsbench", "topk", "--space", str(store)], capture_output=True,
                       text=True, timeout=120, check=False, env={**os.environ, "COLUMNS": "1000"})
    assert r.returncode == 1 and words in " ".join(r.stderr.split()) and "Traceback" not in r.stderr, r.stderr


def test_a_trusted_store_is_remembered_until_it_changes(base, tmp_path, data_folder, monkeypatch):
    from wsbench import schema

    store = Path(shutil.copytree(base, tmp_path / "s.zarr"))
    wsbench.open(store)
    assert len(list((data_folder / "trusted").iterdir())) == 1
    calls = []
    real = schema.check_values
    monkeypatch.setattr(schema, "check_values", lambda *a, **k: calls.append(1) or real(*a, **k))
    wsbench.open(store)
    assert calls == []  # remembered: not checked again
    make_case_in_place = CASES["negative params"][0]
    from hostile_cases import _edit

    _edit(store, make_case_in_place)
    with pytest.raises(SchemaError, match="params must be >= 0"):
        wsbench.open(store)
    assert calls == [1]


def test_an_unwritable_data_folder_only_means_the_checks_run_again(base, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("WSBENCH_DATA", str(tmp_path / "a-file"))
    for _ in range(2):
        assert wsbench.open(base).topk(k="1").rows


def test_a_value_changed_under_a_remembered_key_is_still_refused_when_read(base, tmp_path, data_folder):
    """The per-read checks hold even if a stamp is stale (a file rewritten within one timestamp tick)."""
    from wsbench import trust

    store = Path(shutil.copytree(base, tmp_path / "s.zarr"))
    wsbench.open(store)
    stamp = next((data_folder / "trusted").iterdir())
    from hostile_cases import _edit

    _edit(store, CASES["gt_score out of range"][0])
    stamp.write_text(f"{trust._file_key(store)}\n{os.path.realpath(store)}")  # forge: the changed store keeps its key
    b = wsbench.open(store)
    with pytest.raises(SchemaError, match="gt_score values must lie in"):
        b.topk()
    assert np.isfinite(b.arch_values("params")).all()
