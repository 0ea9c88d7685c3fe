"""NASLib's zero-cost benchmark files (``zc_nasbench101.json``, ``zc_nasbench201.json``, ``zc_nasbench301.json``).

Layout: ``{benchmark: {dataset: {key: {val_accuracy, params, flops, <proxy>: score, …}}}}``
(automl/NASLib, branch ``benchmarks``, ``naslib/data/``). Keys are NASLib's
compact encodings, mapped here to canonical ``wsbench.spaces`` strings:

- nb101: a 56-tuple, the 7x7 adjacency matrix row by row, then 7 op codes
  (0 input, 1 output, 2 maxpool3x3, 3 conv1x1-bn-relu, 4 conv3x3-bn-relu);
- nb201: a 6-tuple of NASLib op indices in NASLib's edge order (AnalogNAS-Bench's keys);
- darts (NAS-Bench-301): ``[normal, reduce]``, each 8 ``(input node, op)``
  pairs, two per intermediate node, op 0..6 = max_pool_3x3, avg_pool_3x3,
  skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5;
  ``concat`` is always nodes 2..5 (NASLib's ``convert_compact_to_genotype``).

``val_accuracy`` becomes the ground truth: for nb101/nb201 one training run's
validation accuracy; for darts NAS-Bench-301's *surrogate prediction*
(XGBoost v1.0), never a training run. ``params`` is in millions in the file
and stored here as a count. Every other numeric field is a zero-cost proxy,
kept as ``proxies[name][arch]``.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from builders.groundtruth.errors import SourceFormatError, read_json
from builders.groundtruth.record import GroundTruth, sha256_file
from wsbench.errors import InvalidArchError, OptionError

BENCHMARKS = {"nb101": "nasbench101", "nb201": "nasbench201", "darts": "nasbench301"}
NB101_OPS = {0: "input", 1: "output", 2: "maxpool3x3", 3: "conv1x1-bn-relu", 4: "conv3x3-bn-relu"}
NB301_OPS = ("max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3",
             "dil_conv_5x5")
NOT_PROXIES = ("val_accuracy", "params", "flops")
#: spaces whose file sizes are taken as params_paper/flops_paper: darts (500/500 equal to our NB301-configured
#: network). nb101's were built by NASLib in its keys' vertex order (28 of 500 differ from NB101's own records)
#: and nb201's are unchecked, so the store keeps the sizes the builder computed.
SIZES_CHECKED = ("darts",)
#: where each file's numbers come from, for gt_source
GT_KIND = {
    "nb101": "NAS-Bench-101 108-epoch validation accuracy, one of its 3 training runs (drawn by NASLib)",
    "nb201": "NAS-Bench-201 200-epoch validation accuracy (NASLib's split)",
    "darts": "NAS-Bench-301 surrogate-predicted validation accuracy (XGBoost surrogate v1.0): a prediction, "
             "not a training run",
}


def key_to_arch(space: str, key: Any) -> dict[str, Any] | str:
    """One NASLib compact key (already parsed to tuples) as a spec its wsbench space accepts."""
    if space == "nb101":
        if len(key) != 56:
            raise InvalidArchError(f"nb101 key must have 56 numbers (7x7 matrix + 7 ops), got {len(key)}")
        matrix = [list(key[r * 7:(r + 1) * 7]) for r in range(7)]
        try:
            ops = [NB101_OPS[k] for k in key[49:]]
        except KeyError as e:
            raise InvalidArchError(f"nb101 op code {e.args[0]} is not one of {sorted(NB101_OPS)}") from None
        return {"matrix": matrix, "ops": ops}
    if space == "nb201":
        from builders.groundtruth.analognas import key_to_nb201

        return key_to_nb201(tuple(key))
    if space == "darts":
        if len(key) != 2 or any(len(cell) != 8 for cell in key):
            raise InvalidArchError("darts key must be [normal, reduce] with 8 (input, op) pairs each")

        def cell(pairs) -> list[tuple[str, int]]:
            if any(not 0 <= op < len(NB301_OPS) for _, op in pairs):
                raise InvalidArchError(f"darts op index outside 0..{len(NB301_OPS) - 1}: {pairs}")
            return [(NB301_OPS[op], int(src)) for src, op in pairs]

        return {"normal": cell(key[0]), "normal_concat": [2, 3, 4, 5], "reduce": cell(key[1]),
                "reduce_concat": [2, 3, 4, 5]}
    raise OptionError(f"NASLib zero-cost files exist for {sorted(BENCHMARKS)}; got space {space!r}")


def load_naslib_zc(path: str | Path, *, space: str, dataset: str = "cifar10") -> GroundTruth:
    """Ground truth (``val_accuracy``), sizes and proxies of every record; any unmappable key is an error."""
    from wsbench.spaces import get_space

    if space not in BENCHMARKS:
        raise OptionError(f"--space must be one of {sorted(BENCHMARKS)} for naslib-zc, got {space!r}")
    path = Path(path)
    data = read_json(path, "NASLib's zc_nasbench*.json")
    bench = BENCHMARKS[space]
    if not isinstance(data, dict) or bench not in data:
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise SourceFormatError(f"{path}: expected a top-level key {bench!r} for space {space}, found {found}")
    if dataset not in data[bench]:
        raise SourceFormatError(f"{path}: no dataset {dataset!r}; it has {sorted(data[bench])}")
    sp = get_space(space)
    runs: dict[str, dict[int, float]] = {}
    params: dict[str, float] = {}
    flops: dict[str, float] = {}
    proxies: dict[str, dict[str, float]] = {}
    duplicates: list[dict[str, float]] = []
    for pos, (key, rec) in enumerate(data[bench][dataset].items()):
        where = f"{path} record {pos} (key {key[:60]}…)"
        try:
            arch = sp.canonicalize(key_to_arch(space, ast.literal_eval(key)))
        except (InvalidArchError, ValueError, SyntaxError, TypeError) as e:
            raise SourceFormatError(f"{where}: cannot be mapped to a {space} architecture: {e}") from None
        if not isinstance(rec, dict) or not isinstance(rec.get("val_accuracy"), int | float):
            raise SourceFormatError(f"{where}: needs a numeric 'val_accuracy' field")
        if arch in runs:  # two spellings (isomorphic keys) of one architecture: the first record is kept
            duplicates.append({"position": pos, "val_accuracy": float(rec["val_accuracy"]),
                               "kept": runs[arch][0]})
            continue
        runs[arch] = {0: float(rec["val_accuracy"])}
        if space in SIZES_CHECKED and "params" in rec:
            params[arch] = float(round(float(rec["params"]) * 1e6))  # millions with float noise -> a count
        if space in SIZES_CHECKED and "flops" in rec:
            flops[arch] = float(round(float(rec["flops"]) * 1e6))
        for name, value in rec.items():
            if name not in NOT_PROXIES and isinstance(value, int | float):
                proxies.setdefault(name, {})[arch] = float(value)
    source = {"kind": GT_KIND[space], "file": path.name, "sha256": sha256_file(path),
              "origin": "automl/NASLib branch benchmarks, naslib/data/" + path.name, "license": "Apache-2.0",
              "dataset": dataset, "records": len(runs) + len(duplicates), "architectures": len(runs),
              "duplicate_records": {"count": len(duplicates), "rule": "first record of an architecture kept",
                                    "disagreeing": sum(d["val_accuracy"] != d["kept"] for d in duplicates)},
              "units": "params and flops in the file are millions; stored as counts",
              "sizes": ("params_paper/flops_paper = the file's params/flops (NAS-Bench-301's training network)"
                        if space in SIZES_CHECKED else "the file's params/flops are not used (see SIZES_CHECKED)"),
              "proxies_computed_by": "NASLib's zero-cost benchmark (its own networks, data and batch; "
                                     "Krishnakumar et al., NeurIPS 2022 Datasets & Benchmarks)"}
    gt = GroundTruth.from_runs(space, runs, source, params, flops)
    gt.proxies = proxies
    return gt
