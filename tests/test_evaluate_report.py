"""`wsbench evaluate ... --out DIR`: the estimator's report page (wsbench/report/estimator.py), rendered through a
real CLI process on a store and a ground-truth table the tests write; every figure decoded and checked, the page's
numbers equal to the evaluation's."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from factory import make_store
from test_report import _Images, _pixels

pytest.importorskip("matplotlib")

from wsbench.gt_table import write_table
from wsbench.report.estimator import KEYS
from wsbench.report.figures import DPI, HEIGHT, WIDTH
from wsbench.spaces import get_space

ATTRS = {"metric": "accuracy", "metric_direction": "max", "gt_kind": "made up for a test", "coverage": "80 cells",
         "gt_source": {"kind": "test"}, "license": "CC0-1.0", "citation": "none"}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A 40-subnet store, a table of 30 of them and 50 other cells, and scores for 60 cells at two epochs x 2 seeds."""
    d = tmp_path_factory.mktemp("evrep")
    cells = get_space("nb201").sample(100, seed=11)
    gt = np.round(np.random.default_rng(11).uniform(20, 95, size=100), 2)
    store = make_store(d / "pool.zarr", archs=cells[:40], gt=gt[:40], n=40)
    table = write_table(d / "table.zip", space="nb201", archs=cells[10:90], gt_score=gt[10:90].astype(np.float32),
                        attrs=ATTRS)
    rng = np.random.default_rng(3)
    lines = ["arch,score,epoch,seed"]
    for epoch, noise in ((1, 20.0), (2, 5.0)):
        for seed in (0, 1):
            lines += [f"{cells[i]},{gt[i] + rng.normal(0, noise):.4f},{epoch},{seed}" for i in range(20, 80)]
    scores = d / "mine.csv"
    scores.write_text("\n".join(lines) + "\n")
    return store, table, scores


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wsbench", "evaluate", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_the_page_holds_every_section_with_a_real_figure_and_the_evaluations_numbers(setup, tmp_path: Path):
    store, table, scores = setup
    out = tmp_path / "pages"
    res = run(str(scores), "--space", str(store), "--gt-table", str(table), "--higher-is-better", "--name", "mine",
              "--epoch", "all", "--out", str(out), "--json")
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    page_path = Path(got["options"]["report"])
    assert page_path.parent == out and page_path.name == "mine-pool-report.html"
    assert [p.name for p in out.iterdir()] == [page_path.name]  # nothing else left (no .part)
    html = page_path.read_text()
    page = _Images()
    page.feed(html)
    assert len(page.srcs) == len(KEYS)  # two epochs, operator choices: every section draws
    for src in page.srcs:
        px = _pixels(base64.b64decode(src.split(",", 1)[1]))
        assert px.shape[:2] == (int(HEIGHT * DPI), int(WIDTH * DPI)) and px[..., :3].std() > 0.05
    rows = {r["ranking"]: r for r in got["summary"]}
    assert (got["options"]["scored"], got["options"]["subnets"]) == (60, 20)
    # the findings carry the evaluation's own numbers
    assert f"Kendall τ {rows['mine']['kendall_mean']:.3f}" in html
    assert f"on all 60 in the ground-truth table, τ {rows['mine (table)']['kendall_mean']:.3f}" in html
    assert f"top-1: {rows['mine (table)']['best_gt@1_mean']:.2f} (k random: {rows['random (table)']['best_gt@1_mean']:.2f})" in html
    assert "60 architectures; Kendall τ" in html and "highest at epoch" in html


def test_one_epoch_skips_the_epoch_figure_and_bad_out_is_one_error(setup, tmp_path: Path):
    store, table, scores = setup
    one = tmp_path / "one.csv"
    one.write_text("".join(line + "\n" for line in scores.read_text().splitlines()
                           if line.endswith(",2,0") or line.startswith("arch")))
    res = run(str(one), "--space", str(store), "--gt-table", str(table), "--higher-is-better", "--out",
              str(tmp_path / "p"), "--json")
    assert res.returncode == 0, res.stderr
    html = Path(json.loads(res.stdout)["options"]["report"]).read_text()
    assert "Skipped: the scores have one epoch" in html and html.count("data:image/png") == len(KEYS) - 1
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = run(str(one), "--space", str(store), "--higher-is-better", "--gt-table", str(table), "--out", str(blocker))
    assert res.returncode == 1 and "is a file" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "x"


def test_evaluate_without_out_never_imports_matplotlib_and_without_it_out_says_what_to_install(setup):
    store, table, scores = setup
    code = ("import sys; from wsbench.evaluation import evaluate; evaluate(sys.argv[1], sys.argv[2], "
            "higher_is_better=True, gt_table=sys.argv[3]); print('matplotlib' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code, str(scores), str(store), str(table)], capture_output=True,
                         text=True, check=False)
    assert res.returncode == 0 and res.stdout.strip() == "False", res.stderr
    code = ("import sys; sys.modules['matplotlib'] = None; from wsbench.cli.app import main; "
            "sys.argv = ['wsbench', 'evaluate', *sys.argv[1:]]; main()")
    res = subprocess.run([sys.executable, "-c", code, str(scores), "--space", str(store), "--higher-is-better",
                          "--out", "never"], capture_output=True, text=True, check=False)
    assert res.returncode == 1 and "pip install 'wsbench[plot]'" in res.stderr and not Path("never").exists()
