"""Report a train-from-scratch ground-truth pilot: cost, accuracy range, seed-to-seed noise,
and agreement with a full-scale ground truth (AnalogNAS-Bench) on the same architectures.

    python benchmarks/gt_pilot_report.py WORK_DIR [--analognas analog_nasbench-0.1.3-py3-none-any.whl] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--analognas", help="the analog-nasbench wheel, for the mini-vs-full Kendall tau")
    ap.add_argument("--workers", type=int, default=2, help="parallel 1-thread workers, for the projection")
    args = ap.parse_args()
    from scipy.stats import kendalltau, spearmanr

    from builders.scratch.train import collect

    gt = collect(args.work)
    results = [json.loads(f.read_text()) for f in Path(args.work).glob("*.json")]
    secs = np.array([r["train_seconds"] for r in results])
    complete = [a for a, v in gt.scores.items() if np.isfinite(v).all()]
    mat = np.array([gt.scores[a] for a in complete])
    mean = mat.mean(axis=1)
    out = {
        "recipe": gt.source["recipe"], "archs_with_all_seeds": len(complete), "seeds": gt.seeds,
        "runs": len(results), "seconds_per_run_mean": float(secs.mean()), "seconds_per_run_max": float(secs.max()),
        "seconds_per_run_median": float(np.median(secs)),  # wall time: robust to a run paused by a benchmark
        "seconds_per_arch_all_seeds": float(secs.mean() * len(gt.seeds)),
        "metric": gt.metric, "score_min": float(mat.min()), "score_max": float(mat.max()),
        "score_mean": float(mat.mean()),
        "noise": gt.noise(),
    }
    if mat.shape[1] >= 2 and len(complete) >= 3:  # how well 30-odd cells pin the seed-to-seed tau down
        rng = np.random.default_rng(0)
        boot = []
        for _ in range(2000):
            i = rng.integers(0, len(complete), len(complete))
            boot.append(float(kendalltau(mat[i, 0], mat[i, 1]).statistic))
        lo, hi = np.nanpercentile(boot, [2.5, 97.5])
        out["noise"]["kendall_tau_seed0_seed1_ci95_bootstrap_over_archs"] = [float(lo), float(hi)]
    for n in (200, 1000):
        out[f"projected_hours_{n}_archs"] = n * len(gt.seeds) * float(secs.mean()) / args.workers / 3600
    curves = {}
    for r in results:  # constant-LR recipes record the score after every epoch: each prefix is a shorter schedule
        if "curve" in r:
            curves.setdefault(r["arch"], {})[int(r["seed"])] = r["curve"]
    if curves:
        from itertools import combinations

        both = [a for a, v in curves.items() if len(v) == len(gt.seeds)]
        n_epochs = min(len(c) for a in both for c in curves[a].values()) if both else 0
        per_epoch = []
        for e in range(n_epochs):
            taus = [float(kendalltau([curves[a][s][e] for a in both], [curves[a][t][e] for a in both]).statistic)
                    for s, t in combinations(gt.seeds, 2)]
            per_epoch.append({"epochs": e + 1, "archs": len(both), "gt_seed_tau": float(np.mean(taus)),
                              "seconds_per_run": float(secs.mean()) * (e + 1) / n_epochs})
        if gt.source["recipe"].get("lr_schedule", "constant") == "constant":
            out["per_epoch_schedule"] = per_epoch
        else:  # a decaying schedule's early epochs are not a shorter schedule: report them as what they are
            out["per_epoch_within_run"] = per_epoch
    if args.analognas:
        from builders.groundtruth.analognas import load_analognas

        full = load_analognas(args.analognas)
        ref = np.array([full.mean(a) for a in complete])
        ok = np.isfinite(ref)
        out["vs_analognas"] = {"archs": int(ok.sum()),
                               "kendall_tau": float(kendalltau(mean[ok], ref[ok]).statistic),
                               "spearman": float(spearmanr(mean[ok], ref[ok]).statistic),
                               "kendall_tau_seed0_only": float(kendalltau(mat[ok, 0], ref[ok]).statistic)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
