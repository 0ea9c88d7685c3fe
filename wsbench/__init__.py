"""wsbench: benchmark datasets and statistics for weight-sharing (supernet) NAS.

Importing wsbench is cheap: numpy, zarr, xarray and scipy load only when a
statistic or store needs them (``wsbench --help`` stays fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "evaluate", "list_spaces", "open", "query"]

if TYPE_CHECKING:
    from wsbench.api import list_spaces, open, query
    from wsbench.evaluation import evaluate


def __getattr__(name: str) -> Any:
    if name in ("query", "open", "list_spaces"):
        from wsbench import api as _api

        return getattr(_api, name)
    if name == "evaluate":  # the function; its package is wsbench.evaluation (a module named evaluate would shadow it)
        from wsbench.evaluation import evaluate

        return evaluate
    raise AttributeError(f"module 'wsbench' has no attribute {name!r}")
