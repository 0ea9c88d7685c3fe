"""Store schema v1: the contract between builders, stores and statistics.

``validate(ds)`` lists *every* problem it finds (never stops at the first), so
a contributor fixes a store in one round. docs/schema.md is the prose version
of the constants below; tests check the two agree.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

    from wsbench.reader import StoreMeta

SCHEMA_VERSION = 1

#: dims every store has; ``gt_seed`` and ``prune`` are optional
DIMS = ("arch", "epoch", "seed", "decision")
OPTIONAL_DIMS = ("gt_seed", "prune")

#: the per-architecture std of gt_score: named like an extra ground truth, but not one (never ranked by)
GT_STD = "gt_score_std"
#: name -> (dims, dtype kind) of required variables ("U" = variable-length string)
REQUIRED_VARIABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "arch_string": (("arch",), "U"),
    "choice": (("arch", "decision"), "i"),
    "supernet_score": (("seed", "epoch", "arch"), "f"),
    "gt_score": (("arch",), "f"),
    "params": (("arch",), "f"),
    "flops": (("arch",), "f"),
}
OPTIONAL_VARIABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "gt_score_per_seed": (("gt_seed", "arch"), "f"),
    #: the ground truth's own std per architecture, as its source reports it (same unit as gt_score)
    GT_STD: (("arch",), "f"),
    "params_paper": (("arch",), "f"),
    "flops_paper": (("arch",), "f"),
    #: the space's id of the function each architecture computes (equal ids: one network, e.g. NB201 isomorphs)
    "function_id": (("arch",), "U"),
    #: mean held-out cross-entropy of each subnet, taken in the same pass as its supernet_score (lower is better)
    "supernet_loss": (("seed", "epoch", "arch"), "f"),
    #: the subnet's score after inheriting the supernet's weights and fine-tuning alone (attribute ``finetune``:
    #: the protocol, the subnets, the regions done); NaN where not fine-tuned
    "finetune_score": (("seed", "epoch", "arch"), "f"),
    #: mean held-out cross-entropy in the same pass as finetune_score
    "finetune_loss": (("seed", "epoch", "arch"), "f"),
}
#: how each supernet of a ``prune`` run was trained: on the pool minus its worst by GT, minus a random part, minus
#: its worst by a full-space supernet's score, or on the whole space (the control, factor 0)
PRUNE_MODES = ("none", "optimistic", "random", "supernet")
#: the variable that names each prune run's mode (required with the ``prune`` dimension)
PRUNE_MODE = "prune_mode"
#: variables that share supernet_score's dims, prune included where the store has it
LIKE_SUPERNET = ("supernet_loss", "finetune_score", "finetune_loss")
FINETUNE = ("finetune_score", "finetune_loss")
#: extra ground truths are allowed as ``gt_score_<name>`` (arch), e.g. ``gt_score_mini``
EXTRA_GT_PREFIX = "gt_score_"
#: other rankings of the same subnets (zero-cost proxies) as ``proxy_<name>`` (arch) floats; higher = better
PROXY_PREFIX = "proxy_"
COORDS: dict[str, str] = {"epoch": "i", "seed": "i", "decision": "U", "gt_seed": "i", "prune": "f"}

#: required attribute -> python type(s) it must have
REQUIRED_ATTRS: dict[str, type | tuple[type, ...]] = {
    "schema_version": int,
    "complete": bool,
    "space": str,
    "ops": list,
    "decisions": list,
    "metric": str,
    "metric_direction": str,
    "dataset": dict,
    "scale_preset": str,
    "sampler": dict,
    "supernet_recipe": dict,
    "evaluation_protocol": dict,
    "gt_source": dict,
    "gt_noise": dict,
    "software": dict,
    "builder": dict,
    "license": str,
    "citation": str,
    "created": str,
}
DIRECTIONS = ("max", "min")
#: known metrics: direction and the closed range a value must lie in
METRICS: dict[str, tuple[str, float, float]] = {
    "accuracy": ("max", 0.0, 100.0),  # percent
    "error": ("min", 0.0, 100.0),  # percent
    "perplexity": ("min", 1.0, math.inf),
}
BN_PROTOCOLS = ("recalibrate", "batch_stats", "running_stats", "none")

# -- per-variable attributes (docs/schema.md, "Variable attributes") ----------------------------------------------
#: what every array of a store written since wsbench 0.1.0's interop change carries (CF names where CF has one:
#: ``long_name``, ``units``; ``direction`` is wsbench's, because CF has no word for "higher is better")
VARIABLE_ATTRS = ("long_name", "units", "direction")
#: ``direction`` values, from the store's ``metric_direction`` words
DIRECTION_WORDS: dict[str, str] = {"max": "higher_is_better", "min": "lower_is_better"}
#: ``units`` of each known metric (UDUNITS spelling: "%" is percent, "1" a dimensionless number)
METRIC_UNITS: dict[str, str] = {"accuracy": "%", "error": "%", "perplexity": "1"}


def variable_attrs(name: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """``long_name``, ``units`` (where the unit is known) and ``direction`` (for rankings only) of variable ``name``
    in a store whose global attributes are ``attrs``: what the writer stores on each array and ``wsbench export
    --format netcdf`` adds to stores written before (derived from ``metric``, ``metric_direction``, ``space``,
    ``ops`` and ``proxies``, so old and new stores describe a variable alike). Empty for a name the schema does
    not know."""
    metric = str(attrs.get("metric", "score"))
    units = METRIC_UNITS.get(metric)
    direction = DIRECTION_WORDS.get(str(attrs.get("metric_direction")))
    scored = {"units": units, "direction": direction}
    out: dict[str, Any]
    if name == "supernet_score":
        out = {"long_name": f"{metric} of the subnet with inherited supernet weights", **scored}
    elif name == "supernet_loss":
        out = {"long_name": "held-out cross-entropy (nats) of the subnet with inherited supernet weights",
               "units": "1", "direction": DIRECTION_WORDS["min"]}
    elif name == "finetune_score":
        out = {"long_name": f"{metric} of the subnet after inheriting the supernet's weights and training alone for "
                            "a few batches (the finetune attribute); NaN where not fine-tuned", **scored}
    elif name == "finetune_loss":
        out = {"long_name": "held-out cross-entropy (nats) of the fine-tuned subnet (see finetune_score)",
               "units": "1", "direction": DIRECTION_WORDS["min"]}
    elif name == "gt_score":
        out = {"long_name": f"ground-truth {metric}, mean over its trainings where there are several (how it was "
                            "obtained: the gt_source attribute)", **scored}
    elif name == "gt_score_per_seed":
        out = {"long_name": f"ground-truth {metric} of each ground-truth training (gt_seed)", **scored}
    elif name == GT_STD:
        out = {"long_name": f"standard deviation of the ground-truth {metric} as its source reports it "
                            "(not a ranking)", "units": units}
    elif name.startswith(EXTRA_GT_PREFIX):
        out = {"long_name": f"another ground-truth {metric}: {name[len(EXTRA_GT_PREFIX):]} (see extra_gt)",
               **scored}
    elif name in ("params", "flops", "params_paper", "flops_paper"):
        what = "parameters" if name.startswith("params") else "FLOPs (multiply-adds)"
        scale = "at the paper-scale preset" if name.endswith("_paper") else "as the supernet ran it"
        out = {"long_name": f"{what} of the subnet {scale}", "units": "1"}
    elif name.startswith(PROXY_PREFIX):
        proxy = name[len(PROXY_PREFIX):]
        info = (attrs.get("proxies") or {}).get(proxy, {}) if isinstance(attrs.get("proxies"), dict) else {}
        larger = info.get("larger_is_better") if isinstance(info, dict) else None
        out = {"long_name": f"zero-cost proxy {proxy}, as its source reports it (see the proxies attribute)",
               "direction": DIRECTION_WORDS["min" if larger is False else "max"]}
    elif name == "arch_string":
        out = {"long_name": f"canonical architecture string of wsbench.spaces {attrs.get('space', '')}".rstrip()}
    elif name == "function_id":
        out = {"long_name": "id of the function the architecture computes (equal ids: one network; see "
                            "function_id_rule)"}
    elif name == "choice":
        out = {"long_name": "index into the ops attribute of the op chosen at each decision; -1: the decision "
                            "does not exist in this architecture"}
        ops = attrs.get("ops")
        if isinstance(ops, list) and ops and all(isinstance(o, str) and o and " " not in o for o in ops):
            out.update(flag_values=list(range(-1, len(ops))), flag_meanings=" ".join(["absent", *ops]))
    elif name == "epoch":
        out = {"long_name": "supernet training epoch at which every subnet was scored"}
    elif name == "seed":
        out = {"long_name": "supernet training seed"}
    elif name == "gt_seed":
        out = {"long_name": "seed of a ground-truth (stand-alone) training"}
    elif name == "decision":
        out = {"long_name": "choice point of the search space"}
    elif name == "prune":
        out = {"long_name": "fraction of the pool removed before the supernet was retrained (0: the control)",
               "units": "1"}
    elif name == PRUNE_MODE:
        out = {"long_name": "how the pool was pruned before the supernet was retrained: "
                            + ", ".join(PRUNE_MODES) + " (the control, trained on the whole space)"}
    else:
        return {}
    return {k: v for k, v in out.items() if v is not None}


def variable_attr_problems(name: str, given: Mapping[str, Any], attrs: Mapping[str, Any]) -> list[str]:
    """Problems of the per-variable attributes a store holds (none is required: stores written before they
    existed have none): each of :data:`VARIABLE_ATTRS` present must be a string, ``direction`` one of
    :data:`DIRECTION_WORDS`' values and, for a ranking, the one the schema gives it (a supernet score said to be
    higher-is-better in a perplexity store would mislead every reader that is not wsbench)."""
    problems = []
    for key in VARIABLE_ATTRS:
        if key in given and not isinstance(given[key], str):
            problems.append(f"variable {name!r}: attribute {key!r} must be a string, got {type(given[key]).__name__}")
    direction = given.get("direction")
    if isinstance(direction, str):
        expected = variable_attrs(name, attrs).get("direction")
        if direction not in DIRECTION_WORDS.values():
            problems.append(f"variable {name!r}: direction must be one of {sorted(DIRECTION_WORDS.values())}, "
                            f"got {direction!r}")
        elif name.startswith(PROXY_PREFIX):
            pass  # a proxy's direction is its source's word: either is allowed
        elif expected is None:
            problems.append(f"variable {name!r} is not a ranking: it takes no direction attribute "
                            f"(got {direction!r})")
        elif direction != expected:
            problems.append(f"variable {name!r}: direction is {direction!r} but the store's metric_direction makes "
                            f"it {expected!r}")
    return problems


def check_structure(meta: StoreMeta) -> list[str]:
    """Problems visible from metadata alone: attributes, dims, coordinates, variables, dtypes, declared sizes
    beyond ``wsbench.reader``'s limits. Reads no data."""
    from wsbench.reader import limit_problems

    problems: list[str] = limit_problems(meta)
    attrs = meta.attrs
    for name, typ in REQUIRED_ATTRS.items():
        if name not in attrs:
            problems.append(f"attribute {name!r} is missing")
        elif not isinstance(attrs[name], typ) or (typ is int and isinstance(attrs[name], bool)):
            problems.append(f"attribute {name!r} must be {getattr(typ, '__name__', typ)}, got {type(attrs[name]).__name__}")
    if attrs.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        problems.append(f"schema_version is {attrs['schema_version']}; this wsbench reads version {SCHEMA_VERSION}")
    direction = attrs.get("metric_direction")
    if direction is not None and direction not in DIRECTIONS:
        problems.append(f"metric_direction must be one of {list(DIRECTIONS)}, got {direction!r}")
    metric = attrs.get("metric")
    if metric in METRICS and direction in DIRECTIONS and METRICS[metric][0] != direction:
        problems.append(f"metric {metric!r} is {METRICS[metric][0]!r}-is-better, but metric_direction says {direction!r}")
    proto = attrs.get("evaluation_protocol")
    if isinstance(proto, dict):
        if proto.get("bn") not in BN_PROTOCOLS:
            problems.append(f"evaluation_protocol.bn must be one of {list(BN_PROTOCOLS)}, got {proto.get('bn')!r}")
        if proto.get("bn") == "recalibrate" and not isinstance(proto.get("bn_batches"), int):
            problems.append("evaluation_protocol.bn_batches (int) is required when bn is 'recalibrate'")
        for key in ("split", "size"):
            if key not in proto:
                problems.append(f"evaluation_protocol.{key} is missing")

    arrays, sizes = meta.arrays, meta.sizes
    problems += check_dims_agree(meta)
    for dim in DIMS:
        if dim not in sizes:
            problems.append(f"dimension {dim!r} is missing")
    for dim in sizes:
        if dim not in DIMS + OPTIONAL_DIMS:
            problems.append(f"unknown dimension {dim!r}; allowed: {list(DIMS + OPTIONAL_DIMS)}")
    for name, kind in COORDS.items():
        if name in sizes:
            if name not in arrays or arrays[name].dims != (name,):
                problems.append(f"dimension {name!r} has no coordinate variable")
            elif arrays[name].kind != kind:
                problems.append(f"coordinate {name!r} must have dtype kind {kind!r}, got {arrays[name].data_type}")
    expected = dict(REQUIRED_VARIABLES)
    optional = dict(OPTIONAL_VARIABLES)
    if "prune" in sizes:
        expected["supernet_score"] = (("prune", "seed", "epoch", "arch"), "f")
        expected[PRUNE_MODE] = (("prune",), "U")
        optional.update({name: expected["supernet_score"] for name in LIKE_SUPERNET})
    for name, (dims, kind) in {**expected, **optional}.items():
        if name not in arrays:
            if name in expected:
                problems.append(f"variable {name!r} {dims} is missing")
            continue
        a = arrays[name]
        if a.dims != dims:
            problems.append(f"variable {name!r} must have dims {dims}, got {a.dims}")
        if a.kind == "fixed-U":
            problems.append(f"{name} is a fixed-width NumPy '<U' array; store it as variable-length UTF-8 strings")
        elif a.kind != kind:
            problems.append(f"variable {name!r} must have dtype kind {kind!r}, got {a.data_type}")
    if "gt_score_per_seed" in arrays and "gt_seed" not in sizes:
        problems.append("gt_score_per_seed needs the gt_seed dimension")
    tuned = [n for n in FINETUNE if n in arrays]
    if tuned and len(tuned) != len(FINETUNE):
        problems.append(f"{tuned[0]} needs {' and '.join(n for n in FINETUNE if n not in tuned)}: fine-tuned "
                        "scores and losses come together")
    if tuned and not isinstance(attrs.get("finetune"), dict):
        problems.append("fine-tuned scores need the attribute 'finetune' (dict: protocol, subnets, regions)")
    if not tuned and "finetune" in attrs:
        problems.append("attribute 'finetune' describes fine-tuned scores, but there is no finetune_score variable")
    for name, a in arrays.items():
        if name in COORDS:
            continue
        prefixed = name.startswith((EXTRA_GT_PREFIX, PROXY_PREFIX)) and name not in OPTIONAL_VARIABLES
        known = name in expected or name in OPTIONAL_VARIABLES or prefixed
        if name == PRUNE_MODE and "prune" not in sizes:
            problems.append(f"variable {PRUNE_MODE!r} names the modes of prune runs, but there is no prune dimension")
            continue
        if not known:
            problems.append(f"unknown variable {name!r}; extra ground truths must be named {EXTRA_GT_PREFIX}<name>, "
                            f"proxies {PROXY_PREFIX}<name>")
        elif prefixed and a.dims != ("arch",):
            problems.append(f"{name!r} must have dims ('arch',)")
        elif name.startswith(PROXY_PREFIX) and a.kind != "f":
            problems.append(f"proxy {name!r} must be a float variable, got {a.data_type}")
    for name, a in arrays.items():
        problems += variable_attr_problems(name, a.attrs, attrs)
    return problems


def check_dims_agree(meta: StoreMeta) -> list[str]:
    """Each array names one dimension per axis, and a dimension has one length in every array that has it
    (else a statistic would pair subnet i of one array with another subnet of the next)."""
    problems, first = [], {}
    for name, a in meta.arrays.items():
        if len(a.dims) != len(a.shape):
            problems.append(f"variable {name!r} names {len(a.dims)} dimension(s) {list(a.dims)} for its "
                            f"{len(a.shape)}-d shape {list(a.shape)}")
            continue
        for dim, n in zip(a.dims, a.shape):
            if dim not in first:
                first[dim] = (name, n)
            elif first[dim][1] != n:
                problems.append(f"variable {name!r} has {n} along {dim!r}, but {first[dim][0]!r} has {first[dim][1]}: "
                                "the arrays do not describe the same subnets; rebuild the store")
    return problems


def validate(ds: xr.Dataset, level: str = "deep") -> list[str]:
    """Every schema problem of ``ds`` as one sentence each; empty if the store is valid.

    ``level``: "structure" checks attributes, dims, variables and dtypes without
    reading any data; "values" also reads the arrays (ranges, NaN policy,
    duplicates); "deep" also parses every architecture in its space and checks
    ``choice`` against it (seconds for 1M subnets).
    """
    from wsbench.reader import XarrayReader

    if level not in ("structure", "values", "deep"):
        raise ValueError(f"level must be 'structure', 'values' or 'deep', got {level!r}")
    problems = check_structure(XarrayReader(None, ds).meta)
    if problems or level == "structure":
        return problems  # values cannot be checked reliably on a broken structure
    problems = _load(ds)
    if problems:
        return problems  # nor on data that cannot be read
    return _check_values(ds, dict(ds.attrs), deep=level == "deep")


def _load(ds: xr.Dataset) -> list[str]:
    """Read every variable into memory (once: the value checks use what is loaded); each one that cannot be read
    (a chunk that is not gzip, of the wrong length, a zip member with a bad CRC, ...) is a problem naming its
    chunks."""
    problems = []
    for name, var in ds.variables.items():
        try:
            var.load()
        except Exception as e:  # noqa: BLE001  (zarr and its codecs raise many types for damaged bytes)
            bad = _unreadable_chunks(var)
            where = f"chunk(s) {', '.join(map(str, bad[:5]))}{' …' if len(bad) > 5 else ''} of " if bad else ""
            problems.append(f"{where}{name} cannot be read ({type(e).__name__}: {e}); the store is corrupted: "
                            "download or build it again")
    return problems


def _unreadable_chunks(var: xr.Variable) -> list[tuple[int, ...]]:
    """Grid indices of the chunks of ``var`` that fail to read (each read alone; only called after a failure)."""
    import itertools

    chunks = var.encoding.get("chunks") or var.shape
    grid = [range(math.ceil(n / c)) if c else range(1) for n, c in zip(var.shape, chunks)]
    bad = []
    for idx in itertools.product(*grid):
        try:
            var[tuple(slice(i * c, (i + 1) * c) for i, c in zip(idx, chunks))].load()
        except Exception:  # noqa: BLE001
            bad.append(idx)
    return bad


def _check_values(ds: xr.Dataset, attrs: dict, deep: bool) -> list[str]:
    return check_values(lambda name: ds[name].values, [str(n) for n in ds.variables], dict(ds.sizes), attrs, deep)


def check_values(read: Callable[[str], np.ndarray], names: list[str], sizes: dict[str, int], attrs: dict,
                 deep: bool = True) -> list[str]:
    """Every value check below on a store whose structure passed: what ``validate`` adds to the structure, and
    what :mod:`wsbench.trust` runs (through the fast reader) before a statistic answers. ``read(name)``: the
    whole array as NumPy; ``names``: every array of the store."""
    from wsbench.errors import UnknownNameError
    from wsbench.spaces import get_space

    try:
        space = get_space(attrs["space"])
    except UnknownNameError as e:
        return [str(e)]
    v: dict[str, np.ndarray] = {}

    def get(name: str) -> np.ndarray:
        if name not in v:
            v[name] = np.asarray(read(name))
        return v[name]

    has = set(names)
    problems = check_space(attrs, space, [str(d) for d in get("decision")])
    problems += check_coords(get("epoch"), get("seed"), get("gt_seed") if "gt_seed" in has else None,
                             get("prune") if "prune" in has else None)
    if "prune" in has and PRUNE_MODE in has:
        problems += check_prune_runs(get("prune"), [str(m) for m in get(PRUNE_MODE)], attrs.get("sampler"))
        problems += check_prune_scored(get("supernet_score"), attrs.get("sampler"))
    problems += check_choice(get("choice"), space)
    metric = attrs["metric"]
    for name in ["supernet_score", "finetune_score", "gt_score", "gt_score_per_seed"] + [n for n in names if is_extra_gt(n)]:
        if name in has:
            problems += check_scores(name, get(name), metric)
    if GT_STD in has:
        problems += check_gt_std(get(GT_STD), get("gt_score"), metric)
    if attrs.get("complete"):
        problems += check_complete(sizes, get("supernet_score"), get("gt_score"))
    if "supernet_loss" in has:
        problems += check_loss(get("supernet_loss"), get("supernet_score"))
    if all(n in has for n in FINETUNE):
        lead = [[v.item() for v in get(d)] for d in ("prune", "seed", "epoch") if d in has]
        problems += check_finetune(get("finetune_score"), get("finetune_loss"), get("supernet_score"), attrs, lead)
    for name in (n for n in names if n.startswith(PROXY_PREFIX)):
        problems += check_proxy(name, get(name))
    for name in SIZE_VARIABLES:
        if name in has:
            problems += check_size(name, get(name))
    archs = [str(a) for a in get("arch_string")]
    arch_problems = check_archs(archs, get("choice"), space, parse=deep)
    problems += arch_problems
    if deep and "function_id" in has and not arch_problems:
        problems += check_function_ids([str(x) for x in get("function_id")], archs, space)
    return problems


# -- the value checks: each takes arrays already read and returns its problems (vectorised NumPy, no I/O), so
# ``validate`` (on the whole store) and wsbench.trust (on what a statistic reads) run one copy of each ---------

#: per-subnet sizes: >= 0 or NaN
SIZE_VARIABLES = ("params", "flops", "params_paper", "flops_paper")


def is_extra_gt(name: str) -> bool:
    """``gt_score_<name>``: an extra ground truth (not the per-seed one, not the std)."""
    return name.startswith(EXTRA_GT_PREFIX) and name not in ("gt_score_per_seed", GT_STD)


def check_space(attrs: dict, space: Any, decisions: list[str]) -> list[str]:
    """The ``ops`` and ``decisions`` attributes and the ``decision`` coordinate against the space."""
    problems = []
    if list(attrs.get("ops", [])) != list(space.ops):
        problems.append(f"attribute ops {_short(attrs.get('ops'))} differs from the {space.name} op vocabulary "
                        f"{list(space.ops)}")
    if list(attrs.get("decisions", [])) != list(space.decisions):
        problems.append(f"attribute decisions must be {list(space.decisions)} for space {space.name}, got "
                        f"{_short(attrs.get('decisions'))}")
    if list(decisions) != list(space.decisions):
        problems.append(f"decision coordinate must be {list(space.decisions)} for space {space.name}, got "
                        f"{_short(list(decisions))}")
    return problems


def _short(value: Any, n: int = 200) -> str:
    """``repr(value)``, cut to ``n`` characters: a crafted attribute must not flood an error line."""
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def check_coords(epochs: np.ndarray, seeds: np.ndarray, gt_seeds: np.ndarray | None = None,
                 prune: np.ndarray | None = None) -> list[str]:
    """Epochs strictly increasing and >= 0; seeds and GT seeds distinct; prune factors in [0, 1)."""
    problems = []
    if len(epochs) and (np.any(np.diff(epochs) <= 0) or epochs[0] < 0):
        problems.append(f"epoch coordinate must be strictly increasing and >= 0, got {_short(epochs.tolist())}")
    for dim, values in (("seed", seeds), ("gt_seed", gt_seeds)):
        if values is not None and len(set(values.tolist())) != len(values):  # (np.unique(a) imports numpy.ma)
            problems.append(f"{dim} coordinate has duplicates: {_short(values.tolist())}")
    if prune is not None and not np.all((prune >= 0) & (prune < 1)):
        problems.append("prune coordinate (fraction of the space removed) must lie in [0, 1)")
    return problems


def check_prune_runs(factors: np.ndarray, modes: list[str], sampler: Any) -> list[str]:
    """Each prune run: a known mode, factor 0 exactly for the control ("none"), one run per (mode, factor), and
    the store's ``sampler.prune_runs`` saying the same (mode, factor) of each run, in order (how it was pruned)."""
    problems = []
    bad = sorted({m for m in modes if m not in PRUNE_MODES})
    if bad:
        problems.append(f"{PRUNE_MODE} must be one of {list(PRUNE_MODES)}, got {_short(bad)}")
    pairs = [(m, float(f)) for m, f in zip(modes, factors)]
    wrong = [p for p in pairs if (p[0] == "none") != (p[1] == 0.0)]
    if wrong:
        problems.append(f"prune runs {_short(wrong)}: factor 0 is the control, whose mode is 'none' (and only it)")
    if len(set(pairs)) != len(pairs):
        problems.append(f"prune runs repeat a (mode, factor): {_short(pairs)}; one run per pruned space")
    runs = sampler.get("prune_runs") if isinstance(sampler, dict) else None
    if not isinstance(runs, list) or len(runs) != len(pairs) or not all(
            isinstance(r, dict) and (r.get("mode"), r.get("factor")) == p for r, p in zip(runs, pairs)):
        problems.append("attribute sampler.prune_runs must list each prune run's rule in the prune dimension's "
                        f"order, with the same mode and factor ({_short(pairs)}); got {_short(runs)}")
    return problems


def check_prune_scored(score: np.ndarray, sampler: Any) -> list[str]:
    """A pruned run scores only the subnets its space keeps: no (seed, epoch) slice of a run whose rule records
    ``allowed`` (the size of its allowed set) holds more finite scores than that."""
    runs = sampler.get("prune_runs") if isinstance(sampler, dict) else None
    if not isinstance(runs, list) or len(runs) != score.shape[0]:
        return []  # check_prune_runs says so
    problems = []
    for i, run in enumerate(runs):
        allowed = run.get("allowed") if isinstance(run, dict) else None
        if isinstance(allowed, int) and not isinstance(allowed, bool):
            most = int(np.isfinite(score[i]).sum(axis=-1).max(initial=0))
            if most > allowed:
                problems.append(f"prune run {i} ({run.get('mode')}, {run.get('factor')}) has {most} scored subnets "
                                f"in one (seed, epoch) slice, more than the {allowed} of its allowed set")
    return problems


def check_choice(choice: np.ndarray, space: Any) -> list[str]:
    """One column per decision of the space, op indices in -1..len(ops)-1."""
    if choice.ndim != 2 or choice.shape[1] != len(space.decisions):
        return [(f"choice has shape {list(choice.shape)}; expected one column per decision of {space.name} "
                 f"({len(space.decisions)})")]
    if choice.size and (choice.min() < -1 or choice.max() >= len(space.ops)):
        return [f"choice holds op indices outside -1..{len(space.ops) - 1}"]
    return []


def check_scores(name: str, values: np.ndarray, metric: str) -> list[str]:
    """A score or ground truth: finite or NaN, inside the metric's range; a ground truth in percent, not fractions."""
    problems = []
    lo, hi = METRICS.get(metric, (None, -math.inf, math.inf))[1:]
    finite = values[np.isfinite(values)]
    if np.isinf(values).any():
        problems.append(f"{name} holds +-inf; use NaN for 'not evaluated / unknown'")
    if finite.size and (finite.min() < lo or finite.max() > hi):
        problems.append(f"{name} values must lie in [{lo}, {hi}] for metric {metric!r}, got [{finite.min()}, {finite.max()}]")
    if metric == "accuracy" and finite.size and finite.max() <= 1 and name not in ("supernet_score", "finetune_score"):
        problems.append(f"{name}: every value lies in [0, 1] (max {finite.max():g}), which reads as fractions; "
                        "accuracy is stored in percent: multiply by 100 (python -m builders import-gt table "
                        "... --unit fraction does)")
    return problems


def check_complete(sizes: Any, sn: np.ndarray, gt: np.ndarray) -> list[str]:
    """A complete store: some subnets, epochs and seeds; every (seed, epoch) slice scored; some ground truth."""
    problems = []
    empty_dims = [d for d in ("arch", "epoch", "seed") if sizes.get(d, 0) == 0]
    if empty_dims:
        problems.append(f"a complete store needs at least one {', one '.join(empty_dims)}; it has none")
    if sn.size:
        empty = np.all(np.isnan(sn), axis=-1)
        if empty.any():
            idx = [tuple(int(i) for i in t) for t in np.argwhere(empty)][:5]
            problems.append(f"complete store has supernet_score slices with no value at all (index {idx}); drop those epochs/seeds")
    if np.isfinite(gt).sum() == 0 and sizes.get("arch", 0) > 0:
        problems.append("gt_score has no known value; statistics need ground truth for some subnets")
    return problems


def check_loss(loss: np.ndarray, score: np.ndarray, name: str = "supernet_loss", score_name: str = "supernet_score",
               unknown: str = "not scored") -> list[str]:
    """A loss (``supernet_loss``, ``finetune_loss``): a finite cross-entropy >= 0 exactly where its score is known
    (same shape: the whole variable or one (seed, epoch) slice of both)."""
    problems = []
    if np.isinf(loss).any() or np.any(loss[np.isfinite(loss)] < 0):
        problems.append(f"{name} must be a finite cross-entropy >= 0 (NaN where {unknown})")
    if loss.shape != score.shape or (np.isnan(loss) != np.isnan(score)).any():
        problems.append(f"{name} and {score_name} must be known for the same (seed, epoch, subnet) cells")
    return problems


def check_proxy(name: str, values: np.ndarray) -> list[str]:
    return [f"{name} holds +-inf; use NaN where the proxy is unknown"] if np.isinf(values).any() else []


def check_size(name: str, values: np.ndarray) -> list[str]:
    if np.any(values[np.isfinite(values)] < 0) or np.isinf(values).any():
        return [f"{name} must be >= 0 (NaN where unknown)"]
    return []


def check_archs(archs: list[str], choice: np.ndarray, space: Any, parse: bool = True) -> list[str]:
    """No architecture twice; with ``parse``, each one canonical in its space and its ``choice`` row its op
    indices (one parse per string: ~0.1 s for 4,000 subnets, seconds for 1M)."""
    from wsbench.errors import InvalidArchError

    problems = []
    if len(set(archs)) != len(archs):
        seen: set[str] = set()
        dup = [a for a in archs if a in seen or seen.add(a)]
        problems.append(f"{len(dup)} duplicate architecture(s), e.g. {_short(dup[0])}")
    if not parse:
        return problems
    bad: list[str] = []
    rows = np.full((len(archs), len(space.decisions)), -2, dtype=np.int16)
    for i, a in enumerate(archs):
        try:
            parsed = space.parse(a)
            canonical = space.format(parsed)
            if canonical != a:
                bad.append(f"arch {i}: {space.name}: {_short(a)} is valid but not canonical; expected "
                           f"{_short(canonical)}")
            rows[i] = space.choices_of(parsed)
        except InvalidArchError as e:
            bad.append(f"arch {i}: {_short(str(e), 300)}")
    if choice.shape == rows.shape:
        parsed_ok = (rows != -2).all(axis=1)
        wrong = np.flatnonzero(parsed_ok & (rows != choice).any(axis=1))
        bad += [f"choice row {i} does not match {_short(archs[i])}" for i in wrong[:3]]
        bad += [""] * max(0, len(wrong) - 3)  # counted, not shown
    if bad:
        shown = [b for b in bad if b][:3]
        problems.append(f"{len(bad)} architecture problem(s): " + "; ".join(shown))
    return problems


def check_function_ids(have: list[str], archs: list[str], space: Any) -> list[str]:
    """The stored ``function_id`` equals the space's ``function_id`` of each architecture."""
    from wsbench.errors import WsbenchError

    try:
        ids = space.function_ids(archs)
    except WsbenchError:
        return []  # check_archs already says why
    if have != ids:
        wrong = [i for i, (a, b) in enumerate(zip(have, ids)) if a != b] or [min(len(have), len(ids))]
        i = wrong[0]
        got = have[i] if i < len(have) else None
        want = ids[i] if i < len(ids) else None
        return [(f"function_id differs from {space.name}'s function_id(arch) at {len(wrong)} subnet(s), "
                 f"e.g. row {i}: {_short(got)} instead of {_short(want)}")]
    return []


def check_finetune(ft: np.ndarray, loss: np.ndarray, sn: np.ndarray, attrs: Mapping[str, Any],
                   lead: list[list[Any]]) -> list[str]:
    """finetune_score / finetune_loss: the loss known exactly where the score is, only where supernet_score is; one
    set of subnets, of the recorded size, in every fine-tuned region, and the regions the attribute records.
    ``lead``: the coordinate values of the dims before ``arch`` ((prune,) seed, epoch)."""
    problems = check_loss(loss, ft, "finetune_loss", "finetune_score", "not fine-tuned")
    if ft.shape == sn.shape and (np.isfinite(ft) & ~np.isfinite(sn)).any():
        problems.append("finetune_score is known where supernet_score is not: a subnet is fine-tuned only where "
                        "its plain score was taken")
    rows = np.isfinite(ft).reshape(-1, ft.shape[-1]) if ft.ndim else np.zeros((0, 0), bool)
    done = rows.any(axis=1)
    proto = attrs.get("finetune") if isinstance(attrs.get("finetune"), dict) else {}
    if done.any():
        first = rows[np.argmax(done)]
        if (rows[done] != first).any():
            problems.append("finetune_score holds different sets of subnets in different (seed, epoch) regions; "
                            "every region fine-tunes the same subnets")
        k = proto.get("subnets")
        if k is not None and int(first.sum()) != k:
            problems.append(f"finetune_score holds {int(first.sum())} subnets per region, the attribute "
                            f"finetune.subnets says {k}")
    have = sorted(list(t) for t, d in zip(itertools.product(*lead), done.tolist()) if d)  # C order, as rows
    recorded = sorted(list(r) for r in proto.get("regions", []) if isinstance(r, list | tuple))
    if recorded != have:
        problems.append(f"attribute finetune.regions {_short(recorded)} differs from the (seed, epoch) regions that "
                        f"hold fine-tuned scores {_short(have)}")
    lrs = proto.get("lr_at_epoch")
    if isinstance(lrs, dict) and sorted(lrs) != sorted({str(r[-1]) for r in recorded}):
        problems.append(f"attribute finetune.lr_at_epoch names epochs {sorted(lrs)}, the fine-tuned regions "
                        f"{sorted({str(r[-1]) for r in recorded})}: each fine-tuned epoch records its learning rate")
    return problems


def check_gt_std(std: np.ndarray, gt: np.ndarray, metric: str) -> list[str]:
    """gt_score_std: finite and >= 0 where gt_score is known, NaN where it is not, at most the metric's range."""
    lo, hi = METRICS.get(metric, (None, -math.inf, math.inf))[1:]
    width = hi - lo
    problems = []
    known = np.isfinite(gt)
    if not np.isfinite(std[known]).all():
        problems.append(f"{GT_STD} must be finite wherever gt_score is known; "
                        f"{int((~np.isfinite(std[known])).sum())} subnet(s) have a gt_score but no std")
    if np.isfinite(std[~known]).any():
        problems.append(f"{GT_STD} is known for {int(np.isfinite(std[~known]).sum())} subnet(s) without a gt_score; "
                        "a std belongs to a mean")
    finite = std[np.isfinite(std)]
    if finite.size and (finite.min() < 0 or finite.max() > width):
        problems.append(f"{GT_STD} must lie in [0, {width:g}] (a standard deviation in the metric's unit), got "
                        f"[{finite.min():g}, {finite.max():g}]")
    return problems
