"""The CLI in-process (tests/cli_invoke.py) and as the real console script in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_invoke import invoke

import wsbench

SCRIPT = Path(sys.executable).parent / "wsbench"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "wsbench"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("stat,extra", [
    ("correlation", ["--method", "kendall,pearson", "--epoch", "all"]),
    ("topk", ["--k", "1,5%", "--samples", "30", "--trials", "4"]),
    ("bias", ["--by", "operator"]),
    ("bias", ["--by", "params"]),
    ("prune", ["--mode", "random", "--factor", "0,0.5", "--trials", "3"]),
    ("stability", []),
])
def test_json_output_is_exactly_result_to_dict(store_zip: Path, stat, extra):
    res = invoke([stat, "--space", str(store_zip), *extra, "--json"])
    assert res.exit_code == 0, res.output
    options = {"correlation": {"method": "kendall,pearson", "epoch": "all"},
               "topk": {"k": "1,5%", "samples": 30, "trials": 4},
               "bias": {"by": extra[1]} if stat == "bias" else {},
               "prune": {"mode": "random", "factor": "0,0.5", "trials": 3}, "stability": {}}[stat]
    assert json.loads(res.stdout) == wsbench.query(store_zip, stat, **options).to_dict()


def test_human_output_is_a_table(store_zip: Path):
    res = invoke(["topk", "--space", str(store_zip)])
    assert res.exit_code == 0
    assert "best_gt" in res.stdout and "random_best_gt" in res.stdout and "±" in res.stdout


def test_user_errors_exit_1_with_one_line_and_no_traceback(store_zip: Path, tmp_path: Path):
    for args in (["topk", "--space", str(store_zip), "--epoch", "99"],
                 ["topk", "--space", str(store_zip), "--k", "0"],
                 ["correlation", "--space", str(tmp_path / "missing.zip")],
                 ["topk", "--space", "no-such-dataset"]):
        p = run(*args)
        assert p.returncode == 1, (args, p.stderr)
        assert p.stderr.startswith("error:") and "Traceback" not in p.stderr
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_usage_errors_exit_2(store_zip: Path):
    assert run("topk", "--space", str(store_zip), "--no-such-flag").returncode == 2
    assert run("bias", "--space", str(store_zip), "--by", "colour").returncode == 2
    assert run("topk").returncode == 2  # --space is required


def test_validate_lists_all_problems_and_exits_1(store_dir: Path, tmp_path: Path):
    assert run("validate", str(store_dir)).returncode == 0
    import shutil

    import zarr

    bad = tmp_path / "bad.zarr"
    shutil.copytree(store_dir, bad)
    g = zarr.open_group(str(bad), mode="r+")
    attrs = dict(g.attrs)
    del attrs["license"]
    attrs["metric_direction"] = "sideways"
    g.attrs.clear()
    g.attrs.update(attrs)
    zarr.consolidate_metadata(str(bad))
    p = run("validate", str(bad), "--json")
    assert p.returncode == 1
    out = json.loads(p.stdout)
    assert out["valid"] is False and len(out["problems"]) >= 2


def test_info_list_env_download(store_zip: Path, tmp_path: Path):
    res = invoke(["info", str(store_zip), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["summary"][0] == {"key": "archs", "value": 60}
    res = invoke(["info", str(store_zip)])
    assert res.exit_code == 0 and "variables" in res.stdout and "supernet_score" in res.stdout  # text mode too
    res = invoke(["list", "--json"])
    listed = json.loads(res.stdout)
    assert res.exit_code == 0 and isinstance(listed, list)
    assert all(Path(r["file"]).is_file() for r in listed if r["where"] in ("bundled", "cached"))
    res = invoke(["env", "--json"])
    env = json.loads(res.stdout)
    assert env["wsbench"] == wsbench.__version__ and env["rich"] and "typer" not in env  # the CLI's own dependencies
    p = run("download", "no-such-dataset")
    assert p.returncode == 1 and "unknown dataset" in p.stderr


LAZY = """
import sys
from wsbench.cli.app import main
sys.argv = ["wsbench", *{args!r}]
try:
    main()
except SystemExit:
    pass
print("\\nLOADED", sorted(m for m in ("zarr", "xarray", "scipy", "scipy.stats", "rich", "typer", "click")
                          if m in sys.modules))
"""


@pytest.mark.parametrize("args,forbidden", [
    (["--help"], {"zarr", "xarray", "scipy", "rich", "typer", "click"}),  # help is argparse's plain text
    (["list"], {"zarr", "xarray", "scipy", "typer", "click"}),
    (["topk", "--space", "STORE"], {"scipy", "zarr", "xarray", "typer", "click"}),  # the stdlib reader serves our stores
])
def test_heavy_imports_are_lazy(store_zip: Path, args, forbidden):
    args = [str(store_zip) if a == "STORE" else a for a in args]
    p = subprocess.run([sys.executable, "-c", LAZY.format(args=args)], capture_output=True, text=True, timeout=120)
    loaded = set(eval(p.stdout.rsplit("LOADED", 1)[1]))
    assert not loaded & forbidden, loaded
    if "topk" in args:
        assert "best_gt" in p.stdout  # it did answer


@pytest.mark.parametrize(("mean", "std", "shown"), [
    (92.33, 1.389, "92.3 ± 1.4"), (93.69, 0.2168, "93.69 ± 0.22"), (0.571, 1.74e-14, "0.571 ± 0"),
    (0.5, float("nan"), "0.5"), (94.14, 0.08793, "94.140 ± 0.088"),
])
def test_mean_and_std_are_rounded_as_a_reader_expects(mean, std, shown):
    from wsbench.result import fmt_pm

    assert fmt_pm(mean, std) == shown


def test_each_commands_json_help_says_what_it_prints():
    helps = {}
    for cmd in ("list", "info", "correlation", "topk", "bias", "prune", "stability", "validate", "download", "env"):
        res = invoke([cmd, "--help"], env={"COLUMNS": "400"})
        assert res.exit_code == 0
        line = next(ln for ln in res.stdout.splitlines() if "--json" in ln)
        helps[cmd] = line.split("--json", 1)[1].strip()
        assert helps[cmd].startswith("Print JSON instead of a table:"), (cmd, helps[cmd])
    assert len(set(helps.values())) == len(helps)  # one text per command


def test_an_option_is_spelled_as_before_and_its_value_is_the_next_word(store_zip: Path):
    """-s, --space=VALUE and --space VALUE are one request; a value that starts with '-' is a value (Click read it
    so), not an unknown option; --over-seeds/--subnets-only set one option."""
    want = wsbench.query(store_zip, "topk", epoch="2").to_dict()
    for args in (["-s", str(store_zip)], [f"--space={store_zip}"], ["--space", str(store_zip)]):
        res = invoke(["topk", *args, "--epoch", "2", "--json"])
        assert res.exit_code == 0 and json.loads(res.stdout) == want, (args, res.output)
    res = invoke(["topk", "--space", str(store_zip), "--gt", "-x"])
    assert res.exit_code == 1 and "'-x'" in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    for flag, over_seeds in (("--subnets-only", False), ("--over-seeds", True), (None, True)):
        res = invoke(["paired", "--space", str(store_zip), "--a", "epoch=1", "--b", "epoch=4",
                      *([flag] if flag else []), "--json"])
        assert res.exit_code == 0, res.output
        want = wsbench.query(store_zip, "paired", a="epoch=1", b="epoch=4", over_seeds=over_seeds).to_dict()
        assert json.loads(res.stdout) == want, flag


@pytest.mark.parametrize("args,names", [
    (["topk"], "--space"), (["topk", "--space", "x", "--no-such-flag"], "--no-such-flag"),
    (["bias", "--space", "x", "--by", "colour"], "colour"), (["topk", "--space", "x", "--samples", "abc"], "abc"),
    (["info"], "SPACE"), (["no-such-command"], "no-such-command"), (["--no-such-flag"], "--no-such-flag"),
])
def test_a_usage_error_is_the_usage_line_and_one_error_line_on_stderr(args, names):
    res = invoke(args)
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2 and res.stdout == "" and len(lines) == 2, res.output
    assert lines[0].startswith("usage: wsbench") and "error:" in lines[1] and names in lines[1], lines


def test_wsbench_alone_prints_its_help_and_version_prints_the_version():
    res = invoke([])
    assert res.exit_code == 2 and res.stdout.startswith("usage: wsbench") and "topk" in res.stdout
    res = invoke(["--version"])
    assert res.exit_code == 0 and res.stdout == f"wsbench {wsbench.__version__}\n"


CONSOLE = """
import gc, sys
from wsbench.cli import app
def main():
    print("threshold", gc.get_threshold()[0], flush=True)
    sys.exit({code!r})
app.main = main
app.console()
"""


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (130, 130)])
def test_the_console_script_raises_the_collector_threshold_and_keeps_the_exit_status(code, status):
    """console() (the console script, python -m wsbench) runs main with the collector every 100,000 allocations
    and ends with main's exit status; main itself, which tests call in-process, leaves the collector alone."""
    import subprocess
    import sys

    from wsbench.cli.app import GC_THRESHOLD

    p = subprocess.run([sys.executable, "-c", CONSOLE.format(code=code)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == status, p.stderr
    assert p.stdout.split() == ["threshold", str(GC_THRESHOLD)]
    import gc

    assert gc.get_threshold()[0] != GC_THRESHOLD  # this test process: untouched
