"""One base error for everything wsbench raises on bad input.

Subclasses mix in the matching builtin so callers may catch either
(``except KeyError`` keeps working); the CLI catches :class:`WsbenchError`
and turns it into a one-line message and exit code 1.
"""

from __future__ import annotations

from collections.abc import Iterable


class WsbenchError(Exception):
    """Base class of every error wsbench raises deliberately."""

    def __str__(self) -> str:  # KeyError would otherwise repr() its message
        return str(self.args[0]) if self.args else self.__class__.__name__


class UnknownNameError(WsbenchError, KeyError):
    """A name (space, dataset, statistic, option, variable) that does not exist."""

    def __init__(self, kind: str, got: object, allowed: Iterable[object]):
        self.kind, self.got, self.allowed = kind, got, sorted(map(str, allowed))
        shown = ", ".join(self.allowed) if self.allowed else "(none)"
        super().__init__(f"unknown {kind} {got!r}; expected one of: {shown}")


class OptionError(WsbenchError, ValueError):
    """An option value that is out of range or of the wrong form."""


class InvalidArchError(WsbenchError, ValueError):
    """An architecture string or spec that is not a member of its search space."""


class StoreNotFoundError(WsbenchError, FileNotFoundError):
    """A store path or dataset file that does not exist."""


class SchemaError(WsbenchError, ValueError):
    """A store that breaks the schema; carries every problem found, not just the first."""

    def __init__(self, path: object, problems: list[str]):
        self.path, self.problems = path, list(problems)
        listed = "; ".join(self.problems[:5]) + (f"; … {len(self.problems) - 5} more" if len(self.problems) > 5 else "")
        super().__init__(
            f"{path}: {len(self.problems)} schema problem(s): {listed}. Run `wsbench validate {path}` for the full list."
        )


class IncompleteStoreError(WsbenchError, ValueError):
    """A store whose build never finished (``complete`` attribute is false)."""


class CatalogError(WsbenchError, ValueError):
    """A catalog file that is malformed; lists every problem."""


class DownloadError(WsbenchError, OSError):
    """A download that failed after all retries; nothing was left under the final name."""


class ChecksumError(DownloadError):
    """A file whose sha256 differs from the catalog's; the bad file was deleted."""
