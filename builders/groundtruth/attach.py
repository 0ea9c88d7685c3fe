"""Write imported ground truth into a store, aligned by canonical architecture string."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from builders.groundtruth.record import GroundTruth
from wsbench.errors import OptionError
from wsbench.schema import EXTRA_GT_PREFIX


def attach(store: str | Path, gt: GroundTruth, *, name: str = "gt_score", zip_path: str | Path | None = None,
           ) -> dict[str, Any]:
    """Align ``gt`` to the store's ``arch`` dim, write it, record source + noise, re-finalize.

    ``name`` is ``gt_score`` (the store's ground truth; also fills
    ``gt_score_per_seed`` when the store has matching ``gt_seed`` values) or
    ``gt_score_<x>`` for a second, clearly separate ground truth. Returns a
    summary: how many subnets got a value.
    """
    from wsbench.store import StoreWriter

    if name != "gt_score" and not name.startswith(EXTRA_GT_PREFIX):
        raise OptionError(f"ground truth goes to 'gt_score' or '{EXTRA_GT_PREFIX}<name>', got {name!r}")
    w = StoreWriter.resume(store)
    if w.group.attrs.get("space") != gt.space:
        raise OptionError(f"{store} is a {w.group.attrs.get('space')} store; this ground truth is for {gt.space}")
    archs = w.arch_strings()
    mean, per_seed = gt.align(archs)
    w.ensure_arch_variable(name)
    w.write_arch_values(name, mean)
    if name == "gt_score" and "gt_seed" in w.group:
        for s in (int(x) for x in w.group["gt_seed"][:]):
            if s in gt.seeds:
                w.write_gt_seed(s, per_seed[gt.seeds.index(s)])
    found = int(np.isfinite(mean).sum())
    info = {**gt.source, "seeds": gt.seeds, "archs_in_source": len(gt), "archs_matched": found,
            "archs_in_store": len(archs)}
    if name == "gt_score":
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
    if gt.params and "params_paper" in w.group and name == "gt_score":
        w.write_arch_values("params_paper", np.array([gt.params.get(a, np.nan) for a in archs]))
        w.write_arch_values("flops_paper", np.array([gt.flops.get(a, np.nan) for a in archs]))
    w.finalize(zip_path=zip_path)
    return {"variable": name, "matched": found, "store_archs": len(archs), "source_archs": len(gt)}
