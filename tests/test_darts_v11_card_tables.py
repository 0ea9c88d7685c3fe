"""results/darts-cifar10-v1.1/card_tables.py: v1.0 beside v1.1 on every statistic, each cell the query it names, on
two small DARTS stores written by the project's factory (same genotypes and GT, other supernet scores)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from factory import make_store

import wsbench
from wsbench.spaces import get_space

SCRIPT = Path(__file__).resolve().parents[1] / "results" / "darts-cifar10-v1.1" / "card_tables.py"
EPOCHS = (1, 2, 8)


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> tuple[Path, Path, Path]:
    d = tmp_path_factory.mktemp("darts11")
    archs = get_space("darts").sample(60, seed=0)
    rng = np.random.default_rng(0)
    gt, params = rng.uniform(90, 95, size=60), rng.uniform(1e5, 4e5, size=60)
    old = make_store(d / "old.zarr", space="darts", archs=archs, gt=gt, params=params, epochs=EPOCHS, losses=True,
                     rng_seed=1, noise=8.0)
    new = make_store(d / "new.zarr", space="darts", archs=archs, gt=gt, params=params, epochs=EPOCHS, losses=True,
                     rng_seed=2, noise=3.0)
    other = make_store(d / "other.zarr", space="darts", archs=archs[::-1], gt=gt, params=params, epochs=EPOCHS,
                       losses=True, rng_seed=2)
    return old, new, other


def _run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          check=False)


def _cells(out: str, label: str) -> list[str]:
    line = next(x for x in out.splitlines() if x.startswith(f"| {label}"))
    return [c.strip() for c in line.strip("|").split("|")][1:]


def test_every_cell_is_the_query_it_names(stores):
    old, new, _ = stores
    res = _run(old, new, "--epoch", 8)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    a, b = wsbench.open(old), wsbench.open(new)
    ms = [x.meanscore(epoch=8).summary[0] for x in (a, b)]
    assert _cells(out, "mean supernet accuracy (%) of the subnets, epoch 8") == [
        f"{m['mean_mean']:.1f} ± {m['mean_std']:.1f}" for m in ms]
    st = [next(r for r in x.stability(epoch="all").summary if (r["kind"], r["epoch"]) == ("seed", 8)) for x in (a, b)]
    assert _cells(out, "seed × seed τ, epoch 8") == [f"{s['kendall_mean']:.3f} ± {s['kendall_std']:.3f}" for s in st]
    tk = [next(r for r in x.topk(k="10%", epoch=8).summary) for x in (a, b)]
    assert _cells(out, "top-10%: best GT rank")[0:2] == [
        f"{t['best_gt_top_pct_mean']:.1f} ± {t['best_gt_top_pct_std']:.1f}" for t in tk]
    # the paired table first: one row per (score, epoch) both stores scored, all 3 seeds paired
    assert out.index("### Paired Δτ") < out.index("### Every statistic")
    for score in ("supernet", "loss"):
        for e in EPOCHS:
            assert f"| {score} | {e} | 3 |" in out
    # the less noisy store ranks better: the table says so, as the queries do
    tau = [x.correlation(epoch=8).summary[0]["kendall_mean"] for x in (a, b)]
    assert tau[1] > tau[0]
    assert f"| supernet | 8 | 3 | {tau[0]:.3f} | {tau[1]:.3f} |" in out


def test_other_genotypes_or_bad_names_are_refused(stores):
    old, _, other = stores
    res = _run(old, other)
    assert res.returncode == 1 and "same list" in res.stderr and "### Every statistic" not in res.stdout
    res = _run(old, old, "--names", "only-one")
    assert res.returncode == 2 and "two comma-separated names" in res.stderr and res.stdout == ""
