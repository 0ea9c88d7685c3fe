"""Paired bootstrap of a change in rank correlation: did tau really rise or fall? (NumPy only.)

Two taus computed on the same subnets share most of their sampling noise: the
marginal intervals of tau at epoch 16 and at epoch 32 overlap even when every
resample of the subnets ranks epoch 16 higher. Resampling the subnets once and
computing both taus on the same resample measures the change itself. This
serves two epochs, two estimators (supernet vs a proxy), and two pairs
((WS, PS) vs (WS, GT)), and where there are several supernet seeds it resamples
them too.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from wsbench.errors import OptionError

VERDICTS = ("rises", "falls", "cannot tell")


class PairedDelta(NamedTuple):
    delta: float  # tau(b) - tau(a), mean over seeds of the per-seed differences
    tau_a: float  # mean over seeds
    tau_b: float
    ci_low: float  # percentile interval of the paired bootstrap
    ci_high: float
    p_value: float  # two-sided bootstrap p of "no change"
    verdict: str  # rises / falls / cannot tell, from the interval
    n: int  # subnets finite in every array
    seeds: int
    boot: int
    level: float


def verdict(ci_low: float, ci_high: float) -> str:
    """"rises" if the interval of tau(b) - tau(a) lies above 0, "falls" if below, "cannot tell" otherwise (it
    holds 0, or is NaN)."""
    if ci_low > 0:
        return "rises"
    if ci_high < 0:
        return "falls"
    return "cannot tell"


def two_sided_p(draws: np.ndarray) -> float:
    """Bootstrap p of "no change": 2 (1 + min(#draws <= 0, #draws >= 0)) / (B + 1), at most 1, over the finite
    draws (NaN if none). The +1 keeps a finite bootstrap from claiming p = 0: the smallest is 2 / (B + 1)."""
    d = np.asarray(draws, dtype=np.float64)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return float("nan")
    tail = min(int((d <= 0).sum()), int((d >= 0).sum()))
    return float(min(1.0, 2 * (1 + tail) / (d.size + 1)))


def _as_rows(name: str, v: np.ndarray) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 1:
        return a[None, :]
    if a.ndim == 2:
        return a
    raise OptionError(f"{name} must be 1-D (one value per subnet) or 2-D (seed x subnet), got shape "
                      f"{a.shape}")


def paired_delta(a_x: np.ndarray, a_y: np.ndarray, b_x: np.ndarray, b_y: np.ndarray, method: str = "kendall",
                 *, ci: float = 0.95, boot: int = 1000, rng_seed: int = 0,
                 over_seeds: bool = True) -> PairedDelta:
    """Change from tau(a_x, a_y) to tau(b_x, b_y) on the same subnets, with a paired bootstrap interval and p.

    Each array is 1-D (one value per subnet, e.g. the GT) or 2-D (supernet seed x subnet); 1-D arrays serve
    every seed. Examples: epochs (``a_x`` = scores at epoch 16, ``b_x`` at 32, ``a_y = b_y`` = GT); estimators
    (supernet vs proxy against the GT); pairs ((WS, PS) vs (WS, GT)). Pass goodness (tau is unchanged when
    both of a pair flip). Only subnets finite in every array and seed enter, so both taus see the same
    subnets. Each of ``boot`` resamples of them (:func:`wsbench.stats.bootstrap.resamples`) serves both taus
    and every seed; with several seeds and ``over_seeds``, the seeds are resampled too (with replacement, from
    ``numpy.random.default_rng([rng_seed, 1])``), so the interval holds seed-to-seed variation as well.
    """
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats.correlation import METHODS, correlate

    if method not in METHODS:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("correlation method", method, METHODS)
    level = _boot.check_level(ci)
    if isinstance(boot, bool) or not isinstance(boot, numbers.Integral) or boot < 10:
        raise OptionError(f"boot must be an integer >= 10 (bootstrap resamples), got {boot!r}")
    names = ("a_x", "a_y", "b_x", "b_y")
    arrays = [_as_rows(name, v) for name, v in zip(names, (a_x, a_y, b_x, b_y), strict=True)]
    lengths = {a.shape[1] for a in arrays}
    seeds = {a.shape[0] for a in arrays} - {1}
    if len(lengths) > 1:
        raise OptionError(f"a_x, a_y, b_x, b_y must hold the same subnets (one length), got lengths "
                          f"{[a.shape[1] for a in arrays]}")
    if len(seeds) > 1:
        raise OptionError(f"2-D arrays must have the same number of seeds (rows), got "
                          f"{[a.shape[0] for a in arrays]}")
    s = seeds.pop() if seeds else 1
    arrays = [np.broadcast_to(a, (s, a.shape[1])) for a in arrays]
    ok = np.logical_and.reduce([np.isfinite(a).all(axis=0) for a in arrays])
    ax, ay, bx, by = (a[:, ok] for a in arrays)
    n = int(ok.sum())
    if n < 3:
        raise OptionError(f"a paired tau needs at least 3 subnets finite in every array, got {n}")
    tau_a = np.array([correlate(ax[j], ay[j], method) for j in range(s)])
    tau_b = np.array([correlate(bx[j], by[j], method) for j in range(s)])
    idx = _boot.resamples(n, int(boot), rng_seed)
    mult = _boot.counts(idx, n)
    diff = np.stack([_boot.correlation_draws(bx[j], by[j], idx, method, multiplicities=mult)
                     - _boot.correlation_draws(ax[j], ay[j], idx, method, multiplicities=mult)
                     for j in range(s)])
    if s > 1 and over_seeds:
        pick = np.random.default_rng([rng_seed, 1]).integers(0, s, size=(int(boot), s))
        draws = diff[pick, np.arange(int(boot))[:, None]].mean(axis=1)
    else:
        draws = diff.mean(axis=0)
    lo, hi = _boot.percentile_interval(draws, level)
    return PairedDelta(delta=float(np.mean(tau_b - tau_a)), tau_a=float(tau_a.mean()),
                       tau_b=float(tau_b.mean()), ci_low=lo, ci_high=hi, p_value=two_sided_p(draws),
                       verdict=verdict(lo, hi), n=n, seeds=s, boot=int(boot), level=level)
