"""Supernet presets for NB201. ``paper`` = NAS-Bench-201's macro network; ``mini`` fits 2 CPU cores."""

from __future__ import annotations

from builders.core.preset import SupernetPreset

__all__ = ["PRESETS", "SupernetPreset"]

PRESETS = {
    "paper": SupernetPreset("paper", 16, 5, 32, 256, 0.1, 0.9, 5e-4, 25_000, 25_000, 10_000, 50, 0, 4, True),
    # measured here: ~780 img/s supernet training, 1 thread, at this size (see builders/README.md)
    "mini": SupernetPreset("mini", 8, 1, 16, 64, 0.1, 0.9, 5e-4, 45_000, 5_000, 1_000, 10, 0, 2, True),
}
