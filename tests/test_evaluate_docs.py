"""docs/evaluate.md's worked example, run as written: NASLib's jacov scores for its nb201 CIFAR-10 cells evaluated
against nb201-cifar10 (skipped without ../shared); the table in the docs is the one these commands give. And the
README's `wsbench evaluate` line (run by tests/test_examples.py on every bundled dataset) is checked here too."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "evaluate.md"
ZC = SHARED / "gt" / "naslib" / "zc_nasbench201.json"


def shell_blocks(path: Path) -> list[str]:
    return re.findall(r"^```shell\n(.*?)^```", path.read_text(), re.DOTALL | re.MULTILINE)


def fmt(x, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def pm(r: dict, key: str, digits: int = 3) -> str:
    m, s = r.get(f"{key}_mean"), r.get(f"{key}_std")
    return fmt(m, digits) + ("" if s is None else f" ± {fmt(s, digits)}")


def table_md(res: dict) -> str:
    """The worked example's table, from the --json result: the columns the docs discuss."""
    lines = ["| ranking | epoch | Kendall τ [95% CI] | Spearman ρ | best GT @1 | best GT @10 | P@10% | P@bottom 10% |",
             "|---|---|---|---|---|---|---|---|"]
    for r in res["summary"]:
        ci = f" [{fmt(r['kendall_ci_low'])}, {fmt(r['kendall_ci_high'])}]" if r.get("kendall_ci_low") is not None \
            else ""
        lines.append(f"| {r['ranking']} | {'—' if r['epoch'] is None else r['epoch']} | {pm(r, 'kendall')}{ci} | "
                     f"{pm(r, 'spearman')} | {pm(r, 'best_gt@1', 2)} | {pm(r, 'best_gt@10', 2)} | "
                     f"{pm(r, 'precision@10%')} | {pm(r, 'p_bottom')} |")
    return "\n".join(lines)


def test_the_worked_example_runs_as_written_and_gives_the_table_shown(tmp_path: Path):
    if not ZC.is_file():
        pytest.skip(f"{ZC} not available")
    (block,) = [b for b in shell_blocks(DOC) if "jacov.csv" in b and "python" in b]
    script = block.replace("../shared/data", str(SHARED))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "80"}
    p = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=600, check=False)
    assert p.returncode == 0, p.stderr
    assert "35 of nb201-cifar10's 1000 subnets scored" in p.stdout
    assert "491 architectures scored, 456 of them outside nb201-cifar10" in " ".join(p.stdout.split())
    res = subprocess.run(["wsbench", "evaluate", "jacov.csv", "--space", "nb201-cifar10", "--higher-is-better",
                          "--name", "jacov", "--ci", "0.95", "--json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    got = json.loads(res.stdout)
    o = got["options"]
    assert (o["rows"], o["dropped_unknown"], o["scored"], o["outside_dataset"], o["subnets"]) == (491, 0, 491, 456, 35)
    assert o["gt_table"] == "gt-nb201-analognas"
    assert table_md(got) in DOC.read_text()
    # without the table, the 456 cells outside the dataset are unknown: the error the page quotes
    res = subprocess.run(["wsbench", "evaluate", "jacov.csv", "--space", "nb201-cifar10", "--higher-is-better",
                          "--gt-table", "none"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                         check=False)
    assert res.returncode == 1 and "456 of 491 rows (456 architectures) are not subnets of nb201-cifar10, which " \
        "holds 1000" in res.stderr


def test_the_readme_evaluate_line_is_in_its_use_section():
    readme = (ROOT / "README.md").read_text()
    use = readme.split("## Use", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^wsbench evaluate scores\.csv --space SPACE", use, re.MULTILINE)
