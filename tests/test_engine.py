"""The supernet engine: real tiny builds of every wired space, uniform sampling, BN recalibration, kill-and-resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from builders.__main__ import main as builders_main
from builders.engine.bn import recalibrate
from builders.engine.kits import kit_spaces
from wsbench.store import open_store

TINY = ["--preset", "mini", "--epochs", "2", "--score-epochs", "1,2", "--subnets", "4", "--seeds", "0,1",
        "--train-size", "256", "--valid-size", "100", "--score-size", "64", "--bn-batches", "2", "--batch-size", "32"]


@pytest.mark.parametrize("space", kit_spaces())
def test_tiny_build_then_ground_truth_gives_a_valid_store(space, tiny_cifar, tmp_path):
    out = tmp_path / f"{space}-tiny.zarr"
    assert builders_main(["build", space, "--data-dir", str(tiny_cifar), "--out", str(out), *TINY]) == 0
    ds = open_store(out, allow_incomplete=True)
    assert ds.attrs["complete"] is False and ds.attrs["scores_complete"] is True  # no GT yet: not a dataset
    sn = ds["supernet_score"].values
    assert sn.shape == (2, 2, 4) and np.isfinite(sn).all() and ((sn >= 0) & (sn <= 100)).all()
    loss = ds["supernet_loss"].values
    assert loss.shape == sn.shape and np.isfinite(loss).all() and (loss > 0).all()
    assert ds["params_paper"].values.min() > ds["params"].values.max() / 10
    assert builders_main(["groundtruth", space, "--preset", "mini", "--archs-from", str(out), "--seeds", "0",
                          "--data-dir", str(tiny_cifar), "--work", str(tmp_path / "gt"), "--epochs", "1",
                          "--train-size", "200", "--valid-size", "100", "--store", str(out),
                          "--name", "gt_score"]) == 0
    from wsbench.schema import validate

    final = open_store(out)
    assert final.attrs["complete"] is True and validate(final) == []
    assert final.attrs["evaluation_protocol"]["bn"] == "recalibrate" and final.attrs["space"] == space
    assert final.attrs["gt_source"]["recipe"]["space"] == space


def test_resuming_a_store_of_another_space_is_refused(tiny_cifar, tmp_path, capsys):
    out = tmp_path / "nb201.zarr"
    assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY,
                          "--create-only"]) == 0
    capsys.readouterr()
    assert builders_main(["build", "nb101", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY]) == 1
    assert "is a nb201 store, but the build asks for nb101" in capsys.readouterr().err


def test_recalibration_replaces_running_statistics():
    from builders.nb201.network import NB201Supernet

    torch.manual_seed(0)
    sup = NB201Supernet(4, 1)
    bn = sup.stem[1]
    bn.running_mean.fill_(100.0)
    batches = [torch.randn(8, 3, 8, 8) for _ in range(3)]
    ch = (3, 3, 3, 3, 3, 3)
    assert recalibrate(sup, batches, lambda x: sup(x, ch)) == 3
    assert bn.running_mean.abs().max() < 5 and not sup.training and bn.momentum == 0.1


def test_training_draws_are_uniform_over_ops():
    """What each training step runs (space.draw): chi-square on op frequencies per decision, 5000 draws."""
    import scipy.stats as st

    from wsbench.spaces import get_space

    nb201 = get_space("nb201")
    rng = np.random.default_rng([0, 1])
    draws = np.array([nb201.draw(rng) for _ in range(5000)])
    for d in range(6):
        assert st.chisquare(np.bincount(draws[:, d], minlength=5)).pvalue > 1e-3
    darts = get_space("darts")
    counts = np.zeros(len(darts.ops), dtype=int)
    for _ in range(1000):
        for pairs, _concat in darts.draw(rng).values():
            for op, _src in pairs:
                counts[darts.ops.index(op)] += 1
    assert st.chisquare(counts).pvalue > 1e-3
    px = get_space("proxylessnas")  # first block of a stage: 6 MBConvs; other blocks: 6 MBConvs + zero
    draws = np.array([px.draw(rng) for _ in range(3000)])
    firsts = [0, 4, 8, 12, 16, 20]
    rest = [i for i in range(21) if i not in firsts]
    assert st.chisquare(np.bincount(draws[:, firsts].ravel(), minlength=7)[1:]).pvalue > 1e-3
    assert st.chisquare(np.bincount(draws[:, rest].ravel(), minlength=7)).pvalue > 1e-3
    rnn = get_space("darts-rnn")
    acts = np.zeros(4, dtype=int)
    for _ in range(2000):
        for name, _pred in rnn.draw(rng):
            acts[rnn.ops.index(name)] += 1
    assert st.chisquare(acts).pvalue > 1e-3


def test_killed_build_resumes_to_the_same_store(tiny_cifar, tmp_path):
    args = ["build", "nb201", "--data-dir", str(tiny_cifar), *TINY, "--epochs", "3", "--score-epochs", "1,3"]
    ref = tmp_path / "ref.zarr"
    assert builders_main([*args, "--out", str(ref)]) == 0
    killed = tmp_path / "killed.zarr"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "builders", *args, "--out", str(killed)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ckpt = tmp_path / "killed.zarr.work" / "seed0.ckpt"
    deadline = time.time() + 120
    while not ckpt.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the build finished before it could be killed; make it longer"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert builders_main([*args, "--out", str(killed)]) == 0  # resume
    a, b = open_store(ref, allow_incomplete=True), open_store(killed, allow_incomplete=True)
    np.testing.assert_array_equal(a["supernet_score"].values, b["supernet_score"].values)
    np.testing.assert_array_equal(a["supernet_loss"].values, b["supernet_loss"].values)
    assert not (tmp_path / "killed.zarr.work").exists()  # a finished build leaves no checkpoints behind
    assert list(a["arch_string"].values) == list(b["arch_string"].values)


@pytest.mark.parametrize("protocol", ["batch_stats", "running_stats"])
def test_other_bn_protocols_are_recorded_and_resuming_with_another_is_refused(protocol, tiny_cifar, tmp_path, capsys):
    out = tmp_path / "p.zarr"
    opts = [*TINY[:TINY.index("--epochs")], "--epochs", "1", "--score-epochs", "1", "--subnets", "4", "--seeds", "0",
            *TINY[TINY.index("--train-size"):]]
    assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *opts,
                          "--bn", protocol]) == 0
    ds = open_store(out, allow_incomplete=True)
    assert ds.attrs["evaluation_protocol"]["bn"] == protocol and ds.attrs["evaluation_protocol"]["bn_batches"] is None
    assert np.isfinite(ds["supernet_score"].values).all()
    capsys.readouterr()
    assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *opts]) == 1
    assert "different recipe" in capsys.readouterr().err


def test_torchrun_two_cpu_ranks_build_a_complete_store(tiny_cifar, tmp_path):
    """A real `torchrun --nproc_per_node 2` (gloo): DDP training, scoring split across ranks, rank 0 writes."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "ddp.zarr"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr",
                        "127.0.0.1", "--master_port", str(port), "-m", "builders", "build", "nb201",
                        "--data-dir", str(tiny_cifar), "--out", str(out), *TINY, "--subnets", "5"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    ds = open_store(out, allow_incomplete=True)
    assert ds.attrs["scores_complete"] is True and ds.attrs["supernet_recipe"]["world_size"] == 2
    sn = ds["supernet_score"].values
    assert sn.shape == (2, 2, 5) and np.isfinite(sn).all()  # both ranks' halves (3 + 2 subnets) landed


def test_keep_work_keeps_the_checkpoints(tiny_cifar, tmp_path):
    out = tmp_path / "k.zarr"
    opts = [*TINY[:TINY.index("--epochs")], "--epochs", "1", "--score-epochs", "1", "--subnets", "3", "--seeds", "0",
            *TINY[TINY.index("--train-size"):]]
    assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *opts,
                          "--keep-work"]) == 0
    assert (tmp_path / "k.zarr.work" / "seed0.ckpt").is_file()


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--seeds", "x", "comma-separated integers"), ("--seeds", "0,0", "twice"), ("--batch-size", "0", "positive"),
    ("--subnets", "0", "positive"), ("--epochs", "0", "positive"), ("--train-size", "100000", "train size"),
    ("--score-size", "5000", "exceeds"), ("--bn-batches", "0", "bn-batches"), ("--score-epochs", "1,9", "1..2"),
    ("--precision", "fp16", "--precision must be one of"), ("--device", "gpu", "--device must be cpu, cuda"),
] + ([("--device", "cuda", "sees no CUDA device")] if not torch.cuda.is_available() else []))
def test_nonsense_build_options_get_one_line_and_no_store(option, value, says, tiny_cifar, tmp_path, capsys):
    out = tmp_path / "bad.zarr"
    args = dict(zip(TINY[::2], TINY[1::2]))
    args[option] = value
    argv = ["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *[x for kv in args.items() for x in kv]]
    assert builders_main(argv) == 1
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def _one_seed(epochs: str = "2") -> list[str]:
    args = dict(zip(TINY[::2], TINY[1::2]))
    args.update({"--epochs": epochs, "--score-epochs": ",".join(str(e) for e in range(1, int(epochs) + 1)),
                 "--subnets": "3", "--seeds": "0"})
    return [x for kv in args.items() for x in kv]


def test_bf16_build_records_its_precision_and_scores_like_fp32(tiny_cifar, tmp_path):
    outs = {}
    for precision in ("fp32", "bf16"):
        outs[precision] = tmp_path / f"{precision}.zarr"
        assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(outs[precision]),
                              *_one_seed("1"), "--precision", precision]) == 0
    a, b = (open_store(outs[p], allow_incomplete=True) for p in ("fp32", "bf16"))
    assert a.attrs["supernet_recipe"]["precision"] == "fp32" and b.attrs["supernet_recipe"]["precision"] == "bf16"
    assert b.attrs["evaluation_protocol"]["precision"] == "bf16"
    sa, sb = a["supernet_loss"].values, b["supernet_loss"].values
    assert np.isfinite(sb).all() and not np.array_equal(sa, sb)  # another arithmetic, not the same numbers
    assert np.allclose(sa, sb, rtol=0.1)  # but the same network and data


def test_truncated_or_foreign_checkpoints_are_refused_and_left_alone(tiny_cifar, tmp_path, capsys):
    out, work = tmp_path / "c.zarr", tmp_path / "work"
    base = ["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), "--work", str(work)]
    # one epoch of two: the checkpoint of epoch 1 is there, the build is not finished
    assert builders_main([*base, *_one_seed("2"), "--create-only"]) == 0
    from builders.engine.build import build

    build("nb201", out, preset_name="mini", data_dir=tiny_cifar, epochs=2, score_epochs=[1, 2], subnets=3, seeds=[0],
          work=work, progress=False, max_epochs_this_run=1,
          overrides={"train_size": 256, "valid_size": 100, "score_size": 64, "bn_batches": 2, "batch_size": 32})
    ckpt = work / "seed0.ckpt"
    good = ckpt.read_bytes()
    ckpt.write_bytes(good[: len(good) // 2])  # truncated
    capsys.readouterr()
    assert builders_main([*base, *_one_seed("2")]) == 1
    err = capsys.readouterr().err
    assert "cannot be read" in err and err.count("\n") == 1 and ckpt.read_bytes() == good[: len(good) // 2]
    # a checkpoint of another recipe (here: another learning rate) is refused, not continued
    import torch as t

    state = t.load(__import__("io").BytesIO(good), weights_only=False)
    state["recipe"] = {**state["recipe"], "lr": 0.5}
    t.save(state, ckpt)
    before = ckpt.read_bytes()
    assert builders_main([*base, *_one_seed("2")]) == 1
    err = capsys.readouterr().err
    assert "another recipe" in err and "'lr': (0.5, 0.1)" in err and ckpt.read_bytes() == before
    state["recipe"]["lr"] = 0.1
    state["builder_version"] = "0.0.1"
    t.save(state, ckpt)
    assert builders_main([*base, *_one_seed("2")]) == 1
    assert "builder version 0.0.1" in capsys.readouterr().err


def test_a_build_carried_to_a_fresh_clone_resumes_to_the_uninterrupted_store(tiny_cifar, tmp_path, capsys):
    """Issue 29 item 5: save (checkpoint + scores so far) -> delete everything -> recreate, restore -> resume."""
    from builders.engine.build import build

    opts = dict(preset_name="mini", data_dir=tiny_cifar, epochs=3, score_epochs=[1, 2, 3], subnets=4, seeds=[0, 1],
                progress=False, overrides={"train_size": 256, "valid_size": 100, "score_size": 64, "bn_batches": 2,
                                           "batch_size": 32})
    ref = tmp_path / "ref.zarr"
    build("nb201", ref, work=tmp_path / "ref.work", **opts)
    out, work, carried = tmp_path / "run.zarr", tmp_path / "run.work", tmp_path / "results" / "checkpoints"
    build("nb201", out, work=work, max_epochs_this_run=1, only_seeds=[0], **opts)
    build("nb201", out, work=work, max_epochs_this_run=2, only_seeds=[1], **opts)
    assert builders_main(["checkpoint", "save", "--store", str(out), "--work", str(work), "--dir", str(carried)]) == 0
    assert sorted(p.name for p in carried.iterdir()) == ["seed0.pt.gz", "seed1.pt.gz"]
    import shutil

    shutil.rmtree(out)
    shutil.rmtree(work)  # the machine is gone; only the committed files remain
    build("nb201", out, work=work, max_epochs_this_run=0, **opts)  # --create-only with the original command
    capsys.readouterr()
    assert builders_main(["checkpoint", "restore", "--store", str(out), "--work", str(work), "--dir", str(carried)]) == 0
    assert '"0": 1' in capsys.readouterr().out
    assert build("nb201", out, work=work, **opts) is not None
    a, b = open_store(ref, allow_incomplete=True), open_store(out, allow_incomplete=True)
    for name in ("supernet_score", "supernet_loss"):
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_restoring_into_another_store_or_over_a_later_checkpoint_is_refused(tiny_cifar, tmp_path, capsys):
    from builders.engine.build import build

    opts = dict(preset_name="mini", data_dir=tiny_cifar, epochs=2, score_epochs=[1, 2], subnets=3, seeds=[0],
                progress=False, overrides={"train_size": 256, "valid_size": 100, "score_size": 64, "bn_batches": 2,
                                           "batch_size": 32})
    out, work, carried = tmp_path / "a.zarr", tmp_path / "a.work", tmp_path / "carried"
    build("nb201", out, work=work, max_epochs_this_run=1, **opts)
    assert builders_main(["checkpoint", "save", "--store", str(out), "--work", str(work), "--dir", str(carried)]) == 0
    other = tmp_path / "b.zarr"
    build("nb201", other, work=tmp_path / "b.work", max_epochs_this_run=0, **{**opts, "subnets": 4})
    capsys.readouterr()
    assert builders_main(["checkpoint", "restore", "--store", str(other), "--work", str(tmp_path / "b.work"),
                          "--dir", str(carried)]) == 1
    err = capsys.readouterr().err
    assert "another architecture list" in err and err.count("\n") == 1
    assert not (tmp_path / "b.work" / "seed0.ckpt").exists()
    build("nb201", out, work=work, keep_work=True, **opts)  # finishes: its checkpoint is now at epoch 2
    assert builders_main(["checkpoint", "restore", "--store", str(out), "--work", str(work), "--dir",
                          str(carried)]) == 1
    assert "later than" in capsys.readouterr().err
    (carried / "seed0.pt.gz").write_bytes(b"not gzip")
    assert builders_main(["checkpoint", "restore", "--store", str(out), "--work", str(work), "--dir",
                          str(carried)]) == 1
    assert "cannot be read" in capsys.readouterr().err


def test_a_carried_recipe_missing_a_field_added_later_as_none_is_the_same_recipe():
    """Preset fields added after a build started (lr_min, score_precision) default to None = "as before": the build's
    carried checkpoints still restore into a store that newer code recreates; any other value is another recipe."""
    from builders.engine.carry import same_recipe

    old = {"name": "paper", "lr": 0.025, "epochs": 128}
    assert same_recipe(old, {**old, "lr_min": None, "score_precision": None})
    assert same_recipe({**old, "lr_min": None}, old)
    assert not same_recipe(old, {**old, "lr_min": 0.001})
    assert not same_recipe(old, {**old, "lr": 0.1})


def test_stop_by_ends_a_process_on_an_epoch_boundary_and_the_build_resumes_to_the_same_store(tiny_cifar, tmp_path,
                                                                                             capsys):
    """--stop-by predicts when the next epoch would end from the slowest measured training (and scoring, before a
    score epoch), which the checkpoint carries to the next process: measured slow, the process stops on its
    checkpoint before training anything; measured fast, it goes on; either way the store is the uninterrupted one."""
    import torch

    from builders.engine import checkpoint

    args = ["build", "nb201", "--data-dir", str(tiny_cifar), *TINY, "--epochs", "3", "--score-epochs", "1,3"]
    ref = tmp_path / "ref.zarr"
    assert builders_main([*args, "--out", str(ref)]) == 0
    out, ckpt = tmp_path / "s.zarr", tmp_path / "s.zarr.work" / "seed0.ckpt"
    assert builders_main([*args, "--out", str(out), "--only-seeds", "0", "--stop-after-epochs", "1"]) == 0
    state = checkpoint.read(ckpt)
    assert state["epoch"] == 1 and len(state["timing"]["train_s"]) == 1 and len(state["timing"]["score_s"]) == 1

    def measured(train_s: float, score_s: float) -> None:
        torch.save({**checkpoint.read(ckpt), "timing": {"train_s": [train_s], "score_s": [score_s]}}, ckpt)

    in_half_an_hour = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() + 1800))
    measured(2000.0, 0.0)  # epoch 2 (not a score epoch) would take 33 min
    before = ckpt.read_bytes()
    capsys.readouterr()
    assert builders_main([*args, "--out", str(out), "--only-seeds", "0", "--stop-by", in_half_an_hour]) == 0
    printed = capsys.readouterr().out
    assert "seed 0: stopping before epoch 2 (its checkpoint of epoch 1 is written): epoch 2 would end at" in printed
    assert ckpt.read_bytes() == before and '"all_regions_scored": false' in printed
    measured(1.0, 1500.0)  # epoch 2 fits (1 s); epoch 3 is a score epoch: 1 s + 25 min of scoring still fits
    assert builders_main([*args, "--out", str(out), "--stop-by", in_half_an_hour]) == 0
    assert "stopping" not in capsys.readouterr().out
    a, b = open_store(ref, allow_incomplete=True), open_store(out, allow_incomplete=True)
    for name in ("supernet_score", "supernet_loss"):
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_stop_by_takes_a_clock_time_or_iso_and_refuses_the_past_or_nonsense():
    import datetime as dt

    from builders.__main__ import _deadline
    from wsbench.errors import OptionError

    now = dt.datetime(2026, 12, 5, 4, 10).timestamp()
    assert _deadline("05:35", now) == dt.datetime(2026, 12, 5, 5, 35).timestamp()  # today, local time
    assert _deadline("2026-12-06T01:00", now) == dt.datetime(2026, 12, 6, 1, 0).timestamp()
    assert _deadline("2026-12-06T01:00+00:00", now) == dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC).timestamp()
    for bad, says in (("04:00", "already past"), ("25:00", "must be HH:MM"), ("soon", "must be HH:MM"),
                      ("2026-12-04T23:00", "already past")):
        with pytest.raises(OptionError, match=says):
            _deadline(bad, now)
