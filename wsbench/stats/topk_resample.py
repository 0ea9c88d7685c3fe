"""Top-k of many bootstrap resamples of one sample at once (NumPy only): the ``--ci`` path of ``topk``."""

from __future__ import annotations

import numpy as np

from wsbench.stats.ranking import order_best_first, percentiles_with_counts, tie_groups, top_share
from wsbench.stats.topk_kernel import (
    TopKSample,
    _chunks,
    _cut_outcomes,
    _run_means,
    _runs,
    gt_side,
    topk_batch,
)


def topk_resampled(scores: list[np.ndarray], gt: np.ndarray, idx: np.ndarray, ks: list[int],
                   ties: str = "random") -> list[list[list[TopKSample]]]:
    """:func:`topk_many` of every bootstrap resample ``idx`` (rows of indices into one sample) for each score
    vector in ``scores`` (seeds), sharing what depends on the GT alone: ``[score][resample][k]``.

    With random tie-breaking the result does not depend on the order of a resample's items, so each resample is
    laid out from multiplicities: the sample's score order (sorted once) with item i repeated c_i times, and the
    GT order likewise, so no resample is sorted again. Store order (``ties="store"``) depends on the resample's
    own order and is computed one resample at a time.
    """
    n = len(gt)
    gt = np.asarray(gt, dtype=np.float64)
    out: list[list[list[TopKSample]]] = [[] for _ in scores]
    if ties == "store":  # each row in its own order: one batch per chunk of resamples
        for chunk in _chunks(len(idx), n):
            side = gt_side(gt[idx[chunk]])
            for j, s in enumerate(scores):
                rows = topk_batch(np.asarray(s)[idx[chunk]], None, ks, ties, side)
                out[j].extend([r.row(i) for r in rows] for i in range(len(side.gt)))
        return out
    order_g = order_best_first(gt)
    groups = tie_groups(gt)
    orders = [order_best_first(s) for s in scores]
    scores = [np.asarray(s, dtype=np.float64) for s in scores]
    disc = 1.0 / np.log2(np.arange(2, n + 2))
    for i in idx:
        c = np.bincount(i, minlength=n)
        desc = np.repeat(gt[order_g], c[order_g])
        gain = percentiles_with_counts(groups, c) / 100.0 if n > 1 else np.ones(n)  # GT rank percentile
        ideal = np.cumsum(np.repeat(gain[order_g], c[order_g]) * disc)
        member = [top_share(gt, desc, k) for k in ks]  # per original item; its copies share it
        for j, (s, order) in enumerate(zip(scores, orders)):
            expanded = np.repeat(order, c[order])  # the resample's items, best score first
            out[j].append(_lean(s[expanded], gt[expanded], gain[expanded], disc, ideal, ks,
                                [m[expanded] for m in member]))
    return out


def _lean(s_sorted: np.ndarray, gt_ord: np.ndarray, gain_ord: np.ndarray, disc: np.ndarray, ideal: np.ndarray,
          ks: list[int], member_ord: list[np.ndarray]) -> list[TopKSample]:
    """best_gt, precision and NDCG@k of one resample laid out best score first (random ties); the rest NaN."""
    prefix_max = np.maximum.accumulate(gt_ord)
    dcg = np.cumsum(_run_means(gain_ord[None], *_runs(s_sorted[None]))[0] * disc)
    neg, cut = -s_sorted, -s_sorted[np.asarray(ks) - 1]
    los, his = np.searchsorted(neg, cut, side="left"), np.searchsorted(neg, cut, side="right")  # every k at once
    out = []
    for k, in_gt, lo_k, hi_k in zip(ks, member_ord, los.tolist(), his.tolist()):
        values, probs, m, a = _cut_outcomes(s_sorted, prefix_max, gt_ord, k, "random", (lo_k, hi_k))
        lo = k - a
        overlap = in_gt[:lo].sum() + a / m * in_gt[lo:lo + m].sum()
        nan = float("nan")
        out.append(TopKSample(float(probs @ values), nan, nan, nan, nan, m, a, nan, float(overlap / k),
                              float(dcg[k - 1] / ideal[k - 1]) if ideal[k - 1] > 0 else nan, nan))
    return out
