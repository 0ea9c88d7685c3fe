"""``python -m builders merge-pruned``: finished per-run stores of supernets trained on pruned spaces -> one store.

Each run of the pruning study is an ordinary build (``build --archs-from POOL --prune-rule MODE --prune-factor F``,
or no rule for the unpruned control), so runs train in parallel, resume and carry like any build. Once every run
has scored every region, this writes one store with the ``prune`` dimension (docs/schema.md): one entry per run,
its factor the coordinate and its mode in ``prune_mode``; the rule of each run in ``sampler.prune_runs``. The runs
must score the same pool (architectures in the same order), epochs and seeds, under one recipe apart from the
rule. Ground truth, its per-seed values and std, extra ground truths and proxies come from ``--gt-from`` (e.g. the
published dataset whose pool was pruned), aligned by canonical string. The store is written to ``<out>.part`` and
renamed when done: a refused or killed merge leaves nothing that looks like a store.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from wsbench.errors import OptionError, WsbenchError

#: attributes the writer sets itself (or that describe one run's build state, not the merged store)
_OWN = ("schema_version", "complete", "created", "space", "ops", "decisions", "scores_complete", "function_id_rule",
        "reissues")
#: attributes that describe the ground truth and proxies, copied from --gt-from
_GT_ATTRS = ("gt_source", "gt_noise", "proxies", "extra_gt")
_ORDER = {"none": 0, "optimistic": 1, "random": 2, "supernet": 3}


def _open(path: str):
    from wsbench.store import open_store

    try:
        return open_store(path, allow_incomplete=True)
    except WsbenchError as e:
        raise OptionError(f"{path}: cannot be read as a store ({str(e)[:200]})") from None


def run_of(attrs: dict[str, Any], name: str) -> tuple[str, float, dict[str, Any]]:
    """(mode, factor, record) of one run store: its pruning rule, or ('none', 0.0) for a full-space build."""
    rule = (attrs.get("sampler") or {}).get("allowed")
    if rule is None:
        return "none", 0.0, {"mode": "none", "factor": 0.0, "rule": "the whole space (uniform), the control"}
    if rule.get("mode") not in ("optimistic", "random", "supernet"):
        raise OptionError(f"{name} trained on a given list ({rule.get('mode')}), not a pruning rule; a prune run "
                          "needs --prune-rule optimistic|random|supernet and its --prune-factor")
    return str(rule["mode"]), float(rule["factor"]), dict(rule)


def merge(runs: list[str], out: str, gt_from: str | None = None) -> dict[str, Any]:
    """Check every run, then write the merged store; returns a summary."""
    from builders.engine.checkpoint import recipe_diff

    if len(runs) < 2:
        raise OptionError(f"give at least two run stores to merge (got {len(runs)})")
    target = Path(out)
    if target.exists() or target.with_name(target.name + ".part").exists():
        raise OptionError(f"{out} (or {out}.part) exists; merge into a new --out")
    sets = [_open(r) for r in runs]
    first, name0 = sets[0], Path(runs[0]).name
    archs = [str(a) for a in first["arch_string"].values]
    found = []
    for path, ds in zip(runs, sets):
        name = Path(path).name
        if "prune" in ds.sizes:
            raise OptionError(f"{name} already has a prune dimension; merge the per-run stores it came from")
        if not (ds.attrs.get("complete") or ds.attrs.get("scores_complete")):
            raise OptionError(f"{name} is not finished (not every (seed, epoch) region is scored); finish its build "
                              "first (rerun its command)")
        for what, a, b in (("space", ds.attrs.get("space"), first.attrs.get("space")),
                           ("metric", ds.attrs.get("metric"), first.attrs.get("metric")),
                           ("architectures", [str(x) for x in ds["arch_string"].values], archs),
                           ("epochs", ds["epoch"].values.tolist(), first["epoch"].values.tolist()),
                           ("seeds", ds["seed"].values.tolist(), first["seed"].values.tolist())):
            if a != b:
                raise OptionError(f"{name} and {name0} differ in their {what}; the runs of one store score the same "
                                  "pool, epochs and seeds")
        recipe = {k: v for k, v in (ds.attrs.get("supernet_recipe") or {}).items() if k != "allowed"}
        base = {k: v for k, v in (first.attrs.get("supernet_recipe") or {}).items() if k != "allowed"}
        diff = recipe_diff(base, recipe)
        if diff:
            raise OptionError(f"{name} was trained with another recipe than {name0} (besides the pruning rule): "
                              f"{str(diff)[:300]}")
        found.append((*run_of(dict(ds.attrs), name), name, ds))
    pairs = [(m, f) for m, f, *_ in found]
    twice = sorted({p for p in pairs if pairs.count(p) > 1})
    if twice:
        raise OptionError(f"two run stores are the same run (mode, factor) {twice}; give each run once")
    found.sort(key=lambda r: (_ORDER[r[0]], r[1]))
    gt = _gt_source(gt_from, archs) if gt_from else None
    part = target.with_name(target.name + ".part")
    try:
        path = _write(part, found, archs, first, gt)
        os.replace(path, target)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    return {"out": out, "runs": [f"{m} {f}" for m, f, *_ in found], "archs": len(archs),
            "complete": bool(_open(out).attrs.get("complete"))}


def _copy_finetune(w, found: list, seeds: list[int], epochs: list[int]) -> None:
    """The control's fine-tuned scores (``builders finetune`` on its run store), at its index along ``prune``; its
    ``finetune`` attribute with each region as (prune factor, seed, epoch). Only the control may have them: every
    fine-tuned region of a store holds the same subnets, and a pruned run keeps other subnets."""
    tuned = [r for r in found if "finetune_score" in r[4]]
    if not tuned:
        return
    bad = [r[3] for r in tuned if r[0] != "none"]
    if bad:
        raise OptionError(f"{bad[0]} is a pruned run with fine-tuned scores; only the control's are merged (every "
                          "fine-tuned region of one store holds the same subnets)")
    m, f, _, name, ds = tuned[0]
    w.ensure_finetune()
    score, loss = ds["finetune_score"].values, ds["finetune_loss"].values
    for i, s in enumerate(seeds):
        for j, e in enumerate(epochs):
            if np.isfinite(score[i, j]).any():
                w.write_finetune(s, e, score[i, j], loss[i, j], prune=(m, f))
    proto = dict(ds.attrs["finetune"])
    w.update_attrs(finetune={**proto, "regions": [[f, *r] for r in proto.get("regions", [])],
                             "run_store": name})


def _gt_source(path: str, archs: list[str]):
    ds = _open(path)
    from wsbench.spaces import get_space

    space = get_space(str(ds.attrs.get("space")))
    where = {space.canonicalize(str(a)): i for i, a in enumerate(ds["arch_string"].values)}
    lacking = [a for a in archs if a not in where]
    if lacking:
        raise OptionError(f"--gt-from {path} lacks {len(lacking)} of the runs' {len(archs)} architectures (e.g. "
                          f"{lacking[0]!r}); give the store whose pool the runs scored")
    return ds, np.array([where[a] for a in archs])


def _write(part: Path, found: list, archs: list[str], first, gt) -> Path:
    from wsbench.store import StoreWriter

    attrs = {k: v for k, v in first.attrs.items() if k not in _OWN}
    sampler = {k: v for k, v in (attrs.get("sampler") or {}).items() if k != "allowed"}
    sampler["training"] = ("per prune run (prune_runs): uniform single-path (SPOS) over the run's allowed set, or "
                           "over the whole space for the control (mode none)")
    sampler["prune_runs"] = [{**rec, "mode": m, "factor": f, "run_store": name} for m, f, rec, name, _ in found]
    attrs["sampler"] = sampler
    attrs["supernet_recipe"] = {k: v for k, v in (attrs.get("supernet_recipe") or {}).items() if k != "allowed"}
    gds, order = gt if gt is not None else (None, None)
    extra = []
    if gds is not None:
        for k in _GT_ATTRS:
            if k in gds.attrs:
                attrs[k] = gds.attrs[k]
        extra = sorted(v for v in gds.data_vars if v.startswith("gt_score_") and v not in ("gt_score_per_seed",
                                                                                            "gt_score_std"))
    has_loss = all("supernet_loss" in ds for *_, ds in found)
    paper = all("params_paper" in ds for *_, ds in found)
    gt_seeds = ([int(s) for s in gds["gt_seed"].values] if gds is not None and "gt_seed" in gds.sizes else None)
    seeds, epochs = first["seed"].values.tolist(), first["epoch"].values.tolist()
    w = StoreWriter.create(part, space=str(first.attrs["space"]), archs=archs, epochs=epochs, seeds=seeds,
                           attrs=attrs, gt_seeds=gt_seeds, prune=[f for _, f, *_ in found],
                           prune_modes=[m for m, *_ in found], extra_gt=[e[len("gt_score_"):] for e in extra],
                           paper_scale=paper, losses=has_loss)
    for m, f, _, name, ds in found:
        score = ds["supernet_score"].values
        loss = ds["supernet_loss"].values if has_loss else None
        for i, s in enumerate(seeds):
            for j, e in enumerate(epochs):
                w.write_supernet(s, e, score[i, j], prune=(m, f), loss=None if loss is None else loss[i, j])
    _copy_finetune(w, found, seeds, epochs)
    for v in ("params", "flops") + (("params_paper", "flops_paper") if paper else ()):
        values = first[v].values
        for *_, name, ds in found:
            if not np.array_equal(ds[v].values, values, equal_nan=True):
                raise OptionError(f"{name} has other {v} than {found[0][3]}; the runs are not builds of one pool")
        w.write_arch_values(v, values)
    if gds is not None:
        for v in ["gt_score", *extra]:
            w.write_arch_values(v, gds[v].values[order])
        for v in sorted(x for x in gds.data_vars if x == "gt_score_std" or x.startswith("proxy_")):
            w.ensure_arch_variable(v, str(gds[v].dtype))
            w.write_arch_values(v, gds[v].values[order])
        if gt_seeds is not None:
            per = gds["gt_score_per_seed"].values
            for k, g in enumerate(gt_seeds):
                w.write_gt_seed(g, per[k][order])
    if gds is not None and np.isfinite(gds["gt_score"].values).any():
        return w.finalize()
    from builders.engine.build import check_scored

    w.update_attrs(scores_complete=True)
    return check_scored(part)
