"""Mean supernet score vs epoch: does the supernet train its subnets at all? (NumPy only.)

The study's first figure: the mean (and spread) over subnets of the accuracy
the supernet gives them, epoch by epoch, beside the mean ground truth of the
same subnets. A ranking can only be as good as the scores it ranks; a supernet
whose subnets stay near chance accuracy ranks noise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.summary import Table

if TYPE_CHECKING:
    from wsbench.stats.source import Source


class MeanScore(NamedTuple):
    """Each field has the leading shape of ``score`` (e.g. seed x epoch): one value per ranking."""
    n: np.ndarray  # subnets used
    mean: np.ndarray
    std: np.ndarray  # sample std (n - 1) over subnets; NaN below 2 subnets
    q25: np.ndarray
    median: np.ndarray
    q75: np.ndarray
    min: np.ndarray
    max: np.ndarray
    mean_gt: np.ndarray  # mean GT of the same subnets (NaN without gt)


def mean_score(score: np.ndarray, gt: np.ndarray | None = None) -> MeanScore:
    """Mean, sample std, quartiles, min and max of ``score`` over subnets (the last axis), per leading index.

    ``score`` has shape (..., arch), e.g. (seed, epoch, arch); ``gt`` (arch,) is optional. Values stay in
    metric units (no orientation: a mean accuracy is read as an accuracy). A subnet counts where its score is
    finite and, with ``gt``, its GT too, so both means cover the same subnets. No subnet: NaN everywhere,
    n = 0, and no RuntimeWarning. Quartiles are ``numpy.quantile``'s default (linear interpolation).
    """
    s = np.asarray(score, dtype=np.float64)
    if s.ndim < 1 or s.shape[-1] == 0:
        raise OptionError(f"score must have subnets on its last axis (shape (..., arch)), got shape "
                          f"{s.shape}")
    ok = np.isfinite(s)
    t = None
    if gt is not None:
        t = np.asarray(gt, dtype=np.float64)
        if t.shape != (s.shape[-1],):
            raise OptionError(f"gt must be 1-D with one value per subnet ({s.shape[-1]}), got shape "
                              f"{t.shape}")
        ok &= np.isfinite(t)
    n = ok.sum(axis=-1)
    filled = np.where(ok, s, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, filled.sum(axis=-1) / n, np.nan)
        dev = np.where(ok, s - mean[..., None], 0.0)
        std = np.where(n > 1, np.sqrt((dev * dev).sum(axis=-1) / (n - 1)), np.nan)
        mean_gt = (np.where(n > 0, (np.where(ok, t, 0.0)).sum(axis=-1) / n, np.nan) if t is not None
                   else np.full(n.shape, np.nan))
    # quantiles row by row over the finite values: sorting puts +inf (stand-in for excluded) last
    srt = np.sort(np.where(ok, s, np.inf), axis=-1)
    qs = [_quantile(srt, n, q) for q in (0.25, 0.5, 0.75)]
    return MeanScore(n=n, mean=mean, std=std, q25=qs[0], median=qs[1], q75=qs[2], min=_quantile(srt, n, 0.0),
                     max=_quantile(srt, n, 1.0), mean_gt=mean_gt)


def _quantile(srt: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """numpy.quantile's linear rule on the first ``n`` values of each sorted row (NaN where n = 0)."""
    pos = q * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    a = np.take_along_axis(srt, lo[..., None], axis=-1)[..., 0]
    b = np.take_along_axis(srt, hi[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore"):  # n = 0 rows hold inf - inf here; they become NaN below
        out = np.where(b == a, a, a + (b - a) * (pos - lo))
    return np.where(n > 0, out, np.nan)


def over_seeds(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample std (n - 1) over the first axis (supernet seeds) of a per-(seed, ...) figure, NaN seeds
    left out; one finite seed has no sample std: NaN, never 0 (docs/statistics.md, Summary)."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim < 1 or v.shape[0] == 0:
        raise OptionError(f"values must have supernet seeds on the first axis, got shape {v.shape}")
    ok = np.isfinite(v)
    k = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(k > 0, np.where(ok, v, 0.0).sum(axis=0) / k, np.nan)
        dev = np.where(ok, v - mean, 0.0)
        std = np.where(k > 1, np.sqrt((dev * dev).sum(axis=0) / (k - 1)), np.nan)
    return mean, std


# -- the statistic: rows per (seed, epoch), summary over seeds (Benchmark.meanscore, `wsbench mean-score`) ---------

#: the figures of a row, in the order shown (``spread`` is the sample std over subnets)
FIGURES = ("mean", "spread", "median", "q25", "q75", "min", "max")


def parse_options() -> None:
    """meanscore has no option beyond the selection (epoch, seed, score, gt), which the store resolves."""


def score_direction(score: str, metric_direction: str) -> str:
    """The direction of ``score``'s own units: the metric's for the supernet score (plain or fine-tuned), 'min' for
    the loss, 'max' for sizes and proxies (as the store holds them), so goodness can be turned back into the stored
    values."""
    return metric_direction if score in ("supernet", "finetune") else "min" if score == "loss" else "max"


def meanscore_table(sn: Callable[[int, int], np.ndarray], g: np.ndarray, epochs: list[int], seeds: list[int],
                    score_dir: str, gt_dir: str, gt: str = "gt_score", score: str = "supernet") -> Table:
    """:func:`mean_score` of ``sn(seed, epoch)`` (goodness, turned back into the score's units by ``score_dir``)
    beside the mean of ``g`` (goodness of ``gt``, back to metric units by ``gt_dir``) per (seed, epoch); summary
    per epoch: mean ± std over seeds."""
    from wsbench.stats.summary import mean_std

    back = {"max": 1.0, "min": -1.0}
    t = back[gt_dir] * g
    rows, summary = [], []
    for e in epochs:
        per_seed = []
        for s in seeds:
            m = mean_score(back[score_dir] * sn(s, e), t)
            row: dict[str, Any] = {"seed": s, "epoch": e, "n": int(m.n)}
            row.update({f: float(getattr(m, "std" if f == "spread" else f)) for f in FIGURES})
            row["mean_gt"] = float(m.mean_gt)
            rows.append(row)
            per_seed.append(row)
        srow: dict[str, Any] = {"epoch": e, "seeds": len(seeds)}
        ns = [r["n"] for r in per_seed]
        srow["n"] = ns[0] if len(set(ns)) == 1 else float(np.mean(ns))
        for f in FIGURES:
            srow[f"{f}_mean"], srow[f"{f}_std"] = mean_std([r[f] for r in per_seed])
        gts = [r["mean_gt"] for r in per_seed]
        same = all(v == gts[0] or (np.isnan(v) and np.isnan(gts[0])) for v in gts)
        srow["mean_gt"] = gts[0] if same else float(np.mean(gts))
        summary.append(srow)
    units = "the metric's units" if score in ("supernet", "finetune") else f"the units of {score} as stored"
    notes = [(f"mean: mean {score} score over the n subnets with both it and {gt} finite ({units}, not oriented); "
              "spread: its sample std over those subnets; median, q25, q75, min, max: its quantiles (numpy's linear "
              f"rule); mean_gt: mean {gt} of the same subnets, in metric units"),
             ("summary: mean ± std over seeds of each row figure (spread ± std: the spread over subnets, averaged "
              "over seeds)")]
    return Table({"epoch": epochs, "seed": seeds, "score": score, "gt": gt}, rows, summary, notes)


def query(store: Source, epoch: Any = "all", seed: Any = "all", score: str = "supernet",
          gt: str = "gt_score") -> Table:
    """Mean (and spread, quartiles) of the score over subnets per (seed, epoch), beside the mean GT of the same
    subnets: does the supernet train its subnets at all? Values in the score's own units."""
    score = store.check_score(score)
    epochs, seeds = store.select_epochs(epoch), store.select_seeds(seed)
    return meanscore_table(store.score_fn(score), store.gt(gt), epochs, seeds,
                           score_direction(score, store.direction), store.direction, gt=gt, score=score)
