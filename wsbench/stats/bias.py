"""Bias of the supernet: towards model size and towards operators."""

from __future__ import annotations

import numpy as np

from wsbench.stats.correlation import correlate
from wsbench.stats.ranking import (
    order_best_first,
    percentiles_with_counts,
    rank_percentile,
    tie_groups,
    top_share,
)


def _one_pool(sn: np.ndarray, gt: np.ndarray, params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three arrays with NaN wherever any of them is not finite, so that every pair is taken over the same
    subnets (each correlation drops non-finite pairs; without this, a NaN score would leave (PS,GT) a larger pool
    than (WS,GT))."""
    sn, gt, params = (np.asarray(a, dtype=np.float64) for a in (sn, gt, params))
    ok = np.isfinite(sn) & np.isfinite(gt) & np.isfinite(params)
    return tuple(np.where(ok, a, np.nan) for a in (sn, gt, params))  # type: ignore[return-value]


def size_bias(sn: np.ndarray, gt: np.ndarray, params: np.ndarray) -> dict[str, float]:
    """Kendall tau of (params, GT), (supernet, GT), (supernet, params): the study's (PS,GT), (WS,GT), (WS,PS), all
    three over the subnets where the score, the GT and the size are finite."""
    sn, gt, params = _one_pool(sn, gt, params)
    return {
        "tau_params_gt": correlate(params, gt, "kendall"),
        "tau_supernet_gt": correlate(sn, gt, "kendall"),
        "tau_supernet_params": correlate(sn, params, "kendall"),
    }


def size_pairs(sn: np.ndarray, gt: np.ndarray, params: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The (x, y) pairs of :func:`size_bias`, by key (for bootstrapping the same taus), over its one pool."""
    sn, gt, params = _one_pool(sn, gt, params)
    return {"tau_params_gt": (params, gt), "tau_supernet_gt": (sn, gt), "tau_supernet_params": (sn, params)}


def top_membership(g: np.ndarray, k: int, ties: str = "random") -> np.ndarray:
    """Probability that each item is in the top ``k`` by ``g``: 1 above the cut, 0 below; inside a tie group at
    the cut, a/m under random tie-breaking (a of its m members are taken), or store order (``ties="store"``)."""
    if ties == "random":
        return top_share(g, np.sort(g)[::-1], k)
    w = np.zeros(len(g))
    w[order_best_first(g)[:k]] = 1.0
    return w


def operator_bias(sn: np.ndarray, gt: np.ndarray, choice: np.ndarray, top_fraction: float,
                  ties: str = "random", n_ops: int | None = None) -> dict[str, np.ndarray]:
    """Per (decision, op): mean rank percentile (100 = best) under supernet and GT, share in each top set.

    Rows are the decisions of ``choice`` plus one last row "any" (the op appears
    at any decision). Returns arrays of shape (decisions + 1, ops); NaN where the
    op never occurs at that decision. Shares of a top set are expectations over
    random tie-breaking at its cut (:func:`top_membership`) unless ``ties="store"``.
    """
    n, d = choice.shape
    if n_ops is None:
        n_ops = int(choice.max()) + 1 if choice.size else 0
    pct_sn, pct_gt = rank_percentile(sn), rank_percentile(gt)
    k = max(1, int(np.ceil(n * top_fraction - 1e-9)))
    in_top_sn, in_top_gt = top_membership(sn, k, ties), top_membership(gt, k, ties)
    masks = [(choice[:, j, None] == np.arange(n_ops)) for j in range(d)]
    masks.append((choice[:, :, None] == np.arange(n_ops)).any(axis=1))
    out = {name: np.full((d + 1, n_ops), np.nan) for name in
           ("count", "mean_pct_supernet", "mean_pct_gt", "share_top_supernet", "share_top_gt")}
    for j, m in enumerate(masks):
        cnt = m.sum(axis=0)
        out["count"][j] = cnt
        with np.errstate(invalid="ignore", divide="ignore"):
            out["mean_pct_supernet"][j] = np.where(cnt > 0, pct_sn @ m / cnt, np.nan)
            out["mean_pct_gt"][j] = np.where(cnt > 0, pct_gt @ m / cnt, np.nan)
        out["share_top_supernet"][j] = in_top_sn @ m / k
        out["share_top_gt"][j] = in_top_gt @ m / k
    return out


def operator_gap_resampled(scores: list[np.ndarray], gt: np.ndarray, choice: np.ndarray, idx: np.ndarray,
                           n_ops: int) -> list[np.ndarray]:
    """:func:`operator_gap` of every bootstrap resample ``idx`` for each score vector (seed), from multiplicities:
    a copy of a subnet ranks with its tie group, and means over the subnets with an op weigh each by its count.
    Returns ``[seed] -> (resamples, decisions + 1, ops)``; items with a NaN score or GT are dropped per seed."""
    d = choice.shape[1]
    masks = np.concatenate([(choice[:, j, None] == np.arange(n_ops)) for j in range(d)]
                           + [(choice[:, :, None] == np.arange(n_ops)).any(axis=1)], axis=1).astype(np.float64)
    out = []
    for s in scores:
        ok = np.isfinite(s) & np.isfinite(gt)
        ss, gg, mm = s[ok], gt[ok], masks[ok]
        keep = np.cumsum(ok) - 1  # new index of each kept item
        g_s, g_g = tie_groups(ss), tie_groups(gg)
        gaps = np.empty((len(idx), d + 1, n_ops))
        for b, i in enumerate(idx):
            c = np.bincount(keep[i[ok[i]]], minlength=len(ss)).astype(np.float64)
            diff = percentiles_with_counts(g_s, c) - percentiles_with_counts(g_g, c)
            cnt = c @ mm
            with np.errstate(invalid="ignore", divide="ignore"):
                gaps[b] = np.where(cnt > 0, (c * diff) @ mm / cnt, np.nan).reshape(d + 1, n_ops)
        out.append(gaps)
    return out
