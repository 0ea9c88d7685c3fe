"""Stores that ``wsbench validate`` rejects, each made from a valid store written by the real writer and then
changed through zarr in one way (issue 28, item 5). Shared by tests/test_hostile_trust.py and
benchmarks/hostile_probe.py, which count how each statistic command answers them.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from factory import make_store

#: every statistic command, with the options that make it run on the base store
STAT_COMMANDS: list[list[str]] = [
    ["correlation"], ["topk"], ["bias"], ["bias", "--by", "operator"], ["prune"], ["stability"], ["bottom-top"],
    ["mean-score"], ["gt-noise"], ["paired", "--a", "epoch=1", "--b", "epoch=4", "--interval", "bootstrap", "--boot", "50"],
    ["mean-score", "--score", "loss"], ["correlation", "--against", "params"],
]


def base_store(folder: Path) -> Path:
    """A valid nb201 store: 40 subnets, epochs 1,2,4, seeds 0,1,2, two GT trainings, supernet_loss."""
    return make_store(folder / "base.zarr", n=40, gt_seeds=(0, 1), losses=True)


def _edit(store: Path, fn: Callable) -> None:
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = zarr.open_group(str(store), mode="r+", zarr_format=3, use_consolidated=False)
        fn(g)
        zarr.consolidate_metadata(str(store))


def _set(name: str, change: Callable[[np.ndarray], None]) -> Callable:
    def fn(g) -> None:
        v = g[name][:]
        change(v)
        g[name][:] = v
    return fn


def _attr(key: str, value: Callable) -> Callable:
    def fn(g) -> None:
        g.attrs[key] = value(g.attrs[key])
    return fn


def _choice_mismatch(c: np.ndarray) -> None:
    j = int(np.flatnonzero((c != c[0]).any(axis=1))[0])
    c[0] = c[j]


def _duplicate(g) -> None:
    a = g["arch_string"][:]
    a[1] = a[0]
    g["arch_string"][:] = a
    _set("choice", lambda c: c.__setitem__(1, c[0].copy()))(g)
    if "function_id" in g:
        f = g["function_id"][:]
        f[1] = f[0]
        g["function_id"][:] = f


def _shorter_gt(g) -> None:
    v = g["gt_score"][:]
    g["gt_score"].resize((len(v) - 1,))


def _strings(name: str, change: Callable[[np.ndarray], None]) -> Callable:
    def fn(g) -> None:
        v = np.asarray(g[name][:], dtype=object)
        change(v)
        g[name][:] = v
    return fn


#: name -> (change, a phrase the refusal must contain)
CASES: dict[str, tuple[Callable, str]] = {
    "decisions attribute reversed": (_attr("decisions", lambda d: list(reversed(d))), "attribute decisions"),
    "decisions attribute empty": (_attr("decisions", lambda d: []), "attribute decisions"),
    "decisions attribute over-long": (_attr("decisions", lambda d: [*d, "extra"]), "attribute decisions"),
    "decision coordinate reversed": (_strings("decision", lambda v: v.__setitem__(slice(None), v[::-1].copy())),
                                     "decision coordinate"),
    "choice does not match arch_string": (_set("choice", _choice_mismatch), "does not match"),
    "choice out of range": (_set("choice", lambda c: c.__setitem__((0, 0), 9)), "choice holds op indices"),
    "negative params": (_set("params", lambda v: v.__setitem__(3, -5.0)), "params must be >= 0"),
    "negative flops": (_set("flops", lambda v: v.__setitem__(3, -5.0)), "flops must be >= 0"),
    "negative loss": (_set("supernet_loss", lambda v: v.__setitem__((0, -1, 2), -1.0)), "supernet_loss must be"),
    "loss NaN where the score is known": (_set("supernet_loss", lambda v: v.__setitem__((1, -1, 2), np.nan)),
                                          "known for the same"),
    "duplicated architecture": (_duplicate, "duplicate architecture"),
    "negative epoch": (_set("epoch", lambda v: v.__setitem__(0, -1)), "epoch coordinate"),
    "unsorted epochs": (_set("epoch", lambda v: v.__setitem__(slice(None), [4, 1, 2])), "epoch coordinate"),
    "duplicate seeds": (_set("seed", lambda v: v.__setitem__(slice(None), [0, 0, 1])), "seed coordinate"),
    "unparsable architecture": (_strings("arch_string", lambda v: v.__setitem__(0, "not an architecture")),
                                "architecture problem"),
    "arch sizes differ between arrays": (_shorter_gt, "along 'arch'"),
    "gt_score out of range": (_set("gt_score", lambda v: v.__setitem__(0, 250.0)), "values must lie in"),
    "supernet_score inf": (_set("supernet_score", lambda v: v.__setitem__((0, -1, 0), np.inf)), "+-inf"),
    "wrong ops attribute": (_attr("ops", lambda o: ["a", "b", "c", "d", "e"]), "attribute ops"),
    "function_id wrong": (_strings("function_id", lambda v: v.__setitem__(0, v[1])), "function_id differs"),
}


def make_case(base: Path, folder: Path, case: str) -> Path:
    """A copy of ``base`` in ``folder`` with ``case`` applied."""
    store = Path(shutil.copytree(base, folder / (case.replace(" ", "_") + ".zarr")))
    _edit(store, CASES[case][0])
    return store


#: catalog entry fields made hostile (issue 28, item 8): (text in the entry, replacement, what the problem says)
BAD_FIELDS = [
    ('url = "https://example.org/bad.zip"', 'url = "http://"', "files[0].url names no host"),
    ('url = "https://example.org/bad.zip"', 'url = "http://example.org:99999/x.zip"', "files[0].url cannot be parsed"),
    ('url = "https://example.org/bad.zip"', 'url = "http://[::1/x"', "files[0].url cannot be parsed"),
    ('url = "https://example.org/bad.zip"', 'url = "file:///etc/passwd"', "must be an http(s) URL, got scheme 'file'"),
    ('url = "https://example.org/bad.zip"', 'url = "https://exa mple.org/x"', "space or control character"),
    ('filename = "bad.zip"', 'filename = "bad\\u0000.zip"', "files[0].filename must be a plain file name: it holds a control"),
    ('version = "1"', 'version = "1\\u0000"', "version '1\\x00' must not contain"),
    ('filename = "bad.zip"', f'filename = "{"x" * 296}.zip"', "is 300 bytes; at most 200"),
]
