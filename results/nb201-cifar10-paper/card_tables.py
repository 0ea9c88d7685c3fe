"""The card's paper-vs-mini tables, generated: nb201-cifar10-paper beside nb201-cifar10 (mini) at the same epochs.

    python results/nb201-cifar10-paper/card_tables.py STORE            # print the Markdown
    python results/nb201-cifar10-paper/card_tables.py STORE --card     # write it into the card, between markers

STORE: the finished store (or its catalog name). Every number is a ``wsbench`` query with the options named in the
table's heading; "±" is the std over the 3 supernet seeds. The mini column uses ``dedupe=True``: its 1,000 cells hold
696 functions, while the paper store's 1,000 are function-distinct, so only the merged view compares like with like.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

import wsbench

CARD = Path(__file__).resolve().parents[2] / "docs" / "datasets" / "nb201-cifar10-paper.md"
START, END = "<!-- paper-vs-mini:start -->", "<!-- paper-vs-mini:end -->"
MINI = "nb201-cifar10"


def pm(m: float, s: float, nd: int = 3) -> str:
    if not math.isfinite(m):
        return "—"
    return f"{m:.{nd}f}" if not math.isfinite(s) else f"{m:.{nd}f} ± {s:.{nd}f}"


def table(header: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(out + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def by_epoch(result) -> dict[int, dict]:
    return {r["epoch"]: r for r in result.summary}


def tables(b, mini, seeds: list[int]) -> str:
    epochs, last = b.epochs, b.epochs[-1]
    mini_e = set(mini.epochs)
    out: list[str] = []

    ms, mms = by_epoch(b.meanscore(seed=seeds, epoch="all")), by_epoch(mini.meanscore(epoch="all", dedupe=True))
    out.append("### Mean supernet score vs epoch (`meanscore --epoch all`)\n")
    out.append(table(["epoch", "mean inherited accuracy (%)", "IQR over subnets (mean over seeds)",
                      "GT mean", "mini, same epoch (`--dedupe`)"],
                     [[e, pm(ms[e]["mean_mean"], ms[e]["mean_std"], 2),
                       f"{ms[e]['q25_mean']:.1f} – {ms[e]['q75_mean']:.1f}", f"{ms[e]['mean_gt']:.2f}",
                       pm(mms[e]["mean_mean"], mms[e]["mean_std"], 2) if e in mini_e else "—"] for e in epochs]))

    corr = by_epoch(b.correlation(seed=seeds, epoch="all", ci=0.95, boot=1000))
    loss = by_epoch(b.correlation(seed=seeds, epoch="all", score="loss"))
    top = by_epoch(b.correlation(seed=seeds, epoch="all", within_top="10%"))
    mc = by_epoch(mini.correlation(epoch="all", dedupe=True))
    out.append("\n### Rank correlation with ground truth vs epoch (`correlation --epoch all --ci 0.95`; "
               "`--score loss`; `--within-top 10%`)\n")
    out.append("95% CI: bootstrap over subnets (1,000 resamples) of the mean over seeds; the ± (seeds' spread) is "
               "not in it.\n")
    out.append(table(["epoch", "Kendall τ", "95% CI", "τ (−loss)", "τ in GT top 10%", "Spearman ρ",
                      "mini τ, same epoch (`--dedupe`)"],
                     [[e, pm(corr[e]["kendall_mean"], corr[e]["kendall_std"]),
                       f"[{corr[e]['kendall_ci_low']:+.3f}, {corr[e]['kendall_ci_high']:+.3f}]",
                       pm(loss[e]["kendall_mean"], loss[e]["kendall_std"]),
                       pm(top[e]["kendall_mean"], top[e]["kendall_std"]),
                       pm(corr[e]["spearman_mean"], corr[e]["spearman_std"]),
                       pm(mc[e]["kendall_mean"], mc[e]["kendall_std"]) if e in mini_e else "—"] for e in epochs]))
    taus = [corr[e]["kendall_mean"] for e in epochs]
    peak = epochs[max(range(len(epochs)), key=lambda i: taus[i])]
    ref = peak if peak != last else epochs[max(range(len(epochs) - 1), key=lambda i: taus[i])]
    pd = b.paired(seed=seeds, a=f"epoch={ref}", b=f"epoch={last}").summary[0]
    out.append(f"\nPaired Δτ, epoch {ref} ({'the peak' if ref == peak else 'the best before the last'}) → {last} "
               f"(`paired --a epoch={ref} --b epoch={last}`; jackknife over subnets, seeds' spread added): "
               f"{pd['kendall_a']:.3f} → {pd['kendall_b']:.3f}, Δτ {pd['delta']:+.3f} "
               f"[{pd['delta_ci_low']:+.3f}, {pd['delta_ci_high']:+.3f}], p {pd['p_value']:.3g}: **{pd['verdict']}**.")
    if "gt_score_nb201" in b.gt_variables():
        nb = b.correlation(seed=seeds, epoch=last, against="gt_score_nb201").summary[0]
        nbl = b.correlation(seed=seeds, epoch=last, against="gt_score_nb201", score="loss").summary[0]
        held = int(np.isfinite(b.against("gt_score_nb201")).sum())
        out.append(f"\nAgainst NAS-Bench-201's own 200-epoch validation accuracy (`--against gt_score_nb201`, the "
                   f"{held} cells NASLib's file holds), epoch {last}: τ {pm(nb['kendall_mean'], nb['kendall_std'])} "
                   f"(−loss {pm(nbl['kendall_mean'], nbl['kendall_std'])}).")

    ks = ["1", "10", "10%"]
    out.append("\n### Top-k and bottom-k vs random (`topk --k 1,10,10% --epoch all`, exact expectation over "
               "ties; `bottomtop`, k = 10%)\n")
    out.append("Best GT of the supernet's top-k as its GT rank (top %, mean over seeds); random: the same for k random "
               "subnets; p: the largest over seeds of the exact probability that k random subnets do at least as "
               f"well. Mini rows: `--dedupe` ({mini.deduped().n_classes} functions).\n")
    rows = []
    for label, bench, sd, kw in (("paper", b, seeds, {}), ("mini", mini, mini.seeds, {"dedupe": True})):
        tk = bench.topk(seed=sd, k=ks, epoch="all", **kw)
        bt = by_epoch(bench.bottomtop(seed=sd, epoch="all", **kw))
        for e in bench.epochs:
            if label == "mini" and e not in epochs:
                continue
            r = {x["k"]: x for x in tk.summary if x["epoch"] == e}
            rows.append([label, e, " / ".join(f"{r[k]['best_gt_top_pct_mean']:.1f}" for k in ks),
                         " / ".join(f"{r[k]['random_top_pct']:.1f}" for k in ks),
                         " / ".join(f"{r[k]['p_random_max']:.2f}" for k in ks),
                         pm(bt[e]["p_top_mean"], bt[e]["p_top_std"]),
                         pm(bt[e]["p_bottom_mean"], bt[e]["p_bottom_std"]),
                         pm(bt[e]["p_diff_mean"], bt[e]["p_diff_std"])])
    out.append(table(["dataset", "epoch", "supernet top-1 / 10 / 10%: best GT (top %)", "random (top %)",
                      "p(random ≥)", "P@top-10%", "P@bottom-10%", "bottom − top"], rows))

    bp = by_epoch(b.bias(seed=seeds, by="params", epoch="all"))
    mbp = by_epoch(mini.bias(by="params", epoch="all", dedupe=True))
    out.append("\n### Size bias (`bias --by params --epoch all`), Kendall τ\n")
    out.append(table(["epoch", "(params, GT)", "(WS, GT)", "(WS, params)", "mini (WS, params), same epoch"],
                     [[e, pm(bp[e]["tau_params_gt_mean"], float("nan")),
                       pm(bp[e]["tau_supernet_gt_mean"], bp[e]["tau_supernet_gt_std"]),
                       pm(bp[e]["tau_supernet_params_mean"], bp[e]["tau_supernet_params_std"]),
                       pm(mbp[e]["tau_supernet_params_mean"], mbp[e]["tau_supernet_params_std"]) if e in mini_e
                       else "—"] for e in epochs]))

    def flagged(bench, sd, **kw) -> str:
        r = bench.bias(seed=sd, by="operator", flag=6, **kw)
        return "; ".join(f"`{x['op']}` on {x['decision'].replace('<-', '←')} {x['gap_mean']:+.1f}"
                         for x in r.summary if x["flag"]) or "none"

    out.append("\nOperators flagged at the last epoch (`bias --by operator --flag 6`: |gap| ≥ 6 rank-percentile "
               "points; gap = supernet − GT, > 0: overrated):\n")
    out.append(f"- paper, epoch {last}: {flagged(b, seeds)}")
    out.append(f"- mini, epoch {mini.epochs[-1]} (`--dedupe`): {flagged(mini, mini.seeds, dedupe=True)}")

    st = {(r["kind"], r["epoch"]): r for r in b.stability(seed=seeds, epoch="all").summary}
    mst = {(r["kind"], r["epoch"]): r for r in mini.stability(epoch="all", dedupe=True).summary}
    out.append("\n### Stability (`stability --epoch all`), Kendall τ: seed = between supernet seeds at one epoch; "
               "epoch = one seed against itself at the previous score epoch\n")
    out.append(table(["kind", "epoch", "pairs", "τ (paper)", "mini τ, same epoch (`--dedupe`)"],
                     [[k, e, r["pairs"], pm(r["kendall_mean"], r["kendall_std"]),
                       pm(mst[k, e]["kendall_mean"], mst[k, e]["kendall_std"]) if (k, e) in mst else "—"]
                      for (k, e), r in sorted(st.items())]))

    if "finetune" in b.scores():
        ft = b.paired(seed=seeds, a=f"score=supernet,epoch={last}", b=f"score=finetune,epoch={last}").summary[0]
        out.append(f"\n### The fine-tuned protocol vs the plain one (`paired --a score=supernet,epoch={last} --b "
                   f"score=finetune,epoch={last}`)\n")
        out.append(table(["seeds", "epoch", "subnets", "τ plain", "τ fine-tuned", "paired Δτ [95% interval]", "p",
                          "verdict"],
                         [[ft["seeds"], last, ft["n"], f"{ft['kendall_a']:.3f}", f"{ft['kendall_b']:.3f}",
                           f"{ft['delta']:+.3f} [{ft['delta_ci_low']:+.3f}, {ft['delta_ci_high']:+.3f}]",
                           f"{ft['p_value']:.3g}", ft["verdict"]]]))
    c = corr[last]
    out.append(f"\nFor the literature table: **τ {c['kendall_mean']:.3f} ± {c['kendall_std']:.3f}** over "
               f"{c['seeds']} seeds at epoch {last}, 95% CI [{c['kendall_ci_low']:.3f}, {c['kendall_ci_high']:.3f}].")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", help="the finished store, or its catalog name")
    ap.add_argument("--draft", action="store_true",
                    help="open an unfinished store (allow_incomplete), the seeds scored at every epoch; not with --card")
    ap.add_argument("--card", action="store_true", help=f"write into {CARD.name} between {START} and {END}")
    args = ap.parse_args()
    if args.draft and args.card:
        raise SystemExit("error: --draft figures are not for the card; finish the store and rerun without --draft")
    b = wsbench.open(args.store, allow_incomplete=args.draft)
    seeds = b.seeds
    if args.draft:  # the seeds scored at every epoch so far
        seeds = [s for s in b.seeds if all(np.isfinite(b.ds["supernet_score"].sel(seed=s, epoch=e)).any()
                                           for e in b.epochs)]
        print(f"DRAFT: seeds {seeds} of {b.seeds} (the others are not scored at every epoch yet)\n")
    text = tables(b, wsbench.open(MINI), seeds)
    if not args.card:
        print(text)
        return
    card = CARD.read_text()
    if START not in card:
        raise SystemExit(f"error: {CARD} has no {START} … {END} block; put the markers where the tables go")
    head, rest = card.split(START, 1)
    block = (f"{START}\n*Generated by `python results/nb201-cifar10-paper/card_tables.py nb201-cifar10-paper --card` "
             "(before publishing: the store's path for the name).*\n\n"
             f"{text}\n{END}")
    CARD.write_text(head + block + rest.split(END, 1)[1])
    print(f"wrote {CARD}")


if __name__ == "__main__":
    main()
