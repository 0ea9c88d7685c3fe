"""Search spaces as pure Python: canonical strings, validation, sampling, decisions.

One module per space, found by its file name (``wsbench/spaces/<name with '-' as '_'>.py``; see
``base.builtin_spaces``): adding a space is adding its module. Each is imported when first asked for
(``get_space("nb201")`` loads only NB201), so a query on one dataset does not pay for the parsing code of
the others.
"""

from typing import Any

from wsbench.spaces.base import SearchSpace, builtin_spaces, get_space, module_of, space_names

__all__ = ["SearchSpace", "builtin_spaces", "get_space", "module_of", "space_names"]


def __getattr__(name: str) -> Any:
    """A space class by its class name (``from wsbench.spaces import NB201``): loads every space once."""
    from wsbench.spaces.base import _REGISTRY, _load

    if not name.startswith("_"):
        _load()
        for cls in _REGISTRY.values():
            if cls.__name__ == name:
                return cls
    raise AttributeError(f"module 'wsbench.spaces' has no attribute {name!r}")
