"""``prune --source retrained``: supernets retrained on pruned spaces, beside the unpruned control on the same pools.

The study's pruning figure (issue 30): per prune run (mode, factor) and supernet seed, the pool is what that run's
supernet scored (its kept subnets with a finite GT). On it: the best GT of the retrained supernet's top-k, of k
random subnets of the pool (exact expectation), and Kendall's tau; and the post-hoc answer of the control supernet
(the run with mode ``none``, trained on the whole space) of the same seed and epoch restricted to the same pool.
``retrained_minus_control`` (goodness, > 0: retraining on the pruned space found better) and
``retrained_minus_control_kendall`` are paired per pool and seed; :func:`pooled` tests them over every pruned pool
and seed at once (the study's question: does retraining on the pruned space help, whatever the mode and factor?).
Summary per (epoch, mode, factor): mean and sample std over the seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import comb
from typing import Any

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.ranking import to_metric
from wsbench.stats.summary import Table, mean_std
from wsbench.stats.summary import pool as finite_pool

CONTROL = ("none", 0.0)
#: row values in goodness units, reported in the metric's
_VALUES = ("mean_gt", "best_gt", "supernet_topk_best_gt", "random_topk_best_gt", "control_topk_best_gt")
#: differences of goodness (> 0: the first is better), reported as they are
_GAINS = ("supernet_gain_over_random", "retrained_minus_control", "control_gain_over_random",
          "retrained_minus_control_kendall")
_SUMMARY = (*_VALUES, "kendall", "control_kendall", *_GAINS)


def one_pool(x: np.ndarray, g: np.ndarray, k: int, ties: str, control: np.ndarray | None = None) -> dict[str, float]:
    """The figures of one pool (goodness units): ``x`` the retrained supernet's goodness, ``g`` the GT's, ``control``
    the control supernet's on the same subnets (None: no control; its columns NaN). All finite."""
    from wsbench.stats.coefficients import correlate
    from wsbench.stats.topk import topk_sample

    res = topk_sample(x, g, k, ties)
    out = {"mean_gt": float(g.mean()), "best_gt": float(g.max()), "supernet_topk_best_gt": res.best_gt,
           "random_topk_best_gt": res.random_best_gt, "kendall": correlate(x, g, "kendall"),
           "supernet_gain_over_random": res.best_gt - res.random_best_gt}
    if control is None:  # the control's own pool, or no control: nothing to set beside it (NaN, shown blank)
        out.update(dict.fromkeys(("control_topk_best_gt", "control_kendall", "retrained_minus_control",
                                  "control_gain_over_random", "retrained_minus_control_kendall"), float("nan")))
    else:
        c = topk_sample(control, g, k, ties)
        out.update(control_topk_best_gt=c.best_gt, control_kendall=correlate(control, g, "kendall"),
                   retrained_minus_control=res.best_gt - c.best_gt,
                   control_gain_over_random=c.best_gt - c.random_best_gt)
        out["retrained_minus_control_kendall"] = out["kendall"] - out["control_kendall"]
    return out


def sign_test(deltas: Sequence[float]) -> tuple[int, int, int, float]:
    """Wins (> 0), ties, losses and the exact two-sided sign-test p-value (ties dropped): it asks only that the
    pairs be independent and that a difference's sign be a fair coin under no effect, nothing of its size."""
    wins, losses = sum(d > 0 for d in deltas), sum(d < 0 for d in deltas)
    m = wins + losses
    if m == 0:
        return 0, len(deltas), 0, 1.0
    tail = sum(comb(m, i) for i in range(min(wins, losses) + 1))
    return wins, len(deltas) - m, losses, min(1.0, 2 * tail / 2 ** m)


def pooled(rows: Sequence[dict[str, Any]], epoch: int) -> dict[str, Any]:
    """Retrained minus control over every pruned pool and seed of ``epoch`` (rows of :func:`retrained_table`;
    the control's own rows and pairs without a control are left out): per figure (``best_gt``: the top-k's best
    GT in goodness; ``kendall``) the number of pairs, the mean difference, wins / ties / losses and the sign test's
    p. Pools of one seed share that seed's control supernet, so the pairs are not quite independent."""
    out: dict[str, Any] = {"epoch": epoch}
    for name, key in (("best_gt", "retrained_minus_control"), ("kendall", "retrained_minus_control_kendall")):
        d = [float(r[key]) for r in rows if r["epoch"] == epoch and np.isfinite(r[key])]
        wins, ties, losses, p = sign_test(d)
        out.update({f"{name}_pairs": len(d), f"{name}_delta_mean": float(np.mean(d)) if d else float("nan"),
                    f"{name}_wins": wins, f"{name}_ties": ties, f"{name}_losses": losses, f"{name}_p": p})
    return out


def retrained_table(sn: Callable[[int, int, tuple[str, float]], np.ndarray], g: np.ndarray,
                    runs: list[tuple[str, float]], modes: list[str], epochs: list[int], seeds: list[int], k: str,
                    ties: str, direction: str, gt: str = "gt_score", score: str = "supernet") -> Table:
    """Rows per (epoch, run, seed) of the runs whose mode is in ``modes`` (the control's own row included);
    ``sn(seed, epoch, run)``: goodness of every subnet under that run's supernet."""
    from wsbench.stats.topk_kernel import resolve_k

    chosen = [r for r in runs if r[0] in modes]
    if not chosen:
        raise OptionError(f"the store has no prune run of mode {modes}; its runs (mode, factor) are {runs}")
    has_control = CONTROL in runs
    rows = []
    for e in epochs:
        for run in chosen:
            for s in seeds:
                x = sn(s, e, run)
                pool = finite_pool(x, g, s, e, gt)
                c = None
                if has_control and run != CONTROL:
                    c = sn(s, e, CONTROL)[pool]
                    if not np.isfinite(c).all():
                        raise OptionError(f"the control supernet (seed {s}, epoch {e}) has no score for "
                                          f"{int((~np.isfinite(c)).sum())} subnets of the {run} pool; it must score "
                                          "the whole pool")
                vals = one_pool(x[pool], g[pool], resolve_k(k, len(pool)), ties, c)
                row: dict[str, Any] = {"epoch": e, "mode": run[0], "factor": run[1], "seed": s,
                                       "remaining": len(pool)}
                for key, v in vals.items():
                    row[key] = to_metric(v, direction) if key in _VALUES else float(v)
                rows.append(row)
    summary = []
    for e in epochs:
        for run in chosen:
            sel = [r for r in rows if r["epoch"] == e and (r["mode"], r["factor"]) == run]
            srow: dict[str, Any] = {"epoch": e, "mode": run[0], "factor": run[1], "seeds": len(sel),
                                    "remaining": sel[0]["remaining"]}
            for key in _SUMMARY:
                if key in sel[0]:
                    srow[f"{key}_mean"], srow[f"{key}_std"] = mean_std([r[key] for r in sel])
            summary.append(srow)
    notes = [(f"each prune run's supernets were retrained on its pruned space; pool = the subnets it scored with a "
              f"finite {gt}; top-k with k={k} of the pool; random_topk_best_gt = the exact expectation of the best "
              "GT of k random subnets of the same pool"),
             "mean ± std over the supernet seeds of each run (sample std)"]
    if has_control:
        notes.append("control_* = the control supernet (mode none, trained on the whole space) of the same seed and "
                     "epoch restricted post hoc to the same pool; retrained_minus_control = supernet_topk_best_gt - "
                     "control_topk_best_gt in goodness (> 0: retraining on the pruned space found better subnets), "
                     "paired per seed")
        for e in epochs:
            pl = pooled(rows, e)
            if pl["best_gt_pairs"]:
                notes.append(f"epoch {e}, retrained - control over all {pl['best_gt_pairs']} (pool, seed) pairs: "
                             + "; ".join(f"{what} mean {pl[f'{n}_delta_mean']:+.3g}, better in {pl[f'{n}_wins']}, "
                                         f"equal in {pl[f'{n}_ties']}, worse in {pl[f'{n}_losses']} (sign test p "
                                         f"{pl[f'{n}_p']:.2g})" for n, what in (("best_gt", "top-k best GT"),
                                                                               ("kendall", "Kendall τ")))
                             + "; pools of one seed share its control supernet, so the pairs are not quite "
                             "independent")
    else:
        notes.append("the store has no control run (mode none): no post-hoc comparison on the same pools")
    if "optimistic" in {r[0] for r in chosen}:
        notes.append("optimistic pruning removes by the ground truth, an oracle no search has: read "
                     "supernet_topk_best_gt beside random_topk_best_gt of the same pool")
    opts = {"mode": modes if len(modes) > 1 else modes[0], "runs": [list(r) for r in chosen], "epoch": epochs,
            "seed": seeds, "k": k, "source": "retrained", "gt": gt, "score": score, "ties": ties}
    return Table(opts, rows, summary, notes)
