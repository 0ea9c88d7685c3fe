"""The seed study's questions answered by one dataset, as Markdown (for dataset cards and closing notes).

    python benchmarks/dataset_report.py nb201-cifar10            # a catalog name
    python benchmarks/dataset_report.py path/to/store.zip        # or any store

Every number comes from ``wsbench.query`` with the options printed beside it,
so each line can be reproduced with the matching ``wsbench`` command.
"""

from __future__ import annotations

import argparse
import math

import wsbench


def pm(m: float, s: float, nd: int = 3) -> str:
    return f"{m:.{nd}f}" if not math.isfinite(s) else f"{m:.{nd}f} ± {s:.{nd}f}"


def table(header: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("space", help="catalog name or store path")
    args = ap.parse_args()
    b = wsbench.open(args.space)
    sp = args.space
    print(f"# {sp}: the seed study's questions\n")
    print(f"{b.n_archs} subnets, epochs {b.epochs}, seeds {b.seeds}; mean ± std over seeds.\n")
    import numpy as np

    gt = b.ds["gt_score"].values
    sn = b.ds["supernet_score"].values
    print(f"Ground truth over the sample: {np.nanmin(gt):.2f} – {np.nanmax(gt):.2f} (median {np.nanmedian(gt):.2f}). "
          "Supernet score range per epoch (all seeds): "
          + "; ".join(f"epoch {e}: {np.nanmin(sn[:, i]):.1f} – {np.nanmax(sn[:, i]):.1f}"
                      for i, e in enumerate(b.epochs)) + ".\n")

    corr = b.correlation(epoch="all")
    print(f"## Rank correlation with ground truth vs epoch (`wsbench correlation --space {sp} --epoch all`)\n")
    print(table(["epoch", "Kendall τ", "Spearman ρ"],
                [[r["epoch"], pm(r["kendall_mean"], r["kendall_std"]), pm(r["spearman_mean"], r["spearman_std"])]
                 for r in corr.summary]))

    tk = b.topk(k=["1", "10", "1%", "10%"], epoch="all")
    print(f"\n## Best GT among the supernet's top-k vs k random (`wsbench topk --space {sp} --k 1,10,1%,10% "
          f"--epoch all`; samples={tk.options['samples']}, trials={tk.options['trials']})\n")
    print(table(["epoch", "k", "supernet: best GT", "its GT rank (top %)", "random: best GT", "random (top %)"],
                [[r["epoch"], r["k"], pm(r["best_gt_mean"], r["best_gt_std"], 2),
                  pm(r["best_gt_top_pct_mean"], r["best_gt_top_pct_std"], 2), f"{r['random_best_gt']:.2f}",
                  f"{r['random_top_pct']:.2f}"] for r in tk.summary]))

    bp = b.bias(by="params", epoch="all")
    print(f"\n## Model-size bias (`wsbench bias --space {sp} --by params --epoch all`), Kendall τ\n")
    print(table(["epoch", "(PS, GT)", "(WS, GT)", "(WS, PS)"],
                [[r["epoch"], pm(r["tau_params_gt_mean"], r["tau_params_gt_std"]),
                  pm(r["tau_supernet_gt_mean"], r["tau_supernet_gt_std"]),
                  pm(r["tau_supernet_params_mean"], r["tau_supernet_params_std"])] for r in bp.summary]))

    bo = b.bias(by="operator", flag=6)
    print(f"\n## Operators the supernet over- and under-rates, last epoch (`wsbench bias --space {sp} --by operator`)\n")
    print(table(["decision", "op", "gap (pct points)", "supernet pct", "GT pct", "flag"],
                [[r["decision"], r["op"], pm(r["gap_mean"], r["gap_std"], 1), f"{r['mean_pct_supernet']:.1f}",
                  f"{r['mean_pct_gt']:.1f}", r["flag"]] for r in bo.summary]))
    anyrows = [r for r in bo.rows if r["decision"] == "any"]
    print("\nOp anywhere in the cell:\n")
    print(table(["op", "count", "gap", "supernet pct", "GT pct"],
                [[r["op"], r["count"], pm(r["gap_mean"], r["gap_std"], 1), f"{r['mean_pct_supernet']:.1f}",
                  f"{r['mean_pct_gt']:.1f}"] for r in anyrows]))

    opt, rnd = b.prune(mode="optimistic"), b.prune(mode="random")
    print(f"\n## Post-hoc pruning, last epoch (`wsbench prune --space {sp} --mode optimistic|random`; "
          f"k={opt.options['k']} of what remains)\n")
    rows = []
    for o, r in zip(opt.summary, rnd.summary):
        rows.append([o["factor"], o["remaining"], pm(o["supernet_topk_best_gt_mean"], o["supernet_topk_best_gt_std"], 2),
                     pm(r["supernet_topk_best_gt_mean"], r["supernet_topk_best_gt_std"], 2),
                     pm(o["kendall_mean"], o["kendall_std"]), pm(r["kendall_mean"], r["kendall_std"])])
    print(table(["pruned", "left", "optimistic: top-k best GT", "random: top-k best GT", "optimistic τ", "random τ"],
                rows))

    st = b.stability(epoch="all")
    print(f"\n## Stability (`wsbench stability --space {sp} --epoch all`), Kendall τ\n")
    print(table(["kind", "epoch", "pairs", "τ"],
                [[r["kind"], r["epoch"], r["pairs"], pm(r["kendall_mean"], r["kendall_std"])] for r in st.summary]))
    ties_at_the_cut(b, np)
    other_rankings(b, np)


def expected_best_with_random_ties(score, gt, k: int) -> tuple[float, int]:
    """E[best GT among the top-k by ``score``] when ties at the cut are broken uniformly at random (exact), and
    the size of the tie group at the cut. With a subnets strictly above the cut and m = k - a drawn from the T
    tied ones: P(the best drawn is the j-th lowest GT of the tie group) = C(j-1, m-1) / C(T, m)."""
    from math import comb

    import numpy as np

    order = np.sort(score)[::-1]
    cut = order[k - 1]
    above, tied = gt[score > cut], np.sort(gt[score == cut])
    m, t = k - len(above), len(tied)
    base = above.max() if len(above) else -np.inf
    total = comb(t, m)
    expect = sum(comb(j - 1, m - 1) * max(base, tied[j - 1]) for j in range(m, t + 1)) / total
    return float(expect), t


def ties_at_the_cut(b, np) -> None:
    """Top-k with ties handled: the CLI breaks ties by store order; here the exact random-tie expectation."""
    ds = b.ds
    sign = 1.0 if ds.attrs["metric_direction"] == "max" else -1.0
    gt = ds["gt_score"].values * sign
    sn = ds["supernet_score"].values * sign
    ok = np.isfinite(gt)
    n = int(ok.sum())
    ks = [("1", 1), ("10", 10), ("1%", max(1, -(-n // 100))), ("10%", max(1, -(-n // 10)))]
    rows = []
    for ei, e in enumerate(b.epochs):
        for label, k in ks:
            vals, groups = [], []
            for si in range(sn.shape[0]):
                fin = ok & np.isfinite(sn[si, ei])
                v, t = expected_best_with_random_ties(sn[si, ei][fin], gt[fin], k)
                vals.append(sign * v)
                groups.append(t)
            rows.append([e, label, pm(float(np.mean(vals)), float(np.std(vals, ddof=1)), 2),
                         f"{min(groups)}–{max(groups)}"])
    print("\n## Top-k with ties handled: best GT among the supernet's top-k, ties at the cut broken at random "
          "(exact expectation)\n")
    print("Over the whole pool (one sample of all subnets), computed by this script's own brute-force-tested "
          "function; the CLI table above (samples of 1,000) handles ties the same way by default (`--ties random`). "
          "Tie group = subnets sharing the k-th best supernet score (min–max over seeds).\n")
    print(table(["epoch", "k", "best GT (random ties)", "tie group at the cut"], rows))


def other_rankings(b, np) -> None:
    """Kendall τ with GT of every other ranking the store holds, beside the supernet's (best and last epoch).

    Computed here from the arrays (scipy's tau-b, subnets where both are finite); the CLI has no option for
    these rankings yet. Loss and params/FLOPs are oriented so that a higher τ means a better ranker.
    """
    from scipy.stats import kendalltau

    ds, gt = b.ds, b.ds["gt_score"].values
    sign = 1.0 if b.ds.attrs["metric_direction"] == "max" else -1.0

    def tau(x: np.ndarray) -> float:
        ok = np.isfinite(x) & np.isfinite(gt)
        return float(kendalltau(x[ok], gt[ok]).statistic) if ok.sum() > 2 else float("nan")

    sn = ds["supernet_score"].values * sign
    per_epoch = np.array([[tau(sn[s, e]) for e in range(sn.shape[1])] for s in range(sn.shape[0])])
    best = int(np.nanargmax(per_epoch.mean(0)))
    rows = [[f"supernet_score, best epoch ({b.epochs[best]})", pm(per_epoch[:, best].mean(), per_epoch[:, best].std(ddof=1))],
            [f"supernet_score, last epoch ({b.epochs[-1]})", pm(per_epoch[:, -1].mean(), per_epoch[:, -1].std(ddof=1))]]
    if "supernet_loss" in ds:
        loss = -ds["supernet_loss"].values  # lower loss = better
        lt = np.array([[tau(loss[s, e]) for e in range(loss.shape[1])] for s in range(loss.shape[0])])
        rows += [[f"supernet_loss (negated), best epoch ({b.epochs[int(np.nanargmax(lt.mean(0)))]})",
                  pm(lt.mean(0).max(), lt[:, int(np.nanargmax(lt.mean(0)))].std(ddof=1))],
                 [f"supernet_loss (negated), last epoch ({b.epochs[-1]})", pm(lt[:, -1].mean(), lt[:, -1].std(ddof=1))]]
    for name in ("params", "flops", "params_paper", "flops_paper"):
        if name in ds:
            rows.append([name, pm(tau(ds[name].values), float("nan"))])
    for name in sorted(n for n in ds.data_vars if str(n).startswith("proxy_")):
        rows.append([name, pm(tau(ds[name].values), float("nan"))])
    print("\n## Other rankings of the same subnets: Kendall τ with ground truth\n")
    print("Supernet rows: mean ± std over seeds. Every other row is one ranking (no seeds).\n")
    print(table(["ranking", "Kendall τ with GT"], rows))
    if "supernet_loss" in ds:
        distinct = [len(np.unique(sn[s, e][np.isfinite(sn[s, e])])) for s in range(sn.shape[0])
                    for e in range(sn.shape[1])]
        ldistinct = [len(np.unique(loss[s, e][np.isfinite(loss[s, e])])) for s in range(loss.shape[0])
                     for e in range(loss.shape[1])]
        print(f"\nTies: per (seed, epoch), {min(distinct)}–{max(distinct)} distinct supernet accuracies and "
              f"{min(ldistinct)}–{max(ldistinct)} distinct losses among {b.n_archs} subnets.")


if __name__ == "__main__":
    main()
