"""Search spaces as pure Python: canonical strings, validation, sampling, decisions.

Each built-in space is imported when first asked for (``get_space("nb201")`` loads only NB201), so a query on
one dataset does not pay for parsing code of the others.
"""

from importlib import import_module
from typing import Any

from wsbench.spaces.base import BUILTIN, SearchSpace, get_space, space_names

_CLASSES = {"DARTS": "darts", "DARTSRNN": "darts_rnn", "Macro": "macro", "NB101": "nb101", "NB201": "nb201",
            "ProxylessNAS": "proxylessnas"}

__all__ = ["BUILTIN", "DARTS", "DARTSRNN", "NB101", "NB201", "Macro", "ProxylessNAS", "SearchSpace", "get_space",
           "space_names"]


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        return getattr(import_module(f"wsbench.spaces.{_CLASSES[name]}"), name)
    raise AttributeError(f"module 'wsbench.spaces' has no attribute {name!r}")
