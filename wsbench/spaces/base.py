"""The contract every search space implements, and the registry of spaces.

A space turns architecture strings into one canonical spelling at the door, so
two spellings of one architecture are one record and ground truth aligns by
string. ``choices`` maps an architecture to one op index per decision, which is
what operator statistics need (no re-parsing at query time).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from wsbench.errors import InvalidArchError, OptionError, UnknownNameError

_REGISTRY: dict[str, type[SearchSpace]] = {}
#: modules of this package that are not spaces
_NOT_SPACES = frozenset({"base"})


def module_of(name: str) -> str:
    """The module of ``wsbench.spaces`` that defines the space ``name``: the name with '-' read as '_'.

    This is the whole registration rule: ``wsbench/spaces/darts_rnn.py`` defines ``darts-rnn``, so a new
    space is one new module and nothing else is edited.
    """
    return name.replace("-", "_")


def builtin_spaces() -> dict[str, str]:
    """Every space shipped in ``wsbench/spaces/``, name -> module, found by listing the package's folder.

    Nothing is imported (one ``os.scandir``, 0.03 ms measured; ``pkgutil`` would cost ~20 ms of imports), so checking a
    name costs no parsing code; modules whose name starts with '_' are helpers, not spaces.
    """
    import os

    out = {}
    with os.scandir(os.path.dirname(os.path.abspath(__file__))) as entries:
        for e in entries:
            stem, _, ext = e.name.partition(".")
            if ext == "py" and not stem.startswith("_") and stem not in _NOT_SPACES:
                out[stem.replace("_", "-")] = stem
    return dict(sorted(out.items()))


def _load(name: str | None = None) -> None:
    """Import the built-in space ``name`` (all of them when None) so that it registers itself."""
    from importlib import import_module

    for key, module in builtin_spaces().items():
        if (name is None or key == name) and key not in _REGISTRY:
            import_module(f"wsbench.spaces.{module}")


def _guarded(parse, space: str):
    """``parse`` whose every failure is an InvalidArchError: whatever a user or a file hands a space (wrong types,
    huge numbers, deep nesting) gets one clear error, never a TypeError from deep inside."""
    import functools

    @functools.wraps(parse)
    def wrapper(self, arch: object):
        try:
            return parse(self, arch)
        except InvalidArchError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, MemoryError,
                RecursionError) as e:
            shown = repr(arch)
            shown = shown if len(shown) <= 120 else shown[:117] + "..."
            raise InvalidArchError(f"{space}: cannot read an architecture from {shown} "
                                   f"({type(e).__name__}: {str(e)[:120]})") from None

    return wrapper


class SearchSpace(abc.ABC):
    """A NAS search space: canonical strings, validation, sampling, decisions."""

    name: ClassVar[str]
    #: op vocabulary; ``choices`` returns indices into it (-1 = decision absent)
    ops: ClassVar[tuple[str, ...]]
    #: one name per choice point, in the order ``choices`` returns them
    decisions: ClassVar[tuple[str, ...]]
    #: exact number of distinct architectures (canonical strings) in the space
    size: ClassVar[int]
    #: where the definitions come from (paper / official code)
    reference: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "__abstractmethods__", None):
            return
        module = cls.__module__
        if module.startswith("wsbench.spaces.") and module.rsplit(".", 1)[1] != module_of(cls.name):
            raise TypeError(f"search space {cls.name!r} must live in wsbench/spaces/{module_of(cls.name)}.py "
                            f"(the module is how wsbench finds it), not in {module}")
        if cls.name in _REGISTRY:
            raise TypeError(f"search space {cls.name!r} registered twice ({_REGISTRY[cls.name]} and {cls})")
        cls.parse = _guarded(cls.parse, cls.name)  # type: ignore[method-assign]
        _REGISTRY[cls.name] = cls

    # -- what each space implements -------------------------------------------------
    @abc.abstractmethod
    def parse(self, arch: object) -> Any:
        """Parse and validate ``arch``; return the space's internal form. Raises InvalidArchError."""

    @abc.abstractmethod
    def format(self, parsed: Any) -> str:
        """Canonical string of a parsed architecture."""

    @abc.abstractmethod
    def choices_of(self, parsed: Any) -> tuple[int, ...]:
        """One index into ``ops`` per decision (-1 where the decision does not exist)."""

    @abc.abstractmethod
    def _sample_parsed(self, rng: np.random.Generator) -> Any:
        """One architecture drawn uniformly from the space."""

    # -- shared behaviour -------------------------------------------------------------
    def draw(self, rng: np.random.Generator) -> Any:
        """One architecture in parsed form, drawn uniformly: what each supernet training step runs."""
        return self._sample_parsed(rng)

    def canonicalize(self, arch: object) -> str:
        """The canonical string of ``arch`` (any accepted spelling)."""
        return self.format(self.parse(arch))

    def is_valid(self, arch: object) -> bool:
        try:
            self.parse(arch)
        except InvalidArchError:
            return False
        return True

    def validate(self, arch: object) -> None:
        """Raise InvalidArchError if ``arch`` is not canonical and valid."""
        canonical = self.canonicalize(arch)
        if isinstance(arch, str) and arch != canonical:
            raise InvalidArchError(
                f"{self.name}: {arch!r} is valid but not canonical; expected {canonical!r} "
                f"(use wsbench.spaces.get_space({self.name!r}).canonicalize(...))"
            )

    def choices(self, arch: object) -> tuple[int, ...]:
        return self.choices_of(self.parse(arch))

    #: how ``function_id`` decides that two architectures compute one function (recorded in stores)
    function_id_rule: ClassVar[str] = "identity: the canonical string (no known equivalences beyond its spelling)"

    def function_id(self, arch: object) -> str:
        """One id per function the network computes: architectures with one id are one network counted twice.

        Statistics merge subnets by it (``dedupe``), so isomorphic duplicates do not weigh twice in a ranking.
        The default is the canonical string; a space with known equivalences overrides it.
        """
        return self._function_id(self.parse(arch))

    def _function_id(self, parsed: Any) -> str:
        return self.format(parsed)

    @property
    def has_equivalences(self) -> bool:
        """Whether ``function_id`` ever gives two canonical strings one id (a space that overrides it, e.g. nb201).
        Where it does not, a store's ``arch_string`` already is one item per function."""
        return type(self)._function_id is not SearchSpace._function_id

    def function_ids_from_choices(self, choice: np.ndarray) -> list[str] | None:
        """``function_id`` of each row of a store's ``choice`` matrix, where the space can compute it from the op
        indices alone (None: it cannot; read the stored ids). Equals ``function_ids`` of the arch strings in a
        store that validates (its strings are its ``choice`` rows)."""
        return None

    def function_ids(self, archs: list[str]) -> list[str]:
        """``function_id`` of each of ``archs``, in order."""
        return [self.function_id(a) for a in archs]

    def choice_matrix(self, archs: list[str]) -> np.ndarray:
        """``(len(archs), len(decisions))`` int8 array of op indices, -1 where absent."""
        out = np.full((len(archs), len(self.decisions)), -1, dtype=np.int8)
        for i, a in enumerate(archs):
            out[i] = self.choices(a)
        return out

    def sample(self, n: int, seed: int, unique: bool = True) -> list[str]:
        """``n`` canonical strings drawn uniformly with ``numpy.random.default_rng(seed)``.

        ``unique=True`` draws without replacement (rejecting repeats), so a
        dataset's ``arch`` dim never holds one architecture twice.
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise OptionError(f"sample size must be an integer >= 0, got {n!r}")
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise OptionError(f"sample seed must be an integer >= 0, got {seed!r}")
        if unique and n > self.size:
            raise OptionError(f"cannot draw {n} distinct architectures from {self.name}, which has {self.size}")
        rng = np.random.default_rng(seed)
        out: list[str] = []
        seen: set[str] = set()
        while len(out) < n:
            s = self.format(self._sample_parsed(rng))
            if unique and s in seen:
                continue
            seen.add(s)
            out.append(s)
        return out

    def function_classes(self) -> dict[str, list[str]]:
        """Every function of the space -> its architectures, both in ``enumerate()`` order (small spaces only)."""
        out: dict[str, list[str]] = {}
        for a in self.enumerate():
            out.setdefault(self.function_id(a), []).append(a)
        return out

    def sample_functions(self, n: int, seed: int) -> list[str]:
        """``n`` architectures that compute ``n`` different functions, the functions drawn uniformly.

        Rule (recorded by the builds that use it): the classes of ``function_classes()`` in order of their first
        member; ``numpy.random.default_rng(seed).choice(classes, n, replace=False)``; each drawn class stands
        for itself by its first member in ``enumerate()`` order; returned in class order. Uniform over
        functions, not over strings: a function with many spellings is not drawn more often.
        """
        classes = list(self.function_classes().values())
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n <= len(classes):
            raise OptionError(f"{self.name} computes {len(classes)} distinct functions; asked for {n!r}")
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise OptionError(f"sample seed must be an integer >= 0, got {seed!r}")
        drawn = np.sort(np.random.default_rng(seed).choice(len(classes), size=n, replace=False))
        return [classes[i][0] for i in drawn]

    def enumerate(self) -> Iterator[str]:
        """Every architecture of the space; only small spaces support it."""
        raise OptionError(f"{self.name} has {self.size:.3g} architectures; it cannot be enumerated")

    def __repr__(self) -> str:
        return f"<SearchSpace {self.name}: {self.size:,} architectures, {len(self.decisions)} decisions>"


def get_space(name: str) -> SearchSpace:
    """The registered space called ``name`` (e.g. ``"nb201"``)."""
    if isinstance(name, str) and name not in _REGISTRY and name in builtin_spaces():
        _load(name)
    if not isinstance(name, str) or name not in _REGISTRY:
        _load()
        raise UnknownNameError("search space", name, _REGISTRY)
    return _REGISTRY[name]()


def space_names() -> list[str]:
    _load()

    return sorted(_REGISTRY)
