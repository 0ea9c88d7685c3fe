"""``python -m builders new-space``: the scaffold imports, is found by both registries, and fails loudly until done."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builders.__main__ import main as builders_main

ROOT = Path(__file__).resolve().parents[1]
FILES = ["wsbench/spaces/toy_cell.py", "builders/toy_cell/__init__.py", "builders/toy_cell/network.py",
         "builders/toy_cell/presets.py", "builders/toy_cell/kit.py", "tests/test_toy_cell_torch.py",
         "docs/datasets/toy-cell-cifar10.meta.toml", "docs/datasets/toy-cell-cifar10.md"]


def _checkout(tmp: Path) -> Path:
    """A checkout-like folder: the two packages (without bundled datasets), nothing else."""
    skip = shutil.ignore_patterns("__pycache__", "datasets", "*.zip")
    for pkg in ("wsbench", "builders"):
        shutil.copytree(ROOT / pkg, tmp / pkg, ignore=skip)
    return tmp


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if "__pycache__" not in p.parts}


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory):
    root = _checkout(tmp_path_factory.mktemp("checkout"))
    assert builders_main(["new-space", "toy-cell", "--root", str(root)]) == 0
    return root


def test_new_space_writes_every_file_with_its_todos(scaffold):
    for rel in FILES:
        assert (scaffold / rel).is_file(), rel
    for rel in FILES[2:]:  # everything a contributor must fill in says where
        assert "TODO(new-space)" in (scaffold / rel).read_text(), rel
    assert "SupernetPreset(\n        name=" in (scaffold / "builders/toy_cell/presets.py").read_text()


CHECK = r"""
import sys
import wsbench.spaces as s
from builders.engine.kits import get_kit, kit_spaces
assert s.__file__.startswith(sys.argv[1]), s.__file__
assert "toy-cell" in s.space_names() and "toy-cell" in kit_spaces()
import builders.toy_cell, builders.toy_cell.network, builders.toy_cell.presets
kit = get_kit("toy-cell")
p = kit.preset("mini")
space = s.get_space("toy-cell")
assert space.name == "toy-cell" and type(space).__name__ == "ToyCell" and s.ToyCell is type(space)
for what, call in [("sample", lambda: space.sample(3, 0)), ("parse", lambda: space.parse("x")),
                   ("ops", lambda: space.ops), ("size", lambda: space.size),
                   ("supernet", lambda: kit.supernet(p)), ("standalone", lambda: kit.standalone("x", 8, 1))]:
    try:
        call()
    except NotImplementedError as e:
        assert str(e).startswith("TODO(new-space) in "), e
        print(what, "->", e)
    else:
        raise SystemExit(f"{what} did not fail")
"""


def test_the_scaffold_imports_is_registered_and_its_stubs_fail_loudly(scaffold):
    r = _run(scaffold, "-c", CHECK, str(scaffold))
    assert r.returncode == 0, r.stderr[-3000:]
    assert "sample -> TODO(new-space) in wsbench/spaces/toy_cell.py: size" in r.stdout
    assert "supernet -> TODO(new-space) in builders/toy_cell/network.py: ToyCellSupernet.__init__" in r.stdout


def test_the_generated_tests_fail_until_their_todos_are_done(scaffold):
    r = _run(scaffold, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_toy_cell_torch.py")
    assert r.returncode == 1, r.stdout[-3000:]
    assert "2 failed" in r.stdout and "TODO(new-space): fill EXAMPLES" in r.stdout


@pytest.mark.parametrize(("name", "says"), [
    ("nb201", "exists already: builders/nb201, wsbench/spaces/nb201.py"),
    ("toy-cell", "exists already"),
    ("Toy_Cell", "lowercase letters and digits"),
    ("1cell", "starting with a letter"),
    ("my--cell", "words joined by '-'"),
    ("base", "wsbench's base module"),
    ("import", "Python keyword"),
])
def test_an_existing_or_invalid_name_is_refused_and_nothing_is_written(scaffold, name, says, capsys):
    before = _files(scaffold)
    assert builders_main(["new-space", name, "--root", str(scaffold)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and err.count("\n") == 1
    assert _files(scaffold) == before


def test_a_folder_that_is_not_a_checkout_is_refused(tmp_path, capsys):
    assert builders_main(["new-space", "toy", "--root", str(tmp_path)]) == 1
    assert "is not a wsbench checkout" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
