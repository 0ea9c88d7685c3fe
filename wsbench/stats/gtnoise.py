"""The ``gtnoise`` statistic: the ground truth's own noise, from duplicates (subnets of one function trained
separately) and, where the store has them, from its repeated GT trainings. The computation is
:func:`wsbench.stats.dedupe.gt_noise` and :func:`wsbench.stats.ceiling.gt_pair_taus`; this module resolves the
store and lays out rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats import options as _opt
from wsbench.stats.summary import Table

if TYPE_CHECKING:
    from wsbench.stats.source import Source

#: the statistic is about duplicates themselves: merging them first (dedupe=) would leave none
DEDUPE = False


class Options(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.4 ms of every start
    method: str
    pairings: int
    level: float | None
    boot: int
    rng_seed: int


def parse_options(method: str = "kendall", pairings: int = 1, ci: float | None = 0.95, boot: int = 1000,
                  rng_seed: int = 0) -> Options:
    """Every option checked (no data needed)."""
    from wsbench.stats import bootstrap as _boot

    methods = _opt.methods(method)
    if len(methods) != 1:
        raise OptionError(f"gtnoise takes one method, got {method!r}")
    return Options(methods[0], _opt.count(pairings, "pairings", 1), None if ci is None else _boot.check_level(ci),
                   _opt.count(boot, "boot", 10), _opt.count(rng_seed, "rng_seed", 0))


def gtnoise_table(function_id: np.ndarray, g: np.ndarray, o: Options, gt: str = "gt_score", id_source: str = "",
                  trainings: tuple[list[int], np.ndarray] | None = None,
                  trainings_source: str = "gt_score_per_seed") -> Table:
    """One row from duplicates (:func:`wsbench.stats.dedupe.gt_noise` of ``g`` over the classes of
    ``function_id``) and, with ``trainings`` (gt_seed values, gt_seed x arch), one row per pair of trainings, or,
    where they are simulated from the GT's std (``trainings_source="gt_score_std"``), one row for all pairs;
    summary: one row per source."""
    from wsbench.stats.ceiling import gt_pair_taus
    from wsbench.stats.dedupe import classes, gt_noise

    m = o.method
    _, inverse = classes(function_id)
    members = np.bincount(inverse)
    has_trainings = trainings is not None and len(trainings[0]) >= 2
    pairs = int((np.bincount(inverse[np.isfinite(g)], minlength=len(members)) >= 2).sum())
    nan = float("nan")
    if pairs >= 3:
        r = gt_noise(function_id, g, m, pairings=o.pairings, rng_seed=o.rng_seed, ci=o.level, boot=o.boot)
        tau, lo, hi = r.tau, r.ci_low, r.ci_high
    elif has_trainings:
        tau = lo = hi = nan
    else:
        raise OptionError(f"the GT's noise cannot be measured here: {pairs} function class(es) with 2 or more "
                          f"members of finite {gt} (at least 3 needed; ids: {id_source}), fewer than 2 GT "
                          "trainings (gt_score_per_seed) and no per-architecture GT std (gt_score_std)")
    dup: dict[str, Any] = {"source": "duplicates", "pairs": pairs, m: tau}
    if o.level is not None:
        dup[f"{m}_ci_low"], dup[f"{m}_ci_high"] = lo, hi
    rows, summary = [dict(dup)], [dict(dup)]
    notes = [f"duplicates: {m} between the {gt} of two members of each function class with 2 or more members of "
             f"finite {gt} (pairs = such classes; {int((members > 1).sum())} of the {len(members)} classes of the "
             f"{len(inverse)} subnets have 2 or more members; ids: {id_source}), the two taken in a random order "
             f"(rng_seed {o.rng_seed}" + (f", mean over {o.pairings} pairings" if o.pairings > 1 else "") +
             "): separately trained copies of one network, so it measures the GT's repeatability where no second "
             "training exists"]
    if o.level is not None:
        notes.append(f"*_ci_low/high: {o.level:.0%} bootstrap percentile interval over the classes ({o.boot} "
                     "resamples)")
    if pairs < 3:
        notes.append(f"duplicates: fewer than 3 classes with 2 or more members ({pairs}): no measure from "
                     "duplicates (NaN)")
    if trainings is not None and has_trainings and trainings_source == "gt_score_std":
        from wsbench.stats.ceiling import trainings_note

        no_ci = {f"{m}_ci_low": nan, f"{m}_ci_high": nan} if o.level is not None else {}
        taus = np.array([t for _, _, t in gt_pair_taus(trainings[1], m)])
        row = {"source": "implied by gt_score_std", "pairs": len(taus),
               m: float(np.nanmean(taus)) if np.isfinite(taus).any() else nan, **no_ci}
        rows.append(dict(row))
        summary.append(dict(row))
        notes.append(f"implied by gt_score_std: {m} between two GT trainings as the published std implies, the mean "
                     f"over the {len(taus)} pairs of "
                     + trainings_note(trainings_source, len(trainings[1]), o.rng_seed)
                     + f"; one pair alone ranges {np.nanmin(taus):.3f} to {np.nanmax(taus):.3f}")
    elif trainings is not None and has_trainings:
        seeds, values = trainings
        no_ci = {f"{m}_ci_low": nan, f"{m}_ci_high": nan} if o.level is not None else {}
        taus = gt_pair_taus(values, m)
        for i, j, tau in taus:
            both = int((np.isfinite(values[i]) & np.isfinite(values[j])).sum())
            rows.append({"source": f"gt_seed {seeds[i]} vs {seeds[j]}", "pairs": both, m: tau, **no_ci})
        finite = [t for _, _, t in taus if np.isfinite(t)]
        summary.append({"source": "gt trainings", "pairs": len(taus),
                        m: float(np.mean(finite)) if finite else float("nan"), **no_ci})
        notes.append(f"gt trainings: {m} between every pair of the store's GT trainings (gt_score_per_seed; pairs "
                     "= subnets finite in both per row, pairs of trainings in the summary, whose value is their "
                     "mean): the same repeatability measured directly")
    opts: dict[str, Any] = {"gt": gt, "method": m, "pairings": o.pairings, "rng_seed": o.rng_seed}
    if o.level is not None:
        opts.update(ci=o.level, boot=o.boot)
    return Table(opts, rows, summary, notes)


def query(store: Source, gt: str = "gt_score", method: str = "kendall", pairings: int = 1,
          ci: float | None = 0.95, boot: int = 1000, rng_seed: int = 0) -> Table:
    """The GT's own noise: tau between separately trained duplicates (subnets of one function), beside the tau
    between the store's GT trainings where it has 2 or more."""
    o = parse_options(method, pairings, ci, boot, rng_seed)
    ids, id_source = store.function_ids()
    g = store.gt(gt)
    from wsbench.stats.ceiling import store_trainings

    trainings, source = None, "gt_score_per_seed"
    if not gt.startswith("gt_score_per_seed"):
        try:
            t = store_trainings(store, o.rng_seed)
            if t.source == "gt_score_per_seed" or gt == "gt_score":  # the std is gt_score's only
                trainings, source = (t.seeds, t.values), t.source
        except OptionError:  # neither: duplicates are the only measure
            trainings = None
    return gtnoise_table(ids, g, o, gt=gt, id_source=id_source, trainings=trainings, trainings_source=source)
