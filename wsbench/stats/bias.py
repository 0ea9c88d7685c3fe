"""Bias of the supernet: towards model size and towards operators."""

from __future__ import annotations

import numpy as np

from wsbench.stats.correlation import correlate
from wsbench.stats.ranking import order_best_first, rank_percentile


def size_bias(sn: np.ndarray, gt: np.ndarray, params: np.ndarray) -> dict[str, float]:
    """Kendall tau of (params, GT), (supernet, GT), (supernet, params): the study's (PS,GT), (WS,GT), (WS,PS)."""
    return {
        "tau_params_gt": correlate(params, gt, "kendall"),
        "tau_supernet_gt": correlate(sn, gt, "kendall"),
        "tau_supernet_params": correlate(sn, params, "kendall"),
    }


def size_pairs(sn: np.ndarray, gt: np.ndarray, params: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The (x, y) pairs of :func:`size_bias`, by key (for bootstrapping the same taus)."""
    return {"tau_params_gt": (params, gt), "tau_supernet_gt": (sn, gt), "tau_supernet_params": (sn, params)}


def operator_gap(sn: np.ndarray, gt: np.ndarray, choice: np.ndarray, top_fraction: float,
                 ties: str = "random", n_ops: int | None = None) -> np.ndarray:
    """mean_pct_supernet - mean_pct_gt of :func:`operator_bias`, shape (decisions + 1, ops)."""
    out = operator_bias(sn, gt, choice, top_fraction, ties, n_ops)
    return out["mean_pct_supernet"] - out["mean_pct_gt"]


def top_membership(g: np.ndarray, k: int, ties: str = "random") -> np.ndarray:
    """Probability that each item is in the top ``k`` by ``g``: 1 above the cut, 0 below; inside a tie group at
    the cut, a/m under random tie-breaking (a of its m members are taken), or store order (``ties="store"``)."""
    order = order_best_first(g)
    w = np.zeros(len(g))
    w[order[:k]] = 1.0
    if ties == "random" and 0 < k < len(g):
        v = g[order[k - 1]]
        group = g == v
        m, a = int(group.sum()), int(np.count_nonzero(w[group]))
        w[group] = a / m
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
