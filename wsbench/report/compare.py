"""``wsbench report --compare A,B,…``: several datasets on the same axes, epoch as a fraction of each schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from wsbench.errors import OptionError
from wsbench.report.sections import Section


def schedule_length(b) -> int:
    """Supernet training epochs from the recipe (the last recorded epoch where the recipe does not say)."""
    recipe = b.attrs.get("supernet_recipe", {})
    epochs = recipe.get("epochs") if isinstance(recipe, dict) else None
    return int(epochs) if isinstance(epochs, int | float) and epochs > 0 else int(b.epochs[-1])


def training(b) -> str:
    """The supernet's scale and budget as the store records them (preset, image size, training images per epoch):
    two versions of one dataset that differ only there (darts-cifar10 v1.0 and v1.1) must not read the same."""
    recipe, data = b.attrs.get("supernet_recipe", {}), b.attrs.get("dataset", {})
    recipe, data = (x if isinstance(x, dict) else {} for x in (recipe, data))
    parts = [f"preset {b.attrs['scale_preset']}"] if b.attrs.get("scale_preset") else []
    res = data.get("resolution", recipe.get("resolution"))
    if isinstance(res, int):
        parts.append(f"{res}×{res} images")
    if isinstance(data.get("train_images"), int):
        parts.append(f"{data['train_images']:,} training images per epoch")
    return f"supernet: {', '.join(parts)}; " if parts else ""


def share(f: float) -> str:
    """A fraction of the schedule as a percentage with the decimals it needs: epoch 4 of 32 is 12.5%, not the
    12% that rounding half to even gives."""
    return f"{round(100 * f, 1):g}%"


def build_compare(names: list[str]) -> tuple[str, list[tuple[str, str]], list[Section]]:
    """(title, one provenance row per dataset, the two comparison sections with their PNGs)."""
    from wsbench.report import _require_matplotlib

    _require_matplotlib()
    import wsbench
    from wsbench.report.figures import compare_correlation, compare_topk

    if len(names) < 2 or len(set(names)) != len(names) or any(not n for n in names):
        raise OptionError(f"--compare needs two or more distinct datasets, e.g. nb201-cifar10,macro-cifar10; got {names}")
    benches = [wsbench.open(n) for n in names]
    corr: dict[str, Any] = {}
    top: dict[str, Any] = {}
    prov = []
    for b in benches:
        total = schedule_length(b)
        frac = [e / total for e in b.epochs]
        c = b.correlation(epoch="all", method="kendall").summary
        corr[b.name] = (frac, [s["kendall_mean"] for s in c], [s["kendall_std"] for s in c])
        t = [s for s in b.topk(k="10%", epoch="all").summary]
        top[b.name] = (frac, [s["best_gt_top_pct_mean"] for s in t], [s["random_top_pct"] for s in t])
        scale = (f"{b.attrs.get('space')}: {b.n_archs} subnets × epochs {b.epochs} of {total} × seeds {b.seeds}; "
                 f"{training(b)}ground truth: {b.attrs.get('gt_source', {}).get('kind', '?')}")
        prov.append((b.name, scale))
    s1 = Section("compare_correlation", "Kendall τ with ground truth vs the fraction of the supernet schedule",
                 data={"series": corr})
    best = {n: (v[0][int(np.nanargmax(v[1]))], float(np.nanmax(v[1]))) for n, v in corr.items()}
    s1.finding = "Peak τ: " + "; ".join(f"{n} {t:.2f} at {share(f)} of its schedule"
                                        for n, (f, t) in best.items()) + "."
    s1.caption = "Mean over each dataset's supernet seeds, ± std band. `wsbench correlation --epoch all` per dataset"
    s2 = Section("compare_topk", "Best subnet in the supernet's top 10% vs the fraction of the schedule",
                 data={"series": top})
    s2.finding = "At the end of the schedule, the supernet's top 10% holds: " + "; ".join(
        f"{n} a top-{v[1][-1]:.2f}% subnet (random {v[2][-1]:.2f}%)" for n, v in top.items()) + "."
    s2.caption = "GT rank (top %) of the best subnet among the supernet's top 10% (solid) and among 10% random " \
                 "subnets (dashed). `wsbench topk --k 10% --epoch all` per dataset"
    s1.png, s2.png = compare_correlation(s1), compare_topk(s2)
    return " vs ".join(names), prov, [s1, s2]
