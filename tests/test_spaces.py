from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wsbench.spaces
from wsbench.errors import InvalidArchError, OptionError, UnknownNameError
from wsbench.spaces import get_space, module_of, space_names
from wsbench.spaces.nb101 import NB101, _encodings, count_unique_graphs, hash_module

# DARTS_V2 as published in DARTS's cnn/genotypes.py and rnn/genotypes.py
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
    "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)
DARTS_RNN_V2 = ("Genotype(recurrent=[('sigmoid', 0), ('relu', 1), ('relu', 1), ('identity', 1), ('tanh', 2), "
                "('sigmoid', 5), ('tanh', 3), ('relu', 5)], concat=range(1, 9))")


def test_registry_is_the_modules_of_the_package():
    """A space is found by its module file alone: every module of wsbench/spaces (but base and _helpers) is one."""
    folder = Path(wsbench.spaces.__file__).parent
    modules = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_") and p.stem != "base")
    assert space_names() == sorted(m.replace("_", "-") for m in modules)
    assert {"darts", "darts-rnn", "macro", "nb101", "nb201", "proxylessnas"} <= set(space_names())
    assert all(module_of(n) in modules and get_space(n).name == n for n in space_names())
    with pytest.raises(UnknownNameError, match="expected one of: darts, darts-rnn"):
        get_space("nb999")


def test_get_space_imports_only_the_space_asked_for():
    code = ("import sys; from wsbench.spaces import get_space; get_space('nb201'); "
            "print(sorted(m for m in sys.modules if m.startswith('wsbench.spaces.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['wsbench.spaces.base', 'wsbench.spaces.nb201']"


def test_a_space_must_live_in_the_module_named_after_it():
    from wsbench.spaces.base import _REGISTRY, SearchSpace

    body = {"name": "elsewhere", "__module__": "wsbench.spaces.nb201", **{
        k: (lambda self, *a: None) for k in ("parse", "format", "choices_of", "_sample_parsed")}}
    with pytest.raises(TypeError, match="must live in wsbench/spaces/elsewhere.py"):
        type("Elsewhere", (SearchSpace,), body)
    body.update(name="nb201", __module__="tests.somewhere")
    with pytest.raises(TypeError, match="registered twice"):
        type("Twice", (SearchSpace,), body)
    assert "elsewhere" not in _REGISTRY and _REGISTRY["nb201"].__name__ == "NB201"


@pytest.mark.parametrize("name", space_names())
def test_sampling_is_seeded_unique_canonical_and_round_trips(name):
    space = get_space(name)
    a = space.sample(40, seed=3)
    assert a == space.sample(40, seed=3)
    assert a != space.sample(40, seed=4)
    assert len(set(a)) == 40
    for s in a:
        assert space.canonicalize(s) == s
        space.validate(s)
        ch = space.choices(s)
        assert len(ch) == len(space.decisions)
        assert all(-1 <= c < len(space.ops) for c in ch)


@pytest.mark.parametrize("name,bad", [
    ("nb201", "|nor_conv_3x3~0|+|nor_conv_3x3~0|"),
    ("nb201", "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
    ("nb201", "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|"),
    ("nb101", "matrix=01.00;ops=input,conv9x9,output"),
    ("nb101", "matrix=010.000.000;ops=input,conv3x3-bn-relu,output"),  # output unreachable
    ("darts", DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 7)")),
    ("darts", DARTS_V2.replace("('sep_conv_3x3', 1), ('sep_conv_3x3', 1)", "('sep_conv_3x3', 1), ('none', 1)")),
    ("darts-rnn", DARTS_RNN_V2.replace("('relu', 5)]", "('relu', 8)]")),
    ("proxylessnas", "zero,zero,zero,zero|" * 5 + "zero"),
    ("proxylessnas", "3x3_MBConv3"),
    ("macro", "0201210"),
    ("macro", "02012103"),
    ("macro", [0, 2, 0, 1, 2, 1, 0, True]),
])
def test_invalid_architectures_get_a_clear_error(name, bad):
    space = get_space(name)
    with pytest.raises(InvalidArchError, match=name):
        space.parse(bad)
    assert not space.is_valid(bad)


def test_nb201_enumerates_15625_distinct_and_matches_official_format():
    space = get_space("nb201")
    archs = list(space.enumerate())
    assert len(archs) == len(set(archs)) == space.size == 15625
    s = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    assert space.canonicalize(s) == s
    assert space.choices(s) == (3, 3, 4, 1, 3, 1)
    assert space.canonicalize((3, 3, 4, 1, 3, 1)) == s


def test_nb201_strings_equal_the_real_nats_bench_meta():
    meta = SHARED / "nats-bench" / "NATS-tss-v1_0-3ffb9-simple" / "meta.pickle.pbz2"
    if not meta.exists():
        pytest.skip("../shared NATS-Bench files not present")
    import bz2
    import pickle

    class OnlyBuiltins(pickle.Unpickler):
        def find_class(self, module, name):  # refuse every class: the meta holds only builtins
            raise pickle.UnpicklingError(f"refused {module}.{name}")

    with bz2.open(meta, "rb") as f:
        data = OnlyBuiltins(f).load()
    strs = data["meta_archs"]
    space = get_space("nb201")
    assert len(strs) == 15625
    assert set(strs) == set(space.enumerate())
    assert all(space.canonicalize(s) == s for s in strs[:500])


def test_darts_v2_genotype_parses_and_canonicalises():
    space = get_space("darts")
    canon = space.canonicalize(DARTS_V2)
    assert canon.startswith("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),")
    # node 2 of the reduce cell lists ('max_pool_3x3', 0) after ('skip_connect', 2) in DARTS; sorted by input here
    assert "('max_pool_3x3', 0), ('skip_connect', 2), ('max_pool_3x3', 1), ('skip_connect', 2)" in canon
    assert space.canonicalize(canon) == canon
    assert space.canonicalize(DARTS_V2.replace("[2, 3, 4, 5]", "range(2, 6)")) == canon
    js = json.dumps(space_dict(DARTS_V2))
    assert space.canonicalize(js) == canon
    assert space.choices(DARTS_V2)[:2] == (space.ops.index("sep_conv_3x3"),) * 2
    assert space.size == (1 * 3 * 6 * 10 * 7**8) ** 2


def space_dict(genotype: str) -> dict:
    import ast
    import re

    fields = dict(re.findall(r"(\w+)=(\[[^\]]*\])", genotype))
    return {k: ast.literal_eval(v) for k, v in fields.items()}


def test_darts_rnn_v2_and_size():
    space = get_space("darts-rnn")
    canon = space.canonicalize(DARTS_RNN_V2)
    assert canon.endswith("concat=[1, 2, 3, 4, 5, 6, 7, 8])")
    assert space.choices(canon) == (2, 1, 1, 3, 0, 2, 0, 1)
    assert space.size == 4**8 * 40320


def test_proxylessnas_rules_and_size():
    space = get_space("proxylessnas")
    assert len(space.decisions) == 21
    assert space.size == 6**6 * 7**15
    ok = "|".join(["3x3_MBConv3,zero,zero,zero"] * 5 + ["7x7_MBConv6"])
    assert space.canonicalize(ok) == ok


# ---- NAS-Bench-101 -------------------------------------------------------------------
SPEC = {  # the example of NAS-Bench-101's README
    "matrix": [[0, 1, 1, 1, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 0, 0],
               [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0]],
    "ops": ["input", "conv1x1-bn-relu", "conv3x3-bn-relu", "conv3x3-bn-relu", "conv3x3-bn-relu", "maxpool3x3", "output"],
}


def _permute(spec: dict, perm: tuple[int, ...]) -> dict:
    """Relabel inner vertices by ``perm`` (a topological order), as another spelling of the same graph."""
    m = np.array(spec["matrix"])
    order = [0, *perm, len(m) - 1]
    return {"matrix": m[np.ix_(order, order)].tolist(), "ops": [spec["ops"][i] for i in order]}


def test_nb101_isomorphic_spellings_are_one_record_with_one_hash():
    space = NB101()
    canon = space.canonicalize(SPEC)
    spellings = []
    for perm in itertools.permutations(range(1, 6)):
        p = _permute(SPEC, perm)
        if not np.any(np.tril(np.array(p["matrix"]))):
            spellings.append(p)
    assert len(spellings) > 1
    for p in spellings:
        assert space.canonicalize(p) == canon
        assert space.hash(p) == space.hash(SPEC)
    assert space.canonicalize(json.dumps(SPEC)) == canon


def test_nb101_prunes_dangling_vertices_like_modelspec():
    space = NB101()
    # vertex 2 has no path to the output: pruned away, leaving input -> conv3x3 -> output
    spec = {"matrix": [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]],
            "ops": ["input", "conv3x3-bn-relu", "maxpool3x3", "output"]}
    assert space.canonicalize(spec) == "matrix=010.001.000;ops=input,conv3x3-bn-relu,output"
    assert space.choices(spec) == (0, -1, -1, -1, -1)


def test_nb101_rejects_too_many_edges_after_pruning():
    full = np.triu(np.ones((7, 7), dtype=int), 1)  # 21 edges
    spec = {"matrix": full.tolist(), "ops": ["input"] + ["conv3x3-bn-relu"] * 5 + ["output"]}
    with pytest.raises(InvalidArchError, match="21 edges"):
        NB101().parse(spec)


def test_nb101_hash_distinguishes_labels_and_matches_class_count_up_to_5_vertices():
    m = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    assert hash_module(m, [-1, 0, -2]) != hash_module(m, [-1, 1, -2])
    # unique graphs by the NB101 hash == unique graphs by exact canonical form (2,532 up to 5 vertices)
    by_hash, total = count_unique_graphs(5)
    from wsbench.spaces.nb101 import _full_dag_masks

    classes = set()
    for n in range(2, 6):
        iu = np.triu_indices(n, 1)
        for bits in _full_dag_masks(n):
            mm = np.zeros((n, n), dtype=np.int8)
            mm[iu] = bits
            for labels in itertools.product(range(3), repeat=n - 2):
                classes.add((n, min(_encodings(mm, labels))))
    assert by_hash == len(classes) == 2532
    assert total == 3364


def test_nb101_sampler_is_uniform_over_graph_classes():
    """Chi-square on the 4-vertex-or-fewer space, whose classes have spelling counts 1 and 2."""
    import scipy.stats as st

    from wsbench.spaces.nb101 import sample_graph

    n_classes = count_unique_graphs(4)[0]
    rng = np.random.default_rng(0)
    draws = [sample_graph(rng, max_vertices=4) for _ in range(60 * n_classes)]
    counts = np.array(list(__import__("collections").Counter(draws).values()))
    assert len(counts) == n_classes
    assert st.chisquare(counts).pvalue > 1e-3


def test_nb101_sampling_reaches_every_size():
    archs = NB101().sample(100, seed=0)
    sizes = {a.split(";ops=")[1].count(",") + 1 for a in archs}
    assert sizes >= {6, 7}  # graphs with <= 5 vertices are only 2,532 of 423,624


@pytest.mark.slow
def test_nb101_has_423624_unique_graphs():
    assert count_unique_graphs(7)[0] == 423_624


def test_choice_matrix_shape():
    space = get_space("nb201")
    archs = space.sample(5, seed=0)
    m = space.choice_matrix(archs)
    assert m.shape == (5, 6) and m.dtype == np.int8


def _mutate(text: str, at: int, piece: str) -> str:
    at %= max(1, len(text))
    return text[:at] + piece + text[at + 1:]


_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-10**40, 10**40) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda c: st.lists(c, max_size=6) | st.dictionaries(st.text(max_size=10), c, max_size=4) | st.tuples(c, c),
    max_leaves=15)


@pytest.mark.parametrize("name", space_names())
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_input_is_parsed_or_refused_with_invalid_arch_error(name, data):
    """1,000 random inputs per space: junk values, JSON of junk, canonical strings with a character changed."""
    space = get_space(name)
    good = space.sample(3, seed=0)
    x = data.draw(st.one_of(_JUNK, _JUNK.map(json.dumps),
                            st.builds(_mutate, st.sampled_from(good), st.integers(0, 400), st.text(max_size=3))))
    try:
        canonical = space.canonicalize(x)
    except InvalidArchError:
        return
    assert space.canonicalize(canonical) == canonical  # whatever is accepted has one canonical spelling


@pytest.mark.parametrize(("text", "why"), [
    (("Genotype(normal=[('sep_conv_3x3', False), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
      "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2, 3, 4, 5], "
      "reduce=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
      "('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1)], reduce_concat=[2, 3, 4, 5])"), "input_index"),
    ("Genotype(normal=[], junk normal_concat=[2, 3, 4, 5], reduce=[], reduce_concat=[2, 3, 4, 5])", "unexpected text"),
    ("Genotype(normal=[], normal_concat=range(2, 100000000), reduce=[], reduce_concat=[2])", "far longer"),
])
def test_darts_refuses_bool_indices_junk_and_huge_ranges(text, why):
    with pytest.raises(InvalidArchError, match=why):
        get_space("darts").canonicalize(text)


@pytest.mark.parametrize(("n", "seed"), [(5, -1), ("3", 0), (2.5, 0), (True, 0), (-1, 0)])
def test_sample_refuses_non_integer_or_negative_counts_and_seeds(n, seed):
    with pytest.raises(OptionError):
        get_space("nb201").sample(n, seed)


# ---- NAS-Bench-Macro ----------------------------------------------------------------
def test_macro_canonical_form_moves_noop_identities_to_the_end_of_each_stage():
    space = get_space("macro")
    # stage 1 = 2 layers, stages 2, 3 = 3 layers; only a non-first id is a no-op
    assert space.canonicalize("02" "012" "100") == "02012100"
    assert space.canonicalize("02" "021" "001") == "02021010"  # stage 2 stays; stage 3: first 0 kept, '01' -> '10'
    assert space.canonicalize("00" "102" "010") == "00120010"
    assert space.canonicalize([0, 0, 1, 0, 2, 0, 1, 0]) == "00120010"
    assert space.choices("00102010") == (0, 0, 1, 2, 0, 0, 1, 0)
    with pytest.raises(InvalidArchError, match="not canonical"):
        space.validate("00102010")


def test_macro_enumerates_3969_networks_each_the_class_of_its_encodings():
    space = get_space("macro")
    nets = list(space.enumerate())
    assert len(nets) == len(set(nets)) == space.size == 3969
    assert nets == sorted(nets)
    classes = {space.canonicalize("".join(map(str, e))) for e in itertools.product(range(3), repeat=8)}
    assert classes == set(nets) and space.encodings == 6561


def test_macro_sample_is_uniform_over_networks_and_draw_over_encodings():
    space = get_space("macro")
    # stage 1 has 9 forms, each 1/9 of a uniform network sample; by encodings '10' and '01'-style pairs would
    # make stage 2's one-op forms twice as frequent as its two-op forms
    rng = np.random.default_rng(0)
    stage2 = [space._sample_parsed(rng)[2:5] for _ in range(21_000)]
    counts = {f: stage2.count(f) for f in set(stage2)}
    assert len(counts) == 21 and all(800 < c < 1200 for c in counts.values())
    drawn = [space.draw(rng) for _ in range(3000)]
    assert {len(d) for d in drawn} == {8}
    assert any(d != tuple(space.parse(d)) for d in drawn)  # encodings, not canonicalised
    for layer in range(8):
        col = [d[layer] for d in drawn]
        assert all(850 < col.count(k) < 1150 for k in range(3))


def test_macro_classes_equal_nas_bench_macro_result_sets():
    path = SHARED / "gt" / "nas-bench-macro" / "nas-bench-macro_cifar10.json"
    if not path.exists():
        pytest.skip("../shared NAS-Bench-Macro file not present")
    data = json.loads(path.read_text())
    space = get_space("macro")
    assert len(data) == 6561
    by_class: dict[str, set] = {}
    for key, rec in data.items():
        by_class.setdefault(space.canonicalize(key), set()).add(tuple(rec["test_acc"]))
    assert len(by_class) == 3969 and all(len(v) == 1 for v in by_class.values())
    assert len({next(iter(v)) for v in by_class.values()}) == 3969  # different networks, different results
