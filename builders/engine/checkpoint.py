"""Checkpoints that make a killed build continue exactly where it stopped.

Saved: model and optimiser state, the LR schedule, the position (epoch), the
sampler's and the data order's NumPy generator states, and torch's RNG state.
Written to a temp file and renamed, so a kill during the save leaves the
previous checkpoint intact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch


def save(path: Path, **state: Any) -> None:
    import io

    from wsbench.atomic import write_atomic

    buf = io.BytesIO()
    torch.save({**state, "torch_rng": torch.get_rng_state()}, buf)
    write_atomic(path, buf.getvalue())


def load(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    state = torch.load(path, weights_only=False)  # our own file, written by save() above
    torch.set_rng_state(state.pop("torch_rng"))
    return state


def resume(path: Path, model, opt, sampler, data_rng, sched=None) -> int:
    """Restore a build's state from ``path`` if it exists; return the last finished epoch (0: none)."""
    state = load(path)
    if state is None:
        return 0
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    if sched is not None:
        sched.load_state_dict(state["sched"])
    sampler.bit_generator.state, data_rng.bit_generator.state = state["sampler"], state["data_rng"]
    return int(state["epoch"])
