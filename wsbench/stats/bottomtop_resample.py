"""Bottom vs top of many bootstrap resamples at once (NumPy only): the ``--ci`` path of ``bottom-top``.

A resample holds subnet i ``c_i`` times, and copies of a subnet tie with each other in both rankings, so every
figure of :func:`wsbench.stats.bottomtop.bottom_top` follows from the multiplicities without building the
resample: the cut of a top (or bottom) k falls in the tie group where the running total of the groups' copies
reaches k, each copy's chance to be inside is 1 above it, a/m in it and 0 below (as
:func:`wsbench.stats.ranking.top_share`), and Kendall's tau inside a cut is tau of the multiplicities zeroed
outside it (:mod:`wsbench.stats.kendall_blocks`). Property-tested equal to the loop over resamples (the
precisions to 1e-12: a sum in another order; the taus exactly).
"""

from __future__ import annotations

import numpy as np


def _cut(c: np.ndarray, v: np.ndarray, k: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per resample (rows of ``c``): each item's chance to be among the ``k`` largest (smallest) copies under
    random tie-breaking, and whether it is at or beyond the cut value (the whole tie group at the cut in)."""
    from wsbench.stats.ranking import tie_groups

    order, starts, sizes = tie_groups(v)  # ascending groups
    totals = np.add.reduceat(c[:, order], starts, axis=1)
    if largest:
        totals = totals[:, ::-1]
    running = np.cumsum(totals, axis=1)
    at = np.argmax(running >= k, axis=1)  # the group holding the k-th copy (k <= copies, so it exists)
    rows = np.arange(len(c))
    before = running[rows, at] - totals[rows, at]
    share_at = (k - before) / totals[rows, at]
    g = np.arange(totals.shape[1])[None, :]
    share = np.where(g < at[:, None], 1.0, np.where(g == at[:, None], share_at[:, None], 0.0))
    inside = g <= at[:, None]
    group_of = np.empty(len(v), dtype=np.int64)
    group_of[order] = np.repeat(np.arange(len(starts)), sizes)
    if largest:
        group_of = len(starts) - 1 - group_of
    return share[:, group_of], inside[:, group_of]


def _kendall_inside(c: np.ndarray, w: np.ndarray, t: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Kendall's tau-b of each resample restricted to ``inside`` (NaN under 3 copies or one value, as
    :func:`wsbench.stats.coefficients.correlate`)."""
    from wsbench.stats.kendall_blocks import tau_b

    cols = inside.any(axis=0)
    return tau_b(np.where(inside[:, cols], c[:, cols], 0.0), w[cols], t[cols])


def diff_draws_batched(w: np.ndarray, t: np.ndarray, k: int, x: int, within_by: str,
                       idx: np.ndarray) -> np.ndarray:
    """(B, 2) draws of (p_bottom - p_top, kendall_bottom - kendall_top) over the resamples ``idx`` (rows of
    indices into the pool ``w``, ``t``, finite goodness); ``k``, ``x`` the counts resolved on the pool."""
    from wsbench.stats.bootstrap import counts

    c = counts(idx, len(w))
    sw_top, _ = _cut(c, w, k, True)
    st_top, _ = _cut(c, t, k, True)
    sw_bot, _ = _cut(c, w, k, False)
    st_bot, _ = _cut(c, t, k, False)
    p_top = (c * sw_top * st_top).sum(axis=1) / k
    p_bottom = (c * sw_bot * st_bot).sum(axis=1) / k
    ref = t if within_by == "gt" else w
    _, top = _cut(c, ref, x, True)
    _, bottom = _cut(c, ref, x, False)
    k_diff = _kendall_inside(c, w, t, bottom) - _kendall_inside(c, w, t, top)
    return np.stack([p_bottom - p_top, k_diff], axis=1)
