"""Find a space's kit (presets, supernet, stand-alone networks) by its folder: ``builders/<module>/kit.py``.

Every supernet takes ``forward(x, arch)`` with ``arch`` in the parsed form of
``wsbench.spaces`` (what ``space.parse`` and ``space.draw`` return), so the
engine is the same loop for every image space. No list of spaces lives here:
a folder with a ``kit.py`` whose ``kit()`` returns a ``Kit`` is an image space
(darts-rnn, a language model, has a task instead: ``engine/tasks.py``).
"""

from __future__ import annotations

import os
from importlib import import_module

from builders.core.space_kit import Kit
from wsbench.errors import OptionError
from wsbench.spaces import module_of

__all__ = ["Kit", "get_kit", "kit_spaces"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def kit_spaces() -> list[str]:
    """Names of the spaces with a supernet kit, found by listing ``builders/*/kit.py`` (nothing imported)."""
    with os.scandir(_ROOT) as entries:
        return sorted(e.name.replace("_", "-") for e in entries
                      if e.is_dir() and not e.name.startswith(("_", ".")) and os.path.isfile(os.path.join(e.path, "kit.py")))


def get_kit(space: str) -> Kit:
    if not isinstance(space, str) or space not in kit_spaces():
        raise OptionError(f"image spaces with a supernet kit: {kit_spaces()} (and darts-rnn, a language model); "
                          f"got {space!r}")
    kit = import_module(f"builders.{module_of(space)}.kit").kit()
    if not isinstance(kit, Kit) or kit.space != space:
        raise TypeError(f"builders/{module_of(space)}/kit.py: kit() must return a Kit with space={space!r}, "
                        f"got {kit!r:.200}")
    return kit
