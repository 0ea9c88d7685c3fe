"""Ground-truth tables of whole spaces (``wsbench.gt_table``) from the public sources, with their catalog entries.

One recipe per table (:data:`TABLES`): which importer reads the source, what the ground truth is (a training, one
of several repeats, a surrogate's prediction), how much of the space it covers, its licence and citation, and the
datasets whose ``gt_score`` it equals (tested on the bundled stores). No torch: the importers only parse files.

    python -m builders gt-table gt-nb201-analognas /work/state/anb/analog_nasbench-0.1.3-py3-none-any.whl \\
        --out wsbench/datasets --catalog catalog/gt
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from builders.groundtruth.record import GroundTruth, sha256_file

VERSION = "1.0"


@dataclass(frozen=True)
class Recipe:
    name: str
    space: str
    source: str  # an importer of builders.groundtruth.load
    options: tuple[tuple[str, str], ...]
    title: str
    gt_kind: str
    coverage: str
    license: str
    citation: str
    datasets: tuple[str, ...]  # datasets whose gt_score (and gt_score_per_seed) this table equals
    expected: int  # architectures the source must yield


TABLES: dict[str, Recipe] = {r.name: r for r in (
    Recipe("gt-nb201-analognas", "nb201", "analognas", (),
           "NAS-Bench-201: all 15,625 cells, AnalogNAS-Bench CIFAR-10 baseline accuracy",
           "a training: AnalogNAS-Bench's baseline_accuracy (standard digital training, CIFAR-10 test accuracy, %), "
           "one run per cell",
           "the whole space: all 15,625 cells, 6,466 distinct functions",
           "LicenseRef-AnalogNAS-Bench-undeclared",
           "AnalogNAS-Bench: A NAS Benchmark for Analog In-Memory Computing, arXiv:2506.18495, 2025 (IBM analog-nas; "
           "analog-nasbench 0.1.3 on PyPI, whose wheel declares no licence). Space: X. Dong and Y. Yang, "
           "NAS-Bench-201, ICLR 2020.",
           ("nb201-cifar10",), 15625),
    Recipe("gt-macro-nas-bench-macro", "macro", "nas-bench-macro", (),
           "NAS-Bench-Macro: all 3,969 networks, three CIFAR-10 trainings each",
           "trainings: NAS-Bench-Macro's CIFAR-10 test accuracy (best over 50 epochs, %) of three independent "
           "trainings per network (gt_score_per_seed), gt_score their mean",
           "the whole space: all 3,969 networks, its 6,561 encodings merged",
           "Apache-2.0",
           "X. Su, T. Huang, Y. Li, S. You, F. Wang, C. Qian, C. Zhang, C. Xu, Prioritized Architecture Sampling "
           "with Monto-Carlo Tree Search, CVPR 2021 (NAS-Bench-Macro, xiusu/NAS-Bench-Macro, Apache-2.0).",
           ("macro-cifar10",), 3969),
    Recipe("gt-nb101-naslib", "nb101", "naslib-zc", (("space", "nb101"),),
           "NAS-Bench-101: the 292 cells of NASLib's 500 records, one 108-epoch training each",
           "a training: NAS-Bench-101's 108-epoch CIFAR-10 validation accuracy (%) of ONE of its three repeats per "
           "cell, the one NASLib drew at random for its zero-cost benchmark (not the mean of the three)",
           "292 of NAS-Bench-101's 423,624 cells, not the whole space: NASLib's zero-cost sample holds 500 records, "
           "208 of them isomorphic repeats of these 292, 138 of those with another value; the first record of "
           "each cell is kept, as in nb101-cifar10",
           "Apache-2.0 AND CC-BY-4.0",
           "C. Ying, A. Klein, E. Real, E. Christiansen, K. Murphy, F. Hutter, NAS-Bench-101, ICML 2019 (CC-BY-4.0); "
           "cells and values via NASLib (Apache-2.0): A. Krishnakumar, C. White, A. Zela, R. Tu, M. Safari, "
           "F. Hutter, NAS-Bench-Suite-Zero, NeurIPS 2022 Datasets and Benchmarks.",
           ("nb101-cifar10",), 292),
    Recipe("gt-darts-nb301", "darts", "naslib-zc", (("space", "darts"),),
           "DARTS: NASLib's 500 genotypes, NAS-Bench-301 surrogate predictions",
           "a SURROGATE PREDICTION, not a training: NAS-Bench-301's XGBoost v1.0 predicted CIFAR-10 validation "
           "accuracy (%) of each genotype",
           "500 of the DARTS space's ~1e18 genotypes, NASLib's zero-cost sample: not the whole space",
           "Apache-2.0",
           "A. Zela, J. Siems, L. Zimmer, J. Lukasik, M. Keuper, F. Hutter, Surrogate NAS Benchmarks, ICLR 2022 "
           "(NAS-Bench-301); genotypes and values via NASLib (Apache-2.0): A. Krishnakumar et al., "
           "NAS-Bench-Suite-Zero, NeurIPS 2022 Datasets and Benchmarks.",
           ("darts-cifar10",), 500),
)}


def load_source(recipe: Recipe, path: str | Path) -> GroundTruth:
    from builders.groundtruth import load

    gt = load(recipe.source, str(path), **dict(recipe.options))
    if gt.space != recipe.space or len(gt) != recipe.expected:
        from builders.groundtruth.errors import SourceFormatError

        raise SourceFormatError(f"{path}: {len(gt)} {gt.space} architectures; {recipe.name} expects "
                                f"{recipe.expected} of {recipe.space}")
    return gt


def build_table(name: str, source_path: str | Path, out_dir: str | Path) -> Path:
    """Write ``<out_dir>/<name>-<VERSION>.zip`` from the source file; returns its path."""
    from wsbench.gt_table import write_table

    recipe = TABLES[name]
    gt = load_source(recipe, source_path)
    archs = sorted(gt.scores)
    mean, per_seed = gt.align(archs)  # the same alignment as builders.groundtruth.attach: equal to the datasets'
    source: dict[str, Any] = {**gt.source, "sha256": sha256_file(source_path), "file": Path(source_path).name}
    attrs = {"title": recipe.title, "metric": gt.metric, "metric_direction": "max", "gt_kind": recipe.gt_kind,
             "coverage": recipe.coverage, "gt_source": source, "license": recipe.license,
             "citation": recipe.citation, "datasets": list(recipe.datasets), "version": VERSION,
             "builder": {"name": "builders.groundtruth.space_tables", "command":
                         f"python -m builders gt-table {name} {Path(source_path).name} --out DIR"}}
    several = len(gt.seeds) > 1
    out = Path(out_dir) / f"{name}-{VERSION}.zip"
    return write_table(out, space=recipe.space, archs=archs, gt_score=mean.astype(np.float32), attrs=attrs,
                       per_seed=per_seed if several else None, gt_seeds=gt.seeds if several else None)


def catalog_text(name: str, zip_path: Path, bundled: bool = True) -> str:
    """The catalog entry (``catalog/gt/<name>.toml``) of a written table: computed fields from the file."""
    import json

    r = TABLES[name]

    def q(v: str) -> str:
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string

    lines = ["# Written by `python -m builders gt-table`; computed fields come from the table.", "",
             f"name = {q(name)}", f"version = {q(VERSION)}", f"space = {q(r.space)}", f"title = {q(r.title)}",
             f"gt_kind = {q(r.gt_kind)}", f"coverage = {q(r.coverage)}", f"archs = {r.expected}",
             "metric = \"accuracy\"", "metric_direction = \"max\"",
             f"datasets = [{', '.join(q(d) for d in r.datasets)}]", f"license = {q(r.license)}",
             f"citation = {q(r.citation)}", "", "[[files]]", f"filename = {q(zip_path.name)}",
             f"sha256 = {q(sha256_file(zip_path))}", f"bytes = {zip_path.stat().st_size}"]
    lines.append("bundled = true" if bundled else "url = \"\"  # TODO: the hosted copy")
    return "\n".join(lines) + "\n"
