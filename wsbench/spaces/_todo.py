"""Placeholders of a scaffolded space (``python -m builders new-space``): reading or calling one raises.

A scaffold must fail loudly until it is filled in: a placeholder value (an empty op list, a size of 0) would
pass for a real one, and the space-wide tests would test nothing. ``Todo`` is a class attribute that raises
when read; ``todo`` raises in a method or function body. Both name the file and what to write.
"""

from __future__ import annotations

from typing import Any, NoReturn

MARK = "TODO(new-space)"


def todo(where: str, what: str) -> NoReturn:
    raise NotImplementedError(f"{MARK} in {where}: {what}")


class Todo:
    """A class attribute still to be written: ``ops = Todo("space.py", "the op vocabulary")``."""

    def __init__(self, where: str, what: str):
        self.where, self.what, self.attr = where, what, "?"

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        todo(self.where, f"{self.attr}: {self.what}")
