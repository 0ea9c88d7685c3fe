"""Architectures in users' encodings (wsbench.encodings): round trips on random architectures (hypothesis), on
every NB201 cell and NAS-Bench-Macro key, and on the real NASLib / NAS-Bench-Macro files where ../shared has them
(each mapped as the ground-truth importers map it)."""

from __future__ import annotations

import ast
import json

import pytest
from conftest import SHARED
from hypothesis import given, settings
from hypothesis import strategies as st

from wsbench.encodings import ENCODINGS, detect, from_canonical, resolve, to_canonical
from wsbench.errors import InvalidArchError
from wsbench.spaces import get_space

NON_HASH = [(sp, e) for sp, encs in ENCODINGS.items() for e in encs if e != "hash"]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), which=st.sampled_from(NON_HASH))
def test_every_encoding_round_trips_as_itself_as_text_and_detected(seed: int, which: tuple[str, str]):
    space, enc = which
    arch = get_space(space).sample(1, seed=seed)[0]
    value = from_canonical(space, arch, enc)
    assert to_canonical(space, value, enc) == arch
    assert to_canonical(space, value) == arch  # auto
    text = json.dumps(value) if isinstance(value, dict) else str(value)
    assert to_canonical(space, text) == arch  # as a CSV cell holds it


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_nb101_hashes_resolve_against_known_architectures(seed: int):
    archs = get_space("nb101").sample(5, seed=seed)
    hashes = [from_canonical("nb101", a, "hash") for a in archs]
    assert all(detect("nb101", h) == "hash" for h in hashes)
    assert resolve("nb101", hashes[::-1] + ["0" * 32], archs) == ([4, 3, 2, 1, 0, -1], [])
    with pytest.raises(InvalidArchError, match="only among known ones"):
        to_canonical("nb101", hashes[0])


def test_all_15625_nb201_cells_round_trip_through_naslibs_op_indices():
    sp = get_space("nb201")
    keys = set()
    for arch in sp.enumerate():
        key = from_canonical("nb201", arch, "naslib")
        assert to_canonical("nb201", key) == arch
        keys.add(key)
    assert len(keys) == 15625


def test_all_6561_macro_keys_read_and_integers_are_zero_padded():
    import itertools

    sp = get_space("macro")
    canon = set()
    for digits in itertools.product("012", repeat=8):
        key = "".join(digits)
        c = to_canonical("macro", key)
        assert c == sp.canonicalize(key) and to_canonical("macro", int(key)) == c
        assert from_canonical("macro", c, "key") == c
        canon.add(c)
    assert len(canon) == 3969


def test_a_six_tuple_for_nb201_is_naslibs_order_not_wsbenchs():
    sp = get_space("nb201")
    # NASLib: op 0 = skip_connect on every edge; wsbench's own index 0 is 'none'
    assert to_canonical("nb201", (0, 0, 0, 0, 0, 0)) == sp.format((1, 1, 1, 1, 1, 1))
    with pytest.raises(InvalidArchError, match="6 integers in 0..4"):
        to_canonical("nb201", (0, 0, 0, 0, 0, 7))


def _zc(name: str) -> dict:
    path = SHARED / "gt" / "naslib" / name
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return json.loads(path.read_text())


def test_naslib_nb201_file_keys_round_trip_and_match_the_importer():
    from builders.groundtruth.analognas import key_to_nb201

    data = _zc("zc_nasbench201.json")["nasbench201"]["cifar10"]
    for key in data:
        t = ast.literal_eval(key)
        c = to_canonical("nb201", key)
        assert c == key_to_nb201(t)
        assert from_canonical("nb201", c, "naslib") == t  # exactly the file's key


@pytest.mark.parametrize("space, file, bench", [("nb101", "zc_nasbench101.json", "nasbench101"),
                                                 ("darts", "zc_nasbench301.json", "nasbench301")])
def test_naslib_nb101_and_nb301_file_keys_read_as_the_importer_reads_them(space: str, file: str, bench: str):
    from builders.groundtruth.naslib_zc import key_to_arch

    sp = get_space(space)
    data = _zc(file)[bench]["cifar10"]
    enc = "naslib" if space == "nb101" else "nb301"
    for key in data:
        c = to_canonical(space, key)
        assert c == sp.canonicalize(key_to_arch(space, ast.literal_eval(key)))
        assert to_canonical(space, from_canonical(space, c, enc), enc) == c
        if space == "nb101":
            assert resolve("nb101", [from_canonical("nb101", c, "hash")], [c]) == ([0], [])


def test_nas_bench_macro_file_keys():
    path = SHARED / "gt" / "nas-bench-macro" / "nas-bench-macro_cifar10.json"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    keys = list(json.loads(path.read_text()))
    assert len(keys) == 6561
    assert len({to_canonical("macro", k) for k in keys}) == 3969


def test_genotype_text_with_range_concat_reads():
    g = ("Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), "
         "('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], "
         "normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
         "('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), "
         "('avg_pool_3x3', 0)], reduce_concat=range(2, 6))")  # DARTS V2 as printed by DARTS
    c = to_canonical("darts", g)
    assert c == get_space("darts").canonicalize(g) and to_canonical("darts", from_canonical("darts", c, "nb301")) == c


def test_the_canonical_form_shortcut_accepts_exactly_the_canonical_strings():
    from wsbench.encodings import _CANONICAL_FORM

    sp = get_space("nb201")
    form = _CANONICAL_FORM["nb201"]
    assert all(form.match(a) for a in sp.enumerate())
    for bad in ("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|x", "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",
                "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", " |none~0|+|none~0|none~1|+|none~0|none~1|none~2|"):
        assert not form.match(bad) and not (sp.is_valid(bad) and sp.canonicalize(bad) == bad)
