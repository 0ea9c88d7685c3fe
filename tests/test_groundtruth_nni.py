"""NNI benchmark databases: tiny SQLite files with NNI's table layout."""

from __future__ import annotations

import json
import sqlite3

import pytest

from builders.groundtruth.errors import SourceFormatError
from builders.groundtruth.nni import load_nni, nb201_arch
from wsbench.errors import UnknownNameError
from wsbench.spaces import get_space

NB201_DDL = [
    "CREATE TABLE nb201trialconfig (id INTEGER PRIMARY KEY, arch TEXT, num_epochs INTEGER, num_channels INTEGER,"
    " num_cells INTEGER, dataset VARCHAR(20))",
    "CREATE TABLE nb201trialstats (id INTEGER PRIMARY KEY, config_id INTEGER, seed INTEGER, train_acc REAL,"
    " valid_acc REAL, test_acc REAL, ori_test_acc REAL, train_loss REAL, valid_loss REAL, test_loss REAL,"
    " ori_test_loss REAL, parameters REAL, latency REAL, flops REAL, training_time REAL,"
    " valid_evaluation_time REAL, test_evaluation_time REAL, ori_test_evaluation_time REAL)",
]
NB101_DDL = [
    "CREATE TABLE nb101trialconfig (id INTEGER PRIMARY KEY, arch TEXT, num_vertices INTEGER, hash VARCHAR(64),"
    " num_epochs INTEGER)",
    "CREATE TABLE nb101trialstats (id INTEGER PRIMARY KEY, config_id INTEGER, train_acc REAL, valid_acc REAL,"
    " test_acc REAL, parameters REAL, training_time REAL)",
]


def test_nni_nb201_database(tmp_path):
    db = tmp_path / "nasbench201.db"
    con = sqlite3.connect(db)
    for ddl in NB201_DDL:
        con.execute(ddl)
    arch = {"0_1": "conv_3x3", "0_2": "none", "0_3": "skip_connect", "1_2": "conv_1x1", "1_3": "avg_pool_3x3",
            "2_3": "skip_connect"}
    con.execute("INSERT INTO nb201trialconfig VALUES (1, ?, 200, 16, 5, 'cifar100')", (json.dumps(arch),))
    con.execute("INSERT INTO nb201trialconfig VALUES (2, ?, 12, 16, 5, 'cifar100')", (json.dumps(arch),))
    for i, (cfg, seed, acc) in enumerate([(1, 777, 70.0), (1, 888, 71.0), (2, 111, 40.0)], start=1):
        con.execute("INSERT INTO nb201trialstats (id, config_id, seed, train_acc, valid_acc, test_acc, ori_test_acc,"
                    " parameters, latency, flops, training_time, valid_evaluation_time, test_evaluation_time,"
                    " ori_test_evaluation_time) VALUES (?, ?, ?, 99, ?, ?, ?, 1.2, 0, 150.5, 0, 0, 0, 0)",
                    (i, cfg, seed, acc, acc - 1, acc - 2))
    con.commit()
    con.close()
    gt = load_nni(db, space="nb201", dataset="cifar100", epochs=200, split="ori_test")
    s = "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|skip_connect~2|"
    assert nb201_arch(arch) == s and get_space("nb201").canonicalize(s) == s
    assert gt.seeds == [777, 888] and gt.scores[s].tolist() == [68.0, 69.0]
    assert gt.params[s] == pytest.approx(1.2e6) and gt.flops[s] == pytest.approx(150.5e6)
    with pytest.raises(SourceFormatError, match="no nb201 trials with num_epochs=200 and dataset='cifar10'"):
        load_nni(db, space="nb201", dataset="cifar10", epochs=200, split="valid")
    with pytest.raises(UnknownNameError, match="split"):
        load_nni(db, space="nb201", dataset="cifar100", epochs=200, split="x-valid")


def test_nni_nb101_database(tmp_path):
    db = tmp_path / "nasbench101.db"
    con = sqlite3.connect(db)
    for ddl in NB101_DDL:
        con.execute(ddl)
    space = get_space("nb101")
    spec = {"matrix": [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
            "ops": ["input", "maxpool3x3", "conv3x3-bn-relu", "output"]}
    arch = {"op1": "maxpool3x3", "op2": "conv3x3-bn-relu", "input1": [0], "input2": [0], "input3": [1, 2]}
    con.execute("INSERT INTO nb101trialconfig VALUES (1, ?, 4, ?, 108)", (json.dumps(arch), space.hash(spec)))
    for i, acc in enumerate([90.0, 91.0, 92.0], start=1):
        con.execute("INSERT INTO nb101trialstats VALUES (?, 1, 100, ?, ?, 0.5, 10)", (i, acc, acc - 1))
    con.commit()
    con.close()
    gt = load_nni(db, space="nb101", epochs=108, split="test")
    assert gt.seeds == [0, 1, 2] and gt.scores[space.canonicalize(spec)].tolist() == [89.0, 90.0, 91.0]


def test_nni_bad_files(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(SourceFormatError, match="junk.db: not an SQLite database"):
        load_nni(junk, space="nb101", epochs=108, split="test")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(SourceFormatError, match="tables \\['nb101trialconfig', 'nb101trialstats'\\] are missing"):
        load_nni(empty, space="nb101", epochs=108, split="test")


def test_cli_dispatch_needs_explicit_options(tmp_path, capsys):
    from builders.__main__ import main

    db = tmp_path / "x.db"
    sqlite3.connect(db).close()
    assert main(["import-gt", "nni-nb201", str(db), "--epochs", "200"]) == 2
    assert "needs --dataset, --split" in capsys.readouterr().err
    assert main(["import-gt", "nni-nb201", str(db), "--epochs", "200", "--dataset", "cifar10", "--split", "valid"]) == 1
