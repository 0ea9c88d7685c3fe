"""darts-cifar10 v1.0 beside v1.1 on every statistic of the card: the tables of v1.1's card section "v1.1 against v1.0".

    python results/darts-cifar10-v1.1/card_tables.py OLD NEW [--epoch 32]

OLD: v1.0 (it left the wheel with v1.1: ``git show 73f007b:wsbench/datasets/darts-cifar10-1.0.zip > v10.zip``);
NEW: v1.1 (catalog name or store). Both must hold the same 500 genotypes in the same order and the same GT
(compare.py's check). Every number comes from ``wsbench.query`` on each store with the same options; mean ± std over
the 3 supernet seeds of each version. The paired Δτ per epoch (seed i against seed i, same subnets) is compare.py's
table, printed first. The ground truth, sizes and zero-cost proxies are the same in both: statistics that read only
them (τ of params or a proxy with GT) are not repeated.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import wsbench


def pm(m: float, s: float, nd: int = 3) -> str:
    return f"{m:.{nd}f} ± {s:.{nd}f}"


def _one(r: Any, **where: Any) -> dict[str, Any]:
    rows = [s for s in r.summary if all(s.get(k) == v for k, v in where.items())]
    if len(rows) != 1:
        raise SystemExit(f"error: {r.statistic} has {len(rows)} summary rows for {where}, expected 1")
    return rows[0]


def _stat_rows(b: Any, last: int) -> list[tuple[str, str]]:
    """(label, value) for one store: the card's statistics at epoch ``last`` (and per epoch where the card has them)."""
    out: list[tuple[str, str]] = []
    add = out.append
    for score, what, nd in (("supernet", "accuracy (%)", 1), ("loss", "loss (nats)", 3)):
        ms = b.meanscore(score=score, epoch="all")
        for e in (ms.options["epoch"][0], last):
            s = _one(ms, epoch=e)
            add((f"mean supernet {what} of the subnets, epoch {e}", pm(s["mean_mean"], s["mean_std"], nd)))
    for score in ("supernet", "loss"):
        c = b.correlation(score=score, epoch="all")
        peak = max(c.summary, key=lambda s: s["kendall_mean"])
        add((f"τ({score}, GT): peak epoch", f"{peak['epoch']} ({pm(peak['kendall_mean'], peak['kendall_std'])})"))
        s = _one(c, epoch=last)
        add((f"Spearman ρ({score}, GT), epoch {last}", pm(s["spearman_mean"], s["spearman_std"])))
    s = _one(b.correlation(epoch=last, within_top="10%"), epoch=last)
    add((f"τ inside the GT's top 10%, epoch {last}", pm(s["kendall_mean"], s["kendall_std"])))
    tk = b.topk(k="1,1%,10%", epoch=last)
    for k in ("1", "1%", "10%"):
        s = _one(tk, k=k)
        add((f"top-{k}: best GT rank (top %) found, epoch {last} (random {s['random_top_pct']:.1f})",
             pm(s["best_gt_top_pct_mean"], s["best_gt_top_pct_std"], 1)))
    s = _one(b.bottomtop(epoch=last), epoch=last)
    add((f"P@top-10%, epoch {last} (random {s['p_random']:.2f})", pm(s["p_top_mean"], s["p_top_std"])))
    add((f"P@bottom-10%, epoch {last}", pm(s["p_bottom_mean"], s["p_bottom_std"])))
    add((f"bottom − top, epoch {last}", pm(s["p_diff_mean"], s["p_diff_std"])))
    add((f"τ inside the GT's bottom / top 10%, epoch {last}",
         f"{s['kendall_bottom_mean']:.3f} / {s['kendall_top_mean']:.3f}"))
    s = _one(b.bias(by="params", epoch=last), epoch=last)
    add((f"τ(supernet, params), epoch {last} (τ(params, GT) {s['tau_params_gt_mean']:.3f} in both)",
         pm(s["tau_supernet_params_mean"], s["tau_supernet_params_std"])))
    op = b.bias(by="operator", epoch=last, flag=1).summary[0]
    add((f"largest operator gap, epoch {last} (rank-percentile points)",
         f"{op['gap_mean']:+.1f} ± {op['gap_std']:.1f} {op['op']} at {op['decision']}"))
    ps = b.prune(mode="supernet", epoch=last)
    for f in (0.5, 0.9):
        s = _one(ps, factor=f)
        add((f"supernet prunes its worst {f:.0%}: share of the GT's top 10% kept (random {1 - f:.2f})",
             pm(s["gt_top10pct_survival_mean"], s["gt_top10pct_survival_std"], 2)))
    for mode in ("optimistic", "random"):
        s = _one(b.prune(mode=mode, epoch=last), factor=0.9)
        add((f"{mode} pruning 0.9: best GT of the supernet's top-1% (1% random: {s['random_topk_best_gt_mean']:.2f})",
             pm(s["supernet_topk_best_gt_mean"], s["supernet_topk_best_gt_std"], 2)))
        add((f"{mode} pruning 0.9: τ on what remains", pm(s["kendall_mean"], s["kendall_std"])))
    st = b.stability(epoch="all")
    s = _one(st, kind="seed", epoch=last)
    add((f"seed × seed τ, epoch {last}", pm(s["kendall_mean"], s["kendall_std"])))
    seed_taus = [x["kendall_mean"] for x in st.summary if x["kind"] == "seed"]
    add(("seed × seed τ, highest over epochs", f"{max(seed_taus):.3f}"))
    consecutive = [x["kendall_mean"] for x in st.summary if x["kind"] == "epoch"]
    add(("epoch × previous epoch τ, mean over epochs", f"{np.mean(consecutive):.3f}"))
    return out


def _compare_module() -> Any:
    spec = importlib.util.spec_from_file_location("compare", Path(__file__).with_name("compare.py"))
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def side_by_side(old: Any, new: Any, last: int, names: tuple[str, str]) -> str:
    a, b = _stat_rows(old, last), _stat_rows(new, last)
    if [x[0] for x in a] != [x[0] for x in b]:  # a label carrying a GT-only number differs: the GT differs
        raise SystemExit("error: the two stores' GT-only figures differ (labels do not match); compare.py checks why")
    lines = [f"| statistic | {names[0]} | {names[1]} |", "|---|---|---|"]
    lines += [f"| {la} | {va} | {vb} |" for (la, va), (_, vb) in zip(a, b)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="v1.0: store path or catalog name")
    ap.add_argument("new", help="v1.1: store path or catalog name")
    ap.add_argument("--names", default="v1.0,v1.1", help="column names of OLD and NEW (default v1.0,v1.1)")
    ap.add_argument("--epoch", type=int, default=32, help="the epoch of the per-epoch rows (default 32, the last)")
    args = ap.parse_args(argv)
    names = tuple(args.names.split(","))
    if len(names) != 2:
        ap.error(f"--names takes two comma-separated names, got {args.names!r}")
    compare: Callable[[list[str]], int] = _compare_module().main
    print("### Paired Δτ with GT, v1.1 − v1.0, per epoch (`compare.py`)\n")
    rc = compare([args.old, args.new])
    if rc:
        return rc
    old, new = wsbench.open(args.old), wsbench.open(args.new)
    print("\n### Every statistic of the card, side by side (mean ± std over 3 seeds; `card_tables.py`)\n")
    print(side_by_side(old, new, args.epoch, names))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
