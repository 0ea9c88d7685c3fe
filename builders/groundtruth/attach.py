"""Write imported ground truth into a store, aligned by canonical architecture string."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from builders.groundtruth.record import GroundTruth
from wsbench.errors import OptionError
from wsbench.schema import EXTRA_GT_PREFIX


def attach(store: str | Path, gt: GroundTruth, *, name: str = "gt_score", zip_path: str | Path | None = None,
           fill: bool = False, score_seed: int | None = None) -> dict[str, Any]:
    """Align ``gt`` to the store's ``arch`` dim, write it, record source + noise, re-finalize.

    ``name`` is ``gt_score`` (the store's ground truth; also fills
    ``gt_score_per_seed``, adding the ``gt_seed`` dim when the source has
    several seeds) or ``gt_score_<x>`` for a second, clearly separate ground
    truth. ``fill`` writes only the subnets this source knows and keeps the
    values already there (two sources, one ground truth; both are recorded in
    ``gt_source.parts``). A source's own per-architecture std (a table's std column) goes to
    ``gt_score_std``. ``score_seed`` takes that seed's value as the
    score instead of the mean over seeds (e.g. one training run for every
    subnet when another source has one run each). Returns a summary.
    """
    from wsbench.store import StoreWriter

    if name != "gt_score" and not name.startswith(EXTRA_GT_PREFIX):
        raise OptionError(f"ground truth goes to 'gt_score' or '{EXTRA_GT_PREFIX}<name>', got {name!r}")
    w = StoreWriter.resume(store)
    if w.group.attrs.get("space") != gt.space:
        raise OptionError(f"{store} is a {w.group.attrs.get('space')} store; this ground truth is for {gt.space}")
    archs = w.arch_strings()
    mean, per_seed = gt.align(archs)
    if score_seed is not None:
        if score_seed not in gt.seeds:
            raise OptionError(f"--gt-score-seed {score_seed}: this source has seeds {gt.seeds}")
        chosen = per_seed[gt.seeds.index(score_seed)]
        mean = np.where(np.isfinite(chosen), chosen, mean)
    known = np.isfinite(mean)
    w.ensure_arch_variable(name)
    old = w.group[name][:].astype(float)
    w.write_arch_values(name, np.where(known, mean, old) if fill else mean)
    if name == "gt_score" and len(gt.seeds) > 1:
        w.ensure_gt_seeds(sorted(set(gt.seeds) | {int(x) for x in w.group["gt_seed"][:]})
                          if "gt_seed" in w.group else gt.seeds)
    if name == "gt_score" and "gt_seed" in w.group:
        for s in (int(x) for x in w.group["gt_seed"][:]):
            if s in gt.seeds:
                row = per_seed[gt.seeds.index(s)]
                if fill:
                    before = w.group["gt_score_per_seed"][[int(x) for x in w.group["gt_seed"][:]].index(s)]
                    row = np.where(np.isfinite(row), row, before)
                w.write_gt_seed(s, row)
    if name == "gt_score" and (gt.reported_std or "gt_score_std" in w.group):
        std = gt.align_std(archs)  # a new ground truth without a std leaves none of the old one behind
        w.ensure_arch_variable("gt_score_std")
        w.write_arch_values("gt_score_std", np.where(np.isfinite(std), std, w.group["gt_score_std"][:]) if fill
                            else std)
    found = int(known.sum())
    info = {**gt.source, "seeds": gt.seeds, "archs_in_source": len(gt), "archs_matched": found,
            "archs_in_store": len(archs), **({"score": f"gt seed {score_seed}"} if score_seed is not None else {})}
    if name == "gt_score" and fill:
        previous = dict(w.group.attrs.get("gt_source", {}))
        parts = previous.get("parts", [previous]) if previous.get("kind") != "none yet" else []
        noise = gt.noise() if len(gt.seeds) > 1 else w.group.attrs.get("gt_noise", gt.noise())
        w.update_attrs(gt_source={"kind": "combined", "rule": "later parts overwrite earlier ones where they "
                                                              "have a value", "parts": [*parts, info]},
                       gt_noise=noise)
    elif name == "gt_score":
        w.update_attrs(gt_source=info, gt_noise=gt.noise())
    else:
        extra = dict(w.group.attrs.get("extra_gt", {}))
        extra[name] = {"source": info, "noise": gt.noise()}
        w.update_attrs(extra_gt=extra)
    if gt.proxies:
        described = dict(w.group.attrs.get("proxies", {}))
        for proxy, values in sorted(gt.proxies.items()):
            var = f"proxy_{proxy}"
            w.ensure_arch_variable(var)
            w.write_arch_values(var, np.array([values.get(a, np.nan) for a in archs]))
            described[proxy] = {"variable": var, "source": gt.source.get("origin", gt.source.get("kind")),
                                "matched": int(sum(a in values for a in archs)),
                                "computed_by": gt.source.get("proxies_computed_by", "the source's own code"),
                                "direction": "as reported by the source (higher = better for most; check "
                                             "Kendall against gt_score)"}
        w.update_attrs(proxies=described)
    if gt.params and "params_paper" in w.group and name == "gt_score" and gt.sizes_scale == "paper":
        for var, sizes in (("params_paper", gt.params), ("flops_paper", gt.flops)):
            new = np.array([sizes.get(a, np.nan) for a in archs])
            if fill or not sizes:  # keep what is there where this source says nothing
                new = np.where(np.isfinite(new), new, w.group[var][:])
            w.write_arch_values(var, new)
    w.finalize(zip_path=zip_path)
    return {"variable": name, "matched": found, "store_archs": len(archs), "source_archs": len(gt)}
