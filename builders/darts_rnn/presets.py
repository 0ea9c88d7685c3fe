"""Language-model presets for DARTS-PTB.

``paper`` = DARTS's evaluation setting (nhid = emsize = 850, BPTT 35, batch 64,
SGD lr 20, clip 0.25, DARTS's dropouts; 22,960,000 parameters, DARTS's "23M").
``mini`` (nhid 64, batch 32, 200k training tokens per epoch, 10k held-out
tokens scored) keeps the cell and its eight steps and shrinks width and data
so a build fits 2 cores (throughput in builders/README.md).
"""

from __future__ import annotations

from builders.core.preset import LMPreset

__all__ = ["PRESETS", "LMPreset"]

PRESETS = {
    "paper": LMPreset("paper", 850, 35, 64, 20.0, 0.25, 8e-7, 0.75, 0.25, 0.75, 0.2, 0.1, 0, 0, 10),
    "mini": LMPreset("mini", 64, 35, 32, 20.0, 0.25, 5e-7, 0.25, 0.1, 0.25, 0.1, 0.0, 200_000, 10_000, 50),
}
