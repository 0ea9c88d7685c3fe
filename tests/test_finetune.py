"""Fine-tuned inheritance (`python -m builders finetune`, `--score finetune`): real tiny builds, real CLI processes."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from factory import make_store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsbench.schema import validate
from wsbench.store import StoreWriter, open_store

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TINY = ["--preset", "mini", "--epochs", "2", "--score-epochs", "1,2", "--subnets", "6", "--seeds", "0,1",
        "--train-size", "256", "--valid-size", "100", "--score-size", "64", "--bn-batches", "2", "--batch-size", "32"]


# -- the schema and the reader side (no torch) ---------------------------------------------------------------------
def _tuned(tmp_path: Path, name: str = "s.zarr") -> tuple[Path, np.ndarray]:
    """A complete synthetic store (seeds 0,1,2; epochs 1,2,4; 20 subnets) with subnets 2, 5, 7 and 11 fine-tuned at
    (0, 4) and (1, 4): the plain score + 3 there, loss 1.0."""
    path = make_store(tmp_path / name, n=20)
    w = StoreWriter.resume(path)
    sn = w.group["supernet_score"][:]
    idx = np.array([2, 5, 7, 11])
    w.ensure_finetune()
    for seed in (0, 1):
        s, lo = np.full(20, np.nan, np.float32), np.full(20, np.nan, np.float32)
        s[idx], lo[idx] = np.clip(sn[seed, 2, idx] + 3, 0, 100), 1.0
        w.write_finetune(seed, 4, s, lo)
    w.update_attrs(finetune={"subnets": 4, "batches": 10, "lr": 0.1, "regions": [[0, 4], [1, 4]]})
    w.finalize()
    return path, idx


def test_a_valid_fine_tuned_store_validates_and_ranks_by_finetune(tmp_path):
    import wsbench

    path, idx = _tuned(tmp_path)
    assert validate(open_store(path)) == []
    b = wsbench.open(str(path))
    assert "finetune" in b.scores()
    r = b.correlation(score="finetune", seed="0,1", method="kendall")
    from scipy.stats import kendalltau

    ds = open_store(path)
    want = [kendalltau(ds["finetune_score"].values[s, 2, idx], ds["gt_score"].values[idx]).statistic for s in (0, 1)]
    assert [row["kendall"] for row in r.rows] == pytest.approx(want, abs=1e-12)
    assert all(row["n"] == 4 for row in r.rows)
    assert any("4 subnets" in n and "10 batches" in n for n in r.notes)
    p = b.paired(a="score=supernet", b="score=finetune", seed="0,1")
    assert p.summary[0]["n"] == 4  # the paired comparison sees the fine-tuned subnets only


def test_finetune_is_refused_with_a_clear_line_where_it_is_missing(tmp_path):
    import wsbench
    from wsbench.errors import OptionError

    path, _ = _tuned(tmp_path)
    b = wsbench.open(str(path))
    with pytest.raises(OptionError, match=r"no fine-tuned scores at seed 2, epoch 4; .*\[\[0, 4\], \[1, 4\]\]"):
        b.correlation(score="finetune")  # seed 2 was not fine-tuned
    with pytest.raises(OptionError, match="no fine-tuned scores at seed 0, epoch 2"):
        b.correlation(score="finetune", epoch=2, seed=0)
    plain = wsbench.open(str(make_store(tmp_path / "plain.zarr", n=10)))
    assert "finetune" not in plain.scores()
    with pytest.raises(OptionError, match="has no fine-tuned scores .* python -m builders finetune"):
        plain.correlation(score="finetune")


@pytest.mark.parametrize(("break_it", "says"), [
    (lambda w, f, lo: lo.__setitem__((0, 2, 2), np.nan), "finetune_loss and finetune_score must be known for the same"),
    (lambda w, f, lo: (f.__setitem__((1, 2, 2), np.nan), lo.__setitem__((1, 2, 2), np.nan),
                       f.__setitem__((1, 2, 3), 50.0), lo.__setitem__((1, 2, 3), 1.0)), "different sets of subnets"),
    (lambda w, f, lo: f.__setitem__((0, 2, 2), 120.0), "finetune_score values must lie in [0.0, 100.0]"),
    (lambda w, f, lo: lo.__setitem__((0, 2, 2), -1.0), "finetune_loss must be a finite cross-entropy >= 0"),
    (lambda w, f, lo: w.update_attrs(finetune={**w.group.attrs["finetune"], "regions": [[0, 4]]}),
     "finetune.regions [[0, 4]] differs from"),
    (lambda w, f, lo: w.update_attrs(finetune={**w.group.attrs["finetune"], "lr_at_epoch": {"2": 0.1}}),
     "finetune.lr_at_epoch names epochs ['2'], the fine-tuned regions ['4']"),
    (lambda w, f, lo: w.update_attrs(finetune={**w.group.attrs["finetune"], "subnets": 5}),
     "holds 4 subnets per region, the attribute finetune.subnets says 5"),
    (lambda w, f, lo: w.group["supernet_score"].__setitem__((0, 2, 5), np.nan),
     "finetune_score is known where supernet_score is not"),
])
def test_validate_names_each_broken_fine_tuned_store(break_it, says, tmp_path):
    path, _ = _tuned(tmp_path)
    w = StoreWriter.resume(path)
    f, lo = w.group["finetune_score"][:], w.group["finetune_loss"][:]
    break_it(w, f, lo)
    w.group["finetune_score"][:], w.group["finetune_loss"][:] = f, lo
    problems = validate(open_store(path, check=False))
    assert any(says in p for p in problems), problems


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subnets=st.sets(st.integers(0, 19), min_size=1, max_size=20),
       regions=st.sets(st.tuples(st.sampled_from([0, 1, 2]), st.sampled_from([1, 2, 4])), min_size=1, max_size=9))
def test_any_consistent_fine_tuned_store_validates_and_each_region_ranks_its_subnets(subnets, regions, tmp_path):
    path = tmp_path / f"h{len(list(tmp_path.iterdir()))}.zarr"
    make_store(path, n=20, seeds=(0, 1, 2), epochs=(1, 2, 4))
    w = StoreWriter.resume(path)
    idx = np.array(sorted(subnets))
    w.ensure_finetune()
    sn = w.group["supernet_score"][:]
    for seed, epoch in regions:
        s, lo = np.full(20, np.nan, np.float32), np.full(20, np.nan, np.float32)
        s[idx], lo[idx] = sn[seed, [1, 2, 4].index(epoch), idx], 0.5
        w.write_finetune(seed, epoch, s, lo)
    w.update_attrs(finetune={"subnets": len(idx), "regions": sorted([list(r) for r in regions])})
    w.finalize()
    import wsbench

    b = wsbench.open(str(path))
    for seed, epoch in regions:
        rows = b.correlation(score="finetune", seed=seed, epoch=epoch, method="kendall").rows
        assert rows[0]["n"] == len(idx)
        if len(idx) >= 3:  # fine-tuned = plain scores here: the same tau on those subnets (wsbench: NaN below 3)
            from scipy.stats import kendalltau

            want = kendalltau(sn[seed, [1, 2, 4].index(epoch), idx], b.gt("gt_score")[idx]).statistic
            assert rows[0]["kendall"] == pytest.approx(want, abs=1e-12, nan_ok=True)


def test_fine_tuned_arrays_and_their_attribute_come_together(tmp_path):
    path = make_store(tmp_path / "a.zarr", n=10)
    w = StoreWriter.resume(path)
    w.ensure_finetune()
    w.update_attrs(complete=False)  # unconsolidated, as a build sees it: the consolidated view would hide them
    assert any("need the attribute 'finetune'" in p for p in validate(open_store(path, check=False)))
    other = make_store(tmp_path / "b.zarr", n=10)
    StoreWriter.resume(other).update_attrs(finetune={"regions": []})
    assert any("no finetune_score variable" in p for p in validate(open_store(other, check=False)))


def test_the_writer_refuses_a_slice_of_the_wrong_length_or_nan_pattern(tmp_path):
    from wsbench.errors import OptionError

    w = StoreWriter.resume(make_store(tmp_path / "a.zarr", n=10))
    with pytest.raises(OptionError, match="ensure_finetune"):
        w.write_finetune(0, 1, np.zeros(10), np.zeros(10))
    w.ensure_finetune()
    with pytest.raises(OptionError, match="one value per subnet"):
        w.write_finetune(0, 1, np.zeros(9), np.zeros(9))
    s = np.zeros(10)
    s[3] = np.nan
    with pytest.raises(OptionError, match="same subnets"):
        w.write_finetune(0, 1, s, np.zeros(10))


# -- the builder (real tiny torch builds) --------------------------------------------------------------------------
torch_needed = pytest.mark.skipif(__import__("importlib").util.find_spec("torch") is None, reason="needs torch")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A tiny nb201 build (seeds 0, 1; epochs 1, 2; 6 subnets) whose checkpoints (epoch 2) were kept."""
    pytest.importorskip("torch")
    from builders.__main__ import main as builders_main
    from builders.data.cifar10 import Split, write_cifar10_bin

    rng = np.random.default_rng(1)

    def make(n):
        y = rng.integers(0, 10, n)
        return Split((rng.integers(0, 60, (n, 3, 32, 32)) + (y * 20)[:, None, None, None]).astype(np.uint8), y)

    d = tmp_path_factory.mktemp("finetune")
    write_cifar10_bin(d / "cifar", make(400), make(50))
    out = d / "s.zarr"
    assert builders_main(["build", "nb201", "--data-dir", str(d / "cifar"), "--out", str(out), *TINY,
                          "--keep-work", "--keep-checkpoints", "1"]) == 0
    return out, d / "cifar"


def _fresh(built, tmp_path: Path, name: str = "s") -> tuple[Path, Path]:
    out, _ = built
    store, work = tmp_path / f"{name}.zarr", tmp_path / f"{name}.zarr.work"
    shutil.copytree(out, store)
    shutil.copytree(out.with_name(out.name + ".work"), work)
    return store, work


def _ft(built, store: Path, *args: str) -> int:
    from builders.__main__ import main as builders_main

    return builders_main(["finetune", "--store", str(store), "--data-dir", str(built[1]), *args])


@torch_needed
def test_a_checkpoint_kept_at_an_earlier_score_epoch_is_fine_tuned_there(built, tmp_path, capsys):
    """`build --keep-checkpoints 1` kept seed<S>.epoch1.ckpt beside the last one; `--epoch 1` finds it."""
    store, work = _fresh(built, tmp_path, "early")
    assert sorted(p.name for p in work.glob("*.ckpt")) == ["seed0.ckpt", "seed0.epoch1.ckpt", "seed1.ckpt",
                                                           "seed1.epoch1.ckpt"]
    assert _ft(built, store, "--seed", "1", "--epoch", "1", "--subnets", "3", "--batches", "2") == 0
    summary = json.loads(capsys.readouterr().out)
    ds = open_store(store, allow_incomplete=True)
    f = ds["finetune_score"].values
    assert np.isfinite(f[1, 0]).sum() == 3 and np.isnan(f[1, 1]).all() and np.isnan(f[0]).all()
    # by hand: mini lr 0.1, epoch 1 of 2: 0.001 + (0.1 - 0.001) * (1 + cos(pi / 2)) / 2 = 0.0505
    assert ds.attrs["finetune"]["lr_at_epoch"] == {"1": pytest.approx(0.0505)} and summary["lr"] == pytest.approx(0.0505)
    assert ds.attrs["finetune"]["lr"] is None  # no constant was given: the rule, epoch by epoch


@torch_needed
def test_keep_checkpoints_must_be_score_epochs(tmp_path):
    from builders.__main__ import main as builders_main

    code = builders_main(["build", "nb201", "--data-dir", str(tmp_path / "none"), "--out", str(tmp_path / "x.zarr"),
                          *TINY, "--keep-checkpoints", "3"])
    assert code == 1 and not (tmp_path / "x.zarr").exists()


def _arrays(store: Path) -> tuple[np.ndarray, np.ndarray]:
    ds = open_store(store, allow_incomplete=True)
    return ds["finetune_score"].values, ds["finetune_loss"].values


@torch_needed
def test_fine_tuning_changes_scores_and_zero_batches_reproduce_the_plain_ones(built, tmp_path, capsys):
    store, _ = _fresh(built, tmp_path, "a")
    assert _ft(built, store, "--seed", "0", "--subnets", "all", "--batches", "3") == 0
    summary = json.loads(capsys.readouterr().out)
    ds = open_store(store, allow_incomplete=True)
    f, sn = ds["finetune_score"].values, ds["supernet_score"].values
    assert np.isfinite(f[0, 1]).all() and np.isnan(f[0, 0]).all() and np.isnan(f[1]).all()  # only (seed 0, epoch 2)
    assert (f[0, 1] != sn[0, 1]).any() and summary["changed"] == int((f[0, 1] != sn[0, 1]).sum()) > 0
    assert ((f[0, 1] >= 0) & (f[0, 1] <= 100)).all() and (ds["finetune_loss"].values[0, 1] > 0).all()
    ft = ds.attrs["finetune"]
    assert ft["regions"] == [[0, 2]] and ft["batches"] == 3 and ft["subnets"] == 6
    # the stated default, the authors' rule: the cosine schedule at the checkpoint's epoch, floored at 0.001; at the
    # last epoch (2 of 2) the cosine term (1 + cos(pi)) / 2 is 0, so the floor itself
    assert ds.attrs["supernet_recipe"]["epochs"] == 2 and ft["lr_at_epoch"] == {"2": 0.001}
    assert ft["batch_size"] == 32
    assert validate(ds) == []
    zero, _ = _fresh(built, tmp_path, "zero")
    assert _ft(built, zero, "--seed", "1", "--subnets", "4", "--batches", "0") == 0
    z = open_store(zero, allow_incomplete=True)
    done = np.isfinite(z["finetune_score"].values[1, 1])
    assert done.sum() == 4
    np.testing.assert_array_equal(z["finetune_score"].values[1, 1][done], z["supernet_score"].values[1, 1][done])
    np.testing.assert_array_equal(z["finetune_loss"].values[1, 1][done], z["supernet_loss"].values[1, 1][done])


@torch_needed
def test_two_runs_are_identical_and_no_subnet_sees_another_ones_fine_tune(built, tmp_path):
    a, work = _fresh(built, tmp_path, "a")
    b, _ = _fresh(built, tmp_path, "b")
    ckpt = (work / "seed0.ckpt").read_bytes()
    for store in (a, b):
        assert _ft(built, store, "--seed", "0", "--subnets", "all", "--batches", "4") == 0
    fa, la = _arrays(a)
    fb, lb = _arrays(b)
    np.testing.assert_array_equal(fa, fb)
    np.testing.assert_array_equal(la, lb)
    assert (work / "seed0.ckpt").read_bytes() == ckpt  # the supernet itself is never written
    # subnets 5 and 2 alone (5 is then fine-tuned second, not last): each gets what it got after the others
    c, _ = _fresh(built, tmp_path, "c")
    archs = [str(x) for x in open_store(c, allow_incomplete=True)["arch_string"].values]
    listed = tmp_path / "two.txt"
    listed.write_text(f"{archs[5]}\n{archs[2]}\n")
    assert _ft(built, c, "--seed", "0", "--archs-from", str(listed), "--batches", "4") == 0
    fc, lc = _arrays(c)
    assert np.flatnonzero(np.isfinite(fc[0, 1])).tolist() == [2, 5]
    np.testing.assert_array_equal(fc[0, 1, [2, 5]], fa[0, 1, [2, 5]])
    np.testing.assert_array_equal(lc[0, 1, [2, 5]], la[0, 1, [2, 5]])
    assert open_store(c, allow_incomplete=True).attrs["finetune"]["subnet_choice"]["archs_file"] == "two.txt"


@torch_needed
def test_a_killed_run_resumes_to_the_uninterrupted_result_and_a_rerun_redoes_nothing(built, tmp_path, capsys):
    ref, _ = _fresh(built, tmp_path, "ref")
    args = ["--seed", "0", "--subnets", "all", "--batches", "40"]
    assert _ft(built, ref, *args) == 0
    killed, work = _fresh(built, tmp_path, "killed")
    proc = subprocess.Popen([sys.executable, "-m", "builders", "finetune", "--store", str(killed), "--data-dir",
                             str(built[1]), *args], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    progress = work / "finetune-seed0-epoch2.npz"
    deadline = time.time() + 300
    while not progress.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the fine-tune finished before it could be killed; make it longer"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    f, _ = _arrays(killed)
    assert np.isnan(f).all()  # no region is written before all its subnets are done
    assert validate(open_store(killed, allow_incomplete=True)) == []
    capsys.readouterr()
    assert _ft(built, killed, *args) == 0
    assert json.loads(capsys.readouterr().out)["fine_tuned_now"] < 6  # what the killed run finished was kept
    assert not progress.exists()
    for x, y in zip(_arrays(ref), _arrays(killed)):
        np.testing.assert_array_equal(x, y)
    assert _ft(built, killed, *args) == 0
    assert json.loads(capsys.readouterr().out)["fine_tuned_now"] == 0
    for x, y in zip(_arrays(ref), _arrays(killed)):
        np.testing.assert_array_equal(x, y)


@torch_needed
def test_one_process_per_seed_at_once_on_one_store(built, tmp_path):
    store, _ = _fresh(built, tmp_path, "both")
    args = ["--subnets", "3", "--subnet-seed", "7", "--batches", "2"]
    procs = [subprocess.Popen([sys.executable, "-m", "builders", "finetune", "--store", str(store), "--data-dir",
                               str(built[1]), "--seed", str(s), *args], env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for s in (0, 1)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    one, _ = _fresh(built, tmp_path, "one")
    for s in (0, 1):
        assert _ft(built, one, "--seed", str(s), *args) == 0
    for x, y in zip(_arrays(store), _arrays(one)):
        np.testing.assert_array_equal(x, y)
    ds = open_store(store, allow_incomplete=True)
    assert ds.attrs["finetune"]["regions"] == [[0, 2], [1, 2]] and validate(ds) == []
    from builders.engine.finetune import choose

    assert np.flatnonzero(np.isfinite(ds["finetune_score"].values[0, 1])).tolist() == choose(6, 3, 7).tolist()


def _tree(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def _other_recipe(store: Path, work: Path) -> None:
    w = StoreWriter.resume(store)
    w.update_attrs(supernet_recipe={**w.group.attrs["supernet_recipe"], "lr": 0.5})


def _other_version(store: Path, work: Path) -> None:
    import torch

    state = torch.load(work / "seed0.ckpt", weights_only=False)
    torch.save({**state, "builder_version": "0.0.1"}, work / "seed0.ckpt")


def _other_protocol(store: Path, work: Path) -> None:
    from builders.__main__ import main as builders_main

    data = store.parent / "cifar-link"
    assert builders_main(["finetune", "--store", str(store), "--seed", "0", "--data-dir", str(data), "--subnets", "2",
                          "--batches", "1"]) == 0


@torch_needed
@pytest.mark.parametrize(("prepare", "args", "says"), [
    (None, ["--seed", "5", "--subnets", "2"], "--seed 5 is not a supernet seed of"),
    (lambda s, w: (w / "seed0.ckpt").unlink(), ["--seed", "0", "--subnets", "2"], "no checkpoint"),
    (lambda s, w: (w / "seed0.epoch1.ckpt").unlink(), ["--seed", "0", "--subnets", "2", "--epoch", "1"],
     "--epoch 1, but"),  # no kept checkpoint of epoch 1: the last one is of epoch 2
    (None, ["--seed", "0", "--subnets", "7"], "--subnets 7, but the store has 6 subnets"),
    (None, ["--seed", "0", "--subnets", "0"], "--subnets must be an integer >= 1"),
    (None, ["--seed", "0", "--subnets", "x"], "--subnets must be a positive integer or all"),
    (None, ["--seed", "0"], "give --subnets K"),
    (None, ["--seed", "0", "--subnets", "2", "--batches", "-1"], "--batches must be an integer >= 0"),
    (None, ["--seed", "0", "--subnets", "2", "--lr", "0"], "--lr must lie in (0, 10)"),
    (_other_recipe, ["--seed", "0", "--subnets", "2"], "belongs to another recipe"),
    (_other_version, ["--seed", "0", "--subnets", "2"], "builder version 0.0.1"),
    (_other_protocol, ["--seed", "1", "--subnets", "2", "--batches", "3"], "another protocol"),
    (lambda s, w: (s.parent / "archs.txt").write_text("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|\n"
                                                      "not-an-arch\n"),
     ["--seed", "0", "--archs-from", "ARCHS"], "is not one of the store's 6 subnets"),
])
def test_bad_input_is_one_line_exit_1_and_nothing_written(prepare, args, says, built, tmp_path, capsys):
    store, work = _fresh(built, tmp_path)
    (tmp_path / "cifar-link").symlink_to(built[1])
    if prepare is not None:
        prepare(store, work)
    before, work_before = _tree(store), _tree(work)
    capsys.readouterr()
    args = [str(tmp_path / "archs.txt") if a == "ARCHS" else a for a in args]
    assert _ft(built, store, *args) == 1
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert _tree(store) == before and _tree(work) == work_before


@torch_needed
def test_a_zipped_store_is_refused(built, tmp_path, capsys):
    from wsbench.store import zip_store

    store, _ = _fresh(built, tmp_path)
    z = zip_store(store, tmp_path / "s.zip")
    assert _ft(built, z, "--seed", "0", "--subnets", "2") == 1
    assert "is a zipped store" in capsys.readouterr().err


@torch_needed
def test_other_data_is_refused(built, tmp_path, capsys):
    from builders.data.cifar10 import Split, write_cifar10_bin

    store, _ = _fresh(built, tmp_path)
    y = np.zeros(400, dtype=np.int64)
    write_cifar10_bin(tmp_path / "other", Split(np.zeros((400, 3, 32, 32), np.uint8), y),
                      Split(np.zeros((50, 3, 32, 32), np.uint8), y[:50]))
    before = _tree(store)
    from builders.__main__ import main as builders_main

    assert builders_main(["finetune", "--store", str(store), "--data-dir", str(tmp_path / "other"), "--seed", "0",
                          "--subnets", "2"]) == 1
    assert "other CIFAR-10 files" in capsys.readouterr().err and _tree(store) == before


@torch_needed
def test_fine_tuned_scores_survive_ground_truth_and_answer_the_cli(built, tmp_path, capsys):
    """Fine-tune seed 0 before ground truth, attach it (finalize validates the new arrays), fine-tune seed 1 into
    the complete store (re-finalized), then ask the real `wsbench` process."""
    store, _ = _fresh(built, tmp_path, "gt")
    assert _ft(built, store, "--seed", "0", "--subnets", "5", "--batches", "2") == 0
    ds = open_store(store, allow_incomplete=True)
    archs = [str(a) for a in ds["arch_string"].values]
    gt = 50 + 40 * np.argsort(np.argsort(ds["params"].values)) / len(archs)  # a GT table: here the params' ranks
    table = tmp_path / "gt.csv"
    table.write_text("arch,acc\n" + "".join(f"{a},{g}\n" for a, g in zip(archs, gt)))
    from builders.__main__ import main as builders_main

    assert builders_main(["import-gt", "table", str(table), "--arch-col", "arch", "--mean-col", "acc", "--metric",
                          "accuracy", "--unit", "percent", "--store", str(store)]) == 0
    assert _ft(built, store, "--seed", "1", "--subnets", "5", "--batches", "2") == 0
    root = json.loads((store / "zarr.json").read_text())
    assert "finetune_score" in root["consolidated_metadata"]["metadata"]  # fast readers see the new arrays
    final = open_store(store)
    assert final.attrs["complete"] is True and validate(final) == []
    assert final.attrs["finetune"]["regions"] == [[0, 2], [1, 2]]

    def wsbench_cli(*a: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "wsbench", *a], capture_output=True, text=True, timeout=120,
                              env=ENV, check=False)

    r = wsbench_cli("correlation", "-s", str(store), "--score", "finetune", "--method", "kendall", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    from scipy.stats import kendalltau

    f, g = final["finetune_score"].values[:, 1], final["gt_score"].values
    ok = np.isfinite(f[0])
    assert [row["n"] for row in rows] == [5, 5]
    assert [row["kendall"] for row in rows] == pytest.approx(
        [kendalltau(f[s][ok], g[ok]).statistic for s in (0, 1)], abs=1e-12, nan_ok=True)
    r = wsbench_cli("paired", "-s", str(store), "--a", "score=supernet", "--b", "score=finetune",
                    "--interval", "bootstrap", "--boot", "50", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["summary"][0]["n"] == 5
    r = wsbench_cli("correlation", "-s", str(store), "--score", "finetune", "--epoch", "1")
    assert r.returncode == 1 and "no fine-tuned scores at seed 0, epoch 1" in r.stderr


@torch_needed
def test_fine_tuned_work_travels_with_the_carried_checkpoints_to_a_fresh_clone(built, tmp_path, capsys):
    """A fresh machine loses nothing of the fine-tuned protocol: `checkpoint save` carries each seed's kept supernets
    and finished fine-tuned regions; after `restore` into a recreated store a fine-tune at the kept epoch equals the
    one the old machine would have made, and the finished region is back, protocol and all."""
    from builders.__main__ import main as builders_main

    old, work = _fresh(built, tmp_path, "old")
    ref, _ = _fresh(built, tmp_path, "ref")
    for store in (old, ref):
        assert _ft(built, store, "--seed", "0", "--subnets", "4", "--batches", "2") == 0  # (seed 0, epoch 2)
    assert _ft(built, ref, "--seed", "1", "--epoch", "1", "--subnets", "4", "--batches", "2") == 0
    # one store holds fine-tunes at several epochs, each at the rule's learning rate of its epoch
    assert open_store(ref, allow_incomplete=True).attrs["finetune"]["lr_at_epoch"] == {"1": pytest.approx(0.0505),
                                                                                      "2": 0.001}
    carried = tmp_path / "results" / "checkpoints"
    assert builders_main(["checkpoint", "save", "--store", str(old), "--work", str(work), "--dir", str(carried)]) == 0
    # the machine is gone: a store recreated empty (the build's command, --create-only), a work folder without files
    fresh, fresh_work = tmp_path / "fresh.zarr", tmp_path / "fresh.zarr.work"
    shutil.copytree(old, fresh)
    w = StoreWriter.resume(fresh)
    for name in ("supernet_score", "supernet_loss"):
        w.group[name][:] = np.nan
    for name in ("finetune_score", "finetune_loss"):
        del w.group[name]
    w.update_attrs(finetune=None)
    capsys.readouterr()
    assert builders_main(["checkpoint", "restore", "--store", str(fresh), "--work", str(fresh_work), "--dir",
                          str(carried)]) == 0
    assert (fresh_work / "seed1.epoch1.ckpt").read_bytes() == (work / "seed1.epoch1.ckpt").read_bytes()
    ds, old_ds = open_store(fresh, allow_incomplete=True), open_store(old, allow_incomplete=True)
    for name in ("supernet_score", "supernet_loss", "finetune_score", "finetune_loss"):
        np.testing.assert_array_equal(ds[name].values, old_ds[name].values)
    assert ds.attrs["finetune"] == old_ds.attrs["finetune"] and ds.attrs["finetune"]["regions"] == [[0, 2]]
    assert _ft(built, fresh, "--seed", "1", "--epoch", "1", "--subnets", "4", "--batches", "2") == 0
    np.testing.assert_array_equal(_arrays(fresh)[0], _arrays(ref)[0])
    # carried scores of another protocol are refused before anything is written
    other, other_work = tmp_path / "other.zarr", tmp_path / "other.zarr.work"
    shutil.copytree(old, other)
    w = StoreWriter.resume(other)
    w.update_attrs(finetune={**w.group.attrs["finetune"], "batches": 3, "regions": []})
    w.group["finetune_score"][:] = np.nan
    w.group["finetune_loss"][:] = np.nan
    capsys.readouterr()
    assert builders_main(["checkpoint", "restore", "--store", str(other), "--work", str(other_work), "--dir",
                          str(carried)]) == 1
    err = capsys.readouterr().err
    assert "another protocol" in err and "'batches': (3, 2)" in err and err.count("\n") == 1
    assert not other_work.exists() and np.isnan(_arrays(other)[0]).all()


@torch_needed
def test_a_latest_checkpoint_identical_to_a_kept_one_is_carried_once(built, tmp_path):
    """A build that keeps its last epoch's supernet has the same bytes twice (seed<S>.ckpt and the kept copy the
    build makes with copyfile): the carried file holds them once, and restore writes both back byte for byte."""
    import gzip

    import torch

    from builders.__main__ import main as builders_main
    from builders.engine.carry import restore
    from wsbench.errors import OptionError

    store, work = _fresh(built, tmp_path, "last")
    shutil.copyfile(work / "seed1.ckpt", work / "seed1.epoch2.ckpt")  # what `build --keep-checkpoints 1,2` does
    carried = tmp_path / "carried"
    assert builders_main(["checkpoint", "save", "--store", str(store), "--work", str(work), "--dir",
                          str(carried)]) == 0
    blob = torch.load(io.BytesIO(gzip.decompress((carried / "seed1.pt.gz").read_bytes())), weights_only=False)
    assert blob["checkpoint"] is None and blob["checkpoint_file"] == "seed1.epoch2.ckpt"
    assert sorted(blob["files"]) == ["seed1.epoch1.ckpt", "seed1.epoch2.ckpt"]
    other = torch.load(io.BytesIO(gzip.decompress((carried / "seed0.pt.gz").read_bytes())), weights_only=False)
    assert other["checkpoint_file"] is None and other["checkpoint"]["epoch"] == 2  # no identical copy: inline
    kept_bytes = len((work / "seed1.ckpt").read_bytes())
    # both files hold two checkpoints (seed 0: latest + epoch 1; seed 1: epochs 1 and 2), not three
    assert abs((carried / "seed0.pt.gz").stat().st_size - (carried / "seed1.pt.gz").stat().st_size) < kept_bytes // 2
    fresh, fresh_work = tmp_path / "fresh.zarr", tmp_path / "fresh.zarr.work"
    shutil.copytree(store, fresh)
    w = StoreWriter.resume(fresh)
    for name in ("supernet_score", "supernet_loss"):
        w.group[name][:] = np.nan
    assert builders_main(["checkpoint", "restore", "--store", str(fresh), "--work", str(fresh_work), "--dir",
                          str(carried)]) == 0
    for name in ("seed0.ckpt", "seed1.ckpt", "seed1.epoch1.ckpt", "seed1.epoch2.ckpt"):
        assert (fresh_work / name).read_bytes() == (work / name).read_bytes(), name
    # a damaged file naming a checkpoint it does not carry is refused before anything is written
    del blob["files"]["seed1.epoch2.ckpt"]
    buf = io.BytesIO()
    torch.save(blob, buf)
    (carried / "seed1.pt.gz").write_bytes(gzip.compress(buf.getvalue()))
    again, again_work = tmp_path / "again.zarr", tmp_path / "again.zarr.work"
    shutil.copytree(fresh, again)
    w = StoreWriter.resume(again)
    w.group["supernet_score"][:] = np.nan
    with pytest.raises(OptionError, match="does not carry it"):
        restore(again, again_work, carried)
    assert not again_work.exists()
