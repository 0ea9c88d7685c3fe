"""The seed study's questions answered by one dataset, as Markdown (for dataset cards and closing notes).

    python benchmarks/dataset_report.py nb201-cifar10            # a catalog name
    python benchmarks/dataset_report.py path/to/store.zip        # or any store
    python benchmarks/dataset_report.py NAME --card [--store S]  # its statistics v3 tables into NAME's card

Every number comes from ``wsbench.query`` with the options printed beside it,
so each line can be reproduced with the matching ``wsbench`` command.
"""

from __future__ import annotations

import argparse
import math

import wsbench


def pm(m: float, s: float, nd: int = 3) -> str:
    return f"{m:.{nd}f}" if not math.isfinite(s) else f"{m:.{nd}f} ± {s:.{nd}f}"


def per_seed_epoch(b, name: str):
    """``name`` (seed, epoch, arch) as a numpy array; in a store of prune runs, the control's (mode none), which every
    statistic but ``prune --source retrained`` reads."""
    arr = b.ds[name]
    if "prune" in arr.dims:
        arr = arr.isel(prune=b._prune_index(None))  # the Benchmark's own rule for the control
    return arr.values


def table(header: list[str], rows: list[list[object]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("space", help="catalog name or store path")
    ap.add_argument("--new-only", action="store_true",
                    help="print only the statistics v3 tables (mean score, bottom vs top, paired verdicts, noise "
                         "ceiling, supernet-driven pruning)")
    ap.add_argument("--card", action="store_true",
                    help="write those tables into docs/datasets/<name>.md between <!-- stats:start --> and "
                         "<!-- stats:end --> (added before '## Reading it against the study', else at the end)")
    ap.add_argument("--store", help="with --card: read this store, not the catalog's copy of SPACE (to fill the "
                                    "card before `publish`, which refuses a card with TODO marks)")
    args = ap.parse_args()
    if args.store and not args.card:
        raise SystemExit("error: --store goes with --card (without it, give the store path as SPACE)")
    b = wsbench.open(args.store or args.space)
    if args.card:
        write_card(b, args.space)
        return
    if args.new_only:
        statistics_v3(b, args.space, "##")
        return
    sp = args.space
    print(f"# {sp}: the seed study's questions\n")
    print(f"{b.n_archs} subnets, epochs {b.epochs}, seeds {b.seeds}; mean ± std over seeds.\n")
    import numpy as np

    gt = b.ds["gt_score"].values
    sn = per_seed_epoch(b, "supernet_score")
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
    statistics_v3(b, sp, "##")


START, END = "<!-- stats:start -->", "<!-- stats:end -->"


def write_card(b, name: str) -> None:
    """The statistics v3 tables into the dataset's card, between markers, at the heading level of its results."""
    import contextlib
    import io
    from pathlib import Path

    card = Path(__file__).resolve().parents[1] / "docs" / "datasets" / f"{name}.md"
    text = card.read_text()
    nested = "## Results (`python benchmarks/dataset_report.py" in text or "\n## Statistics v3\n" in text
    level = "###" if nested else "##"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        statistics_v3(b, name, level)
    block = (f"{START}\n*Generated by `python benchmarks/dataset_report.py {name} --card` (statistics v3: "
             f"`--new-only` prints the same tables).*\n\n{buf.getvalue().strip()}\n{END}")
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    elif "\n## Reading it against the study" in text:
        head, rest = text.split("\n## Reading it against the study", 1)
        text = head.rstrip() + "\n\n" + block + "\n\n## Reading it against the study" + rest
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    card.write_text(text)
    print(f"{card}: statistics v3 block")


def statistics_v3(b, sp: str, h: str = "##", boot: int = 1000) -> None:
    """Mean score vs epoch, bottom vs top, the paired verdicts, the noise ceiling and supernet-driven pruning,
    from the pure functions of wsbench.stats (the same as `wsbench report`, with 1,000 resamples)."""
    import numpy as np

    from wsbench.stats.bootstrap import memoized
    from wsbench.stats.bottomtop import bottom_top
    from wsbench.stats.meanscore import mean_score, over_seeds
    from wsbench.stats.paired import paired_delta

    epochs, seeds = b.epochs, b.seeds
    sign = 1.0 if b.direction == "max" else -1.0
    g = b.gt("gt_score")
    x = {e: np.stack([b._sn(s, e) for s in seeds]) for e in epochs}  # goodness, (seed, arch)

    ms = mean_score(np.stack([sign * x[e] for e in epochs], axis=1), sign * g)  # (seed, epoch)
    m, sd = over_seeds(ms.mean)
    q25, _ = over_seeds(ms.q25)
    q75, _ = over_seeds(ms.q75)
    print(f"\n{h} Mean supernet score vs epoch (`wsbench.stats.meanscore`; mean over subnets, then mean ± std over "
          "seeds)\n")
    print(f"The same subnets' mean ground truth: {float(np.nanmean(ms.mean_gt)):.2f} ({b.metric}).\n")
    print(table(["epoch", f"mean supernet {b.metric}", "interquartile range over subnets (mean over seeds)"],
                [[e, pm(m[i], sd[i], 2), f"{q25[i]:.2f} – {q75[i]:.2f}"] for i, e in enumerate(epochs)]))

    rows = []
    last_rows = []
    for e in epochs:
        res = [bottom_top(x[e][i], g, "10%", "10%", ci=0.95 if e == epochs[-1] else None, boot=boot, rng_seed=0)
               for i in range(len(seeds))]
        pb = np.array([r.p_bottom for r in res])
        pt = np.array([r.p_top for r in res])

        def msd(v):
            return pm(float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else float("nan"), 2)

        rows.append([e, msd(pb), msd(pt), f"{res[0].p_random:.2f}", msd(pb - pt),
                     msd([r.kendall_bottom for r in res]), msd([r.kendall_top for r in res]),
                     f"{np.mean([r.br for r in res]):.1f}", f"{np.mean([r.wr for r in res]):.0f}"])
        if e == epochs[-1]:
            last_rows = res
    print(f"\n{h} Bottom vs top (`wsbench.stats.bottomtop`; k = 10%, Kendall τ inside the GT's bottom / top 10%)\n")
    print("P@bottom-10%: the share of the GT's bottom 10% among the supernet's bottom 10% (P@top likewise), exact "
          "over random tie-breaking; random ranking: k/n. BR@10% / WR@10%: best / worst GT rank (1 = best) among the "
          f"supernet's top 10% (random: {last_rows[0].br_random:.1f} / {last_rows[0].wr_random:.0f} of "
          f"{last_rows[0].n}).\n")
    print(table(["epoch", "P@bottom-10%", "P@top-10%", "random", "bottom − top", "τ in GT bottom 10%",
                 "τ in GT top 10%", "BR@10%", "WR@10%"], rows))
    print(f"\nbottom − top at epoch {epochs[-1]}, 95% bootstrap interval per seed ({boot} resamples of the subnets): "
          + "; ".join(f"seed {s}: {r.p_diff:+.3f} [{r.p_diff_ci[0]:+.3f}, {r.p_diff_ci[1]:+.3f}]"
                      for s, r in zip(seeds, last_rows, strict=True)) + ".")

    def pd_row(label, a_x, a_y, b_x, b_y):
        pd = paired_delta(a_x, a_y, b_x, b_y, "kendall", ci=0.95)  # the default: jackknife, seeds' spread counted
        fx = paired_delta(a_x, a_y, b_x, b_y, "kendall", ci=0.95, over_seeds=False)
        with memoized():
            bs = paired_delta(a_x, a_y, b_x, b_y, "kendall", ci=0.95, boot=boot, rng_seed=0, interval="bootstrap")
        p = "< 0.001" if pd.p_value < 0.001 else f"{pd.p_value:.3f}"
        return [label, f"{pd.tau_a:.3f}", f"{pd.tau_b:.3f}", f"{pd.delta:+.3f}",
                f"[{pd.ci_low:+.3f}, {pd.ci_high:+.3f}]", f"[{fx.ci_low:+.3f}, {fx.ci_high:+.3f}]", p, pd.verdict,
                f"[{bs.ci_low:+.3f}, {bs.ci_high:+.3f}] {bs.verdict}", pd.n]

    from wsbench.stats.correlation import correlate

    tau = [float(np.mean([correlate(x[e][i], g, "kendall") for i in range(len(seeds))])) for e in epochs]
    prow = []
    if len(epochs) > 1 and np.isfinite(tau[:-1]).any():  # one recorded epoch: nothing earlier to compare with
        peak = int(np.nanargmax(tau))
        ref = peak if peak < len(epochs) - 1 else int(np.nanargmax(tau[:-1]))
        prow.append(pd_row(f"epoch {epochs[ref]} → {epochs[-1]} ({'peak' if ref == peak else 'best earlier'} vs last)",
                           x[epochs[ref]], g, x[epochs[-1]], g))
    if "params" in b.reader.meta.arrays:
        params = b._arch_values("params").astype(float)
        if np.ptp(params[np.isfinite(params)]) > 0:
            prow.append(pd_row(f"(WS, GT) → (WS, PS), epoch {epochs[-1]}", x[epochs[-1]], g, x[epochs[-1]], params))
    others = []
    for score in b.scores():
        if score in ("supernet", "loss", "finetune"):  # the fine-tuned score: its own section (report, paired)
            continue
        v = b._sn(seeds[0], epochs[-1], score=score)
        t = correlate(v, g, "kendall")
        if np.isfinite(t):
            others.append((int((np.isfinite(v) & np.isfinite(g)).sum()), t, score, v))
    if others:  # a ranking of every subnet before one imported for a few (a tau over 27 subnets is not comparable)
        _, t, score, v = max(others, key=lambda o: (o[0], o[1]))
        prow.append(pd_row(f"{score} → supernet, epoch {epochs[-1]} (best ranking not from the supernet)", v, g,
                           x[epochs[-1]], g))
    print(f"\n{h} Paired verdicts (`wsbench.stats.paired`; Δτ = τ(b) − τ(a) on the same subnets)\n")
    print(f"The verdict's 95% interval is `wsbench paired`'s default, the paired jackknife (each subnet left out of "
          f"both taus and every seed once; the {len(seeds)} supernet seeds' spread added); the next column holds the "
          "seeds fixed; p: two-sided normal p of no change. Beside them, the paired bootstrap (`--interval "
          f"bootstrap`, {boot} resamples of the subnets and the seeds, each used for both taus) and its verdict.\n")
    print(table(["a → b", "τ(a)", "τ(b)", "Δτ", "95% interval (seeds' spread)", "95% interval (seeds fixed)", "p",
                 "verdict", "bootstrap (seeds resampled)", "subnets"], prow))

    from wsbench.errors import OptionError
    from wsbench.stats.ceiling import gt_pair_taus, noise_ceiling, store_trainings, trainings_note

    try:
        trainings = store_trainings(b, 0)  # measured (gt_score_per_seed), else simulated from gt_score_std
    except OptionError:
        trainings = None
    if trainings is not None:
        per = trainings.values  # (training, arch) goodness
        crow = []
        for e in epochs:
            ci = 0.95 if e == epochs[-1] else None
            with memoized():
                c = noise_ceiling(x[e], per, g, "kendall", ci=ci, boot=boot, rng_seed=0)
            one = noise_ceiling(x[e], per, None, "kendall", ci=None)
            crow.append([e, f"{c.tau:.3f}", f"{c.gt_tau:.3f}", f"{c.ratio:.0%}",
                         f"{c.ci_low:.0%} – {c.ci_high:.0%}" if ci else "", f"{one.tau:.3f}", f"{one.ratio:.0%}"])
        taus = [t for _, _, t in gt_pair_taus(per)]
        pairs = (", ".join(f"{t:.3f}" for t in taus) if trainings.source == "gt_score_per_seed" else
                 f"{len(taus)} pairs of {trainings_note(trainings.source, len(trainings.values), 0)}, one pair {min(taus):.3f} to {max(taus):.3f}")
        print(f"\n{h} Noise ceiling (`wsbench.stats.ceiling`; {c.n} subnets with every GT training, pairs of "
              f"trainings: {pairs})\n")
        print(table(["epoch", "τ(supernet, gt_score)", "τ(GT, GT)", "ratio", f"95% interval ({boot} resamples)",
                     "τ(supernet, one training)", "like-for-like ratio"], crow))

    sp_rows = b.prune(mode="supernet").summary
    opt = b.prune(mode="optimistic").summary
    print(f"\n{h} Supernet-driven pruning, last epoch (`b.prune(mode=\"supernet\")`: the supernet's worst removed "
          "first; exact expectations)\n")
    print("Survival: the share of the GT's top 1% / 10% still in the pool; random removal keeps r/n of either. "
          "Beside it, oracle pruning (by GT): the supernet's top-1% find and that of 1% random subnets of the same "
          "pruned pool.\n")
    print(table(["removed", "left", "GT top 10% kept", "GT top 1% kept", "random", "best GT left", "random: best left",
                 "oracle: supernet top-1%", "oracle: 1% random"],
                [[r["factor"], r["remaining"], pm(r["gt_top10pct_survival_mean"], r["gt_top10pct_survival_std"], 2),
                  pm(r["gt_top1pct_survival_mean"], r["gt_top1pct_survival_std"], 2), f"{r['random_survival_mean']:.2f}",
                  pm(r["best_gt_mean"], r["best_gt_std"], 2), f"{r['random_best_gt_mean']:.2f}",
                  pm(o["supernet_topk_best_gt_mean"], o["supernet_topk_best_gt_std"], 2),
                  f"{o['random_topk_best_gt_mean']:.2f}"] for r, o in zip(sp_rows, opt, strict=True)]))


def gt_noise(b, np) -> None:
    """The supernet beside the ground truth's own noise: one GT training against another (needs gt_score_per_seed)."""
    if "gt_score_per_seed" not in b.ds:
        return
    from itertools import combinations

    from wsbench.stats.correlation import kendall_tau_b

    per = b.ds["gt_score_per_seed"].values
    gseeds = [int(s) for s in b.ds["gt_seed"].values]
    gt = b.ds["gt_score"].values
    last = per_seed_epoch(b, "supernet_score")[:, -1]  # (seed, arch) at the last epoch

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
        if score == "finetune":  # other (seed, epoch) regions: the report's fine-tuned section pairs it
            continue
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
    sn = per_seed_epoch(b, "supernet_score")
    distinct = [len(np.unique(sn[s, e][np.isfinite(sn[s, e])])) for s in range(sn.shape[0]) for e in range(sn.shape[1])]
    line = f"\nTies: per (seed, epoch), {min(distinct)}–{max(distinct)} distinct supernet scores"
    if "supernet_loss" in b.ds:
        loss = per_seed_epoch(b, "supernet_loss")
        ld = [len(np.unique(loss[s, e][np.isfinite(loss[s, e])])) for s in range(loss.shape[0])
              for e in range(loss.shape[1])]
        line += f" and {min(ld)}–{max(ld)} distinct losses"
    print(line + f" among {b.n_archs} subnets.")


if __name__ == "__main__":
    main()
