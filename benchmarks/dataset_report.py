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

    gt_noise(b, np)
    corr = b.correlation(epoch="all", ci=0.95, boot=1000)
    top10 = {r["epoch"]: r for r in b.correlation(epoch="all", method="kendall", within_top="10%").summary}
    print(f"## Rank correlation with ground truth vs epoch (`wsbench correlation --space {sp} --epoch all "
          "--ci 0.95`; last column `--within-top 10%`)\n")
    print("95% CI: bootstrap over subnets (1,000 resamples, the same for every seed) of the mean over seeds: how "
          "much the figure depends on which subnets were sampled; the ± is the spread over supernet seeds, which "
          "the CI does not cover. τ in GT top 10%: only the subnets in the ground truth's top 10%.\n")
    print(table(["epoch", "Kendall τ", "95% CI", "Spearman ρ", "τ in GT top 10%"],
                [[r["epoch"], pm(r["kendall_mean"], r["kendall_std"]),
                  f"{r['kendall_ci_low']:.3f} – {r['kendall_ci_high']:.3f}",
                  pm(r["spearman_mean"], r["spearman_std"]),
                  pm(top10[r["epoch"]]["kendall_mean"], top10[r["epoch"]]["kendall_std"])] for r in corr.summary]))

    tk = b.topk(k=["1", "10", "1%", "10%"], epoch="all")
    print(f"\n## Best GT among the supernet's top-k vs k random (`wsbench topk --space {sp} --k 1,10,1%,10% "
          f"--epoch all`; samples={tk.options['samples']}, trials={tk.options['trials']}, ties at the cut broken "
          "at random: exact expectation)\n")
    print("p(random ≥): the largest over seeds of the exact probability that k random subnets of the sample do at "
          "least as well; precision@k expects k/n at random; NDCG@k (GT rank-percentile gains) expects "
          f"{tk.summary[0]['random_ndcg']:.2f}–{max(r['random_ndcg'] for r in tk.summary):.2f}; tie: the largest "
          "group of equal supernet scores at the cut.\n")
    print(table(["epoch", "k", "supernet: best GT", "its GT rank (top %)", "random: best GT", "random (top %)",
                 "p(random ≥)", "precision@k", "NDCG@k", "tie"],
                [[r["epoch"], r["k"], pm(r["best_gt_mean"], r["best_gt_std"], 2),
                  pm(r["best_gt_top_pct_mean"], r["best_gt_top_pct_std"], 2), f"{r['random_best_gt']:.2f}",
                  f"{r['random_top_pct']:.2f}", f"{r['p_random_max']:.3f}", pm(r["precision_mean"], r["precision_std"], 2),
                  pm(r["ndcg_mean"], r["ndcg_std"], 2), int(r["tie_group_max"])] for r in tk.summary]))

    bp = b.bias(by="params", epoch="all")
    print(f"\n## Model-size bias (`wsbench bias --space {sp} --by params --epoch all`), Kendall τ\n")
    if all(math.isnan(r["tau_params_gt_mean"]) for r in bp.summary):  # one size for every subnet (DARTS's RNN)
        print("Not measurable: " + " ".join(n for n in bp.notes if "undefined" in n))
    else:
        print(table(["epoch", "(PS, GT)", "(WS, GT)", "(WS, PS)"],
                    [[r["epoch"], pm(r["tau_params_gt_mean"], r["tau_params_gt_std"]),
                      pm(r["tau_supernet_gt_mean"], r["tau_supernet_gt_std"]),
                      pm(r["tau_supernet_params_mean"], r["tau_supernet_params_std"])] for r in bp.summary]))

    bo = b.bias(by="operator", flag=6)
    print(f"\n## Operators the supernet over- and under-rates, last epoch (`wsbench bias --space {sp} --by operator "
          "--flag 6`)\n")
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
          f"k={opt.options['k']} of what remains; random: {rnd.options['trials']} trials)\n")
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
    other_rankings(b, np)


def gt_noise(b, np) -> None:
    """The supernet beside the ground truth's own noise: one GT training against another (needs gt_score_per_seed)."""
    if "gt_score_per_seed" not in b.ds:
        return
    from itertools import combinations

    from wsbench.stats.correlation import kendall_tau_b

    per = b.ds["gt_score_per_seed"].values
    gseeds = [int(s) for s in b.ds["gt_seed"].values]
    gt = b.ds["gt_score"].values
    last = b.ds["supernet_score"].values[:, -1]  # (seed, arch) at the last epoch

    def tau(x, y) -> float:
        ok = np.isfinite(x) & np.isfinite(y)
        return kendall_tau_b(x[ok], y[ok])

    both = np.isfinite(per).all(axis=0)
    if both.sum() < 3:
        return
    pairs = [tau(per[i], per[j]) for i, j in combinations(range(len(gseeds)), 2)]
    single = [tau(last[s], per[g]) for s in range(last.shape[0]) for g in range(len(gseeds))]
    to_mean = b.correlation(epoch="last", method="kendall").summary[0]  # the same figure as the table below
    print(f"## Against the ground truth's own noise ({int(both.sum())} subnets with every GT seed {gseeds})\n")
    print(table(["pair", "Kendall τ"], [
        ["one GT training vs another" + (" (each pair)" if len(pairs) > 1 else ""),
         ", ".join(f"{t:.3f}" for t in pairs)],
        [f"supernet (epoch {b.epochs[-1]}, each seed) vs one GT training", f"{min(single):.3f} – {max(single):.3f}"],
        [f"supernet (epoch {b.epochs[-1]}) vs gt_score (mean of the GT trainings)",
         pm(to_mean["kendall_mean"], to_mean["kendall_std"])],
        [f"supernet scores averaged over {last.shape[0]} seeds vs gt_score", f"{tau(np.nanmean(last, axis=0), gt):.3f}"],
    ]))
    print()


def other_rankings(b, np) -> None:
    """Kendall τ with GT of every other ranking the store holds (``--score``), beside the supernet's."""
    sp = b.name
    rows = []
    for score in b.scores():
        summ = b.correlation(epoch="all", method="kendall", score=score).summary
        if score in ("supernet", "loss"):
            best = max(summ, key=lambda r: r["kendall_mean"])
            rows.append([f"{score}, best epoch ({best['epoch']})", pm(best["kendall_mean"], best["kendall_std"])])
            rows.append([f"{score}, last epoch ({summ[-1]['epoch']})", pm(summ[-1]["kendall_mean"],
                                                                           summ[-1]["kendall_std"])])
        elif ":" not in score and len(sizes := np.unique(b.ds[score].values[np.isfinite(b.ds[score].values)])) == 1:
            rows.append([score, f"none: {sizes[0]:,.0f} for every subnet"])  # one size shared by all ranks nothing
        else:  # one ranking, the same for every seed and epoch
            rows.append([score, pm(summ[-1]["kendall_mean"], float("nan"))])
    print(f"\n## Other rankings of the same subnets: Kendall τ with ground truth (`wsbench correlation --space {sp} "
          "--score NAME --epoch all`)\n")
    print("supernet/loss rows: mean ± std over seeds; loss ranks lower-is-better; every other row is one ranking "
          "(no seeds), larger = predicted better.\n")
    print(table(["ranking (--score)", "Kendall τ with GT"], rows))
    sn = b.ds["supernet_score"].values
    distinct = [len(np.unique(sn[s, e][np.isfinite(sn[s, e])])) for s in range(sn.shape[0]) for e in range(sn.shape[1])]
    line = f"\nTies: per (seed, epoch), {min(distinct)}–{max(distinct)} distinct supernet scores"
    if "supernet_loss" in b.ds:
        loss = b.ds["supernet_loss"].values
        ld = [len(np.unique(loss[s, e][np.isfinite(loss[s, e])])) for s in range(loss.shape[0])
              for e in range(loss.shape[1])]
        line += f" and {min(ld)}–{max(ld)} distinct losses"
    print(line + f" among {b.n_archs} subnets.")


if __name__ == "__main__":
    main()
