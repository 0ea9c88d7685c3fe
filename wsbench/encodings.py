"""Architectures in the encodings users have, to and from each space's canonical string (pure, no I/O).

Scores come from tools that each spell an architecture their own way. Per space (``ENCODINGS``):

- ``nb201``: ``canonical`` (NAS-Bench-201's string ``|op~0|+|op~0|op~1|+|…|``); ``naslib``: NASLib's 6-tuple of
  op indices (ops skip_connect, none, nor_conv_3x3, nor_conv_1x1, avg_pool_3x3; edges 1-2, 1-3, 1-4, 2-3, 2-4,
  3-4), the keys of NASLib's zero-cost files and of AnalogNAS-Bench;
- ``nb101``: ``canonical`` (``matrix=…;ops=…``); ``spec``: ``{"matrix": …, "ops": …}`` (a dict or its JSON);
  ``naslib``: NASLib's 56-tuple (7x7 matrix row by row, then 7 op codes 0 input, 1 output, 2 maxpool3x3,
  3 conv1x1-bn-relu, 4 conv3x3-bn-relu); ``hash``: NAS-Bench-101's module hash (32 hex digits; read by looking
  it up among the architectures of a store, since a hash cannot be inverted);
- ``darts``: ``canonical`` / ``genotype`` (DARTS's ``Genotype(...)`` text, ``range(2, 6)`` or lists); ``nb301``:
  NASLib's / NAS-Bench-301's compact ``[normal, reduce]``, 8 ``(input node, op index)`` pairs each;
- ``macro``: ``canonical`` / ``key``: NAS-Bench-Macro's 8-digit keys (all 6,561; an integer is zero-padded,
  as pandas reads "00120000" as 120000).

``encoding="auto"`` tells them apart by form (a text starting ``|``, ``matrix=``, ``Genotype(``, ``{``, a tuple, 32
hex digits, digits). A 6-tuple for nb201 is read as NASLib's order, not wsbench's ``choice`` order.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from wsbench.errors import InvalidArchError, OptionError

#: accepted encodings per space (the first is the canonical string)
ENCODINGS: dict[str, tuple[str, ...]] = {
    "nb201": ("canonical", "naslib"),
    "nb101": ("canonical", "spec", "naslib", "hash"),
    "darts": ("canonical", "genotype", "nb301"),
    "macro": ("canonical", "key"),
}
NASLIB_NB201_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
NASLIB_NB201_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))  # (from, to), NASLib's order
NASLIB_NB101_OPS = ("input", "output", "maxpool3x3", "conv1x1-bn-relu", "conv3x3-bn-relu")
NB301_OPS = ("max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3",
             "dil_conv_5x5")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_NB201_OP = "(?:none|skip_connect|nor_conv_1x1|nor_conv_3x3|avg_pool_3x3)"
#: the exact form of every canonical string of a space (a match is valid and canonical: no parse needed)
_CANONICAL_FORM = {"nb201": re.compile(rf"\|{_NB201_OP}~0\|\+\|{_NB201_OP}~0\|{_NB201_OP}~1\|\+\|{_NB201_OP}~0\|{_NB201_OP}~1\|{_NB201_OP}~2\|\Z")}
_MAX_TEXT = 4000  # longer text is no architecture of these spaces (a Genotype string is ~400 characters)


def encodings(space: str) -> tuple[str, ...]:
    """The encodings accepted for ``space`` (every other space: its canonical strings only)."""
    return ENCODINGS.get(space, ("canonical",))


def _literal(value: Any, space: str) -> Any:
    """A tuple/list given as itself or as its text ("(4, 3, 3, 3, 2, 3)"), read without eval."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_TEXT:
            raise InvalidArchError(f"{space}: {len(text)} characters is longer than any encoding of this space")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise InvalidArchError(f"{space}: cannot read a tuple from {text[:60]!r}") from None
    if not isinstance(value, (list, tuple)):
        raise InvalidArchError(f"{space}: expected a tuple or list, got {type(value).__name__}")
    return value


def _ints(values: Any, n: int, hi: int, space: str, what: str) -> tuple[int, ...]:
    if len(values) != n or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < hi for v in values):
        raise InvalidArchError(f"{space}: {what} must be {n} integers in 0..{hi - 1}, got {list(values)[:12]!r}")
    return tuple(int(v) for v in values)


def detect(space: str, value: Any) -> str:
    """Which encoding of ``space`` ``value`` is written in, by its form."""
    text = value.strip() if isinstance(value, str) else None
    if space == "nb201":
        return "canonical" if text is not None and text.startswith("|") else "naslib"
    if space == "nb101":
        if isinstance(value, dict) or (text is not None and text.startswith("{")):
            return "spec"
        if text is not None and _HEX32.match(text):
            return "hash"
        if text is not None and text.startswith("matrix="):
            return "canonical"
        return "naslib"
    if space == "darts":
        if isinstance(value, dict) or (text is not None and text.startswith(("Genotype(", "{"))):
            return "genotype"
        return "nb301"
    if space == "macro":
        return "key"
    return "canonical"


def to_canonical(space: str, value: Any, encoding: str = "auto") -> str:
    """The canonical string of ``value`` written in ``encoding`` (``auto``: :func:`detect`). An nb101 ``hash``
    cannot be inverted here: :func:`resolve` looks hashes up among a store's architectures."""
    from wsbench.spaces import get_space

    return _canonical(get_space(space), value, detect(space, value) if encoding == "auto" else encoding)


def _canonical(sp: Any, value: Any, enc: str) -> str:
    """:func:`to_canonical` with the space object and the encoding resolved (``resolve`` calls it per row)."""
    space = sp.name
    if enc not in encodings(space):
        raise OptionError(f"encoding {enc!r} is not one of {space}'s: {', '.join(('auto', *encodings(space)))}")
    if enc == "hash":
        raise InvalidArchError(f"{space}: a NAS-Bench-101 hash names an architecture only among known ones "
                               "(read it against a dataset)")
    if enc == "naslib" and space == "nb201":
        key = _ints(_literal(value, space), 6, 5, space, "NASLib's op indices")
        by_edge = {edge: NASLIB_NB201_OPS[k] for edge, k in zip(NASLIB_NB201_EDGES, key)}
        return sp.canonicalize(tuple(sp.ops.index(by_edge[(j, i)]) for i, j in sp.edges))  # type: ignore[attr-defined]
    if enc == "naslib" and space == "nb101":
        key = _ints(_literal(value, space), 56, 5, space, "NASLib's 7x7 matrix and 7 op codes")
        return sp.canonicalize({"matrix": [list(key[r * 7:(r + 1) * 7]) for r in range(7)],
                                "ops": [NASLIB_NB101_OPS[k] for k in key[49:]]})
    if enc == "nb301":
        key = _literal(value, space)
        if len(key) != 2 or any(not isinstance(c, (list, tuple)) or len(c) != 8 for c in key):
            raise InvalidArchError(f"{space}: NB301 compact form is [normal, reduce] with 8 (input, op) pairs each, "
                                   f"got {str(value)[:80]!r}")
        cells = []
        for c in key:
            pairs = []
            for p in c:
                src, op = _ints(_literal(p, space), 2, 7, space, "an (input node, op index) pair")
                pairs.append((NB301_OPS[op], src))
            cells.append(pairs)
        return sp.canonicalize({"normal": cells[0], "normal_concat": [2, 3, 4, 5], "reduce": cells[1],
                                "reduce_concat": [2, 3, 4, 5]})
    if space == "macro" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value).zfill(8) if 0 <= value < 10**8 else str(value)
    if space == "nb101" and enc == "spec" and isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise InvalidArchError(f"nb101: invalid JSON spec: {e}") from None
    return sp.canonicalize(value)


def from_canonical(space: str, canonical: str, encoding: str) -> Any:
    """``canonical`` written in ``encoding`` (tuples for NASLib's and NB301's forms, a dict for nb101's spec)."""
    from wsbench.spaces import get_space

    sp = get_space(space)
    if encoding not in encodings(space):
        raise OptionError(f"encoding {encoding!r} is not one of {space}'s: {', '.join(encodings(space))}")
    if encoding in ("canonical", "genotype", "key"):
        return sp.canonicalize(canonical)
    if space == "nb201":  # naslib
        parsed = sp.parse(canonical)
        by_edge = {(j, i): sp.ops[k] for (i, j), k in zip(sp.edges, parsed)}  # type: ignore[attr-defined]
        return tuple(NASLIB_NB201_OPS.index(by_edge[e]) for e in NASLIB_NB201_EDGES)
    if space == "nb101":
        spec = sp.spec(canonical)  # type: ignore[attr-defined]
        if encoding == "spec":
            return spec
        if encoding == "hash":
            return sp.hash(canonical)  # type: ignore[attr-defined]
        n = len(spec["ops"])  # naslib: padded to 7 vertices, the output last (as NASLib's files write it)
        m = [[0] * 7 for _ in range(7)]
        where = list(range(n - 1)) + [6]
        for a, row in enumerate(spec["matrix"]):
            for b, bit in enumerate(row):
                m[where[a]][where[b]] = bit
        ops = [NASLIB_NB101_OPS.index(o) for o in spec["ops"][:-1]] + [2] * (7 - n) + [1]
        return tuple(x for row in m for x in row) + tuple(ops)
    parsed = sp.parse(canonical)  # darts nb301
    return tuple(tuple((src, NB301_OPS.index(op)) for op, src in parsed[c][0]) for c in ("normal", "reduce"))


def _key(value: Any) -> Any:
    """A hashable stand-in for a value (rows repeat an architecture once per epoch and seed: parse it once)."""
    if isinstance(value, (str, int)):
        return (type(value).__name__, value)
    return ("repr", repr(value))


def resolve(space: str, values: list[Any], known: list[str], encoding: str = "auto",
            index: dict[str, int] | None = None) -> tuple[list[int], list[int]]:
    """(index into ``known`` of each value, -1 where it is not there; positions of values that are no architecture
    of the space). ``known``: a store's canonical strings; ``index``: ``{string: position}`` of ``known`` when the
    caller has it already (15,625 strings of a ground-truth table: not built twice)."""
    from wsbench.spaces import get_space

    sp = get_space(space)
    if index is None:
        index = {a: i for i, a in enumerate(known)}
    if encoding in ("auto", "canonical", "genotype", "key"):
        # a table of the store's own strings (an export, or scores for a whole space): one dict lookup per row, no
        # detection or parse; only the rows not found take the loop below
        found = [index.get(v, -1) if type(v) is str else -1 for v in values]
        if -1 not in found:
            return found, []
    canonical_form = _CANONICAL_FORM.get(space)
    hashes: dict[str, int] | None = None
    seen: dict[Any, int] = {}
    out, invalid = [], []
    for pos, v in enumerate(values):
        if encoding in ("auto", "canonical", "genotype", "key") and found[pos] >= 0:
            out.append(found[pos])
            continue
        k = _key(v)
        if k not in seen:
            enc = detect(space, v) if encoding == "auto" else encoding
            if enc in ("canonical", "genotype", "key") and isinstance(v, str) and v in index:
                seen[k] = index[v]  # a store's own string: canonical and valid already, no parse needed
            elif enc == "canonical" and isinstance(v, str) and canonical_form and canonical_form.match(v):
                seen[k] = -1  # canonical and valid by its form, and not the store's
            elif enc == "hash":
                if hashes is None:
                    hashes = {sp.hash(a): i for i, a in enumerate(known)}  # type: ignore[attr-defined]
                seen[k] = hashes.get(str(v).strip(), -1)
            else:
                try:
                    seen[k] = index.get(_canonical(sp, v, enc), -1)
                except InvalidArchError:
                    seen[k] = -2
        if seen[k] == -2:
            invalid.append(pos)
        out.append(seen[k] if seen[k] >= 0 else -1)
    return out, invalid
