"""A store in the layout of NASLib's zero-cost benchmark files (``zc_nasbench201.json`` and its siblings), so
code written for them reads wsbench's numbers: ``{benchmark: {dataset: {key: {val_accuracy, params, flops,
<proxy>: score, ...}}}}``.

The keys are NASLib's compact encodings of each architecture (the ones
``builders/groundtruth/naslib_zc.py`` reads):

- nb201: the 6 op indices in NASLib's edge order ``(1,2) (1,3) (1,4) (2,3) (2,4) (3,4)`` (1-based nodes) and op
  order ``skip_connect, none, nor_conv_3x3, nor_conv_1x1, avg_pool_3x3``, e.g. ``"(4, 3, 3, 3, 2, 3)"``; the same
  string NASLib's file uses for the same cell;
- nb101: the 7 x 7 adjacency matrix row by row, then each vertex's op code (0 input, 1 output, 2 maxpool3x3,
  3 conv1x1-bn-relu, 4 conv3x3-bn-relu): 56 numbers, as in NASLib's file; a cell of fewer vertices is padded with
  unconnected ``maxpool3x3`` vertices before its output, which NAS-Bench-101's ModelSpec prunes. The vertices are
  in wsbench's canonical order, NASLib's file keeps NAS-Bench-101's: one cell may be spelled differently there
  (the same graph: NAS-Bench-101's hash, ``get_space("nb101").hash(arch)``, is the same);
- darts: ``[normal, reduce]``, 8 ``(input node, op index)`` pairs each (ops in DARTS's order without ``none``);
  each node's two pairs sorted by (input, op) as wsbench's canonical genotype sorts them, where NASLib's file keeps
  the order of its source (the sum is the same network). Only genotypes whose cells concatenate nodes 2..5 (every
  NAS-Bench-301 genotype) have such a key.

What the values are (and how they differ from NASLib's files): ``val_accuracy`` is the store's ``gt_score``
(whatever its ``gt_source`` says it is; NASLib's is one training run's validation accuracy, or NAS-Bench-301's
surrogate prediction); ``params`` and ``flops`` are in millions as in NASLib's files, from ``params_paper`` /
``flops_paper`` (the paper-scale network) where the store has them, else ``params`` / ``flops``; each
``proxy_<name>`` is written as ``<name>``, as its source reports it (the ``proxies`` attribute says whether NASLib or
wsbench computed it); ``supernet_score`` is added: the mean over the supernet seeds at the last recorded epoch
(omitted where a seed has none); ``arch`` is added: the canonical wsbench string. A value the store does not have
(NaN) is left out of its record rather than written as a number; a top-level ``wsbench`` entry holds the dataset's
name, licence, citation and these notes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from wsbench.errors import InvalidArchError, OptionError

if TYPE_CHECKING:
    from wsbench.benchmark import Benchmark

#: wsbench space -> the top-level key of NASLib's file for it
BENCHMARKS: dict[str, str] = {"nb201": "nasbench201", "nb101": "nasbench101", "darts": "nasbench301"}
#: NASLib's nb201 op order and edge order ((from, to), 0-based nodes)
NB201_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
NB201_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
#: NASLib's nb101 op codes
NB101_CODES = {"input": 0, "output": 1, "maxpool3x3": 2, "conv1x1-bn-relu": 3, "conv3x3-bn-relu": 4}
#: NASLib's keys always spell 7 vertices (7 x 7 + 7 numbers); a smaller cell is padded with unconnected vertices of
#: this op before its output, which NAS-Bench-101's ModelSpec prunes (the same network, the same hash)
NB101_VERTICES, NB101_PAD = 7, "maxpool3x3"
#: NASLib's dataset keys, by the store's dataset name with everything but letters and digits dropped, lower case
DATASETS = {"cifar10": "cifar10", "cifar100": "cifar100", "imagenet16120": "ImageNet16-120"}


def naslib_key(space: str, arch: str) -> str:
    """NASLib's compact key of the canonical ``arch`` of ``space`` (module docstring), as its files spell it."""
    from wsbench.spaces import get_space

    sp = get_space(space)
    if space == "nb201":
        ops = sp.parse(arch)  # one op index (wsbench order) per edge, edges (to, from) in sp.edges order
        by_edge = {(j, i): sp.ops[k] for (i, j), k in zip(sp.edges, ops)}
        return str(tuple(NB201_OPS.index(by_edge[e]) for e in NB201_EDGES))
    if space == "nb101":
        spec = sp.spec(arch)
        m = np.zeros((NB101_VERTICES, NB101_VERTICES), dtype=int)
        k = len(spec["ops"]) - 1  # the output: moved to the last vertex, unconnected padding before it
        given = np.asarray(spec["matrix"], dtype=int)
        m[:k, :k], m[:k, -1] = given[:k, :k], given[:k, k]
        ops = spec["ops"][:k] + [NB101_PAD] * (NB101_VERTICES - 1 - k) + ["output"]
        return str(tuple([int(x) for x in m.reshape(-1)] + [NB101_CODES[o] for o in ops]))
    if space == "darts":
        cells = sp.parse(arch)
        if any(tuple(cells[c][1]) != (2, 3, 4, 5) for c in sp.cells):
            raise InvalidArchError(f"darts: {arch} concatenates other nodes than 2..5; NASLib's compact encoding "
                                   "(NAS-Bench-301) has no key for it")
        return str([[(src, sp.ops.index(op)) for op, src in cells[c][0]] for c in sp.cells])
    raise OptionError(f"NASLib's zero-cost files exist for {sorted(BENCHMARKS)}; this store's space is {space!r}")


def naslib_dataset(attrs: dict[str, Any]) -> str:
    """NASLib's dataset key for the store's ``dataset`` attribute (``CIFAR-10`` -> ``cifar10``)."""
    name = attrs.get("dataset", {}).get("name", "") if isinstance(attrs.get("dataset"), dict) else ""
    plain = "".join(ch for ch in str(name).lower() if ch.isalnum())
    return DATASETS.get(plain, plain or "unknown")


def _number(x: float) -> float:
    """A float32 value as the float64 of its shortest decimal form (JSON then shows ``93.12``, not
    ``93.12000274658203``; cast back to float32 it is the stored value)."""
    return float(str(x)) if isinstance(x, np.floating) else float(x)


def _supernet_mean(b: Benchmark) -> np.ndarray:
    """Mean over the supernet seeds of each subnet's supernet_score at the last recorded epoch (of the unpruned
    supernet in a store with a prune dimension); NaN where a seed has no score."""
    lead: tuple[int, ...] = ()
    if b.has_prune_dim:
        if 0.0 not in b.prune_factors:
            raise OptionError(f"{b.name} has no unpruned supernet (prune factor 0): --format naslib writes its "
                              "scores; use --format csv, json, parquet or netcdf")
        lead = (b._prune_index(None),)  # the control run (mode none, factor 0), as every statistic takes it
    e = b.epochs.index(b.epochs[-1])
    rows = [b._read("supernet_score", (*lead, b.seeds.index(s), e)) for s in b.seeds]
    return np.stack(rows).astype(np.float64).mean(axis=0)


def naslib_json(b: Benchmark) -> tuple[str, int, list[str]]:
    """(the JSON text, the number of records, notes) of the store ``b`` reads."""
    space = str(b.attrs["space"])
    if space not in BENCHMARKS:
        raise OptionError(f"--format naslib writes NASLib's zero-cost layout, which exists for the spaces "
                          f"{', '.join(sorted(BENCHMARKS))}; {b.name} is a {space} store: use --format csv, json, "
                          "parquet or netcdf")
    if b.metric != "accuracy":
        raise OptionError(f"--format naslib writes val_accuracy; {b.name}'s metric is {b.metric!r}: use --format "
                          "csv, json, parquet or netcdf")
    arrays = b.reader.meta.arrays
    archs = [str(a) for a in b.arch_values("arch_string")]
    fields: dict[str, np.ndarray] = {"val_accuracy": b.arch_values("gt_score")}
    for size in ("params", "flops"):
        name = f"{size}_paper" if f"{size}_paper" in arrays else size
        fields[size] = b.arch_values(name) / 1e6
    fields["supernet_score"] = _supernet_mean(b)
    for name in sorted(n for n in arrays if n.startswith("proxy_") and arrays[n].dims == ("arch",)):
        short = name[len("proxy_"):]
        fields[name if short in fields or short == "arch" else short] = b.arch_values(name)  # never shadow a field

    records: dict[str, dict[str, Any]] = {}
    unkeyed = []
    for i, arch in enumerate(archs):
        try:
            key = naslib_key(space, arch)
        except InvalidArchError:
            unkeyed.append(arch)
            continue
        rec: dict[str, Any] = {}
        for field, values in fields.items():
            if np.isfinite(values[i]):
                rec[field] = _number(values[i])
        rec["arch"] = arch
        records[key] = rec
    notes = [f"{len(records)} of {len(archs)} subnets written, keyed by NASLib's compact encoding of {space}"]
    if unkeyed:
        notes.append(f"{len(unkeyed)} subnet(s) have no NASLib key and were left out, e.g. {unkeyed[0]}")
    missing = {f: int((~np.isfinite(v)).sum()) for f, v in fields.items() if (~np.isfinite(v)).any()}
    if missing:
        notes.append("values the store does not have are left out of their records: "
                     + ", ".join(f"{f} ({k})" for f, k in missing.items()))
    doc = {BENCHMARKS[space]: {naslib_dataset(b.attrs): records},
           "wsbench": {"dataset": b.name, "space": space, "license": b.attrs.get("license"),
                       "citation": b.attrs.get("citation"), "gt_source": b.attrs.get("gt_source"),
                       "fields": FIELDS, "notes": notes}}
    return json.dumps(doc, indent=1) + "\n", len(records), notes


#: what each field of a record is (written into the file's ``wsbench`` entry)
FIELDS = {
    "val_accuracy": "the store's gt_score (percent; see gt_source for what it is)",
    "params": "parameters in millions (params_paper: the paper-scale network, where the store has it)",
    "flops": "FLOPs (multiply-adds) in millions (flops_paper where the store has it)",
    "<proxy>": "each proxy_<name> of the store, as its source reports it (see the store's proxies attribute)",
    "supernet_score": "mean over the supernet seeds at the last recorded epoch of the subnet's accuracy with "
                      "inherited supernet weights",
    "arch": "the canonical wsbench architecture string",
}
