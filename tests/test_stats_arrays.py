"""The public array API (wsbench.stats.kendall, ...) gives the commands' numbers on every bundled dataset; its
doctests and those of docs/statistics.md run."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import numpy as np
import pytest
from cli_invoke import invoke
from hypothesis import given, settings
from hypothesis import strategies as st

import wsbench
from wsbench import stats
from wsbench.stats.ranking import to_metric

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = [e["name"] for e in json.loads(invoke(["list", "--json"]).stdout) if e["where"] == "bundled"]


@pytest.mark.parametrize("name", BUNDLED)
def test_the_array_api_equals_the_commands_on_every_bundled_dataset(name: str):
    b = wsbench.open(name)
    s, e = b.seeds[0], b.epochs[-1]
    x, g = b.score_fn("supernet")(s, e), b.gt("gt_score")
    corr = b.correlation(seed=str(s), ci=0.95, boot=200).rows[0]
    assert stats.kendall(x, g) == corr["kendall"] and stats.spearman(x, g) == corr["spearman"]
    assert stats.bootstrap_ci(stats.kendall, x, g, level=0.95, boot=200) == (corr["kendall_ci_low"],
                                                                              corr["kendall_ci_high"])
    bt = b.bottomtop(seed=str(s)).rows[0]
    assert stats.precision_at(x, g, "10%") == bt["p_top"]
    assert stats.precision_at_bottom(x, g, "10%") == bt["p_bottom"]
    assert stats.br_at_k(x, g, "10%") == bt["br"] and stats.wr_at_k(x, g, "10%") == bt["wr"]
    n = int(np.sum(np.isfinite(x) & np.isfinite(g)))
    for row in b.topk(seed=str(s), samples=n).rows:
        got = stats.best_in_top(x, g, row["k"])
        assert to_metric(got["best_gt"], b.direction) == row["best_gt"]
        assert got["precision"] == row["precision"] and got["ndcg"] == row["ndcg"]
        assert got["best_gt_top_pct"] == row["best_gt_top_pct"] and got["k"] == row["k_count"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=3, max_size=30))
def test_kendall_and_spearman_are_scipys_on_tied_data(pairs):
    import warnings

    import scipy.stats as sst

    x, y = (np.array(v, dtype=float) for v in zip(*pairs))
    with warnings.catch_warnings():  # scipy warns on a constant array (NaN, as ours)
        warnings.simplefilter("ignore")
        want_k, want_s = sst.kendalltau(x, y).statistic, sst.spearmanr(x, y).statistic
    got_k, got_s = stats.kendall(x, y), stats.spearman(x, y)
    assert (np.isnan(want_k) and np.isnan(got_k)) or got_k == pytest.approx(want_k, abs=1e-12)
    assert (np.isnan(want_s) and np.isnan(got_s)) or got_s == pytest.approx(want_s, abs=1e-12)


def test_bad_arrays_are_one_clear_error():
    with pytest.raises(wsbench.errors.OptionError, match="1-D arrays of one length"):
        stats.kendall([1, 2, 3], [1, 2])
    with pytest.raises(wsbench.errors.OptionError, match="finite or NaN"):
        stats.precision_at([1, np.inf, 3], [1, 2, 3], 1)
    with pytest.raises(wsbench.errors.OptionError, match="count k must lie in 1..3"):
        stats.br_at_k([1, 2, 3], [1, 2, 3], 4)


def test_the_modules_doctests_run():
    from wsbench.stats import arrays

    res = doctest.testmod(arrays)
    assert res.attempted >= 7 and res.failed == 0


def test_the_statistics_docs_pycon_examples_run():
    text = (ROOT / "docs" / "statistics.md").read_text()
    blocks = re.findall(r"^```pycon\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert blocks
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner()
    for i, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"statistics.md[{i}]", "docs/statistics.md", 0))
    res = runner.summarize(verbose=False)
    assert res.attempted >= 5 and res.failed == 0
