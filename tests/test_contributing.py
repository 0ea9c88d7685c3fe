"""CONTRIBUTING.md's path, checked: its builders commands parse, and a table-GT dataset goes build -> publish -> query."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from builders.__main__ import main as builders_main
from builders.__main__ import parser

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "CONTRIBUTING.md").read_text()
VARS = {"SPACE": "nb201", "MODULE": "nb201", "DATASET": "nb201-x", "DATA": "/data"}


def _commands(prefix: str) -> list[list[str]]:
    """Every command of the guide's bash blocks that starts with ``prefix``, continuation lines joined."""
    out = []
    for block in re.findall(r"```bash\n(.*?)```", GUIDE, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#")[0].strip()
            if line.startswith(prefix):
                for k, v in VARS.items():
                    line = line.replace(f"${{{k}//-/_}}", v).replace(f"${k}", v)
                out.append(shlex.split(line)[len(prefix.split()):])
    return out


def test_every_builders_command_of_the_guide_parses():
    cmds = _commands("python -m builders")
    assert {c[0] for c in cmds} >= {"new-space", "build", "import-gt", "publish"}
    for argv in cmds:
        parser().parse_args(argv)  # SystemExit(2) on an unknown option or a missing required one


def test_every_wsbench_command_of_the_guide_exists():
    from cli_invoke import invoke

    cmds = _commands("wsbench")
    assert {c[0] for c in cmds} >= {"validate", "topk", "report"}
    for argv in cmds:
        res = invoke([argv[0], "--help"])
        assert res.exit_code == 0, argv
        for opt in (a for a in argv if a.startswith("--")):
            assert opt in res.stdout, (argv, opt)


def test_table_ground_truth_dataset_from_build_to_publish_to_query(tmp_path, capsys):
    """The guide's steps 4-8 with nb201 as the finished space, at the tiny scale."""
    import json

    pytest.importorskip("torch")

    import wsbench
    from builders.data.cifar10 import Split, write_cifar10_bin
    from wsbench.schema import validate
    from wsbench.spaces import get_space
    from wsbench.store import open_store

    rng = np.random.default_rng(1)

    def split(n):
        y = rng.integers(0, 10, n)
        return Split((rng.integers(0, 60, (n, 3, 32, 32)) + (y * 20)[:, None, None, None]).astype(np.uint8), y)

    data = tmp_path / "cifar"
    write_cifar10_bin(data, split(300), split(20))
    archs = get_space("nb201").sample(10, seed=5)
    table = tmp_path / "gt.json"  # fractions, as some authors publish them
    table.write_text(json.dumps({"arch": archs, "acc": list(np.linspace(0.6, 0.9, 10)), "sd": [0.01] * 10}))
    gt = ["import-gt", "table", str(table), "--arch-col", "arch", "--mean-col", "acc", "--std-col", "sd",
          "--metric", "accuracy", "--unit", "fraction"]
    assert builders_main([*gt, "--space", "nb201", "--write-archs", str(tmp_path / "gt_archs.txt")]) == 0
    store = tmp_path / "nb201-x.zarr"
    assert builders_main(["build", "nb201", "--preset", "mini", "--data-dir", str(data), "--epochs", "1",
                          "--score-epochs", "1", "--archs-from", str(tmp_path / "gt_archs.txt"), "--seeds", "0",
                          "--train-size", "128", "--valid-size", "100", "--score-size", "32", "--bn-batches", "1",
                          "--batch-size", "32", "--out", str(store)]) == 0
    assert builders_main([*gt, "--store", str(store)]) == 0
    ds = open_store(store)
    assert validate(ds) == [] and [str(a) for a in ds["arch_string"].values] == archs  # the table's order
    np.testing.assert_allclose(ds["gt_score"].values, np.linspace(60, 90, 10), rtol=1e-6)
    np.testing.assert_allclose(ds["gt_score_std"].values, 1.0, rtol=1e-6)
    meta = tmp_path / "nb201-x.meta.toml"
    meta.write_text('name = "nb201-x"\nversion = "1.0"\ndataset = "synthetic"\ntitle = "t"\ndescription = "d"\n'
                    'license = "CC0-1.0"\ncitation = "none"\nrelease_notes = "first"\n[builder]\ncommand = "test"\n')
    (tmp_path / "nb201-x.md").write_text("# nb201-x\n\nA test card.\n")
    out, cat = tmp_path / "files", tmp_path / "catalog"
    assert builders_main(["publish", str(store), "--meta", str(meta), "--out-dir", str(out), "--catalog", str(cat)]) == 0
    capsys.readouterr()
    r = wsbench.query(out / "nb201-x-1.0.zip", "topk", k="1,3")
    df = r.to_dataframe()
    assert sorted(df["k_count"].tolist()) == [1, 3] and np.allclose(df["sample_best_gt"], 90.0)
