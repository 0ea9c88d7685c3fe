"""Load benchmark pickles through an allow-list: never a blind ``pickle.load``.

Published benchmark files (NATS-Bench, AnalogNAS-Bench, NAS-Bench-201) are
pickles. A pickle can name any importable callable; this loader resolves only
the few names those files need, and turns every other name into a clear error.
Classes of the source packages (e.g. ``analognasbench.data.Architecture``) are
replaced by inert stand-ins that only hold their attributes.
"""

from __future__ import annotations

import collections
import io
import pickle
from collections.abc import Mapping
from typing import Any

import numpy as np


class Record:
    """Inert stand-in for a source package's data class: attributes only, no behaviour."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {vars(self)}>"


def _numpy_scalar() -> Any:
    try:
        from numpy._core import multiarray
    except ImportError:  # NumPy < 2
        from numpy.core import multiarray  # type: ignore[no-redef]
    return multiarray.scalar


def _ndarray_shell(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    """What pickled arrays call (``multiarray._reconstruct``): an empty plain ndarray, filled by its state."""
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"refuses to rebuild an array of type {subtype!r}; only numpy.ndarray")
    return np.ndarray.__new__(np.ndarray, shape, dtype)


def _latin1_bytes(text: str, encoding: str = "latin1") -> bytes:
    """What protocol-2 pickles call (``_codecs.encode``) to rebuild bytes; only latin-1 is accepted."""
    if encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"refuses _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


#: names any benchmark pickle may use: containers, NumPy scalars and plain arrays (no code runs on load)
SAFE: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "defaultdict"): collections.defaultdict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_bytes,
    ("numpy.core.multiarray", "scalar"): _numpy_scalar(),
    ("numpy._core.multiarray", "scalar"): _numpy_scalar(),
    ("numpy", "ndarray"): np.ndarray,
    ("numpy.core.multiarray", "_reconstruct"): _ndarray_shell,
    ("numpy._core.multiarray", "_reconstruct"): _ndarray_shell,
}


class AllowListUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BufferedIOBase, source: str, stand_ins: Mapping[tuple[str, str], str] = ()):
        super().__init__(file)
        self.source = source
        self.stand_ins = {k: type(v, (Record,), {}) for k, v in dict(stand_ins).items()}

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError(
            f"{self.source}: holds tensors or other external storage ({str(pid)[:60]}); "
            "a benchmark results file should hold only plain data"
        )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in SAFE:
            return SAFE[(module, name)]
        if (module, name) in self.stand_ins:
            return self.stand_ins[(module, name)]
        raise pickle.UnpicklingError(
            f"{self.source}: refuses to load {module}.{name}; this file should hold only plain data "
            "(it may be corrupted, or not the benchmark file it claims to be)"
        )


def safe_loads(data: bytes, source: str, stand_ins: Mapping[tuple[str, str], str] = (), count: int = 1) -> Any:
    """Unpickle ``data`` with the allow-list; errors name ``source``.

    ``count`` > 1 reads that many consecutive pickles (legacy ``torch.save``
    files are a sequence) and returns them as a list.
    """
    from builders.groundtruth.errors import SourceFormatError

    try:
        u = AllowListUnpickler(io.BytesIO(data), source, stand_ins)
        return u.load() if count == 1 else [u.load() for _ in range(count)]
    except pickle.UnpicklingError as e:
        raise SourceFormatError(str(e) if source in str(e) else f"{source}: {e}") from None
    except (EOFError, ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        raise SourceFormatError(f"{source}: truncated or malformed pickle ({type(e).__name__}: {e})") from None
