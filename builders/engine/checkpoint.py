"""Checkpoints that make a killed build continue exactly where it stopped.

Saved: model and optimiser state, the LR schedule, the position (epoch), the
sampler's and the data order's NumPy generator states, and torch's RNG state.
Written to a temp file and renamed, so a kill during the save leaves the
previous checkpoint intact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import torch


class Resumed(NamedTuple):
    epoch: int  # the last finished epoch; 0 when there was no checkpoint
    timing: dict[str, Any] | None  # {"train_s": [...], "score_s": [...]} of the epochs before, if saved


def save(path: Path, **state: Any) -> None:
    import io

    from wsbench.atomic import write_atomic

    buf = io.BytesIO()
    torch.save({**state, "torch_rng": torch.get_rng_state()}, buf)
    write_atomic(path, buf.getvalue())


def load(path: Path) -> dict[str, Any] | None:
    """The saved state (tensors on the CPU, whatever device wrote them), or None when there is no checkpoint;
    torch's RNG is set from it."""
    state = read(path)
    if state is not None:
        torch.set_rng_state(state.pop("torch_rng"))
    return state


def read(path: Path) -> dict[str, Any] | None:
    """The checkpoint file as saved (RNG state included, nothing applied), checked; None when there is none."""
    from wsbench.errors import OptionError

    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)  # our own file, written by save() above
    except Exception as e:  # truncated, or not a checkpoint: say so, never overwrite it
        raise OptionError(f"checkpoint {path} cannot be read ({type(e).__name__}: {str(e)[:100]}); it was left "
                          "as it is. Restore it (e.g. from the committed copy under results/) or delete it to "
                          "restart this seed from epoch 0") from None
    if not isinstance(state, dict) or "torch_rng" not in state or "epoch" not in state:
        raise OptionError(f"checkpoint {path} is not a builders checkpoint (no epoch / RNG state); it was left as "
                          "it is. Delete it to restart this seed from epoch 0")
    return state


def recipe_diff(saved: dict[str, Any], asked: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields where two recipes differ, (saved, asked); a field missing on one side counts as None. Preset
    fields added after a build started default to None ("as before": ``lr_min``, ``score_precision``), so its
    checkpoints, kept or carried, still resume under newer code; a field set to anything else differs."""
    return {k: (saved.get(k), asked.get(k)) for k in sorted(set(saved) | set(asked)) if saved.get(k) != asked.get(k)}


def _brief(value: Any) -> Any:
    """A pruning rule (``builders.engine.allowed``) as the few fields that tell two apart, for one readable line."""
    if isinstance(value, dict) and "mode" in value and "allowed_sha256" in value:
        keep = ("mode", "factor", "rule_seed", "score", "allowed")
        return {**{k: value[k] for k in keep if k in value}, "allowed_sha256": value["allowed_sha256"][:12]}
    return value


def same_recipe(saved: dict[str, Any], asked: dict[str, Any]) -> bool:
    return not recipe_diff(saved, asked)


def check_same(path: Path, state: dict[str, Any], recipe: dict[str, Any], version: str) -> None:
    """A checkpoint continues only the recipe and code version that wrote it (else the store would mix two)."""
    from wsbench.errors import OptionError

    saved_version = state.get("builder_version")
    if saved_version is not None and saved_version != version:
        raise OptionError(f"checkpoint {path} was written by builder version {saved_version}, this is {version}: "
                          "resume with that version, or delete the checkpoint to restart the seed")
    saved = state.get("recipe")
    if saved is not None:
        diff = {k: (_brief(a), _brief(b)) for k, (a, b) in recipe_diff(saved, recipe).items()}
        if diff:
            raise OptionError(f"checkpoint {path} belongs to another recipe; (checkpoint, asked): {diff}. Resume "
                              "with the original options, or delete the checkpoint to restart the seed")


def resume(path: Path, model, opt, sampler, data_rng, sched=None, *, recipe: dict[str, Any] | None = None,
           version: str | None = None) -> Resumed:
    """Restore a build's state from ``path`` if it exists; return the last finished epoch (0: none) and the
    epoch times measured by the processes before (for ``--stop-by``), read from the same one load."""
    state = load(path)
    if state is None:
        return Resumed(0, None)
    if recipe is not None and version is not None:
        check_same(path, state, recipe, version)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    if sched is not None:
        sched.load_state_dict(state["sched"])
    sampler.bit_generator.state, data_rng.bit_generator.state = state["sampler"], state["data_rng"]
    return Resumed(int(state["epoch"]), state.get("timing"))
