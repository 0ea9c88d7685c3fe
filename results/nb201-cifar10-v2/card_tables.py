"""The card's tables for nb201-cifar10 v2.0 that `wsbench report` does not draw: the pruning experiment per run with
its pooled test, and v2.0's control beside v1.2's supernets (the same recipe built twice).

    python results/nb201-cifar10-v2/card_tables.py STORE [--v12 nb201-cifar10-1.2.zip] [--k 10]

STORE: the merged v2.0 store (or its catalog name once published). --v12: v1.2's zip (it left the wheel with v2.0:
``git show dbfbfa7:wsbench/datasets/nb201-cifar10-1.2.zip > v12.zip``). Every number comes from ``wsbench.query``
(``prune --source retrained``, ``correlation``) or, for the agreement between versions, Kendall's tau of two stores'
scores of the same cells (``wsbench.stats.coefficients.correlate``, as `stability`).
"""

from __future__ import annotations

import argparse

import numpy as np

import wsbench
from wsbench.stats.coefficients import correlate
from wsbench.stats.prune_retrained import pooled


def pm(m: float, s: float, nd: int = 2) -> str:
    return f"{m:.{nd}f}" if not np.isfinite(s) else f"{m:.{nd}f} ± {s:.{nd}f}"


def table(header: list[str], rows: list[list[object]]) -> str:
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
                      *("| " + " | ".join(str(c) for c in r) + " |" for r in rows)])


def pruning(b, k: str) -> None:
    r = b.prune(source="retrained", k=k)
    e = r.options["epoch"][-1]
    print(f"### Retrained on the pruned space vs the control on the same pool (`wsbench prune --space {b.name} "
          f"--source retrained --k {k}`), epoch {e}\n")
    print(f"Mean ± std over the {len(r.options['seed'])} supernet seeds of each run; best GT ({b.metric}) of the "
          f"top-{k} of the pool; random: the exact expectation for {k} random subnets of the pool; Δ = retrained − "
          "control, paired per seed.\n")
    rows = []
    for s in r.summary:
        def c(key: str, nd: int = 2) -> str:
            return pm(s[f"{key}_mean"], s[f"{key}_std"], nd)
        ctl = s["mode"] == "none"
        rows.append([s["mode"] if not ctl else "none (control)", f"{s['factor']:g}", s["remaining"],
                     c("supernet_topk_best_gt"), "" if ctl else c("control_topk_best_gt"),
                     f"{s['random_topk_best_gt_mean']:.2f}", "" if ctl else c("retrained_minus_control"),
                     c("kendall", 3), "" if ctl else c("control_kendall", 3),
                     "" if ctl else c("retrained_minus_control_kendall", 3)])
    print(table(["mode", "factor", "pool", f"retrained top-{k}", f"control top-{k}", f"{k} random", "Δ best GT",
                 "τ retrained", "τ control", "Δτ"], rows))
    print(f"\n### Retrained − control over pools and seeds (`wsbench.stats.prune_retrained.pooled`), epoch {e}\n")
    print("Each (pool, seed) pair once; W / T / L: the retrained supernet better / equal / worse; p: exact two-sided "
          "sign test (pools of one seed share its control supernet, so the pairs are not quite independent).\n")
    prow = []
    for mode in ("optimistic", "random", "supernet", None):
        sel = [x for x in r.rows if x["mode"] != "none" and (mode is None or x["mode"] == mode)]
        p = pooled(sel, e)
        prow.append([mode or "**all**", p["best_gt_pairs"], f"{p['best_gt_delta_mean']:+.3f}",
                     f"{p['best_gt_wins']} / {p['best_gt_ties']} / {p['best_gt_losses']}", f"{p['best_gt_p']:.2g}",
                     f"{p['kendall_delta_mean']:+.3f}",
                     f"{p['kendall_wins']} / {p['kendall_ties']} / {p['kendall_losses']}", f"{p['kendall_p']:.2g}"])
    print(table(["mode", "pairs", f"Δ best GT of top-{k}", "W / T / L", "p", "Δτ", "W / T / L", "p"], prow))
    # the GT's spread in each pool: range restriction shrinks tau whatever ranks it
    g = b.gt("gt_score")
    print("\nThe GT's spread in each pool (what range restriction does to τ whatever ranks it): "
          + "; ".join(f"{x['mode']} {x['factor']:g}: GT std {np.nanstd(g[pool]):.2f} over {len(pool)}"
                      for x, pool in _pools(b, r)))


def _pools(b, r):
    """(summary row, the run's pool of seed 0 at the last epoch) per run."""
    e = r.options["epoch"][-1]
    fn = b.score_fn("supernet", prune=True)
    g = b.gt("gt_score")
    for s in r.summary:
        x = fn(r.options["seed"][0], e, (s["mode"], s["factor"]))
        yield s, np.flatnonzero(np.isfinite(x) & np.isfinite(g))


def versions(b, old) -> None:
    print(f"\n### v2.0's control supernets beside v1.2's (the same recipe, built again; `wsbench correlation "
          f"--space {b.name} --epoch all`)\n")
    a, o = b.correlation(epoch="all"), old.correlation(epoch="all")
    sa = {x["epoch"]: x for x in a.summary}
    so = {x["epoch"]: x for x in o.summary}
    same = np.array_equal(np.asarray(b.ds["arch"].values), np.asarray(old.ds["arch"].values))
    assert same, "the two stores must hold the same cells in the same order"
    fa, fo = b.score_fn("supernet"), old.score_fn("supernet")
    rows = []
    for e in sorted(sa):
        cross = [correlate(fa(s, e), fo(s, e), "kendall") for s in a.options["seed"]]
        within_new = [correlate(fa(s, e), fa(t, e), "kendall") for s in (0, 1, 2) for t in (0, 1, 2) if s < t]
        within_old = [correlate(fo(s, e), fo(t, e), "kendall") for s in (0, 1, 2) for t in (0, 1, 2) if s < t]
        rows.append([e, pm(so[e]["kendall_mean"], so[e]["kendall_std"], 3),
                     pm(sa[e]["kendall_mean"], sa[e]["kendall_std"], 3),
                     f"{np.mean(cross):.3f}", f"{np.mean(within_old):.3f}", f"{np.mean(within_new):.3f}"])
    print("τ with GT: mean ± std over 3 seeds; across versions: Kendall τ between v1.2's seed s and v2.0's seed s "
          "(mean over s); within: between the seeds of one version (mean over the 3 pairs).\n")
    print(table(["epoch", "τ v1.2", "τ v2.0 control", "v1.2 ↔ v2.0 (same seed)", "seeds v1.2", "seeds v2.0"], rows))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("--v12", help="v1.2's store (zip or folder)")
    ap.add_argument("--k", default="10")
    args = ap.parse_args()
    b = wsbench.open(args.store)
    pruning(b, args.k)
    if args.v12:
        versions(b, wsbench.open(args.v12))


if __name__ == "__main__":
    main()
