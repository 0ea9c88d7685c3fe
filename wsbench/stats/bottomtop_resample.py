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


def _groups(c: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per resample (rows of ``c``), the copies in each tie group of ``v`` (ascending groups), and each item's
    group: computed once per variable, then cut at the top and at the bottom."""
    from wsbench.stats.ranking import tie_groups

    order, starts, sizes = tie_groups(v)
    group_of = np.empty(len(v), dtype=np.int64)
    group_of[order] = np.repeat(np.arange(len(starts)), sizes)
    return np.add.reduceat(c[:, order], starts, axis=1), group_of


def _cut(groups: tuple[np.ndarray, np.ndarray], k: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per resample: each item's chance to be among the ``k`` largest (smallest) copies under random
    tie-breaking, and whether it is at or beyond the cut value (the whole tie group at the cut in)."""
    totals, group_of = groups
    if largest:
        totals = totals[:, ::-1]
        group_of = totals.shape[1] - 1 - group_of
    running = np.cumsum(totals, axis=1)
    at = np.argmax(running >= k, axis=1)  # the group holding the k-th copy (k <= copies, so it exists)
    rows = np.arange(len(totals))
    before = running[rows, at] - totals[rows, at]
    share_at = (k - before) / totals[rows, at]
    g = np.arange(totals.shape[1])[None, :]
    share = np.where(g < at[:, None], 1.0, np.where(g == at[:, None], share_at[:, None], 0.0))
    return share[:, group_of], g[:, group_of] <= at[:, None]


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
    gw, gt = _groups(c, w), _groups(c, t)
    sw_top, _ = _cut(gw, k, True)
    st_top, _ = _cut(gt, k, True)
    sw_bot, _ = _cut(gw, k, False)
    st_bot, _ = _cut(gt, k, False)
    p_top = (c * sw_top * st_top).sum(axis=1) / k
    p_bottom = (c * sw_bot * st_bot).sum(axis=1) / k
    ref = gt if within_by == "gt" else gw
    _, top = _cut(ref, x, True)
    _, bottom = _cut(ref, x, False)
    k_diff = _kendall_inside(c, w, t, bottom) - _kendall_inside(c, w, t, top)
    return np.stack([p_bottom - p_top, k_diff], axis=1)
