"""A paired interval for a change in rank correlation: did tau really rise or fall? (NumPy only.)

Two taus computed on the same subnets share most of their sampling noise: the
marginal intervals of tau at epoch 16 and at epoch 32 overlap even when every
resample of the subnets ranks epoch 16 higher. Measuring the change itself on
the same subnets removes that shared noise. This serves two epochs, two
estimators (supernet vs a proxy), and two pairs ((WS, PS) vs (WS, GT)), and
where there are several supernet seeds their spread counts too.

Two intervals: the jackknife (default; leave each subnet out once, the same
subnet out of both taus and every seed: one pass, ~0.03 s at 4,000 subnets) and
the paired bootstrap (every resample serves both taus and every seed: exact
percentiles, ~20x the time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.summary import Table

if TYPE_CHECKING:
    from wsbench.stats.source import Source

VERDICTS = ("rises", "falls", "cannot tell")
INTERVALS = ("jackknife", "bootstrap")


class PairedDelta(NamedTuple):
    delta: float  # tau(b) - tau(a), mean over seeds of the per-seed differences
    tau_a: float  # mean over seeds
    tau_b: float
    ci_low: float  # the interval: normal with the jackknife's standard error, or the bootstrap's percentiles
    ci_high: float
    p_value: float  # two-sided p of "no change"
    verdict: str  # rises / falls / cannot tell, from the interval
    n: int  # subnets finite in every array
    seeds: int
    boot: int  # bootstrap resamples (0: jackknife)
    level: float
    interval: str = "jackknife"
    se: float = float("nan")  # the jackknife's standard error of delta (NaN for the bootstrap)


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


def check_interval(interval: object) -> str:
    if interval not in INTERVALS:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("paired interval", str(interval), INTERVALS)
    return str(interval)


def normal_p(delta: float, se: float) -> float:
    """Two-sided normal p of "no change": erfc(|delta| / (se sqrt 2)); 1 if delta is 0, NaN if se is NaN."""
    import math

    if not math.isfinite(se) or not math.isfinite(delta):
        return float("nan")
    if delta == 0:
        return 1.0
    return math.erfc(abs(delta) / (se * math.sqrt(2))) if se > 0 else 0.0


def paired_delta(a_x: np.ndarray, a_y: np.ndarray, b_x: np.ndarray, b_y: np.ndarray, method: str = "kendall",
                 *, ci: float = 0.95, boot: int = 1000, rng_seed: int = 0,
                 over_seeds: bool = True, interval: str = "jackknife") -> PairedDelta:
    """Change from tau(a_x, a_y) to tau(b_x, b_y) on the same subnets, with a paired interval and p.

    Each array is 1-D (one value per subnet, e.g. the GT) or 2-D (supernet seed x subnet); 1-D arrays serve
    every seed. Examples: epochs (``a_x`` = scores at epoch 16, ``b_x`` at 32, ``a_y = b_y`` = GT); estimators
    (supernet vs proxy against the GT); pairs ((WS, PS) vs (WS, GT)). Pass goodness (tau is unchanged when
    both of a pair flip). Only subnets finite in every array and seed enter, so both taus see the same
    subnets.

    ``interval="jackknife"``: delta is recomputed without each subnet in turn (the same subnet left out of
    both taus and every seed); its jackknife variance, plus with several seeds and ``over_seeds`` the variance
    of the per-seed deltas over the number of seeds, gives the standard error; interval delta +- z se, p from
    the normal. ``interval="bootstrap"``: each of ``boot`` resamples of the subnets
    (:func:`wsbench.stats.bootstrap.resamples`) serves both taus and every seed; with several seeds and
    ``over_seeds``, the seeds are resampled too (with replacement, from ``numpy.random.default_rng([rng_seed,
    1])``); percentile interval and bootstrap p.
    """
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats.correlation import METHODS, correlate

    if method not in METHODS:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError("correlation method", method, METHODS)
    level = _boot.check_level(ci)
    boot = _boot.check_boot(boot)
    interval = check_interval(interval)
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
    delta = float(np.mean(tau_b - tau_a))
    if interval == "jackknife":
        from wsbench.stats import jackknife

        loo = np.mean([jackknife.loo(bx[j], by[j], method) - jackknife.loo(ax[j], ay[j], method)
                       for j in range(s)], axis=0)
        var = jackknife.variance(loo)
        if s > 1 and over_seeds:
            var += float(np.var(tau_b - tau_a, ddof=1)) / s
        se = float(np.sqrt(var))
        half = jackknife.normal_quantile((1 + level) / 2) * se
        lo, hi = delta - half, delta + half
        return PairedDelta(delta=delta, tau_a=float(tau_a.mean()), tau_b=float(tau_b.mean()), ci_low=lo,
                           ci_high=hi, p_value=normal_p(delta, se), verdict=verdict(lo, hi), n=n, seeds=s, boot=0,
                           level=level, interval=interval, se=se)
    idx = _boot.resamples(n, boot, rng_seed)
    mult = _boot.counts(idx, n)
    diff = np.stack([_boot.correlation_draws(bx[j], by[j], idx, method, multiplicities=mult)
                     - _boot.correlation_draws(ax[j], ay[j], idx, method, multiplicities=mult)
                     for j in range(s)])
    if s > 1 and over_seeds:
        pick = np.random.default_rng([rng_seed, 1]).integers(0, s, size=(boot, s))
        draws = diff[pick, np.arange(boot)[:, None]].mean(axis=1)
    else:
        draws = diff.mean(axis=0)
    lo, hi = _boot.percentile_interval(draws, level)
    return PairedDelta(delta=delta, tau_a=float(tau_a.mean()), tau_b=float(tau_b.mean()), ci_low=lo, ci_high=hi,
                       p_value=two_sided_p(draws), verdict=verdict(lo, hi), n=n, seeds=s, boot=boot, level=level,
                       interval=interval)


# -- the statistic: Benchmark.paired / `wsbench paired --a epoch=16 --b epoch=32` ------------------------------------

#: what a side sets, and its default: the supernet's ranking at the last epoch against the store's GT
SIDE_KEYS = {"epoch": "last", "score": "supernet", "against": "gt_score"}


def parse_side(side: Any, name: str) -> dict[str, Any]:
    """A side as ``"epoch=16"``, ``"score=proxy:synflow,epoch=last"``, ``"against=params"`` or a dict with those
    keys; keys not given take :data:`SIDE_KEYS`' defaults. Values are resolved against the store later."""
    if isinstance(side, dict):
        items = dict(side)
    elif isinstance(side, str) and side.strip():
        items = {}
        for part in side.split(","):
            key, eq, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not eq or not key or not value:
                raise OptionError(f"{name} must be key=value items separated by commas (keys: "
                                  f"{', '.join(SIDE_KEYS)}), e.g. 'epoch=16' or 'score=proxy:synflow'; got {side!r}")
            if key in items:
                raise OptionError(f"{name} sets {key} twice in {side!r}")
            items[key] = value
    else:
        raise OptionError(f"{name} must be key=value items such as 'epoch=16' (keys: {', '.join(SIDE_KEYS)}), "
                          f"got {side!r}")
    unknown = sorted(set(items) - set(SIDE_KEYS))
    if unknown:
        from wsbench.errors import UnknownNameError

        raise UnknownNameError(f"key of {name}", unknown[0], tuple(SIDE_KEYS))
    return {k: items.get(k, d) for k, d in SIDE_KEYS.items()}


class Options(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.4 ms of every start
    a: dict[str, Any]
    b: dict[str, Any]
    method: str
    level: float
    boot: int
    rng_seed: int
    over_seeds: bool
    interval: str = "jackknife"


def parse_options(a: Any, b: Any, method: str = "kendall", ci: float = 0.95, boot: int | None = None,
                  rng_seed: int | None = None, over_seeds: bool = True, interval: str = "jackknife") -> Options:
    """Every option checked without data (the sides' values are resolved against the store later). ``boot`` and
    ``rng_seed`` belong to the bootstrap (default 1000 and 0): given with the jackknife they are refused, not
    ignored."""
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats import options as _opt

    methods = _opt.methods(method)
    if len(methods) != 1:
        raise OptionError(f"paired takes one method, got {method!r}")
    if not isinstance(over_seeds, bool):
        raise OptionError(f"over_seeds must be True or False, got {over_seeds!r}")
    interval = check_interval(interval)
    if interval == "jackknife" and (boot is not None or rng_seed is not None):
        given = " and ".join(f"{k}={v!r}" for k, v in (("boot", boot), ("rng_seed", rng_seed)) if v is not None)
        raise OptionError(f"{given} set the bootstrap's resamples, but the interval is the jackknife (no "
                          "resamples): add interval='bootstrap' (--interval bootstrap), or drop them")
    return Options(parse_side(a, "a"), parse_side(b, "b"), methods[0], _boot.check_level(ci),
                   _opt.count(1000 if boot is None else boot, "boot", 10),
                   _opt.count(0 if rng_seed is None else rng_seed, "rng_seed", 0), over_seeds, interval)


def _label(side: dict[str, Any], other: dict[str, Any]) -> str:
    """The side by what sets it apart from the other (all of it if nothing does)."""
    keys = [k for k in side if side[k] != other[k]] or list(side)
    return ", ".join(f"{k}={side[k]}" for k in keys)


def paired_table(sides: list[tuple[np.ndarray, np.ndarray]], seeds: list[int], o: Options) -> Table:
    """``sides`` = [(x, y) of side a, (x, y) of side b], x of shape (seed, arch) (goodness of the ranking at each
    selected seed) and y (arch,) (goodness of what it is compared with): :func:`paired_delta` in the summary, the
    per-seed taus on the same subnets in the rows."""
    from wsbench.stats.correlation import correlate

    (ax, ay), (bx, by) = sides
    m = o.method
    r = paired_delta(ax, ay, bx, by, m, ci=o.level, boot=o.boot, rng_seed=o.rng_seed, over_seeds=o.over_seeds,
                     interval=o.interval)
    ok = np.isfinite(ax).all(axis=0) & np.isfinite(ay) & np.isfinite(bx).all(axis=0) & np.isfinite(by)
    rows = []
    for j, s in enumerate(seeds):
        ta, tb = correlate(ax[j][ok], ay[ok], m), correlate(bx[j][ok], by[ok], m)
        rows.append({"seed": s, "n": r.n, f"{m}_a": ta, f"{m}_b": tb, "delta": tb - ta})
    a, b = _label(o.a, o.b), _label(o.b, o.a)
    summary = [{"a": a, "b": b, "seeds": r.seeds, "n": r.n, f"{m}_a": r.tau_a, f"{m}_b": r.tau_b, "delta": r.delta,
                "delta_ci_low": r.ci_low, "delta_ci_high": r.ci_high, "p_value": r.p_value, "verdict": r.verdict}]
    several = len(seeds) > 1
    notes = [(f"{m}_a, {m}_b: {m} of a ({a}) and of b ({b}) on the same n subnets (finite in every array and "
              f"seed), mean over seeds in the summary; delta = {m}_b - {m}_a, the change from a to b")]
    if o.interval == "jackknife":
        spread = (", plus the variance of the per-seed deltas / the number of seeds (seed-to-seed variation)" if o.over_seeds
                  and several else " (the seeds held fixed)" if several else "")
        notes.append(f"delta_ci_low/high: {o.level:.0%} paired jackknife interval, delta +- z se: se^2 = the "
                     f"jackknife variance of delta, each subnet left out of both {m}s and every seed once{spread}; "
                     f"p_value: two-sided normal p of no change; verdict: rises / falls if the interval lies above "
                     f"/ below 0, else cannot tell; --interval bootstrap for a paired bootstrap")
        opts = {"a": o.a, "b": o.b, "seed": seeds, "method": m, "ci": o.level, "interval": o.interval,
                "over_seeds": o.over_seeds}
    else:
        resampled = ("the subnets and the supernet seeds (with replacement, so the interval holds seed-to-seed "
                     "variation too)" if o.over_seeds and several else
                     "the subnets only (the seeds held fixed)" if several else "the subnets (one seed)")
        notes.append(f"delta_ci_low/high: {o.level:.0%} paired bootstrap percentile interval ({o.boot} resamples, "
                     f"rng_seed {o.rng_seed}; each resample serves both taus and every seed); resampled: "
                     f"{resampled}; p_value: two-sided bootstrap p of no change, at least 2/(boot+1); verdict: rises "
                     "/ falls if the interval lies above / below 0, else cannot tell")
        opts = {"a": o.a, "b": o.b, "seed": seeds, "method": m, "ci": o.level, "interval": o.interval,
                "boot": o.boot, "rng_seed": o.rng_seed, "over_seeds": o.over_seeds}
    return Table(opts, rows, summary, notes)


def query(store: Source, a: Any, b: Any, seed: Any = "all", method: str = "kendall", ci: float = 0.95,
          boot: int | None = None, rng_seed: int | None = None, over_seeds: bool = True,
          interval: str = "jackknife") -> Table:
    """Paired change in tau from side ``a`` to side ``b`` on the same subnets, with a paired interval (the
    jackknife by default, or ``interval="bootstrap"`` with ``boot`` (default 1000), ``rng_seed`` (default 0)), a two-sided p and a verdict
    (rises / falls / cannot tell).

    A side is ``"key=value,..."`` (or a dict) with keys ``epoch`` (default ``last``), ``score`` (``supernet``,
    ``loss``, ``finetune``, ``params``, ``proxy:NAME``, ...) and ``against`` (``gt_score``, ``gt_score_per_seed:N``,
    ``params``, ...): two epochs (``a="epoch=16", b="epoch=32"``), two estimators (``a="score=supernet",
    b="score=proxy:synflow"``) or two pairs ((WS, PS) vs (WS, GT): ``a="against=params",
    b="against=gt_score"``). ``over_seeds``: the seeds' spread counts too (default) or only the subnets'.
    """
    o = parse_options(a, b, method, ci, boot, rng_seed, over_seeds, interval)
    seeds = store.select_seeds(seed)
    sides, resolved = [], []
    for side in (o.a, o.b):
        epochs = store.select_epochs(side["epoch"] if side["epoch"] == "last" else str(side["epoch"]))
        if len(epochs) != 1:
            raise OptionError(f"a side takes one epoch (a recorded epoch or 'last'), got epoch={side['epoch']}")
        epoch = epochs[0]
        score = store.check_score(side["score"])
        fn = store.score_fn(score)
        x = np.stack([fn(s, epoch) for s in seeds])
        sides.append((x, store.against(side["against"])))
        resolved.append({**side, "epoch": epoch})
    o = o._replace(a=resolved[0], b=resolved[1])
    return paired_table(sides, seeds, o)
