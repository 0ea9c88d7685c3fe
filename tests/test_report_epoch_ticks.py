"""Which recorded epochs an epoch axis labels (wsbench.report.figures.epoch_ticks): all of a few, a readable
subset of many (di64-cifar10 records 30 epochs; its labels ran together as '1112131415...')."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from wsbench.report.figures import EPOCH_LABELS, epoch_ticks


def test_worked_by_hand():
    assert epoch_ticks([1, 2, 4, 8, 16, 32], log=True) == [1, 2, 4, 8, 16, 32]     # a few: all, as before
    assert epoch_ticks(list(range(1, 31)), log=True) == [1, 2, 4, 8, 16, 30]       # 16 -> 30 is 0.9 octave
    assert epoch_ticks(list(range(1, 10)), log=True) == [1, 2, 4, 9]                # 8 is 0.17 octave from 9
    assert epoch_ticks(list(range(1, 129)), log=True) == [1, 2, 4, 8, 16, 32, 64, 128]
    # linear (epoch 0 recorded): every 4th of 31, and the last
    assert epoch_ticks(list(range(31)), log=False) == [0, 4, 8, 12, 16, 20, 24, 28, 30]


@given(st.lists(st.integers(1, 2000), min_size=1, max_size=300, unique=True).map(sorted), st.booleans())
def test_labels_are_recorded_epochs_with_the_first_and_last_and_never_crowded(epochs, log):
    ticks = epoch_ticks(epochs, log)
    assert ticks == sorted(ticks) and set(ticks) <= set(epochs)
    assert ticks[-1] == epochs[-1] and ticks[0] == epochs[0]
    if len(epochs) <= EPOCH_LABELS:
        assert ticks == epochs
    elif log:
        gaps = np.diff(np.log2(ticks))
        assert (gaps >= 0.4).all() or len(ticks) == 2  # only the first and last themselves may be closer
        assert len(ticks) <= np.log2(epochs[-1]) + 2
    else:
        assert len(ticks) <= EPOCH_LABELS + 2
