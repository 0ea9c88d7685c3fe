"""The ``wsbench report`` page of a user's estimator (``wsbench evaluate ... --out DIR``).

Built from what the evaluation computed and from its view (:mod:`wsbench.evaluation.view`: the user's ranking as
the one score of a :class:`~wsbench.stats.source.Source`), through the statistics' own ``query`` functions, never
from ``Benchmark`` internals. Five sections, drawn by :mod:`wsbench.report.figures`:

- ``rankings``: Kendall τ of the estimator beside every ranking of the dataset on the same subnets (the summary);
- ``topk``: the best ground truth among the top-k of the estimator, the supernet (last epoch) and k random subnets;
- ``scatter``: the estimator's score against the ground truth, one point per architecture evaluated;
- ``correlation``: τ and ρ against the epoch of the scores (skipped for one epoch);
- ``operators``: the ops the estimator over- and under-rates (``wsbench bias --by operator``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from wsbench.errors import OptionError, WsbenchError
from wsbench.report.sections import Section, _pm

KEYS = ("rankings", "topk", "scatter", "correlation", "operators")


def _rankings(summary: list[dict], name: str) -> Section:
    sec = Section("rankings", f"{name} beside the dataset's rankings")
    rows = [r for r in summary if not r["ranking"].startswith("random") and np.isfinite(r["kendall_mean"])]
    mine = [r for r in rows if r["ranking"] == name]
    rows = mine + [r for r in rows if r["ranking"] != name]
    sec.data = {"bars": [(f"{r['ranking']} (n={r['n']})", r["kendall_mean"], r["kendall_std"]) for r in rows]}
    if not mine:
        sec.skipped = f"{name} scored no subnet of the dataset: no ranking of the dataset to compare with"
        return sec
    others = [r for r in rows if r["ranking"] != name and not r["ranking"].endswith("(table)")]
    best = max(others, key=lambda r: r["kendall_mean"]) if others else None
    sec.finding = (f"{name}: Kendall τ {_pm(mine[0]['kendall_mean'], mine[0]['kendall_std'], 3)} on the "
                   f"{mine[0]['n']} subnets scored" + "".join(
                       f"; on all {r['n']} in the ground-truth table, τ {r['kendall_mean']:.3f}" for r in rows
                       if r["ranking"] == f"{name} (table)")
                   + (f"; the dataset's best on the same subnets: {best['ranking']} (τ {best['kendall_mean']:.3f})."
                      if best else "."))
    sec.caption = ("Kendall τ with the ground truth of each ranking (mean ± std over its seeds), n: the architectures "
                   "it is computed on. `wsbench evaluate`, its summary")
    return sec


def _topk(summary: list[dict], name: str) -> Section:
    sec = Section("topk", "Best ground truth among the top-k")
    picked = {}
    for label in (f"{name} (table)", name, "supernet (last epoch)", "random (table)", "random"):
        row = next((r for r in summary if r["ranking"] == label), None)
        if row is not None:
            picked[label] = row
    first = next(iter(picked.values()))
    ks = [c[len("best_gt@"):-len("_mean")] for c in first if c.startswith("best_gt@") and c.endswith("_mean")]
    sec.data = {"ks": ks, "series": {lab: [r.get(f"best_gt@{k}_mean", np.nan) for k in ks] for lab, r in picked.items()}}
    mine = picked.get(f"{name} (table)") or picked.get(name)
    rnd = picked.get("random (table)") if f"{name} (table)" in picked else picked.get("random")
    sec.finding = "; ".join(f"top-{k}: {mine[f'best_gt@{k}_mean']:.2f} (k random: {rnd[f'best_gt@{k}_mean']:.2f})"
                            for k in ks) + f" for {name}."
    sec.caption = ("Best ground truth among each ranking's top-k (mean over seeds); random: the exact expectation "
                   "for k random architectures of the same set. `wsbench evaluate`, best_gt@k")
    return sec


def _scatter(view: Any, name: str, gt: str, metric: str, direction: str) -> Section:
    sec = Section("scatter", f"{name} against the ground truth")
    epoch = view.epochs[-1]
    x = np.nanmean(np.stack([view.score_fn(name)(s, epoch) for s in view.seeds]), axis=0)
    g = view.gt(gt)
    sign = 1.0 if direction == "max" else -1.0
    sec.data = {"supernet": x, "gt": sign * g, "params": None, "metric": metric, "direction": direction,
                "x_label": f"{name} (higher = better)"}
    ok = np.isfinite(x) & np.isfinite(g)
    from wsbench.stats.arrays import kendall

    sec.finding = f"{int(ok.sum())} architectures; Kendall τ {kendall(x[ok], g[ok]):.3f}."
    sec.caption = (f"One point per architecture evaluated (score at its last epoch, {epoch}, mean over "
                   f"{len(view.seeds)} seed(s); oriented so that higher is better).")
    return sec


def _correlation(view: Any, name: str, gt: str) -> Section:
    from wsbench.stats import correlation

    sec = Section("correlation", f"{name}: rank correlation with ground truth vs epoch")
    if len(view.epochs) < 2:
        sec.skipped = "the scores have one epoch (no epoch column, or one value in it)"
        return sec
    r = correlation.query(view, epoch="all", seed="all", against=gt, score=name, method="kendall,spearman")
    sec.data = {"epochs": view.epochs, "summary": r.summary, "rows": r.rows, "seeds": view.seeds}
    tau = [s["kendall_mean"] for s in r.summary]
    best = int(np.nanargmax(tau))
    sec.finding = (f"Kendall τ {tau[0]:.3f} at epoch {view.epochs[0]}, {tau[-1]:.3f} at epoch {view.epochs[-1]}, "
                   f"highest at epoch {view.epochs[best]} ({tau[best]:.3f}).")
    sec.caption = "Mean over the scores' seeds (line), ± std (band); thin lines: single seeds. `wsbench evaluate`"
    return sec


def _operators(view: Any, name: str, gt: str) -> Section:
    from wsbench.stats import bias

    sec = Section("operators", f"Operators {name} over- and under-rates")
    r = bias.query(view, by="operator", epoch="last", seed="all", score=name, gt=gt, flag=3)
    decisions = list(dict.fromkeys(row["decision"] for row in r.rows))
    ops = list(dict.fromkeys(row["op"] for row in r.rows))
    gap = np.full((len(decisions), len(ops)), np.nan)
    for row in r.rows:
        gap[decisions.index(row["decision"]), ops.index(row["op"])] = row["gap_mean"]
    sec.data = {"decisions": decisions, "ops": ops, "gap": gap, "who": name}
    if not r.summary:
        sec.skipped = "no operator has a finite gap"
        return sec
    worst = r.summary[0]
    sec.finding = (f"The largest gap: {worst['op']} at {worst['decision']}, {worst['gap_mean']:+.1f} rank-percentile "
                   f"points ({'over' if worst['gap_mean'] > 0 else 'under'}rated by {name}).")
    sec.caption = (f"Mean rank percentile of the architectures with the op at that decision, {name} minus ground truth "
                   "(> 0: overrated). `wsbench bias --by operator`")
    return sec


def build(result: Any, view: Any) -> tuple[str, list[tuple[str, str]], list[Section]]:
    """(title, provenance rows, sections with their PNGs) of the page; ``view``: the evaluation's view that holds
    the estimator (on the ground-truth table where it was used, else on the dataset's subnets)."""
    from wsbench.report import _require_matplotlib, figures

    _require_matplotlib()
    o = result.options
    name, gt = o["name"], o["gt"]
    calls = {"rankings": lambda: _rankings(result.summary, name), "topk": lambda: _topk(result.summary, name),
             "scatter": lambda: _scatter(view, name, gt, view.base.metric, view.base.direction),
             "correlation": lambda: _correlation(view, name, gt), "operators": lambda: _operators(view, name, gt)}
    sections = []
    for key in KEYS:
        try:
            sec = calls[key]()
        except WsbenchError as e:
            sec = Section(key, key, skipped=str(e))
        if sec.skipped is None:
            sec.png = (figures.estimator_topk if key == "topk" else figures.DRAW[key])(sec)
        sections.append(sec)
    prov = [("estimator", name), ("scores", str(o["scores"])), ("dataset", result.dataset),
            ("architectures", f"{o['scored']} scored; {o['subnets']} of them subnets of the dataset "
                              f"({o['of_dataset']})" + (f"; ground-truth table {o['gt_table']}" if o.get("gt_table")
                                                        and o.get("outside_dataset") else "")),
            ("direction", f"{o['direction_from']}: {'higher' if o['direction'] == 'max' else 'lower'} is better"),
            ("ground truth", gt)]
    return f"{name} on {result.dataset}", prov, sections


def write_page(out_dir: str | os.PathLike, result: Any, view: Any) -> Path:
    """Write ``<out_dir>/<name>-<dataset>-report.html`` (one self-contained file, replaced atomically)."""
    from wsbench.report import _atomic_write, render_html

    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise OptionError(f"--out {folder} is a file; give a folder for the report page (it is created if missing)")
    title, prov, sections = build(result, view)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OptionError(f"cannot create the folder {folder} ({e.strerror}); give --out a folder you can write to") \
            from None
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{result.options['name']}-{Path(result.dataset).stem}").strip("._")
    path = folder / f"{stem or 'scores'}-report.html"
    _atomic_write(path, render_html(title, prov, sections).encode())
    return path
