"""Di64: the 64-architecture space of *Deeper Insights into Weight Sharing in Neural Architecture Search*.

Y. Zhang, Z. Lin, J. Jiang et al. (MSRA, arXiv:2001.01431, 2020; code: ultmaster/deeper-insights-weight-sharing).
A DARTS-like cell with one input (the previous cell through a 1x1 ReLU-conv-BN) and two intermediate nodes:
node 1 takes one op of its input, node 2 the sum of one op of the input and one op of node 1; the cell outputs
both nodes concatenated. Each of the 3 edges chooses one of 4 ops, the official ``genotypes.PRIMITIVES`` in order:
``max_pool_3x3``, ``sep_conv_3x3``, ``sep_conv_5x5``, ``dil_conv_5x5``. 4**3 = 64 architectures, all distinct
networks (no op is an identity or a zero, and node 2's two inputs differ, so no two choices compute one function).

Canonical string: the authors' own spelling (``SubgraphSearchOptimizer.display`` in ``architect.py``): three
digits 1-4, one per edge in the order the code fills its ``select`` (input->node1, input->node2, node1->node2),
each the 1-based index of the op, e.g. ``"142"``. ``enumerate`` follows the code's DFS order
(``get_all_architecture_indices_combination``): architecture *i* is line *i* of the authors' ground-truth files
(``assets/gt_mean.txt``). Also accepted: three 0-based op indices, or three op names.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import ClassVar

import numpy as np

from wsbench.errors import InvalidArchError
from wsbench.spaces.base import SearchSpace

OPS = ("max_pool_3x3", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_5x5")
#: (source, target) of each edge, in the order of the canonical string: node 0 is the cell's (preprocessed) input
EDGES = ((0, 1), (0, 2), (1, 2))


class Di64(SearchSpace):
    name: ClassVar[str] = "di64"
    ops: ClassVar[tuple[str, ...]] = OPS
    decisions: ClassVar[tuple[str, ...]] = tuple(f"edge({s}->{t})" for s, t in EDGES)
    size: ClassVar[int] = len(OPS) ** len(EDGES)
    reference: ClassVar[str] = ("Zhang et al., Deeper Insights into Weight Sharing in Neural Architecture Search "
                                "(arXiv:2001.01431), ultmaster/deeper-insights-weight-sharing models/search_cells.py, "
                                "genotypes.py, architect.py SubgraphSearchOptimizer")

    def parse(self, arch: object) -> tuple[int, ...]:
        """``"142"`` (digits 1-4), ``(0, 3, 1)`` (0-based op indices) or three op names -> 0-based op indices."""
        n = len(EDGES)
        if isinstance(arch, str):
            text = arch.strip()
            if len(text) != n or any(c not in "1234" for c in text):
                raise InvalidArchError(f"di64: expected {n} digits 1-4 (1 {OPS[0]}, 2 {OPS[1]}, 3 {OPS[2]}, "
                                       f"4 {OPS[3]}), one per edge in->n1, in->n2, n1->n2, e.g. '142'; "
                                       f"got {arch[:40]!r}")
            return tuple(int(c) - 1 for c in text)
        if isinstance(arch, (list, tuple)) and len(arch) == n:
            if all(isinstance(k, str) for k in arch):
                unknown = [k for k in arch if k not in OPS]
                if unknown:
                    raise InvalidArchError(f"di64: unknown op(s) {unknown[:3]!r}; the ops are {list(OPS)}")
                return tuple(OPS.index(k) for k in arch)
            if all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) and 0 <= int(k) < len(OPS)
                   for k in arch):
                return tuple(int(k) for k in arch)
        raise InvalidArchError(f"di64: expected a 3-digit string like '142', 3 op indices in 0..3 or 3 op names; "
                               f"got {str(arch)[:60]!r}")

    def format(self, parsed: tuple[int, ...]) -> str:
        return "".join(str(k + 1) for k in parsed)

    def choices_of(self, parsed: tuple[int, ...]) -> tuple[int, ...]:
        return parsed

    def _sample_parsed(self, rng: np.random.Generator) -> tuple[int, ...]:
        """Uniform over the 64 architectures: each edge uniform over the 4 ops (also SPOS's per-step draw)."""
        return tuple(int(k) for k in rng.integers(0, len(OPS), size=len(EDGES)))

    def enumerate(self) -> Iterator[str]:
        """All 64 in the authors' order (their DFS over op indices = lexicographic): line i of gt_mean.txt."""
        for t in itertools.product(range(len(OPS)), repeat=len(EDGES)):
            yield self.format(t)
