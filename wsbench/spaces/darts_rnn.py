"""DARTS recurrent cell space for Penn Treebank (Liu et al., ICLR 2019).

Eight intermediate nodes; node ``i`` (1..8) takes one predecessor ``0..i-1``
(node 0 is the cell's first state) through one of tanh / relu / sigmoid /
identity; the cell output averages nodes 1..8. Size: 4**8 * 8! = 2,642,411,520.
The string is DARTS's ``Genotype(recurrent=[...], concat=[1, ..., 8])``.
"""

from __future__ import annotations

from math import factorial
from typing import ClassVar

import numpy as np

from wsbench.errors import InvalidArchError
from wsbench.spaces._genotype import check_pairs, read_genotype
from wsbench.spaces.base import SearchSpace

STEPS = 8
Rnn = tuple[tuple[str, int], ...]


class DARTSRNN(SearchSpace):
    name: ClassVar[str] = "darts-rnn"
    ops: ClassVar[tuple[str, ...]] = ("tanh", "relu", "sigmoid", "identity")
    decisions: ClassVar[tuple[str, ...]] = tuple(f"node{i}" for i in range(1, STEPS + 1))
    size: ClassVar[int] = 4**STEPS * factorial(STEPS)
    reference: ClassVar[str] = "DARTS (Liu et al., ICLR 2019), rnn/genotypes.py and model_search.py"

    def parse(self, arch: object) -> Rnn:
        if isinstance(arch, dict):
            g = {"recurrent": [tuple(x) for x in arch.get("recurrent", [])], "concat": list(arch.get("concat", []))}
        elif isinstance(arch, str):
            g = read_genotype("darts-rnn", arch, ("recurrent", "concat"))
        else:
            raise InvalidArchError(f"darts-rnn: expected a Genotype string, got {type(arch).__name__}")
        pairs = g["recurrent"]
        check_pairs("darts-rnn", "recurrent", pairs, self.ops)
        if len(pairs) != STEPS:
            raise InvalidArchError(f"darts-rnn: recurrent needs {STEPS} (op, predecessor) pairs, got {len(pairs)}")
        for i, (_, src) in enumerate(pairs, start=1):
            if not 0 <= src < i:
                raise InvalidArchError(f"darts-rnn: node {i} reads node {src}; allowed 0..{i - 1}")
        if any(isinstance(x, bool) for x in g["concat"]) or list(g["concat"]) != list(range(1, STEPS + 1)):
            raise InvalidArchError(f"darts-rnn: concat must be nodes 1..{STEPS} (range(1, 9)), got {g['concat']}")
        return tuple(pairs)

    def format(self, parsed: Rnn) -> str:
        rec = ", ".join(f"('{op}', {src})" for op, src in parsed)
        return f"Genotype(recurrent=[{rec}], concat=[{', '.join(map(str, range(1, STEPS + 1)))}])"

    def choices_of(self, parsed: Rnn) -> tuple[int, ...]:
        return tuple(self.ops.index(op) for op, _ in parsed)

    def _sample_parsed(self, rng: np.random.Generator) -> Rnn:
        return tuple((self.ops[int(rng.integers(4))], int(rng.integers(i))) for i in range(1, STEPS + 1))
