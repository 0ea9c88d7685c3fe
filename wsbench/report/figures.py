"""One PNG per report section, drawn with matplotlib's object API on the Agg canvas (no pyplot, no display)."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable

import numpy as np

from wsbench.escape import label as short
from wsbench.report.sections import Section

WIDTH, HEIGHT, DPI = 8.0, 4.0, 100  # 800 x 400 px


def _plain_text(draw: Callable[[Section], bytes]) -> Callable[[Section], bytes]:
    """``draw`` with mathtext and TeX off: names from data (a proxy ``proxy_$^{$``) are shown as typed, never
    parsed (matplotlib reads the setting when a text is made and when ticks are drawn: both happen inside)."""
    @functools.wraps(draw)
    def wrapper(sec: Section) -> bytes:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
            return draw(sec)
    return wrapper


def _figure(ncols: int = 1):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, ncols, squeeze=False)[0]


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _better(d: dict) -> str:
    """'metric, higher is better' for an axis label (the direction a reader cannot guess for perplexity)."""
    return f"{short(d['metric'])}, {'higher' if d.get('direction', 'max') == 'max' else 'lower'} is better"


def _percent_log_axis(ax) -> None:
    """A log axis of 'top %' values: labels at 1, 2, 5 of each decade (not only at 1% and 10%); better is up."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.invert_yaxis()  # better (smaller top %) is up


def _legend_outside(ax, fontsize: int = 7) -> None:
    """The legend right of the axes, so it never covers data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=fontsize)


#: up to this many recorded epochs, every one is labelled on an epoch axis
EPOCH_LABELS = 8
#: the largest matrix (cells per side) whose cells carry their numbers; beyond it the colours carry it alone
CELL_NUMBERS_MAX = 12


def epoch_ticks(epochs: list[int], log: bool) -> list[int]:
    """The recorded epochs that get a label: all of a few; of many (di64-cifar10 records 30) the first, the last
    and, on a log axis, the powers of two between (a linear axis: evenly spaced ones), none so close to its
    neighbours that their labels would run together. Every recorded epoch still gets a tick mark."""
    if len(epochs) <= EPOCH_LABELS:
        return list(epochs)
    if log:
        keep = [e for e in epochs if e in (epochs[0], epochs[-1]) or (e & (e - 1)) == 0]
        gap = lambda a, b: np.log2(b) - np.log2(a)  # in octaves
        least = 0.4
    else:
        step = -(-len(epochs) // EPOCH_LABELS)
        keep = sorted({*epochs[::step], epochs[-1]})
        gap = lambda a, b: (b - a) / (epochs[-1] - epochs[0])  # in axis widths
        least = 0.5 / EPOCH_LABELS
    out = [keep[0]]  # the first and the last always; one between only where it crowds neither neighbour kept
    for e in keep[1:-1]:
        if gap(out[-1], e) >= least and gap(e, keep[-1]) >= least:
            out.append(e)
    return out + [keep[-1]]


def _epoch_axis(ax, epochs: list[int]) -> None:
    from matplotlib.ticker import NullFormatter

    log = len(epochs) > 1 and min(epochs) > 0
    if log:
        ax.set_xscale("log", base=2)
    labelled = epoch_ticks(list(epochs), log)
    ax.set_xticks(labelled, [str(e) for e in labelled])
    if len(labelled) < len(epochs):  # the rest unlabelled (a dataset of a few epochs keeps its figures as they were)
        ax.set_xticks([e for e in epochs if e not in labelled], minor=True)
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("supernet epoch")


@_plain_text
def correlation(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    d = sec.data
    e = np.array(d["epochs"])
    for method, colour in (("kendall", "C0"), ("spearman", "C1")):
        m = np.array([s[f"{method}_mean"] for s in d["summary"]])
        sd = np.nan_to_num(np.array([s[f"{method}_std"] for s in d["summary"]], dtype=float))
        lo = np.array([s.get(f"{method}_ci_low", np.nan) for s in d["summary"]], dtype=float)
        hi = np.array([s.get(f"{method}_ci_high", np.nan) for s in d["summary"]], dtype=float)
        ax.plot(e, m, "-o", color=colour, label=f"{method} (mean over seeds)")
        ax.fill_between(e, m - sd, m + sd, color=colour, alpha=0.15)
        ax.errorbar(e, m, yerr=[m - lo, hi - m], fmt="none", ecolor=colour, capsize=3)
        for s in d["seeds"]:
            rows = [r for r in d["rows"] if r["seed"] == s]
            ax.plot([r["epoch"] for r in rows], [r[method] for r in rows], "-", color=colour, lw=0.6, alpha=0.5)
    ax.axhline(0, color="grey", lw=0.8)
    _epoch_axis(ax, d["epochs"])
    ax.set_ylabel("rank correlation with ground truth")
    ax.legend(loc="best", fontsize=8)
    return _png(fig)


@_plain_text
def topk(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    d = sec.data
    same: dict[int, list[str]] = {}  # k_count -> the ks naming it: one line for the same subnets (1 and 1% of 64)
    for k in d["ks"]:
        same.setdefault(next(s["k_count"] for s in d["summary"] if s["k"] == k), []).append(k)
    for j, ks in enumerate(same.values()):
        rows = [s for s in d["summary"] if s["k"] == ks[0]]
        e = [s["epoch"] for s in rows]
        also = f" (= {', '.join(ks[1:])})" if len(ks) > 1 else ""
        ax.plot(e, [s["best_gt_top_pct_mean"] for s in rows], "-o", color=f"C{j}", label=f"supernet top-{ks[0]}{also}")
        ax.plot(e, [s["random_top_pct"] for s in rows], "--", color=f"C{j}", label=f"{ks[0]} random{also}")
    _percent_log_axis(ax)
    _epoch_axis(ax, d["epochs"])
    ax.set_ylabel("GT rank of the best found (top %)")
    _legend_outside(ax, 8)
    return _png(fig)


@_plain_text
def scatter(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    d = sec.data
    ok = np.isfinite(d["supernet"]) & np.isfinite(d["gt"])
    if d["params"] is not None:
        pts = ax.scatter(d["supernet"][ok], d["gt"][ok], c=d["params"][ok], s=6, cmap="viridis")
        fig.colorbar(pts, ax=ax, label="params")
    else:
        ax.scatter(d["supernet"][ok], d["gt"][ok], s=6)
    ax.set_xlabel(d.get("x_label") or f"supernet score ({_better(d)})")
    ax.set_ylabel(f"ground truth ({_better(d)})")
    return _png(fig)


@_plain_text
def operators(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    d = sec.data
    gap = d["gap"]
    lim = float(np.nanmax(np.abs(gap))) or 1.0
    im = ax.imshow(gap.T, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(len(d["decisions"])), [short(x) for x in d["decisions"]], rotation=90, fontsize=7)
    ax.set_yticks(range(len(d["ops"])), [short(x) for x in d["ops"]], fontsize=7)
    ax.set_xlabel("decision")
    ax.set_ylabel("op")
    fig.colorbar(im, ax=ax, label=f"{short(d.get('who', 'supernet'))} − GT (rank-percentile points)")
    return _png(fig)


@_plain_text
def pruning(sec: Section) -> bytes:
    fig, (a1, a2) = _figure(2)
    d = sec.data
    for mode, style, colour in (("optimistic", "-o", "C0"), ("random", "--s", "C1")):
        f = [s["factor"] for s in d[mode]]
        name = "by GT (oracle)" if mode == "optimistic" else "random"
        a1.plot(f, [s["supernet_topk_best_gt_mean"] for s in d[mode]], style, color=colour,
                label=f"supernet top-{d['k']}, pruned {name}")
        # k random subnets of the same pruned pool: what the pruning alone gives
        a1.plot(f, [s["random_topk_best_gt_mean"] for s in d[mode]], ":", color=colour, lw=1.5,
                label=f"{d['k']} random, pruned {name}")
        a2.plot(f, [s["kendall_mean"] for s in d[mode]], style, color=colour, label=mode)
    a1.set_xlabel("fraction pruned")
    a1.set_ylabel(f"best GT found ({_better(d)})")
    a2.set_xlabel("fraction pruned")
    a2.set_ylabel("Kendall τ of what remains")
    # one legend for both panels, below them, so it covers no data (the right panel's lines share the styles)
    fig.legend(*a1.get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=8)
    return _png(fig)


@_plain_text
def meanscore(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    d = sec.data
    e = np.array(d["epochs"])
    for i, s in enumerate(d["seeds"]):
        ax.fill_between(e, d["q25"][i], d["q75"][i], color="C0", alpha=0.08, lw=0,
                        label="subnets' interquartile range" if i == 0 else None)
        ax.plot(e, d["mean"][i], "-", color="C0", lw=0.7, alpha=0.6, label="mean over subnets, one seed" if i == 0 else None)
    m, sd = d["seed_mean"], np.nan_to_num(d["seed_std"])
    ax.errorbar(e, m, yerr=sd, fmt="-o", color="C0", lw=2, capsize=3, label="mean over seeds (± std)")
    ax.axhline(d["mean_gt"], color="C3", ls="--", lw=1.2, label="mean ground truth, same subnets")
    lo = np.nanmin([np.nanmin(d["q25"]), np.nanmin(m), d["mean_gt"]])
    hi = np.nanmax([np.nanmax(d["q75"]), np.nanmax(m), d["mean_gt"]])
    if d["direction"] == "min" and lo > 0 and hi / lo > 10:  # perplexities span decades early in training
        ax.set_yscale("log")
    _epoch_axis(ax, d["epochs"])
    ax.set_ylabel(f"supernet score ({_better(d)})")
    _legend_outside(ax, 7)
    return _png(fig)


@_plain_text
def bottomtop(sec: Section) -> bytes:
    fig, (a1, a2) = _figure(2)
    d = sec.data
    e = np.array(d["epochs"])
    for key, colour, label in (("p_bottom", "C3", "P@bottom-10%"), ("p_top", "C0", "P@top-10%")):
        for row in d[key]:
            a1.plot(e, row, "-", color=colour, lw=0.6, alpha=0.5)
        a1.plot(e, np.nanmean(d[key], axis=0), "-o", color=colour, label=label)
    a1.axhline(d["p_random"], color="grey", ls="--", lw=1, label="random ranking")
    a1.set_ylim(0, 1)
    _epoch_axis(a1, d["epochs"])
    a1.set_ylabel("precision (share of the GT's set)")
    diffs = [r["p_diff"] for r in d["last"]]
    lo = [r["p_diff"] - r["p_diff_ci"][0] for r in d["last"]]
    hi = [r["p_diff_ci"][1] - r["p_diff"] for r in d["last"]]
    x = np.arange(len(diffs))
    a2.errorbar(x, diffs, yerr=[lo, hi], fmt="o", color="C2", capsize=4)
    a2.axhline(0, color="grey", lw=0.8)
    a2.set_xticks(x, [str(s) for s in d["seeds"]])
    a2.set_xlim(-0.7, len(diffs) - 0.3)
    a2.set_xlabel(f"supernet seed (epoch {d['epochs'][-1]})")
    a2.set_ylabel("P@bottom − P@top (95% interval)")
    fig.legend(*a1.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=8)
    return _png(fig)


@_plain_text
def ceiling(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    d = sec.data
    e = np.array(d["epochs"])
    each = np.array([c["ratio"] for c in d["each"]])
    vs_gt = np.array([c["ratio"] for c in d["gt"]])
    ax.plot(e, vs_gt, "-o", color="C0", label="vs gt_score (mean of trainings)")
    simulated = d.get("trainings_from") == "gt_score_std"
    ax.plot(e, each, "--s", color="C1", label="vs one simulated GT training" if simulated else
            "vs one GT training (like for like)")
    last = d["gt"][-1]
    ax.errorbar([e[-1]], [last["ratio"]], yerr=[[last["ratio"] - last["ci_low"]], [last["ci_high"] - last["ratio"]]],
                fmt="none", ecolor="C0", capsize=4, label="95% interval, last epoch")
    ax.axhline(1.0, color="C3", ls=":", lw=1.2, label="the GT's seed-to-seed τ implied by its std" if simulated
               else "the GT's own seed-to-seed τ")
    ax.axhline(0, color="grey", lw=0.8)
    _epoch_axis(ax, d["epochs"])
    ax.set_ylabel("τ(supernet, GT) / τ(GT, GT)")
    _legend_outside(ax, 7)
    return _png(fig)


@_plain_text
def prune_supernet(sec: Section) -> bytes:
    fig, (a1, a2) = _figure(2)
    d = sec.data
    sm = d["summary"]
    f = np.array([s["factor"] for s in sm])
    for key, colour, label in (("gt_top10pct_survival", "C0", "GT top 10%"), ("gt_top1pct_survival", "C2", "GT top 1%")):
        m = np.array([s[f"{key}_mean"] for s in sm])
        sd = np.nan_to_num(np.array([s[f"{key}_std"] for s in sm], dtype=float))
        a1.plot(f, m, "-o", color=colour, label=f"{label}, pruned by supernet")
        a1.fill_between(f, np.clip(m - sd, 0, 1), np.clip(m + sd, 0, 1), color=colour, alpha=0.15)
    a1.plot(f, [s["random_survival_mean"] for s in sm], "--", color="grey", label="either, pruned at random")
    a1.set_ylim(0, 1.05)
    a1.set_xlabel("fraction removed")
    a1.set_ylabel("share of the GT's best still there")
    m = np.array([s["best_gt_mean"] for s in sm])
    sd = np.nan_to_num(np.array([s["best_gt_std"] for s in sm], dtype=float))
    a2.plot(f, m, "-^", color="C4", label="best GT left, pruned by supernet")
    a2.fill_between(f, m - sd, m + sd, color="C4", alpha=0.15)
    a2.plot(f, [s["random_best_gt_mean"] for s in sm], ":", color="black", label="best GT left, pruned at random")
    a2.set_xlabel("fraction removed")
    a2.set_ylabel(f"best GT left ({_better(d)})")
    handles, labels = a1.get_legend_handles_labels()
    h2, l2 = a2.get_legend_handles_labels()
    fig.legend(handles + h2, labels + l2, loc="outside lower center", ncol=3, fontsize=7)
    return _png(fig)


@_plain_text
def stability(sec: Section) -> bytes:
    fig, (a1, a2) = _figure(2)
    d = sec.data
    for ax, mat, labels, title in ((a1, d["epoch_epoch"], d["epochs"], "epoch × epoch"),
                                   (a2, d["seed_seed"], d["seeds"], f"seed × seed, epoch {d['epochs'][-1]}")):
        im = ax.imshow(mat, cmap="viridis", vmin=min(0.0, float(np.nanmin(mat))), vmax=1.0)
        step = max(1, -(-len(labels) // 10))  # at most ~10 tick labels (di64-cifar10 has 30 epochs)
        ticks = list(range(len(labels)))[::-1][::step][::-1]  # the last epoch always labelled
        ax.set_xticks(ticks, [str(labels[t]) for t in ticks], fontsize=8)
        ax.set_yticks(ticks, [str(labels[t]) for t in ticks], fontsize=8)
        unit = "epoch" if labels is d["epochs"] else "seed"
        ax.set_xlabel(f"supernet {unit}")
        ax.set_ylabel(f"supernet {unit}")
        ax.set_title(title, fontsize=9)
        size = 9 if mat.shape[0] <= 8 else 7
        if mat.shape[0] > CELL_NUMBERS_MAX:  # numbers in 13 x 13 cells or more are unreadable
            fig.colorbar(im, ax=ax, shrink=0.8, label="Kendall τ")
            continue
        for i in range(mat.shape[0]):
            for j in range(mat.shape[1]):
                r, g, b_, _ = im.cmap(im.norm(mat[i, j]))  # dark text on light cells, white on dark ones
                colour = "k" if 0.299 * r + 0.587 * g + 0.114 * b_ > 0.5 else "w"
                ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center", fontsize=size, color=colour)
        fig.colorbar(im, ax=ax, shrink=0.8, label="Kendall τ")
    return _png(fig)


@_plain_text
def rankings(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    names, vals, sds = zip(*sec.data["bars"])
    subnets = sec.data.get("subnets", {})
    full = subnets.get(names[0], 0)
    y = np.arange(len(names))
    part = [subnets.get(n, full) < full for n in names]  # held for fewer subnets: hatched, their count named
    ax.barh(y, vals, xerr=np.nan_to_num(np.array(sds, dtype=float)), color=["C3"] + ["C0"] * (len(names) - 1),
            hatch=["//" if p else None for p in part])
    ax.set_yticks(y, [short(n) + (f" ({subnets[n]} subnets)" if p else "") for n, p in zip(names, part)], fontsize=7)
    ax.axvline(0, color="grey", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("Kendall τ with ground truth")
    return _png(fig)


@_plain_text
def estimator_topk(sec: Section) -> bytes:
    """Grouped bars: the best GT among each ranking's top-k, one group per k (``wsbench evaluate --out``)."""
    fig, (ax,) = _figure()
    d = sec.data
    x = np.arange(len(d["ks"]))
    width = 0.8 / max(1, len(d["series"]))
    for j, (name, vals) in enumerate(d["series"].items()):
        ax.bar(x + j * width, vals, width, color=f"C{j}", label=short(name),
               hatch="//" if name.startswith("random") else None)
    ax.set_xticks(x + width * (len(d["series"]) - 1) / 2, [f"top-{short(k)}" for k in d["ks"]])
    finite = [v for vals in d["series"].values() for v in vals if np.isfinite(v)]
    if finite:
        lo, hi = min(finite), max(finite)
        ax.set_ylim(lo - 0.1 * (hi - lo or 1), hi + 0.05 * (hi - lo or 1))
    ax.set_ylabel("best ground truth found")
    _legend_outside(ax, 8)
    return _png(fig)


@_plain_text
def retrained(sec: Section) -> bytes:
    fig, (a1, a2) = _figure(2)
    d = sec.data
    control = [s for s in d["summary"] if s["mode"] == "none"]
    for mode, colour, marker in (("optimistic", "C0", "o"), ("random", "C1", "s"), ("supernet", "C2", "^")):
        rows = [s for s in d["summary"] if s["mode"] == mode]
        if not rows:
            continue
        pts = control + rows  # the control is every mode's factor 0
        f = [s["factor"] for s in pts]

        def line(ax, key, style, label, series=pts, colour=colour):
            m = [s[f"{key}_mean"] for s in series]
            sd = np.nan_to_num(np.array([s[f"{key}_std"] for s in series], dtype=float))
            ax.errorbar([s["factor"] for s in series], m, yerr=sd, fmt=style, color=colour, capsize=2, label=label)

        line(a1, "supernet_topk_best_gt", f"-{marker}", f"{mode}: retrained top-{d['k']}")
        a1.plot(f, [s["random_topk_best_gt_mean"] for s in pts], ":", color=colour, lw=1.5,
                label=f"{mode}: {d['k']} random of the pool")
        line(a1, "control_topk_best_gt", f"--{marker}", f"{mode}: control on the pool", rows)
        line(a2, "kendall", f"-{marker}", f"{mode}: retrained")
        line(a2, "control_kendall", f"--{marker}", f"{mode}: control", rows)
    a1.set_xlabel("fraction of the pool removed")
    a1.set_ylabel(f"best GT found ({_better(d)})")
    a2.set_xlabel("fraction of the pool removed")
    a2.set_ylabel("Kendall τ in the pool")
    fig.legend(*a1.get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=7)
    return _png(fig)


@_plain_text
def finetune(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    rows = sec.data["rows"]
    x = np.arange(len(rows))
    plain = np.array([r["plain"] for r in rows])
    tuned = np.array([r["finetuned"] for r in rows])
    ax.plot(x, plain, "o", color="C0", label="plain inherited weights")
    ax.plot(x, tuned, "s", color="C1", label="fine-tuned" + (f" ({sec.data['batches']} batches)"
                                                             if sec.data.get("batches") else ""))
    lo = np.array([r["ci_low"] for r in rows]) + plain
    hi = np.array([r["ci_high"] for r in rows]) + plain
    ax.errorbar(x, tuned, yerr=[tuned - lo, hi - tuned], fmt="none", ecolor="C1", capsize=4,
                label="95% interval of the change")
    for i in x:
        ax.plot([i, i], [plain[i], tuned[i]], color="grey", lw=0.8)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    counts = {r["n"] for r in rows}
    if len(counts) == 1:  # one count for every epoch: said once, in the axis label (five ticks of it collide)
        ax.set_xticks(x, [str(r["epoch"]) for r in rows])
        ax.set_xlabel(f"supernet epoch ({counts.pop()} subnets fine-tuned at each)")
    else:
        ax.set_xticks(x, [f"{r['epoch']}\n({r['n']} subnets)" for r in rows])
        ax.set_xlabel("supernet epoch")
    ax.set_ylabel("Kendall τ with ground truth")
    _legend_outside(ax, 7)
    return _png(fig)


DRAW = {"meanscore": meanscore, "correlation": correlation, "topk": topk, "bottomtop": bottomtop, "ceiling": ceiling,
        "scatter": scatter, "operators": operators, "prune_supernet": prune_supernet, "pruning": pruning,
        "stability": stability, "rankings": rankings, "retrained": retrained, "finetune": finetune}


@_plain_text
def compare_correlation(sec: Section) -> bytes:
    fig, (ax,) = _figure()
    for j, (name, (frac, m, sd)) in enumerate(sec.data["series"].items()):
        m, sd = np.array(m), np.nan_to_num(np.array(sd, dtype=float))
        ax.plot(frac, m, "-o", color=f"C{j}", label=short(name))
        ax.fill_between(frac, m - sd, m + sd, color=f"C{j}", alpha=0.15)
    from matplotlib.ticker import FuncFormatter

    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("epoch / supernet training epochs")
    ax.set_ylabel("Kendall τ with ground truth")
    _legend_outside(ax, 8)
    return _png(fig)


@_plain_text
def compare_topk(sec: Section) -> bytes:
    from matplotlib.ticker import FuncFormatter

    fig, (ax,) = _figure()
    for j, (name, (frac, found, rand)) in enumerate(sec.data["series"].items()):
        ax.plot(frac, found, "-o", color=f"C{j}", label=f"{short(name)}: supernet top 10%")
        ax.plot(frac, rand, "--", color=f"C{j}", label=f"{short(name)}: 10% random")
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    _percent_log_axis(ax)
    ax.set_xlabel("epoch / supernet training epochs")
    ax.set_ylabel("GT rank of the best found (top %)")
    _legend_outside(ax, 7)
    return _png(fig)
