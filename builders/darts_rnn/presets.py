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
    "paper": LMPreset(
        name="paper", nhid=850, bptt=35, batch_size=64, lr=20.0, clip=0.25, weight_decay=8e-7, dropout=0.75,
        dropouth=0.25, dropoutx=0.75, dropouti=0.2, dropoute=0.1, train_size=0, score_size=0,
        eval_batch_size=10),
    "mini": LMPreset(
        name="mini", nhid=64, bptt=35, batch_size=32, lr=20.0, clip=0.25, weight_decay=5e-7, dropout=0.25,
        dropouth=0.1, dropoutx=0.25, dropouti=0.1, dropoute=0.0, train_size=200_000, score_size=10_000,
        eval_batch_size=50),
}
