"""The trust boundary: no statistic answers from a store that ``wsbench validate`` rejects.

One copy of each check: :func:`wsbench.schema.check_values`, the value checks ``validate`` runs after the
structure (coordinates; ``ops``/``decisions`` and the ``decision`` coordinate against the space; ``choice``; every
score, ground truth, size, proxy and loss; duplicated, unparsable or mislabelled architectures; ``function_id``).

- :func:`open_problems` runs them at open on the arrays the fast reader pulls (vectorised NumPy; parsing each
  architecture string is the slow part, ~0.1 s per 4,000 subnets). A store that passed is remembered per file
  (its real path -> size, mtime and ctime; a folder: of every member) in ``<data folder>/trusted/``, so the
  checks run again only when the store changes; an unwritable data folder only means they run every time.
- :func:`read_problems` re-checks each array a statistic reads as it is read (cheap, and it still holds if a
  file changes under a remembered key within one timestamp tick).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from wsbench import schema

#: bump when a check is added, so stores remembered as trusted are checked again
CHECKS_VERSION = 1

Read = Callable[[str], np.ndarray]


def open_problems(path: Path | None, meta: Any, read: Read,
                  checks: Callable[[Any, Read], list[str]] | None = None) -> list[str]:
    """Every problem of the store at ``path`` that every statistic depends on (empty: trusted; remembered).
    ``checks(meta, read)``: other checks than a dataset's (a ground-truth table's: :mod:`wsbench.gt_table`)."""
    key = _file_key(path)
    stamp = _stamp_path(path) if key else None
    if key:  # the stamp names its store: two paths sharing a stamp file only ever miss
        key = f"{key}\n{os.path.realpath(path)}"
    if stamp is not None:
        try:
            if stamp.read_text() == key:
                return []
        except (OSError, ValueError):
            pass
    problems = (checks or _open_checks)(meta, read)
    if not problems and stamp is not None:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            tmp = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
            tmp.write_text(key)
            os.replace(tmp, stamp)
        except OSError:
            pass  # an unwritable data folder: the checks simply run again next time
    return problems


def _open_checks(meta: Any, read: Read) -> list[str]:
    problems = [f"the store has no {d}s ({d!r} dimension of size 0)" for d in ("arch", "epoch", "seed")
                if meta.sizes.get(d, 0) == 0]
    return problems + schema.check_values(read, list(meta.arrays), meta.sizes, meta.attrs, deep=True)


def read_problems(name: str, values: np.ndarray, metric: str, partner: Read) -> list[str]:
    """``validate``'s checks of variable ``name`` on ``values`` just read (the whole variable, or one
    (seed, epoch) slice of ``supernet_*``); ``partner(other)`` reads the matching slice of another variable."""
    if values.dtype.kind != "f":
        return []  # coordinates, choice and strings: checked at open
    if name in ("supernet_score", "finetune_score", "gt_score", "gt_score_per_seed") or schema.is_extra_gt(name):
        return schema.check_scores(name, values, metric)
    if name == "supernet_loss":
        return schema.check_loss(values, partner("supernet_score"))
    if name == "finetune_loss":
        return schema.check_loss(values, partner("finetune_score"), name, "finetune_score", "not fine-tuned")
    if name == schema.GT_STD:
        return schema.check_gt_std(values, partner("gt_score"), metric)
    if name in schema.SIZE_VARIABLES:
        return schema.check_size(name, values)
    if name.startswith(schema.PROXY_PREFIX):
        return schema.check_proxy(name, values)
    return []


def _file_key(path: Path | None) -> str | None:
    """Size, mtime and ctime of the store file (a folder: of every member) and the checks' version; None if
    they cannot be read. ctime cannot be set back by copying tools, so a changed file never keeps its key."""
    if path is None:
        return None
    try:
        st = os.stat(path)
        if not os.path.isdir(path):
            return f"v{CHECKS_VERSION} file {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}"
        count = total = newest = 0
        stack = [str(path)]
        while stack:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    s = e.stat(follow_symlinks=False)
                    if e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
                    count, total = count + 1, total + s.st_size
                    newest = max(newest, s.st_mtime_ns, s.st_ctime_ns)
        return f"v{CHECKS_VERSION} folder {st.st_ino} {count} {total} {newest}"
    except OSError:
        return None


def _stamp_path(path: Path | None) -> Path | None:
    """Where the key of a trusted store is remembered: ``<data folder>/trusted/<crc32 and length of its real
    path>`` (zlib is loaded already; hashlib would add ~6 ms to every start). The stamp holds the path too."""
    if path is None:
        return None
    import zlib

    from wsbench.fetch import cache_dir

    real = os.path.realpath(path).encode("utf-8", "surrogateescape")
    return cache_dir() / "trusted" / f"{zlib.crc32(real):08x}-{len(real):x}"
