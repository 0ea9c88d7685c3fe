"""Option parsing shared by the statistics: each parser returns the value in canonical form or raises one
:class:`~wsbench.errors.OptionError` saying what was expected and what was given (NumPy-free)."""

from __future__ import annotations

import math
from typing import Any

from wsbench.errors import OptionError, UnknownNameError


def count(value: Any, what: str, minimum: int) -> int:
    """An integer option >= ``minimum`` (bools and fractions refused), or one clear error."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise OptionError(f"{what} must be an integer >= {minimum}, got {value!r}")
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise OptionError(f"{what} must be an integer >= {minimum}, got {value!r}") from None
    if n < minimum:
        raise OptionError(f"{what} must be an integer >= {minimum}, got {n}")
    return n


def resolution(value: Any) -> float:
    """A positive, finite resolution in metric units (e.g. 0.1 accuracy points)."""
    try:
        res = float(value)
    except (TypeError, ValueError):
        res = float("nan")
    if isinstance(value, bool) or not math.isfinite(res) or res <= 0:
        raise OptionError(f"gt_resolution must be a positive number in metric units such as 0.1, got {value!r}")
    return res


def as_list(value: Any, what: str = "option") -> list:
    """A comma string, list or single value as a list; empty lists and repeated values are refused (a repeated
    seed or epoch would count twice in a mean and a std)."""
    if isinstance(value, str):
        out = [v.strip() for v in value.split(",")]
        if any(not v for v in out):
            raise OptionError(f"{what} has an empty item in {value!r}; give comma-separated values, e.g. 0,1")
    elif isinstance(value, (list, tuple)):
        out = list(value)
    else:
        out = [value]
    if not out:
        raise OptionError(f"{what} is empty; give at least one value")
    seen: set[str] = set()
    for v in out:  # compared as written ("4" and 4 are one value)
        if str(v) in seen:
            raise OptionError(f"{what} lists {v!r} twice; each value counts once")
        seen.add(str(v))
    return out


def pick(value: Any, recorded: list[int], what: str, keywords: dict[str, list[int]]) -> list[int]:
    """Resolve a keyword ('all', 'last') or a comma list of ints against the ``recorded`` values (epochs, seeds)."""
    if isinstance(value, str) and value in keywords:
        return keywords[value]
    allowed = f"recorded {what}s: {recorded} (or {', '.join(repr(k) for k in keywords)})"
    out = []
    for v in as_list(value, what):
        if isinstance(v, bool):
            raise OptionError(f"{what} must be an int from the store, got {v!r}; {allowed}")
        try:
            v = int(v)
        except (TypeError, ValueError):
            raise OptionError(f"{what} must be an int from the store, got {value!r}; {allowed}") from None
        if v not in recorded:
            raise OptionError(f"{what} {v} is not in this dataset; {allowed}")
        if v in out:
            raise OptionError(f"{what} {v} is listed twice in {value!r}; each value counts once")
        out.append(v)
    return out


def one_of(value: Any, allowed: tuple[str, ...], kind: str) -> str:
    """``value`` if it is one of ``allowed``, else an error listing them (``kind`` names the option)."""
    if value not in allowed:
        raise UnknownNameError(kind, value, allowed)
    return value


def ties(value: Any) -> str:
    """The tie rule at a top-k cut: ``random`` (exact expectation) or ``store`` (store order)."""
    from wsbench.stats.topk_kernel import TIES

    return one_of(value, TIES, "tie rule (ties)")


def methods(value: Any) -> list[str]:
    """Correlation methods, as a comma string or a list."""
    from wsbench.stats.coefficients import METHODS

    out = as_list(value, "method")
    for m in out:
        one_of(m, METHODS, "correlation method")
    return out
