"""NAS-Bench-Macro space (Su et al., "Prioritized Architecture Sampling with Monto-Carlo Tree Search", CVPR 2021).

A MobileNetV2-style chain: stem, then three stages of 2, 3 and 3 searched
layers (the first layer of a stage halves the resolution and doubles the
width), then a 1x1 conv to 1280, pooling and a classifier. Each layer is
``id`` (identity), ``ir_3x3_t3`` (inverted residual, kernel 3, expansion 3) or
``ir_5x5_t6`` (kernel 5, expansion 6): NAS-Bench-Macro's 3**8 = 6,561
*encodings*, written as NAS-Bench-Macro writes them: 8 digits, 0/1/2 = those
three ops in that order (e.g. ``"02012100"``).

Encodings are not networks. An ``id`` that is not the first layer of its stage
has stride 1 and equal widths, so it is a true no-op: moving it anywhere after
the first layer of its stage gives the same network. (The first layer's ``id``
is a strided 1x1 conv + BN, a real layer.) That rule makes 3,969 distinct
networks (9 forms of stage 1 x 21 of stage 2 x 21 of stage 3), and NAS-Bench-Macro's own
file agrees: its 6,561 keys hold exactly 3,969 distinct result sets, one per
class of this rule. So:

- the **canonical string** is the encoding with each stage's no-op ``id``\\ s
  moved to the end of the stage (stage ``"101"`` is written ``"110"``); every
  encoding is accepted and canonicalised;
- ``size`` is 3,969 and ``sample``/``enumerate`` are uniform over **networks**
  (canonical strings);
- ``draw`` (one supernet training step) is SPOS's uniform choice per layer over
  the 6,561 encodings: in a weight-sharing supernet each layer position has its
  own weights, so two encodings of one network train different paths. A subnet
  is scored through its canonical encoding's path.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from typing import ClassVar

import numpy as np

from wsbench.errors import InvalidArchError
from wsbench.spaces.base import SearchSpace

STAGES = (2, 3, 3)
#: (first layer index, layer count) per stage
_SPANS = tuple((sum(STAGES[:s]), n) for s, n in enumerate(STAGES))


def _canonical_stage(layers: tuple[int, ...]) -> tuple[int, ...]:
    rest = [k for k in layers[1:] if k != 0]
    return (layers[0], *rest, *([0] * (len(layers) - 1 - len(rest))))


def canonical_encoding(encoding: tuple[int, ...]) -> tuple[int, ...]:
    """The encoding of the same network with every no-op ``id`` moved to the end of its stage."""
    out: list[int] = []
    for first, n in _SPANS:
        out += _canonical_stage(tuple(encoding[first:first + n]))
    return tuple(out)


@functools.cache
def _stage_forms(n: int) -> tuple[tuple[int, ...], ...]:
    """The canonical forms of a stage of ``n`` layers (computed once: ``sample`` draws one per stage per try)."""
    return tuple(sorted({_canonical_stage(t) for t in itertools.product(range(3), repeat=n)}))


class Macro(SearchSpace):
    name: ClassVar[str] = "macro"
    ops: ClassVar[tuple[str, ...]] = ("id", "ir_3x3_t3", "ir_5x5_t6")
    decisions: ClassVar[tuple[str, ...]] = tuple(f"stage{s + 1}/layer{i + 1}" for s, n in enumerate(STAGES)
                                                 for i in range(n))
    size: ClassVar[int] = 3969
    #: NAS-Bench-Macro's own count: encodings, each a key of its file
    encodings: ClassVar[int] = 3 ** sum(STAGES)
    reference: ClassVar[str] = "NAS-Bench-Macro (Su et al., CVPR 2021), xiusu/NAS-Bench-Macro train/model.py"
    function_id_rule: ClassVar[str] = (
        "the canonical string, which already merges the encodings of one network (no-op ids moved to the end of "
        "their stage): 6,561 encodings -> 3,969 networks")

    def parse(self, arch: object) -> tuple[int, ...]:
        """Any of the 6,561 encodings (8-digit string or 8 op indices) -> the canonical encoding."""
        n = sum(STAGES)
        if isinstance(arch, str):
            text = arch.strip()
            if len(text) != n or any(c not in "012" for c in text):
                raise InvalidArchError(f"macro: expected {n} digits 0/1/2 (0 id, 1 ir_3x3_t3, 2 ir_5x5_t6) as in "
                                       f"NAS-Bench-Macro's keys, e.g. '02012100'; got {arch[:40]!r}")
            encoding = tuple(int(c) for c in text)
        elif isinstance(arch, (list, tuple)):
            if len(arch) != n or not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                                         and 0 <= int(k) <= 2 for k in arch):
                raise InvalidArchError(f"macro: expected {n} op indices in 0..2, got {list(arch)[:12]!r}")
            encoding = tuple(int(k) for k in arch)
        else:
            raise InvalidArchError(f"macro: expected an 8-digit string like '02012100', got {type(arch).__name__}")
        return canonical_encoding(encoding)

    def format(self, parsed: tuple[int, ...]) -> str:
        return "".join(str(k) for k in parsed)

    def choices_of(self, parsed: tuple[int, ...]) -> tuple[int, ...]:
        return parsed

    def _sample_parsed(self, rng: np.random.Generator) -> tuple[int, ...]:
        """Uniform over the 3,969 networks: one canonical form per stage, each stage uniform over its forms."""
        out: list[int] = []
        for n in STAGES:
            forms = _stage_forms(n)
            out += forms[int(rng.integers(0, len(forms)))]
        return tuple(out)

    def draw(self, rng: np.random.Generator) -> tuple[int, ...]:
        """SPOS: each layer uniform over its three ops (an encoding, not canonicalised: paths differ by position)."""
        return tuple(int(k) for k in rng.integers(0, 3, size=sum(STAGES)))

    def enumerate(self) -> Iterator[str]:
        """All 3,969 networks in lexicographic order of their canonical strings."""
        for parts in itertools.product(*(_stage_forms(n) for n in STAGES)):
            yield self.format(tuple(itertools.chain.from_iterable(parts)))
