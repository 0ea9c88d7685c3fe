"""What a kind of task (image classification, language modelling) adds to the one build loop.

The loop (``builders/engine/build.py``) owns everything every build shares:
store creation and resume, the recipe check, seeds, checkpoints, the
distributed split, progress and provenance. A task owns its data, network,
optimiser, one training epoch and the scoring of subnets. A new task is one
module with a :class:`Task` subclass and one line in ``builders.engine.tasks.get_task``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wsbench.errors import OptionError


def resolve_device(device: str):
    """``torch.device`` for ``--device``: "cpu", "cuda" or "cuda:i", with one clear line when it cannot be used."""
    import torch

    if not isinstance(device, str) or not (device == "cpu" or device == "cuda" or
                                           (device.startswith("cuda:") and device[5:].isdigit())):
        raise OptionError(f"--device must be cpu, cuda or cuda:N, got {device!r}")
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise OptionError(f"--device {device}: torch {torch.__version__} sees no CUDA device here "
                              "(a CPU build of torch, or no GPU); use --device cpu")
        index = int(device[5:]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise OptionError(f"--device {device}: only {torch.cuda.device_count()} CUDA device(s) are visible")
    return torch.device(device)


class Task:
    """Base of every task; the attributes below are read by the loop and recorded in the store."""

    space: str
    metric: str  # what supernet_score holds (wsbench.schema.METRICS)
    direction: str  # "max" | "min"
    preset: Any  # a dataclass: builders.core.preset.SupernetPreset or LMPreset
    citation: str
    distributed: bool = False  # whether torchrun ranks can share a seed

    device: Any = None  # torch.device the task trains and scores on (set_device)
    #: draws one parsed architecture per training step from a numpy Generator; None: ``space.draw`` (the whole
    #: space). A build over an allowed set (``builders/engine/allowed.py``) sets it.
    drawer: Callable[[np.random.Generator], Any] | None = None

    def draw(self, space, rng: np.random.Generator) -> Any:
        """The architecture of one training step: uniform over the allowed set, or over the whole space."""
        return space.draw(rng) if self.drawer is None else self.drawer(rng)

    def set_device(self, device: str) -> None:
        """Train and score on ``device`` ("cpu" or "cuda[:i]"); refused at once when it is not there."""
        self.device = resolve_device(device)

    def check(self, world_size: int) -> None:
        """Refuse settings this task cannot honour, before anything is written."""
        if world_size > 1 and not self.distributed:
            raise OptionError(f"{self.space} builds run in one process per seed (--only-seeds), not under torchrun")

    def provenance(self, data_dir: str | Path) -> dict[str, Any]:
        """dataset, sampler.training, evaluation_protocol and recipe extras (``supernet_recipe_extra``)."""
        raise NotImplementedError

    def write_sizes(self, writer, archs: list[str]) -> None:
        raise NotImplementedError

    def load_data(self, data_dir: str | Path) -> None:
        raise NotImplementedError

    def new_model(self):
        raise NotImplementedError

    def new_optimizer(self, model, epochs: int) -> tuple[Any, Any]:
        """(optimizer, LR scheduler or None) for ``epochs`` epochs."""
        raise NotImplementedError

    def train_epoch(self, model, sampler: np.random.Generator, data_rng: np.random.Generator, opt, sched, dist,
                    advance: Callable[[int], object]) -> str:
        """One epoch of single-path training, a new architecture per step; returns a note for the log line."""
        raise NotImplementedError

    def steps_per_epoch(self) -> int:
        raise NotImplementedError

    def score(self, model, choices: Sequence[Any], seed: int, epoch: int,
              advance: Callable[[int], object]) -> tuple[np.ndarray, np.ndarray]:
        """(supernet_score, supernet_loss) of each subnet, the model's training state unchanged."""
        raise NotImplementedError
