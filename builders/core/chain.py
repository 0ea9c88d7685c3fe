"""A supernet seen as a chain of decisions: what prefix-sharing scoring (``builders/engine/scoring.py``) needs.

Here, at the bottom, so a space's supernet can describe itself without importing the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from torch import nn


@dataclass(frozen=True)
class Chain:
    """A supernet seen as head -> one step per decision -> tail (see ProxylessSupernet.chain)."""

    head: nn.Module  # the fixed layers before the first decision
    step: Callable[[int, int, torch.Tensor], torch.Tensor]  # (position, choice, x) -> x
    step_module: Callable[[int, int], nn.Module | None]  # parameters of that step (None: a parameter-free op)
    tail: nn.Module  # the fixed layers after the last decision (to logits)
    choices: Callable[[Any], Sequence[int]]  # parsed architecture -> one choice per position
