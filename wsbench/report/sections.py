"""The report's sections: numbers from the same ``Benchmark`` methods as the CLI, one finding sentence each.

Each section is computed first (``compute_*`` -> data + finding), then drawn
(``wsbench.report.figures``); a section that cannot be computed for a store
(one epoch, one seed, no operator choices, …) is kept with the reason it was
skipped, so the page says what is missing instead of silently leaving it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wsbench.errors import WsbenchError
from wsbench.escape import label


@dataclass
class Section:
    key: str
    title: str
    finding: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    caption: str = ""
    skipped: str | None = None  # why there is no figure
    png: bytes | None = None


def _pm(m: float, s: float, nd: int = 2) -> str:
    return f"{m:.{nd}f}" if not np.isfinite(s) else f"{m:.{nd}f} ± {s:.{nd}f}"


def _goodness_by_seed(b, seeds: list[int], epoch: int, score: str = "supernet") -> np.ndarray:
    """(seed, arch) goodness of ``score`` at ``epoch``."""
    return np.stack([b._sn(s, epoch, score=score) for s in seeds])


#: how the report's paired intervals are made (the default of `wsbench paired`), for the captions
PAIRED_HOW = ("paired jackknife (each subnet left out of both taus and every seed once; with several seeds, plus "
              "their spread), 95% interval, two-sided normal p")


def paired(a_x, a_y, b_x, b_y, over_seeds: bool = True):
    """:func:`wsbench.stats.paired.paired_delta` of Kendall's tau, the statistic's default (jackknife) interval
    at 95%, the seeds' spread counted (unless ``over_seeds`` is False)."""
    from wsbench.stats.paired import paired_delta

    return paired_delta(a_x, a_y, b_x, b_y, "kendall", ci=0.95, over_seeds=over_seeds)


def _delta(pd) -> str:
    """'+0.031 [+0.008, +0.052], p = 0.012' for a PairedDelta (p below 0.001 as 'p < 0.001'; a bootstrap's
    smallest p, 2 / (B + 1), as 'p ≤ …': a finite bootstrap cannot say how much smaller it is)."""
    if pd.interval == "bootstrap":
        floor = 2 / (pd.boot + 1)
        p = f"p ≤ {floor:.3f}" if pd.p_value <= floor * (1 + 1e-9) else f"p = {pd.p_value:.3f}"
    else:
        p = "p < 0.001" if pd.p_value < 0.001 else f"p = {pd.p_value:.3f}"
    return f"{pd.delta:+.3f} [{pd.ci_low:+.3f}, {pd.ci_high:+.3f}], {p}"


def _metric(b) -> float:
    """+1 for a higher-is-better metric, -1 for lower: goodness times this is back in metric units."""
    return 1.0 if b.direction == "max" else -1.0


def meanscore(b, epochs: list[int], seeds: list[int]) -> Section:
    """The study's first figure: the mean supernet score of the subnets per epoch, beside their mean GT."""
    from wsbench.stats.meanscore import mean_score, over_seeds

    sec = Section("meanscore", "Mean supernet score of the subnets vs epoch")
    sign = _metric(b)
    sn = np.stack([[sign * b._sn(s, e) for e in epochs] for s in seeds])  # (seed, epoch, arch), metric units
    gt = sign * b._gt("gt_score")
    ms = mean_score(sn, gt)
    m, sd = over_seeds(ms.mean)
    mean_gt = float(np.nanmean(ms.mean_gt))
    sec.data = {"epochs": epochs, "seeds": seeds, "mean": ms.mean, "q25": ms.q25, "q75": ms.q75, "median": ms.median,
                "seed_mean": m, "seed_std": sd, "mean_gt": mean_gt, "metric": b.metric, "direction": b.direction}
    unit = "" if b.metric == "perplexity" else "%" if b.metric == "accuracy" else ""
    def at(i: int) -> str:
        return f"{_pm(m[i], sd[i], 1)}{unit}"

    head = f"Mean supernet {b.metric} of the subnets"
    if len(epochs) == 1:
        sec.finding = f"{head} at epoch {epochs[0]}: {at(0)}; their mean ground truth: {mean_gt:.1f}{unit}."
    else:
        best = int(np.nanargmax(sign * m))
        sec.finding = (f"{head}: {at(0)} at epoch {epochs[0]}, {at(-1)} at epoch {epochs[-1]}"
                       + (f" (best {at(best)} at epoch {epochs[best]})" if best not in (0, len(epochs) - 1) else "")
                       + f"; the same subnets' mean ground truth: {mean_gt:.1f}{unit} "
                       f"(at the last epoch the supernet scores them {'worse' if sign * (m[-1] - mean_gt) < 0 else 'better'} "
                       "than they score trained alone).")
    sec.caption = ("Mean over subnets of the supernet score, per seed (thin lines; band: the subnets' interquartile "
                   "range) and the mean over seeds (thick, ± std over seeds); dashed: the mean ground truth of the same "
                   "subnets. `wsbench.stats.meanscore.mean_score`")
    return sec


def correlation(b, epochs: list[int], seeds: list[int], boot: int = 500) -> Section:
    sec = Section("correlation", "Rank correlation with ground truth vs epoch")
    r = b.correlation(epoch=epochs, seed=seeds, method="kendall,spearman", ci=0.95, boot=boot)
    sm = r.summary
    sec.data = {"epochs": epochs, "summary": sm, "rows": r.rows, "seeds": seeds}
    tau = np.array([s["kendall_mean"] for s in sm])
    if len(epochs) == 1:
        sec.finding = f"Kendall τ at epoch {epochs[0]}: {_pm(tau[0], sm[0]['kendall_std'])} (one epoch chosen)."
    else:
        peak = int(np.nanargmax(tau))
        last = sm[-1]
        # the paired test: the peak (or, if the last epoch is the peak, the best earlier epoch) vs the last epoch
        ref = peak if peak < len(sm) - 1 else int(np.nanargmax(tau[:-1]))
        g = b._gt("gt_score")
        pd = paired(_goodness_by_seed(b, seeds, epochs[ref]), g, _goodness_by_seed(b, seeds, epochs[-1]), g)
        sec.data["paired"] = {"epoch_a": epochs[ref], "epoch_b": epochs[-1], **pd._asdict()}
        fixed = paired(_goodness_by_seed(b, seeds, epochs[ref]), g, _goodness_by_seed(b, seeds, epochs[-1]), g,
                       over_seeds=False)  # the subnets' part alone: about these seeds
        sec.data["paired_subnets_only"] = fixed._asdict()
        test = (f"paired Δτ {_delta(pd)}"
                + (f" (seeds fixed: [{fixed.ci_low:+.3f}, {fixed.ci_high:+.3f}])"
                   if len(seeds) > 1 else ""))
        if peak == len(sm) - 1:
            word = {"rises": "and rises from", "falls": "yet falls from",  # "falls": the means and the seeds disagree
                    "cannot tell": "but cannot tell it from"}[pd.verdict]
            sec.finding = (f"Correlation is highest at the last epoch, {epochs[-1]} (τ {_pm(tau[-1], last['kendall_std'])}), "
                           f"{word} the best earlier epoch, {epochs[ref]} (τ {_pm(tau[ref], sm[ref]['kendall_std'])}): "
                           f"{test}.")
        else:
            p = sm[peak]
            word = {"falls": "and falls", "rises": "and rises",
                    "cannot tell": "and cannot tell whether it falls (the paired interval holds 0)"}[pd.verdict]
            sec.finding = (f"Correlation peaks at epoch {epochs[peak]} (τ {_pm(tau[peak], p['kendall_std'])}) "
                           f"{word} by epoch {epochs[-1]} ({_pm(tau[-1], last['kendall_std'])}): {test}.")
    sec.caption = ("Mean over supernet seeds (line), ± std over seeds (band), 95% bootstrap interval over subnets of "
                   f"the mean (bars, {boot} resamples); thin lines: single seeds. Paired Δτ: τ(last epoch) − τ(the other) on the "
                   f"same subnets, {PAIRED_HOW} (the verdict's interval); in brackets the interval with the seeds "
                   "fixed; a verdict "
                   "only where the interval excludes 0. `wsbench correlation --epoch all --ci 0.95`")
    return sec


def topk(b, epochs: list[int], seeds: list[int]) -> Section:
    sec = Section("topk", "Best ground truth found in the supernet's top-k vs epoch")
    ks = ["1", "1%", "10%"]
    r = b.topk(k=ks, epoch=epochs, seed=seeds)
    sec.data = {"epochs": epochs, "ks": ks, "summary": r.summary, "samples": r.options["samples"],
                "trials": r.options["trials"]}
    last = {s["k"]: s for s in r.summary if s["epoch"] == epochs[-1]}
    def verdict(row: dict) -> str:  # the exact chance that k random subnets do at least as well, worst seed
        p = row["p_random_max"]
        return (f"; cannot tell from chance, p = {p:.2f}" if p >= 0.05 else f"; beats chance, p ≤ {p:.3f}")

    parts = [f"of its top-{k}, a top-{last[k]['best_gt_top_pct_mean']:.1f}% subnet ({k} random: "
             f"{last[k]['random_top_pct']:.1f}%{verdict(last[k])})" for k in ks]
    sec.finding = (f"At epoch {epochs[-1]}, the best subnet (by ground truth) the supernet ranks in its top-k is: "
                   + "; ".join(parts) + ".")
    sec.caption = (f"Rank (top %) by ground truth of the best subnet among the supernet's top-k (solid, mean over seeds) "
                   f"and of k random subnets (dashed, exact expectation); samples of {r.options['samples']} subnets, "
                   f"{r.options['trials']} trial(s); ties at the cut broken at random; p: the largest over seeds of "
                   "the exact probability that k random subnets find one at least as good. "
                   "`wsbench topk --k 1,1%,10% --epoch all`")
    return sec


def bottomtop(b, epochs: list[int], seeds: list[int], boot: int = 500) -> Section:
    """Bottom vs top: P@bottom-10% vs P@top-10% per epoch, and bottom - top with its interval at the last epoch."""
    from wsbench.stats.bottomtop import bottom_top

    sec = Section("bottomtop", "Bottom vs top: does the supernet spot bad subnets better than good ones?")
    g = b._gt("gt_score")
    p_top = np.full((len(seeds), len(epochs)), np.nan)
    p_bottom = np.full_like(p_top, np.nan)
    last = []
    for i, s in enumerate(seeds):
        for j, e in enumerate(epochs):
            ci = 0.95 if j == len(epochs) - 1 else None
            r = bottom_top(b._sn(s, e), g, "10%", "10%", ci=ci, boot=boot, rng_seed=0)
            p_top[i, j], p_bottom[i, j] = r.p_top, r.p_bottom
            if ci is not None:
                last.append(r)
    sec.data = {"epochs": epochs, "seeds": seeds, "p_top": p_top, "p_bottom": p_bottom, "p_random": last[0].p_random,
                "last": [r._asdict() for r in last]}
    pb, pt = p_bottom[:, -1], p_top[:, -1]
    sd = (lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else float("nan"))
    los, his = [r.p_diff_ci[0] for r in last], [r.p_diff_ci[1] for r in last]
    if all(lo > 0 for lo in los):
        verdict = "the supernet is better at spotting bad subnets than good ones"
    elif all(hi < 0 for hi in his):
        verdict = "the supernet is better at spotting good subnets than bad ones"
    else:
        verdict = ("cannot tell whether the supernet spots bad or good subnets better"
                   + (" (an interval holds 0)" if len(seeds) == 1 else " (not every seed's interval excludes 0)"))
    ivals = ", ".join(f"[{lo:+.2f}, {hi:+.2f}]" for lo, hi in zip(los, his, strict=True))
    kb = np.array([r.kendall_bottom for r in last])
    kt = np.array([r.kendall_top for r in last])
    br = np.mean([r.br for r in last])
    wr = np.mean([r.wr for r in last])
    n = last[0].n
    sec.finding = (f"At epoch {epochs[-1]}, P@bottom-10% = {_pm(pb.mean(), sd(pb))} vs P@top-10% = "
                   f"{_pm(pt.mean(), sd(pt))} (random {last[0].p_random:.2f}); bottom − top = "
                   f"{(pb - pt).mean():+.2f}, 95% interval{'s per seed' if len(seeds) > 1 else ''} {ivals}: "
                   f"{verdict}. Kendall τ inside the GT's bottom 10%: {_pm(kb.mean(), sd(kb))}, inside its "
                   f"top 10%: {_pm(kt.mean(), sd(kt))}; the GT ranks of its top 10% run from {br:.0f} (BR@10%, "
                   f"random {last[0].br_random:.1f}) to {wr:.0f} (WR@10%, random {last[0].wr_random:.0f}) of {n}.")
    sec.caption = ("P@top-10% (the share of the GT's top 10% among the supernet's top 10%) and P@bottom-10% (the same "
                   "for the bottoms) per epoch, mean over seeds (thin lines: single seeds), exact over random "
                   "tie-breaking; dashed: a random ranking (k/n). Right: bottom − top at the last epoch per seed with "
                   f"its 95% bootstrap interval over subnets ({boot} resamples). `wsbench.stats.bottomtop.bottom_top`")
    return sec


def ceiling(b, epochs: list[int], seeds: list[int], boot: int = 500) -> Section:
    """The noise ceiling: the supernet's tau over the GT's own seed-to-seed tau, where several GT trainings exist."""
    from wsbench.errors import OptionError
    from wsbench.stats.ceiling import gt_pair_taus, noise_ceiling, store_trainings, trainings_note

    sec = Section("ceiling", "Against the ground truth's own noise (the noise ceiling)")
    try:
        t = store_trainings(b, 0)  # measured (gt_score_per_seed), else simulated from gt_score_std
    except OptionError:
        sec.skipped = ("the store has one ground-truth training per subnet and no per-architecture GT std (neither "
                       "gt_score_per_seed nor gt_score_std): the GT's repeatability, and so the ceiling, cannot be "
                       "measured")
        return sec
    per = t.values  # (training, arch) goodness
    g = b._gt("gt_score")
    each, vs_gt = [], []
    for j, e in enumerate(epochs):
        x = _goodness_by_seed(b, seeds, e)
        ci = 0.95 if j == len(epochs) - 1 else None
        each.append(noise_ceiling(x, per, None, "kendall", ci=None))
        vs_gt.append(noise_ceiling(x, per, g, "kendall", ci=ci, boot=boot, rng_seed=0))
    pairs = [tau for _, _, tau in gt_pair_taus(per)]
    last, one = vs_gt[-1], each[-1]
    sec.data = {"epochs": epochs, "each": [c._asdict() for c in each], "gt": [c._asdict() for c in vs_gt],
                "pairs": pairs, "trainings_from": t.source}
    if t.source == "gt_score_per_seed":
        agree = (f"One GT training agrees with another at Kendall τ {last.gt_tau:.3f} (pairs: "
                 + ", ".join(f"{p:.3f}" for p in pairs) + f"; {last.n} subnets).")
    else:
        agree = (f"The GT's published std implies that one training agrees with another at Kendall τ "
                 f"{last.gt_tau:.3f} (mean over {len(pairs)} pairs of {len(per)} simulated trainings, one pair "
                 f"{min(pairs):.3f} to {max(pairs):.3f}; {last.n} subnets; an upper estimate, as the published means "
                 "carry noise of their own).")
    sec.finding = (agree + f" At epoch {epochs[-1]} the "
                   f"supernet's τ with gt_score, {last.tau:.3f}, is {last.ratio:.0%} of that ceiling (95% interval "
                   f"{last.ci_low:.0%}–{last.ci_high:.0%}); like for like, against one training, τ {one.tau:.3f} "
                   f"is {one.ratio:.0%} of it.")
    sec.caption = ("τ(supernet, GT) / τ(GT training, GT training) per epoch, mean over supernet seeds: solid, against "
                   "gt_score (the correlation summary's τ); dashed, like for like (against one training, mean over "
                   f"trainings). Bar: 95% bootstrap interval of the ratio at the last epoch ({boot} resamples of the "
                   "subnets, one resample for numerator and denominator). GT trainings: "
                   + trainings_note(t.source, len(t.values), 0) + ". `wsbench.stats.ceiling.noise_ceiling`")
    return sec


def scatter(b, epoch: int, seeds: list[int]) -> Section:
    sec = Section("scatter", f"Supernet score vs ground truth at epoch {epoch}")
    sn = np.nanmean(np.stack([b._sn(s, epoch) for s in seeds]), axis=0)
    gt = b._gt("gt_score")
    params = b._arch_values("params").astype(float) if "params" in b.reader.meta.arrays else None
    sign = 1.0 if b.direction == "max" else -1.0
    sec.data = {"supernet": sign * sn, "gt": sign * gt, "params": params, "metric": b.metric,
                "direction": b.direction}
    finite = params[np.isfinite(params)] if params is not None else None
    if finite is not None and finite.size and np.ptp(finite) == 0:
        sec.data["params"] = None
        sec.finding = (f"Every subnet has the same size ({finite[0]:,.0f} params): size bias cannot be measured; "
                       f"Kendall τ (WS, GT) {_pm(*_tau_ws_gt(b, epoch, seeds))}.")
        sec.caption = f"One point per subnet (supernet score averaged over {len(seeds)} seed(s)). `wsbench bias --by params`"
    elif params is not None:
        bias = b.bias(by="params", epoch=epoch, seed=seeds).summary[0]
        taus = (f"(PS, GT) {bias['tau_params_gt_mean']:.2f}, (WS, GT) {_pm(bias['tau_supernet_gt_mean'], bias['tau_supernet_gt_std'])}, "
                f"(WS, PS) {_pm(bias['tau_supernet_params_mean'], bias['tau_supernet_params_std'])}")
        bigger = bias["tau_supernet_params_mean"] > bias["tau_params_gt_mean"]
        sec.finding = ("The supernet ranks by size more than the ground truth does: " if bigger else
                       "The supernet is not more size-biased than the ground truth: ") + f"Kendall τ {taus}."
        pd = paired(_goodness_by_seed(b, seeds, epoch), b._gt("gt_score"), _goodness_by_seed(b, seeds, epoch), params)
        sec.data["paired"] = pd._asdict()
        word = {"rises": "the supernet agrees more with size than with the ground truth",
                "falls": "the supernet agrees more with the ground truth than with size",
                "cannot tell": "cannot tell whether the supernet agrees more with size or with the ground truth"}[pd.verdict]
        sec.finding += f" Paired over the same subnets, τ(WS, PS) − τ(WS, GT) = {_delta(pd)}: {word}."
        sec.caption = f"One point per subnet (supernet score averaged over {len(seeds)} seed(s)), colour = params. " \
                      f"Paired Δτ: {PAIRED_HOW}. `wsbench bias --by params`"
    else:
        sec.finding = "The store has no params variable: no size bias."
        sec.caption = f"One point per subnet (supernet score averaged over {len(seeds)} seed(s))."
    return sec


def operators(b, epoch: int, seeds: list[int]) -> Section:
    sec = Section("operators", f"Operators the supernet over- and under-rates, epoch {epoch}")
    try:
        r = b.bias(by="operator", epoch=epoch, seed=seeds, flag=3)
    except WsbenchError as e:
        sec.skipped = str(e)
        return sec
    decisions = list(dict.fromkeys(row["decision"] for row in r.rows))
    ops = list(dict.fromkeys(row["op"] for row in r.rows))
    gap = np.full((len(decisions), len(ops)), np.nan)
    for row in r.rows:
        gap[decisions.index(row["decision"]), ops.index(row["op"])] = row["gap_mean"]
    sec.data = {"decisions": decisions, "ops": ops, "gap": gap}
    if not r.summary:
        sec.skipped = "no operator has a finite gap"
        return sec
    worst = r.summary[0]
    over = [s for s in r.summary if s["gap_mean"] > 0]
    under = [s for s in r.summary if s["gap_mean"] < 0]
    bits = []
    if over:
        # quoted: an op name can be an English word (NAS-Bench-201's zero op is "none")
        bits.append(f"overrates '{over[0]['op']}' at {over[0]['decision']} (+{over[0]['gap_mean']:.1f} points)")
    if under:
        bits.append(f"underrates '{under[0]['op']}' at {under[0]['decision']} ({under[0]['gap_mean']:.1f} points)")
    if bits:
        sec.finding = f"The largest gap is {abs(worst['gap_mean']):.1f} rank-percentile points; the supernet " + \
                      " and ".join(bits) + "."
    else:  # every gap exactly 0: the supernet orders the subnets as the ground truth does
        sec.finding = "The supernet rates no operator differently from the ground truth: every gap is 0."
    sec.caption = ("Mean rank percentile of subnets with the op at that decision, supernet minus ground truth "
                   "(> 0: overrated), mean over seeds; row 'any': the op anywhere. `wsbench bias --by operator`")
    return sec


def pruning(b, epoch: int, seeds: list[int]) -> Section:
    sec = Section("pruning", f"Pruning by the ground truth (an oracle) or at random, epoch {epoch}")
    opt = b.prune(mode="optimistic", epoch=epoch, seed=seeds)
    rnd = b.prune(mode="random", epoch=epoch, seed=seeds)
    sec.data = {"optimistic": opt.summary, "random": rnd.summary, "k": opt.options["k"], "metric": b.metric,
                "direction": b.direction}
    o0, o9, r9 = opt.summary[0], opt.summary[-1], rnd.summary[-1]
    f, gain = o9["factor"], o9["supernet_gain_over_random_mean"]
    sec.finding = (f"Removing the worst {f:.0%} by ground truth moves the supernet's top-{opt.options['k']} find from "
                   f"{o0['supernet_topk_best_gt_mean']:.2f} to {o9['supernet_topk_best_gt_mean']:.2f} and τ on what "
                   f"remains from {o0['kendall_mean']:.2f} to {o9['kendall_mean']:.2f}; random pruning: "
                   f"{r9['supernet_topk_best_gt_mean']:.2f}, τ {r9['kendall_mean']:.2f}. The ground truth is an oracle "
                   f"no search has: {opt.options['k']} random subnets of the same pruned pool find "
                   f"{o9['random_topk_best_gt_mean']:.2f}: the supernet's own part is "
                   f"{abs(gain):.2f} {b.metric} points {'better' if gain > 0 else 'worse'} than chance there.")
    sec.caption = ("Left: best GT among the supernet's top-k of what remains (solid) and among k random subnets of "
                   "the same pool (dotted), for pruning by GT (optimistic, an oracle) and at random (exact "
                   "expectation where a closed form exists, else 20 trials); right: Kendall τ on what remains; "
                   "mean over seeds. `wsbench prune --mode optimistic|random`")
    return sec


def retrained(b, epoch: int, seeds: list[int]) -> Section:
    """The study's pruning figure from supernets retrained on pruned spaces (a store with prune runs), beside the
    control supernet restricted to the same pools."""
    from wsbench.errors import OptionError
    from wsbench.stats.prune_retrained import pooled

    sec = Section("retrained", f"Supernets retrained on pruned spaces, epoch {epoch}")
    try:
        r = b.prune(source="retrained", epoch=epoch, seed=seeds, k="10")  # the study's top-10
    except OptionError:  # a pool below 10 subnets
        r = b.prune(source="retrained", epoch=epoch, seed=seeds, k="1")
    sm, k = r.summary, r.options["k"]
    sec.data = {"summary": sm, "k": k, "metric": b.metric, "direction": b.direction}
    bits = []
    for mode in ("optimistic", "random", "supernet"):
        rows = [s for s in sm if s["mode"] == mode]
        if rows:
            x = rows[-1]
            found = _pm(x["supernet_topk_best_gt_mean"], x["supernet_topk_best_gt_std"])
            gain = _pm(x["retrained_minus_control_mean"], x["retrained_minus_control_std"])
            bits.append(f"{mode} {x['factor']:.0%}: top-{k} {found} vs {k} random "
                        f"{x['random_topk_best_gt_mean']:.2f}; retrained minus the control on the same pool "
                        f"{'' if gain.startswith('-') else '+'}{gain} {b.metric} points; τ {_pm(x['kendall_mean'], x['kendall_std'])} (control "
                        f"{_pm(x['control_kendall_mean'], x['control_kendall_std'])})")
    sec.finding = ("At the largest prune factor of each mode, the retrained supernet's find (mean ± std over "
                   f"{len(seeds)} seeds): " + "; ".join(bits) + "." if bits else "The store has no pruned run.")
    pl = pooled(r.rows, epoch)
    if pl["best_gt_pairs"]:
        sec.finding += (f" Over all {pl['best_gt_pairs']} pruned pools and seeds, the retrained supernet's top-{k} "
                        f"beats the control's on the same pool in {pl['best_gt_wins']}, loses in "
                        f"{pl['best_gt_losses']} (mean {pl['best_gt_delta_mean']:+.2f} {b.metric} points, sign test "
                        f"p {pl['best_gt_p']:.2g}); its τ is higher in {pl['kendall_wins']}, lower in "
                        f"{pl['kendall_losses']} (mean {pl['kendall_delta_mean']:+.2f}, p {pl['kendall_p']:.2g}).")
    sec.caption = (f"Left: best GT among the retrained supernet's top-{k} of its pruned pool (solid), among {k} random "
                   "subnets of that pool (dotted, exact expectation) and among the control supernet's top-k "
                   "restricted to the same pool (dashed), against the fraction of the pool removed, per mode; "
                   "right: Kendall τ in the pool, retrained (solid) and control (dashed); mean ± std over seeds. "
                   f"`wsbench prune --source retrained --k {k}`")
    return sec


def prune_supernet(b, epoch: int, seeds: list[int]) -> Section:
    """Supernet-driven pruning: remove the supernet's worst x%; what of the GT's best survives, against random."""
    sec = Section("prune_supernet", f"Pruning by the supernet: what of the best survives, epoch {epoch}")
    r = b.prune(mode="supernet", epoch=epoch, seed=seeds)
    sm = r.summary
    sec.data = {"summary": sm, "metric": b.metric, "direction": b.direction}
    half = min(sm, key=lambda x: abs(x["factor"] - 0.5))
    most = sm[-1]

    def say(x: dict) -> str:
        return (f"removing its worst {x['factor']:.0%} keeps {x['gt_top10pct_survival_mean']:.0%} of the GT's top 10% "
                f"and {x['gt_top1pct_survival_mean']:.0%} of its top 1% (at random: {x['random_survival_mean']:.0%}); "
                f"the best GT left is {x['best_gt_mean']:.2f} (at random {x['random_best_gt_mean']:.2f})")

    sec.finding = f"Pruning by the supernet's score: {say(half)}; {say(most)}."
    verdict = half["gt_top10pct_survival_mean"] - half["random_survival_mean"]
    sec.finding += (" At half removed it keeps more of the GT's top 10% than chance." if verdict > 0.02 else
                    " At half removed it keeps no more of the GT's top 10% than chance." if verdict > -0.02 else
                    " At half removed it keeps less of the GT's top 10% than chance.")
    sec.caption = ("Left: share of the GT's top 1% / 10% still in the pool after removing the supernet's worst "
                   "fraction (solid, mean over seeds ± std band) and after removing as many at random (dashed: "
                   "r / n); right: the best GT left. Exact expectations over the tie order at the cut and over "
                   "random removal. `wsbench prune --mode supernet`")
    return sec


def stability(b, epochs: list[int], seeds: list[int]) -> Section:
    from wsbench.stats.correlation import correlate

    sec = Section("stability", "Stability: epoch × epoch and seed × seed")
    ee = np.full((len(epochs), len(epochs)), np.nan)
    for i, a in enumerate(epochs):
        for j, c in enumerate(epochs):
            ee[i, j] = 1.0 if i == j else np.nanmean([correlate(b._sn(s, a), b._sn(s, c), "kendall") for s in seeds])
    ss = np.full((len(seeds), len(seeds)), np.nan)
    for i, a in enumerate(seeds):
        for j, c in enumerate(seeds):
            ss[i, j] = 1.0 if i == j else correlate(b._sn(a, epochs[-1]), b._sn(c, epochs[-1]), "kendall")
    sec.data = {"epochs": epochs, "seeds": seeds, "epoch_epoch": ee, "seed_seed": ss}
    off = ss[~np.eye(len(seeds), dtype=bool)]
    seed_part = (f"supernets of different seeds agree at τ {np.mean(off):.2f} at epoch {epochs[-1]}" if off.size
                 else "one seed: no seed-to-seed agreement")
    adjacent = np.diag(ee, 1)
    epoch_part = "one epoch" if len(epochs) < 2 else (
        f"consecutive recorded epochs at τ {np.nanmean(adjacent):.2f} on average" + (
            # an average over the whole training hides the trend: a ranking that settles shows here
            f", {adjacent[0]:.2f} between epochs {epochs[0]} and {epochs[1]} and {adjacent[-1]:.2f} between "
            f"{epochs[-2]} and {epochs[-1]}" if len(epochs) > 2 else ""))
    sec.finding = f"Rankings of one supernet agree between {epoch_part}; {seed_part}."
    sec.caption = "Kendall τ between supernet rankings: every pair of chosen epochs (mean over seeds), every pair " \
                  "of seeds at the last epoch. `wsbench stability`"
    return sec


def rankings(b, epochs: list[int], seeds: list[int]) -> Section:
    sec = Section("rankings", "Other rankings of the same subnets")
    bars = []
    # subnets each ranking covers (the correlation rows' n; a proxy imported for a few cells): a tau over 27 subnets
    # is no rival for one over 1,000, so such rankings are named apart and compared only paired, on common subnets
    subnets: dict[str, int] = {}
    for score in b.scores():
        if score == "finetune":  # other subnets, other (seed, epoch): `wsbench paired` compares it on the same ones
            continue
        if score.endswith("_paper") and np.array_equal(b.arch_values(score), b.arch_values(score[:-len("_paper")]),
                                                       equal_nan=True):
            continue  # built at the paper's scale: the same sizes, the same ranking, one bar
        own = score in ("supernet", "loss")
        name = f"{score} (epoch {epochs[-1]})" if own else score
        r = b.correlation(score=score, epoch=epochs[-1], seed=seeds if own else seeds[:1], method="kendall")
        bars.append((name, r.summary[0]["kendall_mean"], r.summary[0]["kendall_std"] if own else float("nan")))
        subnets[name] = min(row["n"] for row in r.rows)
    constant = [n for n, v, _ in bars if not np.isfinite(v)]  # a size shared by every subnet ranks nothing
    bars = [t for t in bars if np.isfinite(t[1])]
    subnets = {n: subnets[n] for n, _, _ in bars}
    g = b._gt("gt_score")
    sec.data = {"bars": bars, "subnets": subnets}
    same = [n for n, v, _ in bars[1:] if n.startswith("loss") and abs(v - bars[0][1]) < 1e-12]
    if len(bars) - len(same) < 2:  # e.g. perplexity: the loss is its log, the same ranking
        sec.skipped = ("the store holds no ranking besides the supernet's"
                       + (f"; the same for every subnet (no ranking): {', '.join(map(label, constant))}" if constant else "")
                       + ("; its loss ranks exactly as its score" if same else ""))
        return sec
    sup = bars[0]
    whole = [t for t in bars if subnets[t[0]] >= subnets[sup[0]]]
    part = [t for t in bars if subnets[t[0]] < subnets[sup[0]]]
    best = max(whole, key=lambda t: t[1])
    better = [n for n, v, _ in whole[1:] if v > sup[1]]
    sec.finding = (f"Best ranker: {label(best[0])} (τ {best[1]:.2f}); the supernet: τ {sup[1]:.2f}. " +
                   (f"Ranking better than the supernet: {', '.join(map(label, better))}." if better else
                    "Nothing else here ranks better than the supernet."))
    if part:
        counts = sorted({subnets[n] for n, _, _ in part})
        sec.finding += (f" Held for fewer subnets ({' or '.join(map(str, counts))} of the supernet's "
                        f"{subnets[sup[0]]}), so their τ is not comparable with it: "
                        f"{', '.join(map(label, [n for n, _, _ in part]))}.")
    others = [t for t in whole[1:] if not t[0].startswith("loss")] or part  # the loss is the supernet's own ranking
    if others:
        rival = max(others, key=lambda t: t[1])
        pd = paired(b._sn(seeds[0], epochs[-1], score=rival[0]), g, _goodness_by_seed(b, seeds, epochs[-1]), g)
        sec.data["paired"] = {"rival": rival[0], **pd._asdict()}
        name = label(rival[0])
        word = {"rises": f"the supernet ranks better than {name}", "falls": f"{name} ranks better than the supernet",
                "cannot tell": f"cannot tell the supernet from {name}"}[pd.verdict]
        which = ("the best ranking" if rival is best else "the best ranking not taken from the supernet"
                 if rival in whole else f"the best of those, on the {pd.n} subnets both rank")
        sec.finding += (f" Paired over the same subnets, against {which}: τ(supernet) − τ({name}) = "
                        f"{_delta(pd)}: {word}.")
    sec.caption = "Kendall τ with ground truth of each ranking (`--score`): supernet and loss as mean ± std over " \
                  "seeds; sizes and proxies are one ranking each; a ranking held for fewer subnets than the " \
                  "supernet's says how many (its τ is over those only). Paired Δτ (supernet vs the best other " \
                  "ranking): " \
                  f"{PAIRED_HOW}. `wsbench correlation --score NAME`"
    return sec


BUILDERS = ("meanscore", "correlation", "topk", "bottomtop", "ceiling", "scatter", "operators", "prune_supernet",
            "pruning", "stability", "rankings")
#: sections only a store of supernets retrained on pruned spaces has (a prune dimension), after "pruning"
PRUNED = ("retrained",)
#: sections only a store with fine-tuned scores (finetune_score) has, at the end
FINETUNED = ("finetune",)


def all_sections(b, epochs: list[int], seeds: list[int]) -> list[Section]:
    """Every section in page order; a section that fails on this store is kept, skipped with its reason."""
    last = epochs[-1]
    calls = {"meanscore": lambda: meanscore(b, epochs, seeds), "correlation": lambda: correlation(b, epochs, seeds),
             "topk": lambda: topk(b, epochs, seeds), "bottomtop": lambda: bottomtop(b, epochs, seeds),
             "ceiling": lambda: ceiling(b, epochs, seeds), "scatter": lambda: scatter(b, last, seeds),
             "operators": lambda: operators(b, last, seeds), "prune_supernet": lambda: prune_supernet(b, last, seeds),
             "pruning": lambda: pruning(b, last, seeds), "stability": lambda: stability(b, epochs, seeds),
             "rankings": lambda: rankings(b, epochs, seeds), "retrained": lambda: retrained(b, last, seeds),
             "finetune": lambda: finetune(b, seeds)}
    out = []
    at = BUILDERS.index("pruning") + 1
    keys = (BUILDERS[:at] + PRUNED + BUILDERS[at:]) if b.has_prune_dim else BUILDERS
    keys += FINETUNED if "finetune" in b.scores() else ()
    for key in keys:
        try:
            out.append(calls[key]())
        except WsbenchError as e:
            out.append(Section(key, key, skipped=str(e)))
    return out


def finetune(b, seeds: list[int]) -> Section:
    """The study's second protocol: at every epoch with fine-tuned subnets, their tau with the GT after the short
    fine-tune beside the same subnets' plain inherited tau, paired (`wsbench paired`'s jackknife, seeds' spread
    counted)."""
    sec = Section("finetune", "Fine-tuned inheritance (the study's second protocol)")
    proto = b.attrs.get("finetune") or {}
    regions = b.finetuned_regions()
    rows = []
    for e in b.epochs:
        have = [s for s in seeds if (s, e) in regions]
        if not have:
            continue
        side = ",".join(map(str, have))
        r = b.paired(a=f"score=supernet,epoch={e}", b=f"score=finetune,epoch={e}", seed=side).summary[0]
        rows.append({"epoch": e, "seeds": have, "n": r["n"], "plain": r["kendall_a"], "finetuned": r["kendall_b"],
                     "delta": r["delta"], "ci_low": r["delta_ci_low"], "ci_high": r["delta_ci_high"],
                     "p_value": r["p_value"], "verdict": r["verdict"]})
    if not rows:
        sec.skipped = f"no fine-tuned (seed, epoch) region among the chosen seeds {seeds}"
        return sec
    sec.data = {"rows": rows, "batches": proto.get("batches")}
    verb = {"rises": "raises", "falls": "lowers"}
    parts = [f"epoch {r['epoch']}: τ {r['plain']:.3f} → {r['finetuned']:.3f}, Δ {r['delta']:+.3f} "
             f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}] ({verb.get(r['verdict'], 'cannot tell whether it changes')} "
             f"τ; {r['n']} subnets, {len(r['seeds'])} seed{'s' if len(r['seeds']) > 1 else ''})" for r in rows]
    batches = f"for {proto['batches']} batches " if proto.get("batches") else ""
    sec.finding = f"Fine-tuning each inherited subnet alone {batches}before scoring: " + "; ".join(parts) + "."
    sec.caption = ("Kendall τ with the ground truth of the same subnets, plain inherited weights vs fine-tuned (mean "
                   "over the seeds fine-tuned at that epoch); bar: 95% paired jackknife interval of the change "
                   "(each subnet left out of both taus, the seeds' spread added), drawn on the fine-tuned point. "
                   "`wsbench paired --a score=supernet,epoch=E --b score=finetune,epoch=E`")
    return sec


def _tau_ws_gt(b, epoch: int, seeds: list[int]) -> tuple[float, float]:
    """Mean and std over seeds of the supernet's Kendall tau with GT at ``epoch``."""
    row = b.bias(by="params", epoch=epoch, seed=seeds).summary[0]
    return row["tau_supernet_gt_mean"], row["tau_supernet_gt_std"]
