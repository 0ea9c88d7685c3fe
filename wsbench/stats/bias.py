"""The ``bias`` statistic: bias of the supernet towards model size (``by="params"``) and towards operators
(``by="operator"``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wsbench.stats import options as _opt
from wsbench.stats.coefficients import correlate
from wsbench.stats.ranking import (
    order_best_first,
    percentiles_with_counts,
    rank_percentile,
    tie_groups,
    top_share,
)
from wsbench.stats.summary import ScoreFn, Table, ci_note, mean_of_draws, mean_std
from wsbench.stats.topk_kernel import parse_percent

if TYPE_CHECKING:
    from wsbench.stats.source import Source

BY = ("params", "operator")


def _one_pool(sn: np.ndarray, gt: np.ndarray, params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three arrays with NaN wherever any of them is not finite, so that every pair is taken over the same
    subnets (each correlation drops non-finite pairs; without this, a NaN score would leave (PS,GT) a larger pool
    than (WS,GT))."""
    sn, gt, params = (np.asarray(a, dtype=np.float64) for a in (sn, gt, params))
    ok = np.isfinite(sn) & np.isfinite(gt) & np.isfinite(params)
    return tuple(np.where(ok, a, np.nan) for a in (sn, gt, params))  # type: ignore[return-value]


def size_bias(sn: np.ndarray, gt: np.ndarray, params: np.ndarray) -> dict[str, float]:
    """Kendall tau of (params, GT), (supernet, GT), (supernet, params): the study's (PS,GT), (WS,GT), (WS,PS), all
    three over the subnets where the score, the GT and the size are finite."""
    sn, gt, params = _one_pool(sn, gt, params)
    return {
        "tau_params_gt": correlate(params, gt, "kendall"),
        "tau_supernet_gt": correlate(sn, gt, "kendall"),
        "tau_supernet_params": correlate(sn, params, "kendall"),
    }


def size_pairs(sn: np.ndarray, gt: np.ndarray, params: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The (x, y) pairs of :func:`size_bias`, by key (for bootstrapping the same taus), over its one pool."""
    sn, gt, params = _one_pool(sn, gt, params)
    return {"tau_params_gt": (params, gt), "tau_supernet_gt": (sn, gt), "tau_supernet_params": (sn, params)}


def top_membership(g: np.ndarray, k: int, ties: str = "random") -> np.ndarray:
    """Probability that each item is in the top ``k`` by ``g``: 1 above the cut, 0 below; inside a tie group at
    the cut, a/m under random tie-breaking (a of its m members are taken), or store order (``ties="store"``)."""
    if ties == "random":
        return top_share(g, np.sort(g)[::-1], k)
    w = np.zeros(len(g))
    w[order_best_first(g)[:k]] = 1.0
    return w


def operator_bias(sn: np.ndarray, gt: np.ndarray, choice: np.ndarray, top_fraction: float,
                  ties: str = "random", n_ops: int | None = None) -> dict[str, np.ndarray]:
    """Per (decision, op): mean rank percentile (100 = best) under supernet and GT, share in each top set.

    Rows are the decisions of ``choice`` plus one last row "any" (the op appears
    at any decision). Returns arrays of shape (decisions + 1, ops); NaN where the
    op never occurs at that decision. Shares of a top set are expectations over
    random tie-breaking at its cut (:func:`top_membership`) unless ``ties="store"``.
    """
    n, d = choice.shape
    if n_ops is None:
        n_ops = int(choice.max()) + 1 if choice.size else 0
    pct_sn, pct_gt = rank_percentile(sn), rank_percentile(gt)
    k = max(1, int(np.ceil(n * top_fraction - 1e-9)))
    in_top_sn, in_top_gt = top_membership(sn, k, ties), top_membership(gt, k, ties)
    onehot = op_indicator(choice, n_ops)
    cnt = onehot.sum(axis=0)
    sums = np.stack([pct_sn, pct_gt, in_top_sn, in_top_gt]) @ onehot  # one product for the four per-op sums
    shape = (d + 1, n_ops)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_pct = np.where(cnt > 0, sums[:2] / cnt, np.nan)
    return {"count": cnt.reshape(shape), "mean_pct_supernet": mean_pct[0].reshape(shape),
            "mean_pct_gt": mean_pct[1].reshape(shape), "share_top_supernet": (sums[2] / k).reshape(shape),
            "share_top_gt": (sums[3] / k).reshape(shape)}


def op_indicator(choice: np.ndarray, n_ops: int) -> np.ndarray:
    """(arch, (decisions + 1) x ops) of 0.0/1.0: subnet i has op o at decision j (column j x ops + o), then the op
    at any decision (the last ops columns); per-op sums of any per-subnet vector are one matrix product."""
    n, d = choice.shape
    at = choice[:, :, None] == np.arange(n_ops)
    return np.concatenate([at.reshape(n, d * n_ops), at.any(axis=1)], axis=1).astype(np.float64)


def operator_gap_resampled(scores: list[np.ndarray], gt: np.ndarray, choice: np.ndarray, idx: np.ndarray,
                           n_ops: int) -> list[np.ndarray]:
    """:func:`operator_gap` of every bootstrap resample ``idx`` for each score vector (seed), from multiplicities:
    a copy of a subnet ranks with its tie group, and means over the subnets with an op weigh each by its count.
    Returns ``[seed] -> (resamples, decisions + 1, ops)``; items with a NaN score or GT are dropped per seed."""
    d = choice.shape[1]
    masks = op_indicator(choice, n_ops)
    out = []
    for s in scores:
        ok = np.isfinite(s) & np.isfinite(gt)
        ss, gg, mm = s[ok], gt[ok], masks[ok]
        keep = np.cumsum(ok) - 1  # new index of each kept item
        g_s, g_g = tie_groups(ss), tie_groups(gg)
        gaps = np.empty((len(idx), d + 1, n_ops))
        for b, i in enumerate(idx):
            c = np.bincount(keep[i[ok[i]]], minlength=len(ss)).astype(np.float64)
            diff = percentiles_with_counts(g_s, c) - percentiles_with_counts(g_g, c)
            cnt = c @ mm
            with np.errstate(invalid="ignore", divide="ignore"):
                gaps[b] = np.where(cnt > 0, (c * diff) @ mm / cnt, np.nan).reshape(d + 1, n_ops)
        out.append(gaps)
    return out


class Options(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.4 ms of every start
    by: str
    top: str
    top_fraction: float
    flag: int
    ties: str
    level: float | None
    boot: int
    rng_seed: int


def parse_options(by: str = "params", top: str = "10%", flag: int = 3, ties: str = "random",
                  ci: float | None = None, boot: int = 1000, rng_seed: int = 0) -> Options:
    """Every option of the statistic checked (``top`` whatever ``by`` is, so a typo never passes silently)."""
    from wsbench.stats import bootstrap as _boot

    level = None if ci is None else _boot.check_level(ci)
    boot, rng_seed = _opt.count(boot, "boot", 10), _opt.count(rng_seed, "rng_seed", 0)
    _opt.one_of(by, BY, "bias kind (--by)")
    flag = _opt.count(flag, "flag", 0)
    ties = _opt.ties(ties)
    return Options(by, top, parse_percent(top), flag, ties, level, boot, rng_seed)


def _resamples(o: Options, n: int) -> np.ndarray | None:
    from wsbench.stats import bootstrap as _boot

    return _boot.resamples(n, o.boot, o.rng_seed) if o.level is not None else None


def params_table(sn: ScoreFn, g: np.ndarray, pv: np.ndarray, epochs: list[int], seeds: list[int], o: Options,
                 gt: str = "gt_score", params: str = "params", score: str = "supernet") -> Table:
    """Model-size bias per (seed, epoch): the three taus of :func:`size_bias` between ``sn(seed, epoch)``, the GT
    goodness ``g`` and the size ``pv``; summary per epoch over seeds (with ``o.level``: bootstrap intervals over
    subnets, the same resamples for every seed)."""
    from wsbench.stats import bootstrap as _boot

    level, idx = o.level, _resamples(o, len(g))
    mult = _boot.counts(idx, len(g)) if idx is not None else None
    rows, dists = [], {}
    for e in epochs:
        for s in seeds:
            x = sn(s, e)
            row = {"seed": s, "epoch": e, **size_bias(x, g, pv)}
            if idx is not None:
                for key, (a, b) in size_pairs(x, g, pv).items():
                    # no supernet in it: the same for every seed whose pool (finite score) is the same
                    same = ("pool", np.isfinite(a).tobytes()) if key == "tau_params_gt" else None
                    d = dists[(e, s, key)] = dists[same] if same in dists else _boot.correlation_draws(
                        a, b, idx, "kendall", multiplicities=mult)
                    if same is not None:
                        dists[same] = d
                    row[f"{key}_ci_low"], row[f"{key}_ci_high"] = _boot.percentile_interval(d, level)
            rows.append(row)
    summary = []
    for e in epochs:
        sel = [r for r in rows if r["epoch"] == e]
        srow: dict[str, Any] = {"epoch": e}
        for key in ("tau_params_gt", "tau_supernet_gt", "tau_supernet_params"):
            srow[f"{key}_mean"], srow[f"{key}_std"] = mean_std([r[key] for r in sel])
            if idx is not None:
                srow[f"{key}_ci_low"], srow[f"{key}_ci_high"] = _boot.percentile_interval(
                    mean_of_draws([dists[(e, r["seed"], key)] for r in sel]), level)
        summary.append(srow)
    notes = [("Kendall tau: (PS,GT) = tau_params_gt, (WS,GT) = tau_supernet_gt, (WS,PS) = tau_supernet_params; "
              "scores oriented higher-is-better")]
    finite = pv[np.isfinite(pv)]
    if finite.size and np.ptp(finite) == 0:  # e.g. DARTS's recurrent cells: one size for every genotype
        notes.append(f"{params} is {finite[0]:g} for every subnet: no size ranking exists, so tau_params_gt "
                     "and tau_supernet_params are undefined (null); size bias cannot be measured here")
    opts = {"by": "params", "epoch": epochs, "seed": seeds, "gt": gt, "params": params, "score": score}
    if level is not None:
        opts.update(ci=level, boot=o.boot, rng_seed=o.rng_seed)
        notes.append(ci_note(level, o.boot, o.rng_seed))
    return Table(opts, rows, summary, notes)


def operator_table(sn: ScoreFn, g: np.ndarray, choice: np.ndarray, decisions: list[str], ops: list[str],
                   epochs: list[int], seeds: list[int], o: Options, gt: str = "gt_score",
                   score: str = "supernet") -> Table:
    """Operator bias per (epoch, decision, op), averaged over seeds: :func:`operator_bias` of ``sn(seed, epoch)``
    and the GT goodness ``g`` given each subnet's op indices ``choice`` (arch x decision); ``decisions`` and
    ``ops`` name the rows and columns. The ``o.flag`` largest |gap| per epoch are flagged in the summary."""
    from wsbench.stats import bootstrap as _boot

    level, idx = o.level, _resamples(o, len(g))
    n_ops = int(choice.max()) + 1 if choice.size else 0
    names = [str(d) for d in decisions] + ["any"]
    rows = []
    for e in epochs:
        per_seed, gap_draws = [], []  # gap_draws: [seed] -> (resamples, decisions + 1, ops) with ci
        for s in seeds:
            x = sn(s, e)
            ok = np.isfinite(x) & np.isfinite(g)
            per_seed.append(operator_bias(x[ok], g[ok], choice[ok], o.top_fraction, o.ties, n_ops))
        if idx is not None:  # the same resamples for every seed; NaN subnets dropped from each
            gap_draws = operator_gap_resampled([sn(s, e) for s in seeds], g, choice, idx, n_ops)
        per = {key: np.stack([p[key] for p in per_seed]) for key in per_seed[0]}  # (seed, decision, op)
        mean = {key: v.mean(axis=0) for key, v in per.items()}
        gaps = per["mean_pct_supernet"] - per["mean_pct_gt"]
        finite = np.isfinite(gaps).all(axis=0)  # as mean_std: NaN where any seed's gap is NaN
        with np.errstate(invalid="ignore"):
            gap_mean = np.where(finite, gaps.mean(axis=0), np.nan)
            gap_std = np.where(finite, gaps.std(axis=0, ddof=1), np.nan) if len(per_seed) > 1 else \
                np.full(gaps.shape[1:], np.nan)
        count = per["count"][0]
        for j, dname in enumerate(names):
            for k, op in enumerate(ops):
                if k >= count.shape[1] or not count[j, k]:
                    continue
                ci_cols = {}
                if idx is not None:
                    ci_cols["gap_ci_low"], ci_cols["gap_ci_high"] = _boot.percentile_interval(
                        np.mean([dr[:, j, k] for dr in gap_draws], axis=0), level)
                rows.append({"epoch": e, "decision": dname, "op": op, "count": int(count[j, k]),
                             "mean_pct_supernet": float(mean["mean_pct_supernet"][j, k]),
                             "mean_pct_gt": float(mean["mean_pct_gt"][j, k]),
                             "gap_mean": float(gap_mean[j, k]), "gap_std": float(gap_std[j, k]),
                             "share_top_supernet": float(mean["share_top_supernet"][j, k]),
                             "share_top_gt": float(mean["share_top_gt"][j, k]), **ci_cols, "flag": ""})
    summary = []
    for e in epochs:
        sel = [r for r in rows if r["epoch"] == e and np.isfinite(r["gap_mean"])]
        for r in sorted(sel, key=lambda r: -abs(r["gap_mean"]))[: o.flag]:
            r["flag"] = "overrated" if r["gap_mean"] > 0 else "underrated"
            summary.append({k: r[k] for k in ("epoch", "decision", "op", "gap_mean", "gap_std", "gap_ci_low",
                                              "gap_ci_high", "mean_pct_supernet", "mean_pct_gt", "flag")
                            if k in r})
    notes = [("mean_pct_*: mean rank percentile (100 = best) of subnets with that op at that decision; "
              "gap = supernet - GT (> 0: the supernet overrates the op); share_top_*: share of the top "
              f"{o.top} under each ranking that has the op; decision 'any' = the op appears anywhere")]
    notes.append(f"the {o.flag} largest |gap| per epoch are flagged (--flag); shares of a top set count a tie at its "
                 "cut " + ("as the expectation over random tie-breaking" if o.ties == "random" else "in store order"))
    opts = {"by": "operator", "epoch": epochs, "seed": seeds, "top": o.top, "gt": gt, "flag": o.flag, "score": score,
            "ties": o.ties}
    if level is not None:
        opts.update(ci=level, boot=o.boot, rng_seed=o.rng_seed)
        notes.append(ci_note(level, o.boot, o.rng_seed) + "; gap_ci_* is the interval of the gap's mean over seeds")
    return Table(opts, rows, summary, notes)


def query(store: Source, by: str = "params", epoch: Any = "last", seed: Any = "all", top: str = "10%",
          gt: str = "gt_score", params: str = "params", flag: int = 3, score: str = "supernet",
          ties: str = "random", ci: float | None = None, boot: int = 1000, rng_seed: int = 0) -> Table:
    """Model-size bias (by='params') or operator bias (by='operator'); see docs/statistics.md.

    ``ci``: bootstrap percentile intervals over subnets (``boot`` resamples, the same for every seed) of
    the three taus (by='params') or of each operator's gap (by='operator')."""
    from wsbench.errors import UnknownNameError

    o = parse_options(by, top, flag, ties, ci, boot, rng_seed)
    score = store.check_score(score)
    if o.by == "params" and params not in store.numeric_arch_variables():
        raise UnknownNameError("model-size variable (params)", params, store.numeric_arch_variables())
    epochs, seeds = store.select_epochs(epoch), store.select_seeds(seed)
    g, sn = store.gt(gt), store.score_fn(score)
    if o.by == "params":
        return params_table(sn, g, store.arch_values(params).astype(float), epochs, seeds, o, gt=gt, params=params,
                            score=score)
    return operator_table(sn, g, store.arch_values("choice").astype(np.int64), list(store.attrs["decisions"]),
                          list(store.attrs["ops"]), epochs, seeds, o, gt=gt, score=score)
