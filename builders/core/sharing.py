"""Weight sharing made explicit for cell supernets whose state keys are ``cells.<i>.edges.<e>.<op>.<rest>``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def chosen_edge_state(state: Mapping[str, Any], choices: Sequence[int]) -> dict[str, Any]:
    """The supernet's tensors a subnet inherits, keyed as its stand-alone network keys them: on every edge ``e``
    only op ``choices[e]`` is kept and its index is dropped from the key (``cells.0.edges.2.3.w`` ->
    ``cells.0.edges.2.w`` when edge 2 chooses op 3); every other tensor (stem, head, ...) is kept as it is."""
    out = {}
    for key, value in state.items():
        parts = key.split(".")
        if parts[0] == "cells" and len(parts) > 4 and parts[2] == "edges":
            if int(parts[4]) != choices[int(parts[3])]:
                continue
            key = ".".join(parts[:4] + parts[5:])
        out[key] = value
    return out
