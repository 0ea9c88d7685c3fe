"""Store schema v1: the contract between builders, stores and statistics.

``validate(ds)`` lists *every* problem it finds (never stops at the first), so
a contributor fixes a store in one round. docs/schema.md is the prose version
of the constants below; tests check the two agree.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
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
        out = {"long_name": "fraction of the space removed before the supernet was retrained", "units": "1"}
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
    from wsbench.errors import InvalidArchError, UnknownNameError
    from wsbench.spaces import get_space

    problems: list[str] = []
    try:
        space = get_space(attrs["space"])
    except UnknownNameError as e:
        return [str(e)]
    if list(attrs["ops"]) != list(space.ops):
        problems.append(f"attribute ops {attrs['ops']} differs from the {space.name} op vocabulary {list(space.ops)}")
    decisions = [str(d) for d in ds["decision"].values]
    if list(attrs["decisions"]) != list(space.decisions) or decisions != list(space.decisions):
        problems.append(f"decisions must be {list(space.decisions)} for space {space.name}")
    epochs = ds["epoch"].values
    if len(epochs) and (np.any(np.diff(epochs) <= 0) or epochs[0] < 0):
        problems.append(f"epoch coordinate must be strictly increasing and >= 0, got {epochs.tolist()}")
    for dim in ("seed", "gt_seed"):
        if dim in ds.coords and len(set(ds[dim].values.tolist())) != ds.sizes[dim]:
            problems.append(f"{dim} coordinate has duplicates: {ds[dim].values.tolist()}")
    if "prune" in ds.coords and not np.all((ds["prune"].values >= 0) & (ds["prune"].values < 1)):
        problems.append("prune coordinate (fraction of the space removed) must lie in [0, 1)")
    choice = ds["choice"].values
    if choice.size and (choice.min() < -1 or choice.max() >= len(space.ops)):
        problems.append(f"choice values must lie in -1..{len(space.ops) - 1}")

    metric = attrs["metric"]
    lo, hi = METRICS.get(metric, (None, -math.inf, math.inf))[1:]
    score_vars = ["supernet_score", "finetune_score", "gt_score", "gt_score_per_seed"] + [
        n for n in ds.data_vars if n.startswith(EXTRA_GT_PREFIX) and n not in ("gt_score_per_seed", GT_STD)
    ]
    for name in score_vars:
        if name not in ds.variables:
            continue
        v = ds[name].values
        finite = v[np.isfinite(v)]
        if np.isinf(v).any():
            problems.append(f"{name} holds +-inf; use NaN for 'not evaluated / unknown'")
        if finite.size and (finite.min() < lo or finite.max() > hi):
            problems.append(f"{name} values must lie in [{lo}, {hi}] for metric {metric!r}, got [{finite.min()}, {finite.max()}]")
        if metric == "accuracy" and finite.size and finite.max() <= 1 and name not in ("supernet_score",
                                                                                        "finetune_score"):
            problems.append(f"{name}: every value lies in [0, 1] (max {finite.max():g}), which reads as fractions; "
                            "accuracy is stored in percent: multiply by 100 (python -m builders import-gt table "
                            "... --unit fraction does)")
    if GT_STD in ds.variables:
        problems += _check_gt_std(ds[GT_STD].values, ds["gt_score"].values, hi - lo)
    sn = ds["supernet_score"].values
    if attrs.get("complete"):
        empty_dims = [d for d in ("arch", "epoch", "seed") if ds.sizes.get(d, 0) == 0]
        if empty_dims:
            problems.append(f"a complete store needs at least one {', one '.join(empty_dims)}; it has none")
    if attrs.get("complete") and sn.size:
        empty = np.all(np.isnan(sn), axis=-1)
        if empty.any():
            idx = [tuple(int(i) for i in t) for t in np.argwhere(empty)][:5]
            problems.append(f"complete store has supernet_score slices with no value at all (index {idx}); drop those epochs/seeds")
    if attrs.get("complete") and np.isfinite(ds["gt_score"].values).sum() == 0 and ds.sizes["arch"] > 0:
        problems.append("gt_score has no known value; statistics need ground truth for some subnets")
    if "supernet_loss" in ds.variables:
        loss = ds["supernet_loss"].values
        if np.isinf(loss).any() or np.any(loss[np.isfinite(loss)] < 0):
            problems.append("supernet_loss must be a finite cross-entropy >= 0 (NaN where not scored)")
        if (np.isnan(loss) != np.isnan(sn)).any():
            problems.append("supernet_loss and supernet_score must be known for the same (seed, epoch, subnet) cells")
    if all(n in ds.variables for n in FINETUNE):
        problems += _check_finetune(ds, attrs, sn)
    for name in (n for n in ds.data_vars if str(n).startswith(PROXY_PREFIX)):
        if np.isinf(ds[name].values).any():
            problems.append(f"{name} holds +-inf; use NaN where the proxy is unknown")
    for name in ("params", "flops", "params_paper", "flops_paper"):
        if name in ds.variables:
            v = ds[name].values
            if np.any(v[np.isfinite(v)] < 0) or np.isinf(v).any():
                problems.append(f"{name} must be >= 0 (NaN where unknown)")

    archs = [str(a) for a in ds["arch_string"].values]
    if len(set(archs)) != len(archs):
        seen: set[str] = set()
        dup = [a for a in archs if a in seen or seen.add(a)]
        problems.append(f"{len(dup)} duplicate architecture(s), e.g. {dup[0]!r}")
    if deep:
        bad: list[str] = []
        for i, a in enumerate(archs):
            try:
                space.validate(a)
                if tuple(choice[i].tolist()) != space.choices(a):
                    bad.append(f"choice row {i} does not match {a!r}")
            except InvalidArchError as e:
                bad.append(f"arch {i}: {e}")
        if "function_id" in ds.variables:
            from wsbench.errors import WsbenchError

            try:
                ids = space.function_ids(archs)
            except WsbenchError:
                ids = None  # the arch problems above already say why
            have = [str(x) for x in ds["function_id"].values]
            if ids is not None and have != ids:
                wrong = [i for i, (a, b) in enumerate(zip(have, ids)) if a != b]
                problems.append(f"function_id differs from {space.name}'s function_id(arch) at {len(wrong)} subnet(s), "
                                f"e.g. row {wrong[0]}: {have[wrong[0]]!r} instead of {ids[wrong[0]]!r}")
        if bad:
            problems.append(f"{len(bad)} architecture problem(s): " + "; ".join(bad[:3]))
    return problems


def _check_finetune(ds: xr.Dataset, attrs: dict, sn: np.ndarray) -> list[str]:
    """finetune_score / finetune_loss: the loss known exactly where the score is, only where supernet_score is; one
    set of subnets, of the recorded size, in every fine-tuned region, and the regions the attribute records."""
    problems = []
    ft, loss = ds["finetune_score"].values, ds["finetune_loss"].values
    if np.isinf(loss).any() or np.any(loss[np.isfinite(loss)] < 0):
        problems.append("finetune_loss must be a finite cross-entropy >= 0 (NaN where not fine-tuned)")
    if (np.isnan(loss) != np.isnan(ft)).any():
        problems.append("finetune_loss and finetune_score must be known for the same (seed, epoch, subnet) cells")
    if (np.isfinite(ft) & ~np.isfinite(sn)).any():
        problems.append("finetune_score is known where supernet_score is not: a subnet is fine-tuned only where "
                        "its plain score was taken")
    rows = np.isfinite(ft).reshape(-1, ft.shape[-1])
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
    lead = [d for d in ds["finetune_score"].dims if d != "arch"]
    values = [[v.item() for v in ds[d].values] for d in lead]
    have = sorted(list(t) for t, d in zip(itertools.product(*values), done.tolist()) if d)  # C order, as rows
    recorded = sorted(list(r) for r in proto.get("regions", []) if isinstance(r, list | tuple))
    if recorded != have:
        problems.append(f"attribute finetune.regions {recorded} differs from the (seed, epoch) regions that hold "
                        f"fine-tuned scores {have}")
    return problems


def _check_gt_std(std: np.ndarray, gt: np.ndarray, width: float) -> list[str]:
    """gt_score_std: finite and >= 0 where gt_score is known, NaN where it is not, at most the metric's range."""
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
