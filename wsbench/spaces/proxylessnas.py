"""ProxylessNAS mobile chain space (Cai et al., ICLR 2019).

After the fixed stem (3x3 conv, 32 ch) and first block (3x3 MBConv1, 16 ch),
six stages of widths 24, 40, 80, 96, 192, 320 with 4, 4, 4, 4, 4, 1 blocks and
first strides 2, 2, 2, 1, 2, 1 are searched. Each block picks an MBConv with
kernel 3/5/7 and expansion 3/6; a block with stride 1 and equal in/out width
(every block but the first of a stage) may also be ``zero`` (skipped: identity
shortcut only). Size: 6**6 * 7**15 ~ 2.2e17.
Canonical string: stages separated by ``|``, blocks by ``,``, e.g.
``5x5_MBConv3,3x3_MBConv3,zero,zero|…|7x7_MBConv6``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from wsbench.errors import InvalidArchError
from wsbench.spaces.base import SearchSpace

WIDTHS = (24, 40, 80, 96, 192, 320)
DEPTHS = (4, 4, 4, 4, 4, 1)
STRIDES = (2, 2, 2, 1, 2, 1)
MBCONVS = ("3x3_MBConv3", "3x3_MBConv6", "5x5_MBConv3", "5x5_MBConv6", "7x7_MBConv3", "7x7_MBConv6")


class ProxylessNAS(SearchSpace):
    name: ClassVar[str] = "proxylessnas"
    ops: ClassVar[tuple[str, ...]] = ("zero", *MBCONVS)
    decisions: ClassVar[tuple[str, ...]] = tuple(f"stage{s + 1}/block{b + 1}" for s in range(6) for b in range(DEPTHS[s]))
    size: ClassVar[int] = 6 ** len(DEPTHS) * 7 ** (sum(DEPTHS) - len(DEPTHS))
    reference: ClassVar[str] = "ProxylessNAS (Cai et al., ICLR 2019), search/models/super_nets/super_proxyless.py"

    def parse(self, arch: object) -> tuple[int, ...]:
        if isinstance(arch, (list, tuple)):
            stages = [list(s) for s in arch]
        elif isinstance(arch, str):
            stages = [s.split(",") for s in arch.strip().split("|")]
        else:
            raise InvalidArchError(f"proxylessnas: expected 'op,op,…|…' string, got {type(arch).__name__}")
        if [len(s) for s in stages] != list(DEPTHS):
            raise InvalidArchError(
                f"proxylessnas: expected {len(DEPTHS)} stages of {list(DEPTHS)} blocks, got {[len(s) for s in stages]}"
            )
        out: list[int] = []
        for si, stage in enumerate(stages):
            for bi, op in enumerate(stage):
                if op not in self.ops:
                    raise InvalidArchError(f"proxylessnas: unknown op {op!r}; expected one of {list(self.ops)}")
                if op == "zero" and bi == 0:
                    raise InvalidArchError(f"proxylessnas: stage {si + 1} block 1 changes width or stride; it cannot be 'zero'")
                out.append(self.ops.index(op))
        return tuple(out)

    def format(self, parsed: tuple[int, ...]) -> str:
        names, stages, i = [self.ops[k] for k in parsed], [], 0
        for d in DEPTHS:
            stages.append(",".join(names[i : i + d]))
            i += d
        return "|".join(stages)

    def choices_of(self, parsed: tuple[int, ...]) -> tuple[int, ...]:
        return parsed

    def _sample_parsed(self, rng: np.random.Generator) -> tuple[int, ...]:
        out = []
        for d in DEPTHS:
            out.append(int(rng.integers(1, 7)))
            out += [int(x) for x in rng.integers(0, 7, size=d - 1)]
        return tuple(out)
