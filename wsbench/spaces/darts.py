"""DARTS CNN space (Liu et al., ICLR 2019): a normal and a reduction cell.

Each cell has 2 input nodes (c_{k-2}, c_{k-1}) and 4 intermediate nodes; node
``i`` (0-based) sums two edges from two *distinct* earlier nodes
(``0 .. i+1``), each with one of the 7 non-zero DARTS PRIMITIVES. Edge order
inside a node does not change the network (a sum), so the canonical form sorts
each node's pair by (input, op). Space size: (prod_i C(i+2, 2) * 7**2)**2
= (180 * 7**8)**2 ~ 1.08e18. The string is DARTS's own ``Genotype`` repr with
concat written as a list.
"""

from __future__ import annotations

from math import comb, prod
from typing import ClassVar

import numpy as np

from wsbench.errors import InvalidArchError
from wsbench.spaces._genotype import check_pairs, read_genotype
from wsbench.spaces.base import SearchSpace

NODES = 4
Cell = tuple[tuple[tuple[str, int], ...], tuple[int, ...]]


class DARTS(SearchSpace):
    name: ClassVar[str] = "darts"
    #: DARTS PRIMITIVES without 'none' (never part of a derived genotype)
    ops: ClassVar[tuple[str, ...]] = (
        "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
    )
    cells: ClassVar[tuple[str, ...]] = ("normal", "reduce")
    decisions: ClassVar[tuple[str, ...]] = tuple(
        f"{c}/node{i}/edge{e}" for c in ("normal", "reduce") for i in range(NODES) for e in range(2)
    )
    size: ClassVar[int] = (prod(comb(i + 2, 2) for i in range(NODES)) * 7 ** (2 * NODES)) ** 2
    reference: ClassVar[str] = "DARTS (Liu et al., ICLR 2019), cnn/genotypes.py and model_search.py"

    def parse(self, arch: object) -> dict[str, Cell]:
        if isinstance(arch, dict):
            g = {k: [tuple(x) if isinstance(x, list) else x for x in v] for k, v in arch.items()}
            fields = ("normal", "normal_concat", "reduce", "reduce_concat")
            if set(g) != set(fields):
                raise InvalidArchError(f"darts: a spec needs keys {list(fields)}, got {sorted(g)}")
        elif isinstance(arch, str):
            text = arch.strip()
            if text.startswith("{"):
                import json

                try:
                    return self.parse(json.loads(text))
                except json.JSONDecodeError as e:
                    raise InvalidArchError(f"darts: invalid JSON spec: {e}") from None
            g = read_genotype("darts", text, ("normal", "normal_concat", "reduce", "reduce_concat"))
        else:
            raise InvalidArchError(f"darts: expected a Genotype string or dict, got {type(arch).__name__}")
        return {c: self._cell(c, g[c], g[f"{c}_concat"]) for c in self.cells}

    def _cell(self, cell: str, pairs: list, concat: list) -> Cell:
        check_pairs("darts", cell, pairs, self.ops)
        if len(pairs) != 2 * NODES:
            raise InvalidArchError(f"darts: {cell} cell needs {2 * NODES} (op, input) pairs, got {len(pairs)}")
        out: list[tuple[str, int]] = []
        for i in range(NODES):
            a, b = pairs[2 * i], pairs[2 * i + 1]
            for _op, src in (a, b):
                if not 0 <= src < i + 2:
                    raise InvalidArchError(f"darts: {cell} node {i} reads input {src}; allowed 0..{i + 1}")
            if a[1] == b[1]:
                raise InvalidArchError(f"darts: {cell} node {i} takes input {a[1]} twice; its two inputs must differ")
            out.extend(sorted((a, b), key=lambda p: (p[1], self.ops.index(p[0]))))
        if not isinstance(concat, list | tuple) or any(isinstance(x, bool) or not isinstance(x, int) for x in concat):
            raise InvalidArchError(f"darts: {cell}_concat must be a list of node ids, got {concat!r}")
        cc = [int(x) for x in concat]
        if not cc or cc != sorted(set(cc)) or not all(2 <= x < 2 + NODES for x in cc):
            raise InvalidArchError(f"darts: {cell}_concat must be increasing node ids in 2..{NODES + 1}, got {concat}")
        return tuple(out), tuple(cc)

    def format(self, parsed: dict[str, Cell]) -> str:
        def pairs(c: str) -> str:
            return "[" + ", ".join(f"('{op}', {src})" for op, src in parsed[c][0]) + "]"

        def concat(c: str) -> str:
            return "[" + ", ".join(map(str, parsed[c][1])) + "]"

        return (
            f"Genotype(normal={pairs('normal')}, normal_concat={concat('normal')}, "
            f"reduce={pairs('reduce')}, reduce_concat={concat('reduce')})"
        )

    def choices_of(self, parsed: dict[str, Cell]) -> tuple[int, ...]:
        return tuple(self.ops.index(op) for c in self.cells for op, _ in parsed[c][0])

    def _sample_parsed(self, rng: np.random.Generator) -> dict[str, Cell]:
        out = {}
        for c in self.cells:
            pairs = []
            for i in range(NODES):
                srcs = rng.choice(i + 2, size=2, replace=False)
                pairs += [(self.ops[int(rng.integers(7))], int(s)) for s in srcs]
            out[c] = self._cell(c, pairs, list(range(2, 2 + NODES)))
        return out
