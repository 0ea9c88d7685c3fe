"""builders/ imports flow one way: core <- data, flops <- spaces <- engine <- scratch <- __main__ (no circles)."""

from __future__ import annotations

import ast
from pathlib import Path

from wsbench.spaces import module_of, space_names

ROOT = Path(__file__).resolve().parents[1] / "builders"
#: every space of wsbench.spaces that has a builder folder (found, not listed)
SPACES = tuple(module_of(n) for n in space_names() if (ROOT / module_of(n)).is_dir())
#: package -> the builders packages it may import (any import, also inside functions)
ALLOWED = {
    "core": set(),
    "data": {"core"},
    "flops": set(),
    **{s: {"core", "flops", "data", "common_ops", *(x for x in SPACES if x != s)} for s in SPACES},
    "common_ops": set(),
    "engine": {"core", "data", "flops", "common_ops", *SPACES, "engine"},
    "groundtruth": {"core", "groundtruth"},
    "scratch": {"core", "data", "flops", "engine", "groundtruth", "scratch", *SPACES},
}


def _package(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for n in names:
            if n.startswith("builders."):
                out.add(n.split(".")[1])
    return out


def test_the_space_folders_are_found():
    assert {"nb201", "nb101", "darts", "darts_rnn", "proxylessnas", "macro"} <= set(SPACES)


def test_each_package_imports_only_from_below():
    wrong = []
    for path in ROOT.rglob("*.py"):
        pkg = _package(path)
        if pkg not in ALLOWED:
            continue  # __main__, publish, reissue, sizes: the top
        for target in _imports(path) - ALLOWED[pkg] - {pkg}:
            wrong.append(f"{path.relative_to(ROOT.parent)} imports builders.{target}")
    assert not wrong, wrong


def test_importers_need_no_torch():
    for path in (ROOT / "groundtruth").glob("*.py"):
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in top if isinstance(n, ast.ImportFrom)}
        assert not any(str(n).startswith("torch") for n in names), path
