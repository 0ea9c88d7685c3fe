"""Every example of README.md and docs/ runs as written, on every bundled dataset.

The ``wsbench ...`` lines of the fenced shell blocks run in-process (tests/cli_invoke.py) with SPACE / PATH replaced by each
bundled dataset; README's Python block runs with its dataset replaced by each; docs/schema.md's writer example
runs in an empty folder and writes a store that validates.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from cli_invoke import invoke

import wsbench

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "docs" / "datasets").glob("*.md"))]
BUNDLED = [e["name"] for e in __import__("json").loads(invoke(["list", "--json"]).stdout)
           if e["where"] == "bundled"]


def blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", path.read_text(), re.DOTALL | re.MULTILINE)


def commands(path: Path) -> list[str]:
    """The ``wsbench`` commands of a file's shell blocks, comments removed, ``a && b`` split."""
    out = []
    for block in blocks(path, "bash"):
        for line in block.splitlines():
            for part in re.split(r"\s+#\s.*$", line)[0].split("&&"):
                if part.strip().startswith("wsbench "):
                    out.append(part.strip())
    return out


def test_the_docs_hold_examples_and_datasets_are_bundled():
    assert len(BUNDLED) >= 5
    assert len(commands(ROOT / "README.md")) >= 18 and blocks(ROOT / "README.md", "python")


def _run(line: str, name: str, path: str) -> None:
    # optional parts ([--format md]) are left out; SPACE and PATH are the dataset
    line = re.sub(r"\s\[[^]]*\]", "", line).replace("SPACE", name).replace("PATH", path)
    res = invoke(shlex.split(line)[1:], env={"COLUMNS": "80"})
    assert res.exit_code == 0, (line, res.output, res.exception)


def _scores_csv(name: str, path: Path) -> None:
    """The dataset's supernet scores at every seed and epoch, the score column named for its metric."""
    import csv

    b = wsbench.open(name)
    archs = [str(a) for a in b.arch_values("arch_string")]
    run = (b._prune_index(None),) if b.has_prune_dim else ()  # a store of prune runs: the control's
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch", b.metric, "epoch", "seed"])
        for si, s in enumerate(b.seeds):
            for ei, e in enumerate(b.epochs):
                w.writerows((a, repr(float(x)), e, s) for a, x in zip(archs, b._read("supernet_score", (*run, si, ei)))
                            if x == x)  # a NaN (never scored) is no score


@pytest.mark.parametrize("name", BUNDLED)
def test_every_shell_example_runs_on_every_bundled_dataset(name: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `wsbench report SPACE` writes its page here
    _scores_csv(name, tmp_path / "scores.csv")  # `wsbench evaluate scores.csv`: the dataset's own supernet scores
    path = next(e["file"] for e in __import__("json").loads(invoke(["list", "--json"]).stdout)
                if e["name"] == name)
    ran = 0
    for doc in DOCS:
        for line in commands(doc):
            # a name is a whole name: nb201-cifar10 is not named by a line of nb201-cifar10-paper
            named = [n for n in BUNDLED if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", line)]
            if named and name not in named:
                continue  # a dataset card's own line runs once, on its dataset
            _run(line, name, path)
            ran += 1
    assert ran >= 18


@pytest.mark.parametrize("name", BUNDLED)
def test_the_readme_python_example_runs_on_every_bundled_dataset_as_it_says(name: str):
    (code,) = blocks(ROOT / "README.md", "python")
    assert '"darts-cifar10"' in code
    scope: dict = {}
    exec(code.replace('"darts-cifar10"', f'"{name}"'), scope)
    r = scope["r"]
    assert r.options["samples"] == 50 and r.options["trials"] == 100  # not quietly one trial
    assert len(r.to_dataframe()) == len(r.rows) and r.summary


def test_the_schema_writer_example_writes_a_valid_store(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = blocks(ROOT / "docs" / "schema.md", "python")[0]
    exec(code, {})
    res = invoke(["validate", "out.zip"])
    assert res.exit_code == 0, res.output
    assert wsbench.open(tmp_path / "out.zip").n_archs == 100


@pytest.mark.parametrize("name", BUNDLED)
def test_the_schema_reader_example_reads_every_bundled_store_without_wsbench(name: str, tmp_path: Path,
                                                                              monkeypatch):
    import os
    import sys

    import xarray as xr

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # the `wsbench` here
    code = blocks(ROOT / "docs" / "schema.md", "python")[1]
    assert '"nb201-cifar10"' in code
    scope: dict = {}
    exec(code.replace('"nb201-cifar10"', f'"{name}"'), scope)
    b = wsbench.open(name)
    assert scope["scores"].shape == (len(b.seeds), len(b.epochs), b.n_archs)
    nc = xr.open_dataset(tmp_path / "nb201-cifar10.nc")
    assert set(nc.data_vars) == set(scope["ds"].data_vars) and nc.attrs["metric"] == b.metric


@pytest.mark.parametrize("name", BUNDLED)
def test_the_schema_tensorstore_example_reads_every_bundled_store(name: str, tmp_path: Path, monkeypatch):
    import os
    import sys

    pytest.importorskip("tensorstore")  # not a wsbench dependency: the example says how to install it
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    code = blocks(ROOT / "docs" / "schema.md", "python")[2]
    assert "import tensorstore" in code and '"nb201-cifar10"' in code
    scope: dict = {}
    exec(code.replace('"nb201-cifar10"', f'"{name}"'), scope)
    b = wsbench.open(name)
    assert (scope["values"] == b.ds["supernet_score"].values).all()


@pytest.mark.parametrize("name", BUNDLED)
def test_the_schema_export_example_reads_the_exported_files_in_pandas(name: str, tmp_path: Path, monkeypatch):
    import os
    import sys

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    code = blocks(ROOT / "docs" / "schema.md", "python")[3]
    assert "pd.read_csv" in code and '"nb201-cifar10"' in code
    scope: dict = {}
    exec(code.replace('"nb201-cifar10"', f'"{name}"'), scope)
    b = wsbench.open(name)
    df, same = scope["df"], scope["same"]
    assert len(df) == len(same) == b.n_archs * len(b.epochs) * len(b.seeds) and list(df) == list(same)
    assert all((df[c].astype(float).equals(same[c].astype(float)) if df[c].dtype.kind in "fi" else
                df[c].equals(same[c])) for c in df)  # JSON's integral floats come back as ints
    assert scope["df"]["arch"].tolist()[:b.n_archs] == [str(a) for a in b.arch_values("arch_string")]
    tau = wsbench.query(name, "correlation", method="kendall")  # the comment says "= wsbench's"
    assert scope["tau"].tolist() == pytest.approx([r["kendall"] for r in tau.rows], abs=1e-12)
    assert scope["direction"] == {"max": "higher_is_better", "min": "lower_is_better"}[b.direction]
    assert scope["attrs"] == b.attrs


def test_every_python_block_of_the_docs_is_run_here():
    """A new Python example in README.md or docs/ gets a test like the ones above."""
    found = {p.relative_to(ROOT).as_posix(): len(blocks(p, "python")) for p in DOCS if blocks(p, "python")}
    assert found == {"README.md": 1, "docs/schema.md": 4}


def test_every_install_of_torch_names_the_cpu_index():
    """torch==2.13.0 from PyPI alone is the CUDA build on Linux (multi-GB NVIDIA wheels): every documented install
    of the build extra says where the CPU build comes from."""
    lines = [ln for p in (ROOT / "README.md", ROOT / "builders" / "README.md") for ln in p.read_text().splitlines()
             if "pip install" in ln and "build]" in ln]
    assert len(lines) >= 3
    assert all("--extra-index-url https://download.pytorch.org/whl/cpu" in ln for ln in lines), lines


def test_the_wheel_ships_the_cards_and_its_long_description_links_resolve_off_the_repository(tmp_path: Path):
    import subprocess
    import sys
    import zipfile

    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    (wheel,) = tmp_path.glob("wsbench-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in BUNDLED:
        assert f"wsbench/_docs/datasets/{name}.md" in names
    assert "wsbench/_docs/statistics.md" in names and "wsbench/_docs/schema.md" in names
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    links = re.findall(r"\]\(([^)]+)\)", meta)
    assert links and all(u.startswith(("https://", "#")) for u in links), [u for u in links if "://" not in u]


@pytest.mark.parametrize("name", BUNDLED)
def test_info_card_prints_the_dataset_card(name: str):
    res = invoke(["info", name, "--card"])
    assert res.exit_code == 0 and res.stdout == (ROOT / "docs" / "datasets" / f"{name}.md").read_text()
    res = invoke(["info", "no/such/store.zip", "--card"])
    assert res.exit_code == 1 and "no dataset card" in res.output
