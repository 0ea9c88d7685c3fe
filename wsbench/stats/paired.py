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

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from wsbench.errors import OptionError
from wsbench.stats.summary import Table

if TYPE_CHECKING:
    from wsbench.stats.source import Source

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
    boot = _boot.check_boot(boot)
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
    return PairedDelta(delta=float(np.mean(tau_b - tau_a)), tau_a=float(tau_a.mean()),
                       tau_b=float(tau_b.mean()), ci_low=lo, ci_high=hi, p_value=two_sided_p(draws),
                       verdict=verdict(lo, hi), n=n, seeds=s, boot=boot, level=level)


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


def parse_options(a: Any, b: Any, method: str = "kendall", ci: float = 0.95, boot: int = 1000, rng_seed: int = 0,
                  over_seeds: bool = True) -> Options:
    """Every option checked without data (the sides' values are resolved against the store later)."""
    from wsbench.stats import bootstrap as _boot
    from wsbench.stats import options as _opt

    methods = _opt.methods(method)
    if len(methods) != 1:
        raise OptionError(f"paired takes one method, got {method!r}")
    if not isinstance(over_seeds, bool):
        raise OptionError(f"over_seeds must be True or False, got {over_seeds!r}")
    return Options(parse_side(a, "a"), parse_side(b, "b"), methods[0], _boot.check_level(ci),
                   _opt.count(boot, "boot", 10), _opt.count(rng_seed, "rng_seed", 0), over_seeds)


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
    r = paired_delta(ax, ay, bx, by, m, ci=o.level, boot=o.boot, rng_seed=o.rng_seed, over_seeds=o.over_seeds)
    ok = np.isfinite(ax).all(axis=0) & np.isfinite(ay) & np.isfinite(bx).all(axis=0) & np.isfinite(by)
    rows = []
    for j, s in enumerate(seeds):
        ta, tb = correlate(ax[j][ok], ay[ok], m), correlate(bx[j][ok], by[ok], m)
        rows.append({"seed": s, "n": r.n, f"{m}_a": ta, f"{m}_b": tb, "delta": tb - ta})
    a, b = _label(o.a, o.b), _label(o.b, o.a)
    summary = [{"a": a, "b": b, "seeds": r.seeds, "n": r.n, f"{m}_a": r.tau_a, f"{m}_b": r.tau_b, "delta": r.delta,
                "delta_ci_low": r.ci_low, "delta_ci_high": r.ci_high, "p_value": r.p_value, "verdict": r.verdict}]
    resampled = ("the subnets and the supernet seeds (with replacement, so the interval holds seed-to-seed "
                 "variation too)" if o.over_seeds and len(seeds) > 1 else
                 "the subnets only (the seeds held fixed)" if len(seeds) > 1 else "the subnets (one seed)")
    notes = [(f"{m}_a, {m}_b: {m} of a ({a}) and of b ({b}) on the same n subnets (finite in every array and "
              f"seed), mean over seeds in the summary; delta = {m}_b - {m}_a, the change from a to b"),
             (f"delta_ci_low/high: {o.level:.0%} paired bootstrap percentile interval ({o.boot} resamples, rng_seed "
              f"{o.rng_seed}; each resample serves both taus and every seed); resampled: {resampled}; p_value: "
              "two-sided bootstrap p of no change, at least 2/(boot+1); verdict: rises / falls if the interval lies "
              "above / below 0, else cannot tell")]
    opts = {"a": o.a, "b": o.b, "seed": seeds, "method": m, "ci": o.level, "boot": o.boot, "rng_seed": o.rng_seed,
            "over_seeds": o.over_seeds}
    return Table(opts, rows, summary, notes)


def query(store: Source, a: Any, b: Any, seed: Any = "all", method: str = "kendall", ci: float = 0.95,
          boot: int = 1000, rng_seed: int = 0, over_seeds: bool = True) -> Table:
    """Paired change in tau from side ``a`` to side ``b`` on the same subnets, with a paired bootstrap interval,
    a two-sided p and a verdict (rises / falls / cannot tell).

    A side is ``"key=value,..."`` (or a dict) with keys ``epoch`` (default ``last``), ``score`` (``supernet``,
    ``loss``, ``finetune``, ``params``, ``proxy:NAME``, ...) and ``against`` (``gt_score``, ``gt_score_per_seed:N``,
    ``params``, ...): two epochs (``a="epoch=16", b="epoch=32"``), two estimators (``a="score=supernet",
    b="score=proxy:synflow"``) or two pairs ((WS, PS) vs (WS, GT): ``a="against=params",
    b="against=gt_score"``). ``over_seeds``: resample the supernet seeds too (default) or only the subnets.
    """
    o = parse_options(a, b, method, ci, boot, rng_seed, over_seeds)
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
    o = Options(resolved[0], resolved[1], o.method, o.level, o.boot, o.rng_seed, o.over_seeds)
    return paired_table(sides, seeds, o)
