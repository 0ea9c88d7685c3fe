"""Hostile API arguments (issue 28, item 9): every public parameter of ``wsbench.query`` gets junk, and only
wsbench's own errors come out (never a TypeError, OverflowError or ValueError traceback); what a caller asks for
is checked against the memory budget before anything is allocated (under RLIMIT_AS, in a subprocess)."""

from __future__ import annotations

import inspect
import math
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from factory import make_store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wsbench
from wsbench.benchmark import Benchmark
from wsbench.errors import OptionError, WsbenchError
from wsbench.stats.options import MEMORY_BUDGET


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("api") / "s.zarr", n=30, gt_seeds=(0, 1), losses=True)


PARAMS = sorted({(stat, p) for stat in Benchmark.STATS
                 for p in inspect.signature(getattr(Benchmark, stat)).parameters if p != "self"})
#: what makes each statistic run at all (paired needs its two sides), and keeps bootstraps small
BASE = {"paired": {"a": "epoch=1", "b": "epoch=4"}}

junk = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-10**30, max_value=10**30), st.booleans(),
    st.none(), st.text(max_size=30), st.binary(max_size=8), st.complex_numbers(max_magnitude=1e6),
    st.lists(st.one_of(st.floats(), st.integers(-5, 5), st.text(max_size=5)), max_size=4),
    st.dictionaries(st.text(max_size=5), st.one_of(st.integers(-5, 5), st.text(max_size=5)), max_size=3),
    st.builds(lambda n: np.arange(n), st.integers(0, 3)), st.builds(lambda s: np.array([s]), st.text(max_size=4)),
    st.sampled_from([math.inf, -math.inf, math.nan, 32.5, np.float64("nan"), np.int64(2), object(), [], {}, ()]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(PARAMS), value=junk)
def test_junk_in_any_parameter_is_one_wsbench_error(store, which, value):
    stat, param = which
    options = {**BASE.get(stat, {}), param: value}
    if param != "boot" and "boot" in inspect.signature(getattr(Benchmark, stat)).parameters:
        options.setdefault("boot", 20)
    try:
        wsbench.query(str(store), stat, **options)
    except WsbenchError:
        pass  # a refusal in wsbench's own words (OptionError, UnknownNameError, ...), or the statistic ran


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(space=junk, stat=junk)
def test_junk_space_and_statistic_names_are_wsbench_errors(store, space, stat):
    with pytest.raises(WsbenchError):
        wsbench.query(space, stat)


@pytest.mark.parametrize(("options", "says"), [
    ({"epoch": math.inf}, "epoch must be"), ({"epoch": -math.inf}, "epoch must be"), ({"seed": math.nan}, "seed must be"),
    ({"epoch": 32.5}, "epoch must be"), ({"epoch": 4.5}, "epoch must be"), ({"rng_seed": 1.5}, "rng_seed must be"),
    ({"rng_seed": True}, "rng_seed must be"), ({"boot": True, "ci": 0.9}, "boot must be"),
    ({"trials": math.inf}, "trials must be"), ({"gt": np.array(["gt_score"])}, "gt must be"),
    ({"score": np.array([1, 2])}, "score must be"), ({"ties": ["random"]}, "ties must be"),
    ({"ci": math.nan}, "ci must be"), ({"bogus": 1}, "bogus"),
])
def test_each_bad_type_is_one_option_error(store, options, says):
    with pytest.raises(OptionError, match=says):
        wsbench.open(store).topk(**options) if "bogus" in options else wsbench.query(str(store), "topk", **options)


def test_an_integral_float_is_still_an_integer(store):
    assert wsbench.query(str(store), "topk", epoch=4.0, k="1").to_dict() == \
        wsbench.query(str(store), "topk", epoch=4, k="1").to_dict()


def _run_capped(*args: str, cwd: Path, cap: int = 1 << 30) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "WSBENCH_DATA": str(cwd / "data")}
    return subprocess.run([sys.executable, "-m", "wsbench", *args], cwd=cwd, env=env, preexec_fn=limit,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("args", [
    ["topk", "--ci", "0.9", "--boot", "10000000"], ["correlation", "--ci", "0.9", "--boot", "10000000"],
    ["topk", "--trials", "1000000000", "--samples", "500"], ["prune", "--mode", "random", "--trials", "1000000000"],
    ["paired", "--a", "epoch=4", "--b", "epoch=16", "--interval", "bootstrap", "--boot", "10000000"],
    ["gt-noise", "--pairings", "1000000000"],
])
def test_requests_beyond_the_memory_budget_are_refused_before_allocating(tmp_path, args):
    """Under a 1 GiB address-space cap: refused by the budget check (exit 1, the figure and the budget named),
    not by luck or a MemoryError."""
    r = _run_capped(*args, "--space", "nb201-cifar10", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    line = " ".join(r.stderr.split())
    assert "memory budget of 4.0 GiB" in line and "ask for at most" in line, line
    assert "TiB" in line or "GiB" in line


def test_below_the_budget_but_above_the_machine_is_a_user_error(tmp_path):
    """boot=20,000 x 1,000 subnets (~1.1 GB, inside the 4 GiB budget) under a 512 MiB cap: MemoryError -> exit 1."""
    assert 20_000 * 1_000 * 56 < MEMORY_BUDGET
    r = _run_capped("correlation", "--ci", "0.9", "--boot", "20000", "--space", "nb201-cifar10", cwd=tmp_path,
                    cap=512 << 20)
    assert r.returncode == 1 and "out of memory" in r.stderr and "Traceback" not in r.stderr, r.stderr
