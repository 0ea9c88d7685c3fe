"""Text output fits the terminal: the real ``wsbench`` process in a pseudo-terminal of 80 and 120 columns (and
piped, where the width is 80 unless COLUMNS says otherwise); headers are never split; help texts keep every word."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from rich.cells import cell_len

import wsbench
from wsbench.cli.render import merge_intervals, merge_mean_std

SCRIPT = Path(sys.executable).parent / "wsbench"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")

CASES = [
    ["topk", "--space", "darts-cifar10"],  # README's Quick start
    ["topk", "--space", "darts-cifar10", "--wide", "--ci", "0.9", "--boot", "20"],
    ["bias", "--space", "darts-cifar10", "--by", "operator", "--wide"],  # long decision names
    ["prune", "--space", "darts-ptb", "--mode", "random", "--trials", "2", "--factor", "0,0.5"],
    ["list", "--wide"],
    ["info", "darts-ptb"],
    ["info", "nb201-cifar10", "--wide"],
    ["topk", "--help"],
]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", **extra)
    return env


def in_pty(args: list[str], columns: int) -> str:
    """Everything ``wsbench ARGS`` writes to a terminal of ``columns`` columns, escape codes removed."""
    child = pexpect.spawn(str(SCRIPT), args, dimensions=(50, columns), env=_env(), encoding="utf-8", timeout=120)
    out = child.read()
    child.close()
    assert child.exitstatus == 0, out
    return ANSI.sub("", out).replace("\r\n", "\n")


def too_wide(text: str, columns: int) -> list[str]:
    return [ln for ln in text.splitlines() if cell_len(ln.rstrip()) > columns]


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a))
def test_every_line_fits_a_real_terminal(args: list[str], columns: int):
    out = in_pty(args, columns)
    assert out.strip() and not too_wide(out, columns), too_wide(out, columns)


def test_report_findings_fit_the_terminal(tmp_path: Path):
    out = in_pty(["report", "darts-ptb", "--out", str(tmp_path / "p.html")], 80)
    assert "wrote" in out and "  topk: " in out and not too_wide(out, 80), too_wide(out, 80)


@pytest.mark.parametrize("columns", [80, 120])
def test_wide_shows_every_summary_column_with_its_header_whole(columns: int):
    out = in_pty(["topk", "--space", "darts-cifar10", "--wide"], columns)
    summary = merge_intervals(merge_mean_std(wsbench.query("darts-cifar10", "topk").summary))
    headers = {w for ln in out.splitlines() for w in ln.split()}
    missing = [c for c in summary[0] if c not in headers]
    assert not missing, (missing, out)


def test_a_wider_terminal_shows_more_and_the_rest_is_named():
    narrow = in_pty(["topk", "--space", "darts-cifar10"], 80)
    wide = in_pty(["topk", "--space", "darts-cifar10"], 120)
    # at 80 columns p_random_max does not fit; the line below the table names it and --wide
    assert "p_random_max" not in narrow.split("not shown:")[0] and "p_random_max" in wide.split("not shown:")[0]
    assert re.search(r"not shown:[^\n]*p_random_max", narrow) and "--wide" in narrow


def test_piped_output_is_80_columns_unless_COLUMNS_says_otherwise():
    def piped(**env: str) -> str:
        p = subprocess.run([str(SCRIPT), "list", "--wide"], capture_output=True, text=True, timeout=120,
                           env=_env(**env))
        assert p.returncode == 0, p.stderr
        return p.stdout

    assert not too_wide(piped(), 80)
    out = piped(COLUMNS="200")
    assert too_wide(out, 80) and not too_wide(out, 200)  # the file paths need more than 80 columns: one table


def test_operator_bias_names_its_rows_for_what_they_are_and_shows_them_with_wide():
    out = in_pty(["bias", "--space", "darts-ptb", "--by", "operator"], 120)
    rows = wsbench.query("darts-ptb", "bias", by="operator").rows
    assert f"{len(rows)} rows, each a mean over the seeds" in out and "per-seed" not in out
    wide = in_pty(["bias", "--space", "darts-ptb", "--by", "operator", "--wide"], 120)
    assert all(re.search(rf"\b{r['decision']}\s+{r['op']}\b", wide) for r in rows)  # every op, not only the flagged


def test_notes_explain_only_columns_that_are_shown():
    narrow = in_pty(["topk", "--space", "darts-cifar10"], 80)
    assert "sample_best_gt: the best GT" not in narrow and "best_gt_top_pct: rank" in narrow
    wide = in_pty(["topk", "--space", "darts-cifar10", "--wide"], 80)
    assert "sample_best_gt: the best" in " ".join(wide.split())


def test_every_help_text_is_shown_word_for_word():
    """Help is plain text: '[every problem found]', '{path, ...}' and '10%' are shown as written, so each
    command's rendered --help holds its docstring and every option's text from wsbench/cli/spec.py exactly
    (whitespace aside), with each option's names beside it."""
    from cli_invoke import invoke

    from wsbench.cli import spec
    from wsbench.cli.parser import command_help

    def norm(s: str) -> str:
        return " ".join(s.split())

    top = ("", spec.TOP_HELP, [spec.VERSION, spec.DEBUG])
    checked = 0
    for name, text, params in [top, *((c.name, command_help(c), c.params) for c in spec.COMMANDS)]:
        res = invoke([*([name] if name else []), "--help"], env={"COLUMNS": "1000"})
        assert res.exit_code == 0, res.output
        shown = norm(res.stdout)
        assert text and norm(text) in shown, (name, text)
        # one entry per argument and option: its names (an argument: NAME) at the indent, its text after them
        entries = {e.split()[0].rstrip(","): norm(e) for e in re.split(r"\n(?=  \S)", res.stdout) if e.strip()}
        for p in params:
            names = ", ".join(p.flags) if p.kind != "arg" else p.dest.upper()
            entry = entries.get(names.split(",")[0], "")
            assert entry.startswith(names) and norm(p.help) in entry, (name, names, entry)
            checked += 1
        if not name:  # wsbench --help lists every command with its text
            for c in spec.COMMANDS:
                assert entries.get(c.name, "") == norm(f"{c.name} {command_help(c)}"), (c.name, entries.get(c.name))
                checked += 1
    assert checked > 60


def test_version_and_debug_are_in_the_top_level_help():
    p = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == f"wsbench {wsbench.__version__}"
    p = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60, env=_env(COLUMNS="200"))
    assert "--debug" in p.stdout and "--version" in p.stdout


def test_validate_takes_a_catalog_name_like_every_other_command():
    p = subprocess.run([str(SCRIPT), "validate", "darts-ptb"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "valid" in p.stdout, p.stderr


@pytest.mark.parametrize("name,better", [("darts-cifar10", "higher is better"), ("darts-ptb", "lower is better")])
def test_info_is_a_card_not_dict_reprs(name: str, better: str):
    out = in_pty(["info", name], 80)
    assert "{'" not in out and "()" not in out.splitlines()[0]  # no raw dict repr, no empty options
    assert not re.search(r"[0-9a-f]{40}", out)  # checksums are in --json, not in the card
    for label in ("data", "supernet", "ground truth", "GT noise", "provenance", "citation", "variables"):
        assert re.search(rf"^{label}\b", out, re.MULTILINE), label
    lines = out.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("supernet_score"))
    block = [lines[i], *(ln for ln in lines[i + 1:i + 5] if ln.startswith(" "))]  # the row, wrapped
    assert better in " ".join(" ".join(block).split())  # each variable says which way is better
    full = in_pty(["info", name, "--wide"], 80)
    attrs = wsbench.open(name).attrs
    assert all(re.search(rf"^{k}\b", full, re.MULTILINE) for k in attrs)  # every attribute with --wide


def test_loss_that_repeats_the_default_ranking_says_so():
    ptb = wsbench.query("darts-ptb", "topk", score="loss")
    assert any("repeats the default ranking" in n for n in ptb.notes)
    assert ptb.to_dict()["rows"] == wsbench.query("darts-ptb", "topk").to_dict()["rows"]  # it does repeat it
    cifar = wsbench.query("darts-cifar10", "topk", score="loss")  # accuracy: the loss breaks its ties
    assert not any("repeats the default ranking" in n for n in cifar.notes)


def test_a_note_clause_follows_the_column_it_explains():
    from wsbench.cli.render import notes_for

    notes = ["weighted: Vigna's tau; symmetrised (a; b)", "a_x: first; b_y: second (c_z: third); plain words",
             "metric accuracy (higher is better)"]
    columns = {"weighted", "a_x", "b_y", "c_z", "epoch"}
    shown, dropped = notes_for(notes, ["epoch", "b_y"], columns)
    assert shown == ["b_y: second (c_z: third); plain words", "metric accuracy (higher is better)"] and dropped
    assert notes_for(notes, ["epoch", "weighted", "a_x", "b_y"], columns) == (notes, False)
