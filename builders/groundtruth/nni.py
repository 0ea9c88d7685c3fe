"""NNI benchmark databases (``nasbench201.db``, ``nasbench101.db``) read with the standard library's sqlite3.

NNI's peewee models give the tables ``nb201trialconfig`` (``arch`` JSON with
keys ``0_1`` … ``2_3`` and NNI op names, ``num_epochs``, ``num_channels``,
``num_cells``, ``dataset``) + ``nb201trialstats`` (``config_id``, ``seed``,
``{train,valid,test,ori_test}_acc`` in %, ``parameters`` and ``flops`` in
millions), and ``nb101trialconfig`` (``arch`` JSON ``op1…``/``input1…``,
``num_vertices``, ``hash``, ``num_epochs``) + ``nb101trialstats``
(``config_id``, ``{train,valid,test}_acc`` in %, ``parameters`` in millions;
NNI records no seed for NB101 repeats, so they are numbered in row order).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.record import GroundTruth, sha256_file
from wsbench.errors import UnknownNameError

NNI_NB201_OPS = {"none": "none", "skip_connect": "skip_connect", "conv_1x1": "nor_conv_1x1",
                 "conv_3x3": "nor_conv_3x3", "avg_pool_3x3": "avg_pool_3x3"}
NB201_DATASETS = ("cifar10-valid", "cifar10", "cifar100", "imagenet16-120")
SPLITS = {"nb201": ("train", "valid", "test", "ori_test"), "nb101": ("train", "valid", "test")}


def _connect(path: Path) -> tuple[sqlite3.Connection, set[str]]:
    if not path.is_file():
        raise SourceFormatError(f"{path}: no such file (expected an NNI benchmark database)")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as e:
        raise SourceFormatError(f"{path}: not an SQLite database ({e})") from None
    return con, tables


def _require(tables: set[str], path: Path, *names: str) -> None:
    missing = [n for n in names if n not in tables]
    if missing:
        raise SourceFormatError(f"{path}: tables {missing} are missing; found {sorted(tables)}")


def nb201_arch(arch: dict) -> str:
    """NNI's {'0_1': 'conv_3x3', …} -> canonical NB201 string."""
    from wsbench.spaces import get_space

    space = get_space("nb201")
    try:
        ops = [NNI_NB201_OPS[arch[f"{j}_{i}"]] for i, j in space.edges]
    except KeyError as e:
        raise SourceFormatError(f"NNI nb201 arch {arch}: missing edge or unknown op {e}") from None
    return space.format(tuple(space.ops.index(o) for o in ops))


def nb101_spec(arch: dict, num_vertices: int) -> dict:
    """NNI's {'op1': …, 'input1': [0], …} -> {"matrix", "ops"}."""
    n = int(num_vertices)
    m = [[0] * n for _ in range(n)]
    try:
        for i in range(1, n):
            for k in arch[f"input{i}"]:
                m[int(k)][i] = 1
        ops = ["input", *(arch[f"op{i}"] for i in range(1, n - 1)), "output"]
    except (KeyError, IndexError, TypeError) as e:
        raise SourceFormatError(f"NNI nb101 arch {arch}: missing or bad field {e}") from None
    return {"matrix": m, "ops": ops}


def load_nni(path: str | Path, *, space: str, epochs: int, split: str, dataset: str | None = None) -> GroundTruth:
    """Final ``split`` accuracy (%) of every trial of an NNI database at ``epochs``, per seed/repeat."""
    from wsbench.spaces import get_space

    if space not in SPLITS:
        raise UnknownNameError("NNI benchmark space", space, SPLITS)
    if split not in SPLITS[space]:
        raise UnknownNameError(f"NNI {space} split", split, SPLITS[space])
    path = Path(path)
    con, tables = _connect(path)
    sp = get_space(space)
    runs: dict[str, dict[int, float]] = {}
    params: dict[str, float] = {}
    flops: dict[str, float] = {}
    try:
        if space == "nb201":
            if dataset not in NB201_DATASETS:
                raise UnknownNameError("NNI nb201 dataset", dataset, NB201_DATASETS)
            _require(tables, path, "nb201trialconfig", "nb201trialstats")
            rows = con.execute(
                f"SELECT c.arch, s.seed, s.{split}_acc, s.parameters, s.flops FROM nb201trialstats s "
                "JOIN nb201trialconfig c ON s.config_id = c.id WHERE c.num_epochs = ? AND c.dataset = ? "
                "ORDER BY s.id", (int(epochs), dataset))
            for arch, seed, acc, p, f in rows:
                a = nb201_arch(json.loads(arch))
                runs.setdefault(a, {})[int(seed)] = float(acc)
                params[a], flops[a] = float(p) * 1e6, float(f) * 1e6
        else:
            _require(tables, path, "nb101trialconfig", "nb101trialstats")
            rows = con.execute(
                f"SELECT c.arch, c.num_vertices, c.hash, s.{split}_acc, s.parameters FROM nb101trialstats s "
                "JOIN nb101trialconfig c ON s.config_id = c.id WHERE c.num_epochs = ? ORDER BY s.id", (int(epochs),))
            for arch, nv, h, acc, p in rows:
                a = sp.canonicalize(nb101_spec(json.loads(arch), nv))
                if sp.hash(a) != h:
                    raise SourceFormatError(f"{path}: hash {h} differs from the NB101 hash of {a}")
                by_seed = runs.setdefault(a, {})
                by_seed[len(by_seed)] = float(acc)
                params[a] = float(p) * 1e6
    except sqlite3.DatabaseError as e:
        raise SourceFormatError(f"{path}: {e}") from None
    finally:
        con.close()
    if not runs:
        raise SourceFormatError(f"{path}: no {space} trials with num_epochs={epochs}"
                                + (f" and dataset={dataset!r}" if dataset else ""))
    source = {"kind": f"NNI {space} benchmark database", "file": path.name, "sha256": sha256_file(path),
              "epochs": int(epochs), "split": split, "dataset": dataset, "metric": f"final {split}_acc (%)",
              "license": "MIT (NNI); see the original benchmark's licence",
              "citation": "Microsoft NNI; " + ("Dong & Yang, NAS-Bench-201, ICLR 2020" if space == "nb201"
                                               else "Ying et al., NAS-Bench-101, ICML 2019")}
    return GroundTruth.from_runs(space, runs, source, params, flops)
