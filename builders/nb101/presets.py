"""Supernet presets for NB101. ``paper`` = NAS-Bench-101's network (stem 128, 3 stacks x 3 modules, 32x32).

``mini`` (stem 16, 3 stacks x 1 module, 16x16) was chosen by measured
supernet-training throughput, 1 thread, batch 64, in one run beside NB201's
mini (builders/README.md): NB101 stem16/N1/16px 322 img/s vs NB201 mini 421
img/s (the build of nb201-cifar10 shared the cores); stem 16 at 32px 87;
stem 32 at 16px 185; 2 modules per stack 149; paper 5.5 img/s.
"""

from __future__ import annotations

from builders.core.preset import SupernetPreset

PRESETS = {
    "paper": SupernetPreset("paper", 128, 3, 32, 256, 0.1, 0.9, 1e-4, 40_000, 10_000, 10_000, 50, 0, 4, True),
    "mini": SupernetPreset("mini", 16, 1, 16, 64, 0.1, 0.9, 5e-4, 45_000, 5_000, 1_000, 10, 0, 2, True),
}
