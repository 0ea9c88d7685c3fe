"""Option parsing shared by the statistics: each parser returns the value in canonical form or raises one
:class:`~wsbench.errors.OptionError` saying what was expected and what was given (NumPy-free)."""

from __future__ import annotations

import math
import numbers
from typing import Any

from wsbench.errors import OptionError, UnknownNameError

#: the most bytes one statistic may allocate for what a caller asks for — bootstrap resamples x subnets
#: (``boot``), top-k draws x samples (``trials``, ``samples``), random prunings x subnets (``trials``), GT pairings
#: x classes — checked before allocating (:func:`within_budget`); 4 GiB holds boot=1000 resamples of 500k subnets
MEMORY_BUDGET = 4 << 30


def within_budget(asked: str, count: int, per: int, what: str, itemsize: int = 8) -> None:
    """Refuse ``count`` x ``per`` items of ``itemsize`` bytes when they exceed :data:`MEMORY_BUDGET`, before any
    allocation: ``asked`` names the option and its value (``boot=10000000``), ``what`` the unit of ``per``."""
    from wsbench.reader import human

    need = count * per * itemsize
    if need > MEMORY_BUDGET:
        fit = max(1, MEMORY_BUDGET // max(1, per * itemsize))
        raise OptionError(f"{asked} x {per:,} {what} needs {human(need)}, more than wsbench's memory budget of "
                          f"{human(MEMORY_BUDGET)} (wsbench.stats.options.MEMORY_BUDGET); ask for at most {fit:,}")


def integer(value: Any, what: str) -> int:
    """An int option: ints (NumPy's too), integral finite floats (4.0) and digit strings; never a bool, a
    fraction (32.5 is an error, not 32), inf or NaN."""
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    elif (isinstance(value, numbers.Integral) and not isinstance(value, bool)) or (
            isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
            and float(value).is_integer()):
        return int(value)
    raise OptionError(f"{what} must be an integer, got {_shown(value)}")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _scalar_ok(value: Any, kinds: set[str]) -> bool:
    if value is None:
        return "None" in kinds
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "bool" in kinds
    if isinstance(value, str):  # a number may come as its text ("10", "0.95"), as from a command line
        return "str" in kinds or _parses(value, kinds)
    if isinstance(value, numbers.Integral):
        return bool(kinds & {"int", "float"})
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            return False
        return "float" in kinds or ("int" in kinds and float(value).is_integer())
    return False


def _parses(text: str, kinds: set[str]) -> bool:
    try:
        if "int" in kinds and str(int(text.strip())):
            return True
    except ValueError:
        pass
    try:
        return "float" in kinds and math.isfinite(float(text))
    except ValueError:
        return False


#: options annotated ``Any``: what each may hold (a scalar of these kinds, or a list/tuple of them; dict: paired)
_ANY = {"epoch": {"str", "int"}, "seed": {"str", "int"}, "k": {"str", "int", "float"}, "factor": {"str", "float"},
        "method": {"str"}, "a": {"str", "dict"}, "b": {"str", "dict"}}
#: ``str`` options that also take a number (a count or a share)
_NUMERIC_STR = {"k", "top", "within"}


def check_types(stat: str, annotations: dict[str, str], options: dict[str, Any]) -> None:
    """Every option of statistic ``stat`` against its annotation, before anything reads it: one OptionError
    naming the option, what it takes and what it got (a NumPy array for a name, inf for an epoch, 32.5 or True
    for an int)."""
    for name, value in options.items():
        note = annotations.get(name, "Any")
        kinds = {k.strip() for k in note.replace("<class '", "").replace("'>", "").split("|")}
        if name in _NUMERIC_STR and "str" in kinds:
            kinds |= {"int", "float"}
        if kinds == {"Any"}:
            allowed = _ANY.get(name, {"str", "int", "float", "dict", "None"})
            if isinstance(value, dict) and "dict" in allowed:
                ok = all(isinstance(k, str) and _scalar_ok(v, {"str", "int"}) for k, v in value.items())
            elif isinstance(value, (list, tuple)):
                ok = all(_scalar_ok(v, allowed - {"dict"}) for v in value)  # empty: as_list says so
            else:
                ok = _scalar_ok(value, allowed - {"dict"})
            kinds = allowed
        else:
            ok = _scalar_ok(value, kinds)
        if not ok:
            want = " or ".join(sorted({"str": "a string", "int": "an integer", "float": "a finite number",
                                       "bool": "True or False", "None": "None", "dict": "a dict"}.get(k, k)
                                      for k in kinds))
            many = " (or a list of them)" if annotations.get(name, "Any") == "Any" and name not in ("a", "b") else ""
            raise OptionError(f"{stat}: {name} must be {want}{many}, got {_shown(value)} ({type(value).__name__})")


def count(value: Any, what: str, minimum: int) -> int:
    """An integer option >= ``minimum`` (bools, fractions, inf and NaN refused), or one clear error."""
    try:
        n = integer(value, what)
    except OptionError:
        raise OptionError(f"{what} must be an integer >= {minimum}, got {_shown(value)}") from None
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
            v = integer(v, what)
        except OptionError:
            raise OptionError(f"{what} must be an int from the store, got {_shown(value)}; {allowed}") from None
        if v not in recorded:
            raise OptionError(f"{what} {v} is not in this dataset; {allowed}")
        if v in out:
            raise OptionError(f"{what} {v} is listed twice in {value!r}; each value counts once")
        out.append(v)
    return out


def one_of(value: Any, allowed: tuple[str, ...], kind: str) -> str:
    """``value`` if it is one of ``allowed``, else an error listing them (``kind`` names the option)."""
    if not isinstance(value, str) or value not in allowed:
        raise UnknownNameError(kind, _shown(value) if not isinstance(value, str) else value, allowed)
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
