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
        p, last = sm[peak], sm[-1]
        if peak == len(sm) - 1:
            sec.finding = f"Correlation is highest at the last epoch, {epochs[-1]} (τ {_pm(tau[-1], last['kendall_std'])})."
        else:
            overlap = last["kendall_ci_high"] >= p["kendall_ci_low"]
            verdict = ("cannot tell whether it falls: the 95% intervals of the peak and of the last epoch overlap"
                       if overlap else "and falls")
            sec.finding = (f"Correlation peaks at epoch {epochs[peak]} (τ {_pm(tau[peak], p['kendall_std'])}) "
                           f"{verdict} by epoch {epochs[-1]} ({_pm(tau[-1], last['kendall_std'])}).")
    sec.caption = ("Mean over supernet seeds (line), ± std over seeds (band), 95% bootstrap interval over subnets of "
                   f"the mean (bars, {boot} resamples); thin lines: single seeds. `wsbench correlation --epoch all --ci 0.95`")
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
        sec.caption = f"One point per subnet (supernet score averaged over {len(seeds)} seed(s)), colour = params. " \
                      "`wsbench bias --by params`"
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
        bits.append(f"overrates {over[0]['op']} at {over[0]['decision']} (+{over[0]['gap_mean']:.1f} points)")
    if under:
        bits.append(f"underrates {under[0]['op']} at {under[0]['decision']} ({under[0]['gap_mean']:.1f} points)")
    sec.finding = f"The largest gap is {abs(worst['gap_mean']):.1f} rank-percentile points; the supernet " + \
                  " and ".join(bits) + "."
    sec.caption = ("Mean rank percentile of subnets with the op at that decision, supernet minus ground truth "
                   "(> 0: overrated), mean over seeds; row 'any': the op anywhere. `wsbench bias --by operator`")
    return sec


def pruning(b, epoch: int, seeds: list[int]) -> Section:
    sec = Section("pruning", f"Pruning the space, epoch {epoch}")
    opt = b.prune(mode="optimistic", epoch=epoch, seed=seeds)
    rnd = b.prune(mode="random", epoch=epoch, seed=seeds)
    sec.data = {"optimistic": opt.summary, "random": rnd.summary, "k": opt.options["k"], "metric": b.metric,
                "direction": b.direction}
    o0, o9, r9 = opt.summary[0], opt.summary[-1], rnd.summary[-1]
    f = o9["factor"]
    sec.finding = (f"Removing the worst {f:.0%} by ground truth moves the supernet's top-{opt.options['k']} find from "
                   f"{o0['supernet_topk_best_gt_mean']:.2f} to {o9['supernet_topk_best_gt_mean']:.2f} and τ on what "
                   f"remains from {o0['kendall_mean']:.2f} to {o9['kendall_mean']:.2f}; random pruning: "
                   f"{r9['supernet_topk_best_gt_mean']:.2f}, τ {r9['kendall_mean']:.2f}.")
    sec.caption = ("Optimistic: the worst by ground truth removed first; random: 20 trials (mean GT and random "
                   "top-k exact). `wsbench prune --mode optimistic|random`")
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
    epoch_part = (f"consecutive epochs at τ {np.nanmean(np.diag(ee, 1)):.2f} on average" if len(epochs) > 1
                  else "one epoch")
    sec.finding = f"Rankings of one supernet agree between {epoch_part}; {seed_part}."
    sec.caption = "Kendall τ between supernet rankings: every pair of chosen epochs (mean over seeds), every pair " \
                  "of seeds at the last epoch. `wsbench stability`"
    return sec


def rankings(b, epochs: list[int], seeds: list[int]) -> Section:
    sec = Section("rankings", "Other rankings of the same subnets")
    bars = []
    for score in b.scores():
        if score in ("supernet", "loss"):
            r = b.correlation(score=score, epoch=epochs[-1], seed=seeds, method="kendall").summary[0]
            bars.append((f"{score} (epoch {epochs[-1]})", r["kendall_mean"], r["kendall_std"]))
        else:
            r = b.correlation(score=score, epoch=epochs[-1], seed=seeds[:1], method="kendall").summary[0]
            bars.append((score, r["kendall_mean"], float("nan")))
    constant = [n for n, v, _ in bars if not np.isfinite(v)]  # a size shared by every subnet ranks nothing
    bars = [t for t in bars if np.isfinite(t[1])]
    sec.data = {"bars": bars}
    same = [n for n, v, _ in bars[1:] if n.startswith("loss") and abs(v - bars[0][1]) < 1e-12]
    if len(bars) - len(same) < 2:  # e.g. perplexity: the loss is its log, the same ranking
        sec.skipped = ("the store holds no ranking besides the supernet's"
                       + (f"; the same for every subnet (no ranking): {', '.join(constant)}" if constant else "")
                       + ("; its loss ranks exactly as its score" if same else ""))
        return sec
    best = max(bars, key=lambda t: t[1] if np.isfinite(t[1]) else -np.inf)
    sup = bars[0]
    better = [n for n, v, _ in bars[1:] if np.isfinite(v) and v > sup[1]]
    sec.finding = (f"Best ranker: {best[0]} (τ {best[1]:.2f}); the supernet: τ {sup[1]:.2f}. " +
                   (f"Ranking better than the supernet: {', '.join(better)}." if better else
                    "Nothing else here ranks better than the supernet."))
    sec.caption = "Kendall τ with ground truth of each ranking (`--score`): supernet and loss as mean ± std over " \
                  "seeds; sizes and proxies are one ranking each. `wsbench correlation --score NAME`"
    return sec


BUILDERS = ("correlation", "topk", "scatter", "operators", "pruning", "stability", "rankings")


def all_sections(b, epochs: list[int], seeds: list[int]) -> list[Section]:
    """Every section in page order; a section that fails on this store is kept, skipped with its reason."""
    calls = {"correlation": lambda: correlation(b, epochs, seeds), "topk": lambda: topk(b, epochs, seeds),
             "scatter": lambda: scatter(b, epochs[-1], seeds), "operators": lambda: operators(b, epochs[-1], seeds),
             "pruning": lambda: pruning(b, epochs[-1], seeds), "stability": lambda: stability(b, epochs, seeds),
             "rankings": lambda: rankings(b, epochs, seeds)}
    out = []
    for key in BUILDERS:
        try:
            out.append(calls[key]())
        except WsbenchError as e:
            out.append(Section(key, key, skipped=str(e)))
    return out


def _tau_ws_gt(b, epoch: int, seeds: list[int]) -> tuple[float, float]:
    """Mean and std over seeds of the supernet's Kendall tau with GT at ``epoch``."""
    row = b.bias(by="params", epoch=epoch, seed=seeds).summary[0]
    return row["tau_supernet_gt_mean"], row["tau_supernet_gt_std"]
