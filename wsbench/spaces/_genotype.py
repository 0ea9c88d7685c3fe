"""Safe reader for DARTS-style ``Genotype(...)`` strings (no eval).

DARTS prints genotypes as namedtuple reprs, with concat fields either as
``range(2, 6)`` or as lists; both are accepted.
"""

from __future__ import annotations

import ast
import re
import warnings

from wsbench.errors import InvalidArchError

_FIELD = re.compile(r"(\w+)\s*=\s*(\[[^\]]*\]|range\(\s*\d+\s*,\s*\d+\s*\))")


def read_genotype(space: str, text: str, fields: tuple[str, ...]) -> dict[str, list]:
    """Map each field name to a list (edge lists of (op, input) pairs, or concat ints)."""
    body = text.strip()
    if not (body.startswith("Genotype(") and body.endswith(")")):
        raise InvalidArchError(f"{space}: expected 'Genotype(...)', got {text[:60]!r}")
    found: dict[str, list] = {}
    inner = body[len("Genotype(") : -1]
    matches = list(_FIELD.finditer(inner))
    rest = _leftover(inner, matches)
    if rest.strip(", \n\t"):
        raise InvalidArchError(f"{space}: unexpected text {rest.strip()[:40]!r} between the genotype's fields")
    for m in matches:
        name, value = m.group(1), m.group(2)
        if name in found:
            raise InvalidArchError(f"{space}: field {name} is given twice")
        if value.startswith("range"):
            a, b = (int(x) for x in re.findall(r"\d+", value))
            if b - a > 64:
                raise InvalidArchError(f"{space}: {name}={value} is far longer than any cell")
            found[name] = list(range(a, b))
        else:
            try:
                with warnings.catch_warnings():  # user text with odd escapes: an error below, not a warning
                    warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
                    parsed = ast.literal_eval(value)
                found[name] = [tuple(x) if isinstance(x, (list, tuple)) else x for x in parsed]
            except (ValueError, SyntaxError):
                raise InvalidArchError(f"{space}: cannot read field {name}={value[:60]!r}") from None
    missing = [f for f in fields if f not in found]
    extra = [f for f in found if f not in fields]
    if missing or extra:
        raise InvalidArchError(f"{space}: genotype needs fields {list(fields)}; missing {missing}, unexpected {extra}")
    return found


def _leftover(text: str, matches: list) -> str:
    """What lies outside the matched ``name=value`` fields (must be only separators)."""
    out, pos = [], 0
    for m in matches:
        out.append(text[pos:m.start()])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def check_pairs(space: str, field: str, pairs: list, ops: tuple[str, ...]) -> None:
    for p in pairs:
        if not (isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], int)
                and not isinstance(p[1], bool)):
            raise InvalidArchError(f"{space}: {field} entries must be ('op', input_index), got {p!r}")
        if p[0] not in ops:
            raise InvalidArchError(f"{space}: unknown op {p[0]!r} in {field}; expected one of {list(ops)}")
