"""Supernets trained on a pruned space (issue 30): the allowed set, its rules, real tiny builds over it, refusals."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from builders.__main__ import main as builders_main
from builders.engine.allowed import resolve
from wsbench.spaces import get_space
from wsbench.store import open_store

TINY = ["--preset", "mini", "--epochs", "2", "--score-epochs", "1,2", "--seeds", "0",
        "--train-size", "256", "--valid-size", "100", "--score-size", "64", "--bn-batches", "2", "--batch-size", "32"]
TWO_SEEDS = [x if x != "0" else "0,1" for x in TINY]
#: the pool: 12 cells with GT 50, 52, ..., 72 in store order; the supernet ranks them backwards at (seed 0, epoch 2)
GT = 50.0 + 2 * np.arange(12)


@pytest.fixture(scope="module")
def pool(tmp_path_factory) -> Path:
    from factory import make_store

    sn = np.empty((1, 2, 12))
    sn[0, 0] = GT  # epoch 1: ranks like the GT
    sn[0, 1] = 100 - GT  # epoch 2: backwards
    return make_store(tmp_path_factory.mktemp("pool") / "pool.zarr", n=12, epochs=(1, 2), seeds=(0,), gt=GT,
                      supernet=sn)


def _archs(pool: Path) -> list[str]:
    return [str(a) for a in open_store(pool)["arch_string"].values]


def test_optimistic_rule_keeps_the_best_by_ground_truth(pool):
    a = resolve("nb201", rule="optimistic", factor=0.5, pool=str(pool))
    assert set(a.archs) == set(_archs(pool)[6:])  # GT 62..72: round(0.5 x 12) = 6 worst removed
    assert a.record["mode"] == "optimistic" and a.record["factor"] == 0.5 and a.record["removed"] == 6
    assert a.record["allowed"] == 6 and a.record["pool"]["archs"] == 12
    listed = "".join(x + "\n" for x in sorted(a.archs)).encode()
    assert a.record["allowed_sha256"] == hashlib.sha256(listed).hexdigest()
    # round(0.75 x 12) = 9 removed: the 3 best remain
    assert set(resolve("nb201", rule="optimistic", factor=0.75, pool=str(pool)).archs) == set(_archs(pool)[9:])


def test_random_rule_is_the_seeded_permutation_and_records_its_seed(pool):
    a = resolve("nb201", rule="random", factor=0.25, pool=str(pool), rule_seed=7)
    keep = np.sort(np.random.default_rng(7).permutation(12)[3:])
    assert set(a.archs) == {_archs(pool)[i] for i in keep} and a.record["rule_seed"] == 7
    other = resolve("nb201", rule="random", factor=0.25, pool=str(pool), rule_seed=8)
    assert set(other.archs) != set(a.archs) and other.record["allowed_sha256"] != a.record["allowed_sha256"]


def test_supernet_rule_removes_the_worst_by_the_stated_epoch_and_seed(pool):
    at2 = resolve("nb201", rule="supernet", factor=0.5, pool=str(pool), score_epoch=2, score_seed=0)
    assert set(at2.archs) == set(_archs(pool)[:6])  # epoch 2 ranks backwards: the 6 worst by GT are kept
    assert at2.record["score"]["epoch"] == 2 and at2.record["score"]["seed"] == 0
    at1 = resolve("nb201", rule="supernet", factor=0.5, pool=str(pool), score_epoch=1, score_seed=0)
    assert set(at1.archs) == set(_archs(pool)[6:])
    assert at1.record["values_sha256"] != at2.record["values_sha256"]


def test_drawing_from_the_allowed_set_is_uniform_over_it(pool):
    a = resolve("nb201", rule="optimistic", factor=0.5, pool=str(pool))
    space = get_space("nb201")
    draw, rng = a.draw_from(space), np.random.default_rng(0)
    drawn = [space.format(draw(rng)) for _ in range(6000)]
    counts = np.array([drawn.count(x) for x in a.archs])
    assert set(drawn) == set(a.archs)
    chi2 = ((counts - 1000) ** 2 / 1000).sum()  # 5 degrees of freedom: P(chi2 > 20.5) = 0.001
    assert chi2 < 20.5


def test_a_build_on_a_pruned_pool_trains_and_scores_only_the_kept_subnets(pool, tiny_cifar, tmp_path, monkeypatch):
    from builders.engine.task import Task

    drawn = []
    plain = Task.draw

    def recording(self, space, rng):
        arch = plain(self, space, rng)
        drawn.append(space.format(arch))
        return arch

    monkeypatch.setattr(Task, "draw", recording)
    out = tmp_path / "opt.zarr"
    assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY,
                          "--archs-from", str(pool), "--prune-rule", "optimistic", "--prune-factor", "0.5"]) == 0
    kept = set(_archs(pool)[6:])
    assert len(drawn) == 2 * (256 // 32) and set(drawn) <= kept
    ds = open_store(out, allow_incomplete=True)
    sn = ds["supernet_score"].values
    assert np.isfinite(sn[..., 6:]).all() and np.isnan(sn[..., :6]).all()  # the removed half is never scored
    assert np.array_equal(np.isnan(ds["supernet_loss"].values), np.isnan(sn))
    rec = ds.attrs["sampler"]["allowed"]
    assert rec["mode"] == "optimistic" and rec["factor"] == 0.5 and rec["allowed"] == 6
    assert rec["pool"]["archs_sha256"] == hashlib.sha256("".join(a + "\n" for a in _archs(pool)).encode()).hexdigest()
    assert ds.attrs["supernet_recipe"]["allowed"] == rec
    assert ds.attrs["scores_complete"] is True  # validated (deep) with the NaN of the removed subnets


def _files(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_resuming_with_another_rule_is_refused_and_writes_nothing(pool, tiny_cifar, tmp_path, capsys):
    out, work = tmp_path / "r.zarr", tmp_path / "r.work"
    plain = ["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), "--work", str(work), *TINY,
             "--archs-from", str(pool)]
    rule = ["--prune-rule", "random", "--prune-factor", "0.5"]
    assert builders_main([*plain, *rule, "--prune-seed", "1", "--create-only"]) == 0
    before = _files(out)
    capsys.readouterr()
    for argv in ([*plain, *rule, "--prune-seed", "2"], [*plain, *rule[:3], "0.25", "--prune-seed", "1"], plain):
        assert builders_main(argv) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "different recipe" in err and "allowed" in err, err
        assert _files(out) == before and not work.exists()


def test_a_checkpoint_of_another_rule_is_refused(pool, tmp_path):
    from builders.engine import checkpoint
    from builders.engine.checkpoint import recipe_diff
    from wsbench.errors import OptionError

    half = resolve("nb201", rule="random", factor=0.5, pool=str(pool), rule_seed=1).record
    other = resolve("nb201", rule="random", factor=0.5, pool=str(pool), rule_seed=2).record
    path = tmp_path / "seed0.ckpt"
    checkpoint.save(path, epoch=1, recipe={"lr": 0.1, "allowed": half}, builder_version="v")
    with pytest.raises(OptionError) as e:
        checkpoint.check_same(path, checkpoint.read(path), {"lr": 0.1, "allowed": other}, "v")
    line = str(e.value)
    assert "'rule_seed': 1" in line and "'rule_seed': 2" in line and len(line) < 600 and "\n" not in line

    a = {"lr": 0.1, "allowed": {"mode": "random", "factor": 0.5, "rule_seed": 1}}
    assert recipe_diff(a, {"lr": 0.1, "allowed": {"mode": "random", "factor": 0.5, "rule_seed": 2}})
    assert recipe_diff(a, {"lr": 0.1})  # a pruned supernet does not continue as a full-space one
    assert not recipe_diff({"lr": 0.1}, {"lr": 0.1, "allowed": None})  # plain builds: as before


def test_a_carried_seed_of_another_rule_is_not_restored(pool, tiny_cifar, tmp_path, capsys):
    from builders.engine.build import build

    opts = dict(preset_name="mini", data_dir=tiny_cifar, epochs=2, score_epochs=[1, 2], subnets=12, seeds=[0],
                progress=False, archs=_archs(pool), overrides={"train_size": 256, "valid_size": 100, "score_size": 64,
                                                               "bn_batches": 2, "batch_size": 32})
    half = resolve("nb201", rule="optimistic", factor=0.5, pool=str(pool))
    quarter = resolve("nb201", rule="optimistic", factor=0.25, pool=str(pool))
    a, b = tmp_path / "a.zarr", tmp_path / "b.zarr"
    assert build("nb201", a, work=tmp_path / "a.work", max_epochs_this_run=1, allowed=half, **opts) is None
    carried = tmp_path / "carried"
    assert builders_main(["checkpoint", "save", "--store", str(a), "--work", str(tmp_path / "a.work"),
                          "--dir", str(carried)]) == 0
    build("nb201", b, work=tmp_path / "b.work", max_epochs_this_run=0, allowed=quarter, **opts)
    before = _files(b)
    capsys.readouterr()
    assert builders_main(["checkpoint", "restore", "--store", str(b), "--work", str(tmp_path / "b.work"),
                          "--dir", str(carried)]) == 1
    assert "belongs to another recipe" in capsys.readouterr().err
    assert _files(b) == before and not (tmp_path / "b.work").exists()
    c = tmp_path / "c.zarr"  # the same rule restores
    build("nb201", c, work=tmp_path / "c.work", max_epochs_this_run=0, allowed=half, **opts)
    assert builders_main(["checkpoint", "restore", "--store", str(c), "--work", str(tmp_path / "c.work"),
                          "--dir", str(carried)]) == 0


def _one_line_no_store(argv, out: Path, capsys, says: str) -> None:
    capsys.readouterr()
    assert builders_main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and says in err, err
    assert not out.exists() and not out.with_name(out.name + ".work").exists()


@pytest.mark.parametrize("extra, says", [
    (["--prune-rule", "optimistic", "--prune-factor", "1.0"], "[0, 1)"),
    (["--prune-rule", "optimistic", "--prune-factor", "-0.1"], "[0, 1)"),
    (["--prune-rule", "optimistic", "--prune-factor", "0.99"], "allowed set is empty"),
    (["--prune-rule", "random", "--prune-factor", "0.5"], "needs --prune-seed"),
    (["--prune-rule", "supernet", "--prune-factor", "0.5", "--prune-score-epoch", "3", "--prune-score-seed", "0"],
     "epochs [1, 2]"),
    (["--prune-factor", "0.5"], "add --prune-rule"),
])
def test_bad_rules_get_one_line_and_no_store(extra, says, pool, tiny_cifar, tmp_path, capsys):
    out = tmp_path / "bad.zarr"
    _one_line_no_store(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY,
                        "--archs-from", str(pool), *extra], out, capsys, says)


@pytest.mark.parametrize("lines, says", [
    (["|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|skip_connect~1|skip_connect~2|",
      "|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|"], "line 2"),
    (["|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"] * 2,
     "lines 1 and 2 are the same architecture"),
    ([], "allowed set is empty"),
])
def test_bad_allow_lists_get_one_line_and_no_store(lines, says, pool, tiny_cifar, tmp_path, capsys):
    listed = tmp_path / "allowed.txt"
    listed.write_text("".join(x + "\n" for x in lines))
    out = tmp_path / "bad.zarr"
    _one_line_no_store(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY,
                        "--archs-from", str(pool), "--allowed-from", str(listed)], out, capsys, says)


def test_an_allow_list_outside_the_scored_pool_is_refused(pool, tiny_cifar, tmp_path, capsys):
    listed = tmp_path / "allowed.txt"
    outside = [a for a in get_space("nb201").sample(40, seed=3) if a not in _archs(pool)][:2]
    listed.write_text("".join(x + "\n" for x in outside))
    out = tmp_path / "bad.zarr"
    _one_line_no_store(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY,
                        "--archs-from", str(pool), "--allowed-from", str(listed)], out, capsys, "nothing would be scored")


@pytest.fixture(scope="module")
def runs(pool, tiny_cifar, tmp_path_factory) -> dict[str, Path]:
    """Three real tiny builds over the pool, seeds 0 and 1: the control, optimistic 0.5, random 0.25."""
    d = tmp_path_factory.mktemp("runs")
    rules = {"control": [], "opt": ["--prune-rule", "optimistic", "--prune-factor", "0.5"],
             "rnd": ["--prune-rule", "random", "--prune-factor", "0.25", "--prune-seed", "3"]}
    out = {}
    for name, rule in rules.items():
        out[name] = d / f"{name}.zarr"
        assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out[name]), *TWO_SEEDS,
                              "--archs-from", str(pool), *rule]) == 0
    return out


def test_merged_runs_are_one_valid_store_with_each_run_and_its_mode(runs, pool, tmp_path, capsys):
    from wsbench.schema import validate

    out = tmp_path / "merged.zarr"
    assert builders_main(["merge-pruned", str(runs["rnd"]), str(runs["control"]), str(runs["opt"]), "--out", str(out),
                          "--gt-from", str(pool)]) == 0
    ds = open_store(out)
    assert ds.attrs["complete"] is True and validate(ds) == []
    assert ds["prune"].values.tolist() == [0.0, 0.5, 0.25]  # control first, then by mode
    assert [str(m) for m in ds["prune_mode"].values] == ["none", "optimistic", "random"]
    runs_attr = ds.attrs["sampler"]["prune_runs"]
    assert [r["mode"] for r in runs_attr] == ["none", "optimistic", "random"] and runs_attr[2]["rule_seed"] == 3
    assert runs_attr[1]["allowed_sha256"] == open_store(runs["opt"], allow_incomplete=True).attrs["sampler"][
        "allowed"]["allowed_sha256"]
    for i, name in enumerate(("control", "opt", "rnd")):
        run = open_store(runs[name], allow_incomplete=True)
        for v in ("supernet_score", "supernet_loss"):
            np.testing.assert_array_equal(ds[v].values[i], run[v].values)
    assert np.isfinite(ds["supernet_score"].values[0]).all()
    assert np.isnan(ds["supernet_score"].values[1, ..., :6]).all()  # optimistic 0.5 keeps GT 62..72 only
    assert (np.isnan(ds["supernet_score"].values[2]).sum(axis=-1) == 3).all()  # random 0.25: 3 of 12 removed
    np.testing.assert_array_equal(ds["gt_score"].values, open_store(pool)["gt_score"].values)
    assert "allowed" not in ds.attrs["supernet_recipe"]


def test_bad_merges_get_one_line_and_write_nothing(runs, pool, tmp_path, capsys):
    out = tmp_path / "m.zarr"
    cases = [([str(runs["opt"]), str(runs["opt"])], "same run"),
             ([str(runs["control"]), str(pool)], "differ in their seeds"),
             ([str(runs["control"])], "at least two")]
    for argv, says in cases:
        capsys.readouterr()
        assert builders_main(["merge-pruned", *argv, "--out", str(out)]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and says in err, err
        assert not out.exists() and not out.with_name("m.zarr.part").exists()


def test_the_v2_recipe_lists_its_nine_runs_and_refuses_others(tmp_path):
    import subprocess

    script = Path(__file__).parents[1] / "results" / "nb201-cifar10-v2" / "build.sh"
    listed = subprocess.run(["bash", str(script), "DATA", str(tmp_path), "list"], capture_output=True, text=True, check=False)
    assert listed.returncode == 0 and listed.stdout.split() == [
        "control", "optimistic-0.5", "optimistic-0.75", "optimistic-0.9", "random-0.5", "random-0.75", "random-0.9",
        "supernet-0.5", "supernet-0.9"]
    bad = subprocess.run(["bash", str(script), "DATA", str(tmp_path), "optimistic-0.6"], capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "unknown run" in bad.stderr
    assert list(tmp_path.iterdir()) == []


def test_stop_after_epochs_stops_and_the_rerun_finishes_the_same_store(pool, tiny_cifar, tmp_path, capsys):
    argv = ["build", "nb201", "--data-dir", str(tiny_cifar), *TINY, "--archs-from", str(pool), "--prune-rule",
            "optimistic", "--prune-factor", "0.75"]
    ref, out = tmp_path / "ref.zarr", tmp_path / "out.zarr"
    assert builders_main([*argv, "--out", str(ref)]) == 0
    assert builders_main([*argv, "--out", str(out), "--stop-after-epochs", "1"]) == 0
    assert '"all_regions_scored": false' in capsys.readouterr().out
    assert builders_main([*argv, "--out", str(out)]) == 0
    np.testing.assert_array_equal(open_store(out, allow_incomplete=True)["supernet_score"].values,
                                  open_store(ref, allow_incomplete=True)["supernet_score"].values)
    capsys.readouterr()
    assert builders_main([*argv, "--out", str(tmp_path / "x.zarr"), "--stop-after-epochs", "0"]) == 1
    assert "--stop-after-epochs must be a positive integer" in capsys.readouterr().err


def test_a_pruned_runs_kept_checkpoint_fine_tunes_its_kept_subnets(pool, tiny_cifar, tmp_path):
    out = tmp_path / "ft.zarr"
    assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY, "--keep-work",
                          "--archs-from", str(pool), "--prune-rule", "optimistic", "--prune-factor", "0.5"]) == 0
    listed = tmp_path / "two.txt"
    listed.write_text("".join(a + "\n" for a in _archs(pool)[6:8]))
    assert builders_main(["finetune", "--store", str(out), "--seed", "0", "--data-dir", str(tiny_cifar),
                          "--archs-from", str(listed), "--batches", "1"]) == 0  # the checkpoint's rule is the store's
    ft = open_store(out, allow_incomplete=True)["finetune_score"].values[0, -1]
    assert np.isfinite(ft[6:8]).all() and np.isnan(np.delete(ft, [6, 7])).all()


def test_the_controls_fine_tuned_scores_are_merged_at_its_run(runs, pool, tiny_cifar, tmp_path):
    from wsbench.schema import validate

    control = tmp_path / "control.zarr"
    assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(control), *TWO_SEEDS,
                          "--keep-work", "--keep-checkpoints", "1", "--archs-from", str(pool)]) == 0
    for epoch in ("2", "1"):  # the control is fine-tuned at two epochs (issue 30: >= 2), each at its own lr
        assert builders_main(["finetune", "--store", str(control), "--seed", "1", "--data-dir", str(tiny_cifar),
                              "--subnets", "3", "--batches", "1", "--epoch", epoch]) == 0
    out = tmp_path / "merged.zarr"
    assert builders_main(["merge-pruned", str(control), str(runs["opt"]), "--gt-from", str(pool), "--out",
                          str(out)]) == 0
    ds = open_store(out)
    assert validate(ds) == []
    ft = ds["finetune_score"].values
    np.testing.assert_array_equal(ft[0], open_store(control, allow_incomplete=True)["finetune_score"].values)
    assert np.isnan(ft[1]).all() and (np.isfinite(ft[0, 1, 1]).sum() == 3) and (np.isfinite(ft[0, 1, 0]).sum() == 3)
    assert ds.attrs["finetune"]["regions"] == [[0.0, 1, 1], [0.0, 1, 2]]
    assert sorted(ds.attrs["finetune"]["lr_at_epoch"]) == ["1", "2"]
    assert wsbench_paired_runs(out)


def wsbench_paired_runs(store: Path) -> bool:
    """The merged store's fine-tuned control answers wsbench's paired comparison (read through the prune dim)."""
    import wsbench

    r = wsbench.open(store).paired(a="score=supernet", b="score=finetune", seed="1")  # epoch: the last, 2
    return r.options["a"]["epoch"] == 2 and len(r.summary) == 1


def test_a_build_on_an_allow_list_scores_exactly_its_architectures(pool, tiny_cifar, tmp_path):
    from builders.core.files import sha256_file

    listed = tmp_path / "three.txt"
    chosen = [_archs(pool)[i] for i in (1, 4, 10)]
    listed.write_text("".join(a + "\n" for a in reversed(chosen)))  # order does not matter: a set
    out = tmp_path / "list.zarr"
    assert builders_main(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY,
                          "--archs-from", str(pool), "--allowed-from", str(listed)]) == 0
    ds = open_store(out, allow_incomplete=True)
    scored = np.flatnonzero(np.isfinite(ds["supernet_score"].values[0, 0]))
    assert scored.tolist() == [1, 4, 10]
    rec = ds.attrs["sampler"]["allowed"]
    assert rec["mode"] == "list" and rec["source_kind"] == "text file" and rec["allowed"] == 3
    assert rec["source"] == {"name": "three.txt", "sha256": sha256_file(listed)}


def test_a_list_and_a_rule_together_are_refused(pool, tiny_cifar, tmp_path, capsys):
    out = tmp_path / "both.zarr"
    _one_line_no_store(["build", "nb201", "--data-dir", str(tiny_cifar), "--out", str(out), *TINY,
                        "--archs-from", str(pool), "--allowed-from", str(pool), "--prune-rule", "optimistic",
                        "--prune-factor", "0.5"], out, capsys, "not both")
