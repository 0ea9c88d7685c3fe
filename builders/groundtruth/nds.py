"""NDS (Radosavovic et al., "On Network Design Spaces for Visual Recognition") JSON sweeps, DARTS family.

A sweep file (``DARTS.json``, ``DARTS_fix-w-d.json``, …) is a list of trained
models — or ``{"top": [...], "mid": [...]}``. Each has ``net.genotype``
(``normal``/``reduce`` lists of ``[op, input]`` and their ``*_concat``),
``net.width``, ``net.depth``, ``rng_seed``, ``params``, ``flops`` and
``test_ep_top1``: the test **error** (%) after each epoch. We report accuracy
= 100 − error at the last epoch (``final``) or the best epoch (``best``).
Macro settings vary inside ``DARTS.json``: a genotype is one record only at one
(width, depth), so the caller filters by them or gets an error on a clash.
Genotypes outside our DARTS space (e.g. a node reading one input twice) are
skipped and counted in ``source["skipped"]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from builders.groundtruth.errors import SourceFormatError, read_json
from builders.groundtruth.record import GroundTruth, sha256_file
from wsbench.errors import InvalidArchError, UnknownNameError


def load_nds(path: str | Path, *, which: str, width: int | None = None, depth: int | None = None) -> GroundTruth:
    """Test accuracy (%) of every DARTS-space model in an NDS sweep; ``width``/``depth`` None = any."""
    from wsbench.spaces import get_space

    if which not in ("final", "best"):
        raise UnknownNameError("NDS accuracy (which epoch)", which, ("final", "best"))
    path = Path(path)
    data = read_json(path, "an NDS sweep such as DARTS.json")
    items = data["top"] + data["mid"] if isinstance(data, dict) and "top" in data else data
    if not isinstance(items, list):
        raise SourceFormatError(f"{path}: expected a list of models or {{'top', 'mid'}}, got {type(data).__name__}")
    space = get_space("darts")
    runs: dict[str, dict[int, float]] = {}
    macro: dict[str, tuple[int, int]] = {}
    params: dict[str, float] = {}
    flops: dict[str, float] = {}
    skipped: list[str] = []
    for n, item in enumerate(items):
        where = f"{path}[{n}]"
        try:
            net, errors = item["net"], item["test_ep_top1"]
            g, w, d, seed = net["genotype"], int(net["width"]), int(net["depth"]), int(item["rng_seed"])
        except (KeyError, TypeError, ValueError) as e:
            raise SourceFormatError(f"{where}: field {e} is missing or malformed") from None
        if (width is not None and w != width) or (depth is not None and d != depth):
            continue
        try:
            arch = space.canonicalize({k: g[k] for k in ("normal", "normal_concat", "reduce", "reduce_concat")})
        except (InvalidArchError, KeyError) as e:
            skipped.append(f"{where}: {e}")
            continue
        if arch in macro and macro[arch] != (w, d):
            raise SourceFormatError(f"{where}: the same genotype was trained at width/depth {macro[arch]} and {(w, d)}; "
                                    "pass width and depth to pick one macro setting")
        if not errors:
            raise SourceFormatError(f"{where}: test_ep_top1 is empty")
        err = errors[-1] if which == "final" else min(errors)
        macro[arch] = (w, d)
        runs.setdefault(arch, {})[seed] = 100.0 - float(err)
        params[arch], flops[arch] = float(item.get("params", np.nan)), float(item.get("flops", np.nan))
    if not runs:
        raise SourceFormatError(f"{path}: no DARTS-space model matched (width={width}, depth={depth}); "
                                f"{len(skipped)} skipped")
    source = {"kind": "NDS sweep (DARTS space)", "file": path.name, "sha256": sha256_file(path), "which": which,
              "width": width, "depth": depth, "metric": f"{which} test accuracy (%) = 100 - test_ep_top1",
              "skipped": len(skipped), "skipped_examples": skipped[:3], "license": "CC-BY-NC 4.0 (NDS data)",
              "citation": "Radosavovic et al., On Network Design Spaces for Visual Recognition, ICCV 2019"}
    return GroundTruth.from_runs("darts", runs, source, params, flops)
