"""Di64: what only this space can check. The shared harness checks the rest for every space:
tests/test_spaces.py (parsing round trips, sampling), tests/test_kits.py (weight sharing = stand-alone),
tests/test_engine.py (a tiny real build with ground truth).
"""

from __future__ import annotations

import pytest

from wsbench.errors import InvalidArchError
from wsbench.spaces import get_space

#: the authors' display strings (architect.py ``display``: 1-based op digits), 0-based indices and op names
EXAMPLES: list[tuple[object, str]] = [
    ("142", "142"), ((0, 3, 1), "142"), (("max_pool_3x3", "dil_conv_5x5", "sep_conv_3x3"), "142"),
    ("111", "111"), ((3, 3, 3), "444"),
]
#: No parameter count is published for this space, so these are counted by hand from the authors' models/ops.py
#: at C = 16, 4 cells: stem 3*48*9 + 96 + 48*48*9 + 96 = 22,224; preprocessing convs 48*16 + 3 * 32*16 = 2,304
#: (their BNs have no affine parameters); classifier 32*10 + 10 = 330; per cell and edge: max_pool_3x3 0,
#: sep_conv_3x3 2 * (16*9 + 16*16) = 800, sep_conv_5x5 2 * (16*25 + 16*16) = 1,312, dil_conv_5x5 16*25 + 16*16 = 656.
HAND_COUNTED_PARAMS: list[tuple[str, int]] = [
    ("111", 22_224 + 2_304 + 330),
    ("142", 22_224 + 2_304 + 330 + 4 * (0 + 656 + 800)),
    ("333", 22_224 + 2_304 + 330 + 4 * 3 * 1_312),
]


def test_the_papers_own_architectures_parse_to_their_canonical_strings():
    space = get_space("di64")
    for spelled, canonical in EXAMPLES:
        assert space.canonicalize(spelled) == canonical


def test_enumeration_is_the_authors_dfs_order():
    """Line i of the authors' gt_mean.txt is architecture i of their DFS over op indices (architect.py)."""
    def dfs(now, out):
        if len(now) == 3:
            out.append("".join(str(i + 1) for i in now))
        else:
            for i in range(4):
                dfs(now + [i], out)
        return out

    assert list(get_space("di64").enumerate()) == dfs([], [])
    assert get_space("di64").size == 64
    assert not get_space("di64").has_equivalences


@pytest.mark.parametrize("bad", ["1425", "150", "abc", "", (0, 4, 1), (0, 1), ("max_pool_3x3", "conv", "x"), 142])
def test_bad_spellings_are_refused_with_the_expected_form(bad):
    with pytest.raises(InvalidArchError, match="di64"):
        get_space("di64").parse(bad)


def test_paper_network_has_the_hand_counted_parameter_counts():
    pytest.importorskip("torch")
    from builders.engine.kits import get_kit
    from builders.flops import count_params

    kit = get_kit("di64")
    for arch, params in HAND_COUNTED_PARAMS:
        assert count_params(kit.paper_standalone(arch)) == params, arch
