"""DARTS-PTB: the recurrent cell's published size, PTB reading, and a real tiny build with ground truth."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from builders.__main__ import main as builders_main
from builders.darts_rnn.network import DARTSRNN, SPACE, count_params
from builders.data.ptb import batchify, read_ptb
from wsbench.store import open_store

DARTS_V2 = ("Genotype(recurrent=[('sigmoid', 0), ('relu', 1), ('relu', 1), ('identity', 1), ('tanh', 2), "
            "('sigmoid', 5), ('tanh', 3), ('relu', 5)], concat=range(1, 9))")


def test_paper_model_has_darts_size():
    """DARTS reports 23M parameters for its PTB model (emsize = nhid = 850, 10k vocabulary, tied decoder)."""
    n = count_params(DARTSRNN(10_000, 850))
    assert n == 10_000 * 850 + 1700 * 1700 + 8 * 850 * 1700 + 10_000 == 22_960_000
    assert abs(n / 23e6 - 1) < 0.005


def test_every_genotype_shares_every_weight():
    """One W per node: any two genotypes use the same parameters, and the forward depends on the genotype."""
    torch.manual_seed(0)
    m = DARTSRNN(50, 8).eval()
    x, h = torch.randint(0, 50, (4, 2)), m.init_hidden(2)
    rng = np.random.default_rng(0)
    a, b = SPACE.draw(rng), SPACE.draw(rng)
    ya, yb = m(x, h, a)[0], m(x, h, b)[0]
    assert not torch.allclose(ya, yb)
    assert torch.equal(m(x, h, SPACE.format(a))[0], ya)  # string and parsed forms agree


@pytest.fixture(scope="module")
def tiny_ptb(tmp_path_factory):
    """Three tiny files in the PTB layout with a learnable pattern (no real data in tests)."""
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    d = tmp_path_factory.mktemp("ptb")
    for split, lines in (("train", 300), ("valid", 60), ("test", 60)):
        with open(d / f"ptb.{split}.txt", "w") as f:
            for _ in range(lines):
                start = int(rng.integers(0, 25))
                f.write(" " + " ".join(words[start:start + 5]) + " \n")
    return d


def test_ptb_reader_and_batchify(tiny_ptb):
    c = read_ptb(tiny_ptb)
    assert c.vocab[-1] != "<eos>" and "<eos>" in c.vocab and len(c.vocab) <= 31 and not c.official
    b = batchify(np.arange(10), 3)
    assert b.shape == (3, 3) and b[:, 0].tolist() == [0, 1, 2] and b[:, 1].tolist() == [3, 4, 5]


def test_tiny_build_then_ground_truth_gives_a_valid_store(tiny_ptb, tmp_path):
    out = tmp_path / "rnn.zarr"
    assert builders_main(["build", "darts-rnn", "--preset", "mini", "--data-dir", str(tiny_ptb), "--epochs", "2",
                          "--score-epochs", "1,2", "--subnets", "4", "--seeds", "0,1", "--out", str(out),
                          "--train-size", "1500", "--score-size", "400", "--batch-size", "8"]) == 0
    ds = open_store(out, allow_incomplete=True)
    sn = ds["supernet_score"].values
    assert ds.attrs["metric"] == "perplexity" and ds.attrs["evaluation_protocol"]["bn"] == "none"
    assert sn.shape == (2, 2, 4) and np.isfinite(sn).all() and (sn >= 1).all()
    np.testing.assert_allclose(ds["supernet_loss"].values, np.log(sn), rtol=1e-5)  # mean token CE = log(ppl)
    paper = 22_960_000 - 10_000 * 850 + len(read_ptb(tiny_ptb).vocab) * 850 + len(read_ptb(tiny_ptb).vocab) - 10_000
    assert (ds["params_paper"].values == paper).all()
    assert builders_main(["groundtruth", "darts-rnn", "--preset", "mini", "--archs-from", str(out), "--seeds", "0",
                          "--data-dir", str(tiny_ptb), "--work", str(tmp_path / "gt"), "--epochs", "1",
                          "--train-size", "1500", "--valid-size", "400", "--store", str(out),
                          "--name", "gt_score"]) == 0
    from wsbench.schema import validate

    final = open_store(out)
    assert final.attrs["complete"] is True and validate(final) == []
    assert final.attrs["gt_source"]["recipe"]["space"] == "darts-rnn"
    # the GT was trained at the mini scale: its sizes must not overwrite the paper-scale ones (they did once)
    assert (final["params_paper"].values == paper).all() and (final["params"].values == ds["params"].values).all()
    np.testing.assert_array_equal(final["flops_paper"].values, ds["flops_paper"].values)
    import wsbench
    from wsbench.report import sections

    b = wsbench.open(out)  # cross-entropy = log(perplexity): the report does not offer it as another ranking
    assert "its loss ranks exactly as its score" in sections.rankings(b, b.epochs, b.seeds).skipped


def test_a_train_size_beyond_the_corpus_is_refused(tiny_ptb, tmp_path, capsys):
    out = tmp_path / "x.zarr"
    assert builders_main(["build", "darts-rnn", "--preset", "mini", "--data-dir", str(tiny_ptb), "--epochs", "1",
                          "--score-epochs", "1", "--subnets", "2", "--seeds", "0", "--out", str(out),
                          "--train-size", "999999"]) == 1
    assert "exceeds ptb.train" in capsys.readouterr().err and not out.exists()


def test_bn_protocol_is_refused_for_the_recurrent_space(tiny_ptb, tmp_path, capsys):
    assert builders_main(["build", "darts-rnn", "--preset", "mini", "--data-dir", str(tiny_ptb), "--epochs", "1",
                          "--score-epochs", "1", "--subnets", "2", "--seeds", "0", "--out", str(tmp_path / "x.zarr"),
                          "--bn", "recalibrate"]) == 1
    assert "no BatchNorm" in capsys.readouterr().err


def test_stopped_and_resumed_build_equals_an_uninterrupted_one(tiny_ptb, tmp_path):
    from builders.engine.build import build

    kw = dict(preset_name="mini", data_dir=tiny_ptb, epochs=2, score_epochs=[1, 2], subnets=3, seeds=[0],
              progress=False, overrides={"train_size": 1500, "score_size": 300, "batch_size": 8})
    assert build("darts-rnn", tmp_path / "a.zarr", **kw) is not None
    assert build("darts-rnn", tmp_path / "b.zarr", max_epochs_this_run=1, **kw) is None  # stops after epoch 1
    assert build("darts-rnn", tmp_path / "b.zarr", **kw) is not None  # resumes from the checkpoint
    a = open_store(tmp_path / "a.zarr", allow_incomplete=True)["supernet_score"].values
    b = open_store(tmp_path / "b.zarr", allow_incomplete=True)["supernet_score"].values
    assert np.isfinite(a).all() and np.array_equal(a, b)


def test_a_longer_ground_truth_schedule_continues_the_shorter_runs_exactly(tiny_ptb, tmp_path):
    """2 epochs, then the same work folder asked for 3: the third epoch continues from the checkpoint, and the
    result equals a fresh 3-epoch run (constant learning rate, both random generators restored)."""
    import json

    archs = tmp_path / "archs.txt"
    archs.write_text(SPACE.canonicalize(DARTS_V2) + "\n")
    base = ["groundtruth", "darts-rnn", "--preset", "mini", "--archs-from", str(archs), "--seeds", "0",
            "--data-dir", str(tiny_ptb), "--train-size", "1500", "--valid-size", "400"]
    assert builders_main([*base, "--work", str(tmp_path / "a"), "--epochs", "2"]) == 0
    two = json.loads(next((tmp_path / "a").glob("*.json")).read_text())
    assert len(two["curve"]) == 2 and list((tmp_path / "a").glob("*.ckpt"))
    assert builders_main([*base, "--work", str(tmp_path / "a"), "--epochs", "3"]) == 0
    extended = json.loads(next((tmp_path / "a").glob("*.json")).read_text())
    assert builders_main([*base, "--work", str(tmp_path / "b"), "--epochs", "3"]) == 0
    fresh = json.loads(next((tmp_path / "b").glob("*.json")).read_text())
    assert extended["curve"][:2] == two["curve"] and extended["curve"] == fresh["curve"]
    assert extended["recipe"] == fresh["recipe"] and extended["recipe"]["epochs"] == 3


def test_a_cosine_schedule_depends_on_its_length_so_a_longer_one_starts_afresh(tiny_ptb, tmp_path):
    """Cosine to 0 over 2 epochs, then 3 asked in the same folder: the 3-epoch run must not continue the
    2-epoch one (its learning rate already reached 0) but equal a fresh 3-epoch cosine run; and cosine differs
    from the constant schedule from the first epoch on (the rate falls within it)."""
    import json

    archs = tmp_path / "archs.txt"
    archs.write_text(SPACE.canonicalize(DARTS_V2) + "\n")
    base = ["groundtruth", "darts-rnn", "--preset", "mini", "--archs-from", str(archs), "--seeds", "0",
            "--data-dir", str(tiny_ptb), "--train-size", "1500", "--valid-size", "400"]
    cos = [*base, "--lr-schedule", "cosine"]

    def result(folder: str) -> dict:
        return json.loads(next((tmp_path / folder).glob("*.json")).read_text())

    assert builders_main([*cos, "--work", str(tmp_path / "a"), "--epochs", "2"]) == 0
    two = result("a")
    assert two["recipe"]["lr_schedule"] == "cosine" and len(two["curve"]) == 2
    assert builders_main([*cos, "--work", str(tmp_path / "a"), "--epochs", "3"]) == 0
    assert builders_main([*cos, "--work", str(tmp_path / "b"), "--epochs", "3"]) == 0
    assert builders_main([*base, "--work", str(tmp_path / "c"), "--epochs", "3"]) == 0
    assert result("a")["curve"] == result("b")["curve"]
    assert result("a")["curve"][:2] != two["curve"]
    assert "lr_schedule" not in result("c")["recipe"] and result("c")["curve"][0] != result("b")["curve"][0]


def test_an_unknown_lr_schedule_is_one_clear_error(tiny_ptb, tmp_path, capsys):
    archs = tmp_path / "archs.txt"
    archs.write_text(SPACE.canonicalize(DARTS_V2) + "\n")
    code = builders_main(["groundtruth", "darts-rnn", "--preset", "mini", "--archs-from", str(archs), "--seeds", "0",
                          "--data-dir", str(tiny_ptb), "--work", str(tmp_path / "w"), "--lr-schedule", "step"])
    err = capsys.readouterr().err
    assert code != 0 and "cosine" in err and "step" in err and not (tmp_path / "w").exists()


def test_the_cosine_rate_falls_from_lr_to_near_zero_over_every_step_of_the_run(tiny_ptb, monkeypatch):
    """Every optimiser step gets lr * (1 + cos(pi * t / T)) / 2, t = 0 .. T-1 over all epochs: the first step at
    the preset's rate, strictly falling across the epoch boundary (recorded by wrapping the real epoch)."""
    import itertools
    import math

    from builders.darts_rnn import lm
    from builders.scratch.lm import recipe_for, train_one

    rates: list[float] = []
    real = lm.train_epoch

    def recording(model, data, opt, preset, arch_for_step, lr_at=None):
        def lr_and_record() -> float:
            rates.append(lr_at())
            return rates[-1]
        return real(model, data, opt, preset, arch_for_step, lr_at=lr_and_record)

    monkeypatch.setattr(lm, "train_epoch", recording)
    recipe = recipe_for("mini", epochs=2, train_size=1500, valid_size=300, lr_schedule="cosine")
    train_one(SPACE.canonicalize(DARTS_V2), 0, recipe, read_ptb(tiny_ptb))
    p = recipe.preset
    steps = 2 * len(range(0, 1500 // p.batch_size - 1, p.bptt))
    assert len(rates) == steps and rates[0] == p.lr
    assert all(b < a for a, b in itertools.pairwise(rates))
    for t in (1, steps // 2, steps - 1):  # the 4 steps of this tiny run; the mini preset's has 179 per epoch
        assert rates[t] == pytest.approx(p.lr * (1 + math.cos(math.pi * t / steps)) / 2)
