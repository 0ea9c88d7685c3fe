"""NAS-Bench-201 cell space (Dong & Yang, ICLR 2020).

Four nodes, six edges (every j -> i with j < i), five ops per edge:
5**6 = 15,625 architectures. The canonical string is NAS-Bench-201's own,
``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``, with ops named as in its
``NAS_BENCH_201`` list. Isomorphic duplicates stay distinct strings, as in
NAS-Bench-201; ``function_id`` names the function a cell computes, by
NAS-Bench-201's own rule, so statistics can merge them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import ClassVar

import numpy as np

from wsbench.errors import InvalidArchError
from wsbench.spaces.base import SearchSpace

_NODE = re.compile(r"^\|(?:[^|~]+~\d+\|)+$")


class NB201(SearchSpace):
    name: ClassVar[str] = "nb201"
    ops: ClassVar[tuple[str, ...]] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
    #: edges (to, from) in the order the string lists them
    edges: ClassVar[tuple[tuple[int, int], ...]] = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
    decisions: ClassVar[tuple[str, ...]] = tuple(f"{i}<-{j}" for i, j in edges)
    size: ClassVar[int] = 5**6
    reference: ClassVar[str] = "NAS-Bench-201 (Dong & Yang, ICLR 2020), models/cell_searchs/genotypes.py Structure.tostr"

    function_id_rule: ClassVar[str] = (
        "NAS-Bench-201's Structure.to_unique_str(consider_zero=True): a node is the sorted sum of its inputs; "
        "skip_connect passes its input's expression on, none (or an input that is exactly zero) is a zero term '#' "
        "that is kept in the sum, any other op wraps its input as '(x)@op'. 15,625 cells -> 6,466 functions "
        "(the count NAS-Bench-201 reports). Conservative: zero terms are not cancelled, so a few equivalent cells "
        "keep different ids (dropping zero terms would give 5,390)")

    def parse(self, arch: object) -> tuple[int, ...]:
        if isinstance(arch, (tuple, list)) and len(arch) == 6 and all(isinstance(x, (int, np.integer)) for x in arch):
            if all(0 <= int(x) < 5 for x in arch):
                return tuple(int(x) for x in arch)
            raise InvalidArchError(f"nb201: op indices must be in 0..4, got {list(arch)}")
        if not isinstance(arch, str):
            raise InvalidArchError(f"nb201: expected a string like '|nor_conv_3x3~0|+|…|', got {type(arch).__name__}")
        nodes = arch.split("+")
        if len(nodes) != 3:
            raise InvalidArchError(f"nb201: expected 3 nodes separated by '+', got {len(nodes)} in {arch!r}")
        out: list[int] = []
        for i, node in enumerate(nodes, start=1):
            if not _NODE.match(node):
                raise InvalidArchError(f"nb201: node {i} {node!r} is not of the form |op~j|…| in {arch!r}")
            entries = node.strip("|").split("|")
            if len(entries) != i:
                raise InvalidArchError(f"nb201: node {i} must have {i} input edge(s), got {len(entries)} in {arch!r}")
            for j, entry in enumerate(entries):
                op, src = entry.split("~")
                if int(src) != j:
                    raise InvalidArchError(f"nb201: node {i} edge {j} must read from node {j}, got ~{src} in {arch!r}")
                if op not in self.ops:
                    raise InvalidArchError(f"nb201: unknown op {op!r} in {arch!r}; expected one of {list(self.ops)}")
                out.append(self.ops.index(op))
        return tuple(out)

    def format(self, parsed: tuple[int, ...]) -> str:
        a, b, c, d, e, f = parsed
        p0, p1, p2 = _PIECES
        return f"|{p0[a]}|+|{p0[b]}|{p1[c]}|+|{p0[d]}|{p1[e]}|{p2[f]}|"

    def choices_of(self, parsed: tuple[int, ...]) -> tuple[int, ...]:
        return parsed

    def _function_id(self, parsed: tuple[int, ...]) -> str:
        """NAS-Bench-201's unique string of the cell (see ``function_id_rule``); the output node's expression."""
        nodes = ["0"]
        e = 0
        for i in range(1, 4):
            terms = []
            for j in range(i):
                op = self.ops[parsed[e]]
                e += 1
                if op == "none" or nodes[j] == "#":
                    terms.append("#")
                elif op == "skip_connect":
                    terms.append(nodes[j])
                else:
                    terms.append(f"({nodes[j]})@{op}")
            nodes.append("+".join(sorted(terms)))
        return nodes[3]

    def function_ids_from_choices(self, choice: np.ndarray) -> list[str]:
        """The parsed form of an nb201 cell is its row of op indices (``choices_of`` is the identity)."""
        return [self._function_id(tuple(int(k) for k in row)) for row in choice]

    def _sample_parsed(self, rng: np.random.Generator) -> tuple[int, ...]:
        return tuple(int(x) for x in rng.integers(0, 5, size=6))

    def enumerate(self) -> Iterator[str]:
        """All 15,625 in lexicographic order of op indices (edge 1<-0 slowest)."""
        for combo in itertools.product(range(5), repeat=6):
            yield self.format(combo)


#: ``op~j`` of every op, per source node j (a cell's string is six of them: ``format`` is one f-string)
_PIECES = tuple(tuple(f"{op}~{j}" for op in NB201.ops) for j in range(3))
