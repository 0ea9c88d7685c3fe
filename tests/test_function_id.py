"""function_id: one id per function a cell computes (NAS-Bench-201's isomorphism rule; identity elsewhere)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wsbench.spaces import get_space, space_names

NB201 = get_space("nb201")


def test_nb201_has_nas_bench_201s_6466_functions():
    ids = {NB201.function_id(a) for a in NB201.enumerate()}
    assert len(ids) == 6466  # NAS-Bench-201's own count of unique cells


def _cell(*ops: str) -> str:
    a, b, c, d, e, f = ops
    return f"|{a}~0|+|{b}~0|{c}~1|+|{d}~0|{e}~1|{f}~2|"


def test_nb201_worked_examples():
    # skip_connect passes its input on: node1 = x, so conv on 1<-0 then skip 2<-1 equals conv on 2<-0 directly
    a = _cell("skip_connect", "nor_conv_3x3", "none", "none", "none", "skip_connect")
    b = _cell("skip_connect", "none", "nor_conv_3x3", "none", "none", "skip_connect")
    assert NB201.function_id(a) == NB201.function_id(b)
    # by hand: node1 = "0"; node2 = sorted(["(0)@nor_conv_3x3", "#"]) = "#+(0)@nor_conv_3x3";
    # node3 = sorted(["#", "#", "#+(0)@nor_conv_3x3"]) = "#+#+#+(0)@nor_conv_3x3"
    assert NB201.function_id(a) == "#+#+#+(0)@nor_conv_3x3"
    # an op after a zero node is zero: 'none' on 1<-0, then conv on 3<-1 contributes nothing
    c = _cell("none", "none", "none", "avg_pool_3x3", "nor_conv_1x1", "none")
    assert NB201.function_id(c) == "#+#+(0)@avg_pool_3x3"
    # different ops -> different functions
    d = _cell("none", "none", "none", "nor_conv_3x3", "nor_conv_1x1", "none")
    assert NB201.function_id(c) != NB201.function_id(d)


@given(st.tuples(*[st.integers(0, 4)] * 6))
def test_nb201_id_is_invariant_to_spelling(ops):
    arch = NB201.format(ops)
    assert NB201.function_id(arch) == NB201.function_id(ops) == NB201.function_id(NB201.canonicalize(arch))


def test_nb201_swapping_two_parallel_identical_paths_keeps_the_id():
    # node1 = skip(node0) is node0 itself: swapping the ops on 3<-0 and 3<-1 changes the string, not the function
    for x, y in itertools.permutations(["nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3"], 2):
        a = _cell("skip_connect", "none", "none", x, y, "none")
        b = _cell("skip_connect", "none", "none", y, x, "none")
        assert a != b and NB201.function_id(a) == NB201.function_id(b)


@pytest.mark.parametrize("name", space_names())
def test_every_space_has_a_function_id_and_a_rule(name):
    space = get_space(name)
    archs = space.sample(20, seed=3)
    ids = space.function_ids(archs)
    assert len(ids) == len(archs) and all(isinstance(i, str) and i for i in ids)
    assert space.function_id_rule
    if name != "nb201":  # elsewhere the canonical string already is one per function
        assert ids == archs


def test_sample_functions_draws_distinct_functions_by_the_stated_rule():
    import numpy as np

    classes = list(NB201.function_classes().values())
    assert len(classes) == 6466 and sum(map(len, classes)) == 15625
    archs = NB201.sample_functions(300, seed=5)
    assert len(set(NB201.function_ids(archs))) == 300
    # the rule, replayed by hand
    drawn = np.sort(np.random.default_rng(5).choice(6466, 300, replace=False))
    assert archs == [classes[i][0] for i in drawn]
    with pytest.raises(Exception, match="6466 distinct functions"):
        NB201.sample_functions(6467, seed=0)


def test_sample_functions_command_writes_the_archs_file(tmp_path, capsys):
    import json

    from builders.__main__ import main

    out = tmp_path / "a.txt"
    assert main(["sample-functions", "nb201", "--n", "25", "--seed", "1", "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    lines = out.read_text().split()
    assert len(lines) == 25 == report["archs"] and report["functions_in_space"] == 6466
    assert lines == NB201.sample_functions(25, seed=1)


def test_stores_record_function_ids_and_validate_checks_them(tmp_path):
    from factory import make_store

    from wsbench.schema import validate
    from wsbench.store import StoreWriter, open_store

    path = make_store(tmp_path / "s.zarr", space="nb201", n=40)
    ds = open_store(path)
    archs = [str(a) for a in ds["arch_string"].values]
    assert [str(x) for x in ds["function_id"].values] == NB201.function_ids(archs) and validate(ds) == []
    w = StoreWriter.resume(path)
    w.group["function_id"][3] = "not-a-function"
    problems = validate(open_store(path, check=False))
    assert any("function_id differs" in p and "row 3" in p for p in problems)


def test_only_spaces_with_equivalences_store_function_ids(tmp_path):
    """Elsewhere the id is the canonical string: a copy of arch_string would be stored for nothing."""
    from factory import make_store

    from wsbench.store import open_store

    assert NB201.has_equivalences and not get_space("nb101").has_equivalences
    assert "function_id" in open_store(make_store(tmp_path / "a.zarr", space="nb201", n=10)).variables
    assert "function_id" not in open_store(make_store(tmp_path / "b.zarr", space="darts", n=10)).variables


@pytest.mark.parametrize("name", space_names())
def test_ids_from_choice_rows_equal_the_ids_of_the_strings(name):
    """Where a space computes ids from a store's int8 ``choice`` rows (statistics then decode no strings), they are
    exactly ``function_ids`` of the canonical strings; nb201: over all 15,625 cells."""
    import numpy as np

    space = get_space(name)
    archs = list(space.enumerate()) if name == "nb201" else space.sample(min(200, space.size), seed=3)
    computed = space.function_ids_from_choices(np.array([space.choices(a) for a in archs], dtype=np.int8))
    if computed is None:
        assert name != "nb201"  # the one space with equivalences computes them
        return
    assert computed == space.function_ids(archs)


def test_the_bundled_nb201_store_groups_by_its_stored_function_ids():
    import numpy as np

    import wsbench

    b = wsbench.open("nb201-cifar10")
    ids, _ = b.function_ids()
    assert list(ids) == [str(x) for x in np.asarray(b._read("function_id"))] and len(set(ids)) == 696
