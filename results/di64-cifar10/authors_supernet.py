"""The authors' own 200-epoch supernet on the same 64 architectures, from the file they released, beside ours.

*Deeper Insights* (ultmaster/deeper-insights-weight-sharing, commit 2a7f852c, MIT) ships
``figures/clustering/share_all_acc_last128.csv``: the CIFAR-10 test accuracy (10,000 images, BN in eval mode) of
all 64 architectures after each of the **last 128 training steps** (steps 39,073–39,200 = epoch 200 of 196 steps)
of their `experiments/final/share_all_ep200.yml` supernet (seed 42, round-robin over the 64, no recalibration).
Column i is architecture i of their enumeration, as line i of ``gt_mean.txt`` (their own analysis,
``figures/analyze_from_logs.py``, pairs them so). The file is not in this repository; fetch it from theirs.

For that supernet and, when a store is given, for ours at its last epochs: Kendall tau with the authors' mean GT
per record, tau between consecutive records (their finding 1: the ranking moves between consecutive steps), how
many different architectures are ranked first across the records and the GT rank of each. Their records are
steps (one child trained between two records), ours epochs (176 steps of every child between two records), so
"consecutive" means a far smaller change for them: the comparison bounds, it does not match, the two.

    python results/di64-cifar10/authors_supernet.py share_all_acc_last128.csv ../shared/data/gt/deeper-insights-64 \
        [--store S --last 10]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from wsbench.stats.coefficients import kendall_tau_b


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(record labels, accuracies records x 64) of the authors' CSV (a header of 0..63, a label column)."""
    lines = path.read_text().strip().splitlines()
    head = lines[0].split(",")
    if head[1:] != [str(i) for i in range(64)]:
        raise SystemExit(f"error: {path}: expected a header ',0,1,...,63' (the authors' 64 columns), got "
                         f"{','.join(head[:4])}...")
    rows = [line.split(",") for line in lines[1:]]
    return np.array([int(r[0]) for r in rows]), np.array([[float(x) for x in r[1:]] for r in rows])


def describe(name: str, acc: np.ndarray, gt: np.ndarray) -> None:
    """One line per figure of a series of records (rows of ``acc``) against ``gt``."""
    taus = np.array([kendall_tau_b(row, gt) for row in acc])
    adjacent = np.array([kendall_tau_b(acc[i - 1], acc[i]) for i in range(1, len(acc))])
    gt_rank = np.argsort(np.argsort(-gt)) + 1  # 1 = best by GT
    tops = acc.argmax(axis=1)
    firsts = sorted(set(tops.tolist()), key=lambda a: -np.sum(tops == a))
    print(f"{name}: {len(acc)} records")
    print(f"  tau with GT per record: mean {taus.mean():+.3f}, std {taus.std(ddof=1) if len(taus) > 1 else 0:.3f}, "
          f"range [{taus.min():+.3f}, {taus.max():+.3f}]; tau of the records' mean {kendall_tau_b(acc.mean(0), gt):+.3f}")
    if len(adjacent):
        print(f"  tau between consecutive records: mean {adjacent.mean():+.3f}, range [{adjacent.min():+.3f}, "
              f"{adjacent.max():+.3f}]")
    print(f"  ranked first: {len(firsts)} different architectures; "
          + ", ".join(f"arch {a} (GT rank {gt_rank[a]}, first in {int(np.sum(tops == a))})" for a in firsts[:6])
          + (" ..." if len(firsts) > 6 else ""))
    print(f"  mean accuracy {100 * acc.mean():.2f}% (the 64 and the records)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", type=Path, help="share_all_acc_last128.csv from the authors' repository")
    ap.add_argument("gt_dir", type=Path, help="the folder of gt_mean.txt (../shared/data/gt/deeper-insights-64)")
    ap.add_argument("--store", help="a di64-cifar10 store (or the catalog name) to put beside it")
    ap.add_argument("--last", type=int, default=10, help="the store's last epochs to use (default 10)")
    args = ap.parse_args()
    gt = np.loadtxt(args.gt_dir / "gt_mean.txt")
    steps, acc = read_csv(args.csv)
    if len(gt) != acc.shape[1]:
        raise SystemExit(f"error: {args.gt_dir / 'gt_mean.txt'} holds {len(gt)} values; the CSV has {acc.shape[1]} columns")
    describe(f"authors' supernet, 200 epochs, steps {steps[0]}-{steps[-1]}", acc, gt)
    if args.store:
        import wsbench
        from wsbench.evaluation import store_strings
        from wsbench.spaces import get_space

        b = wsbench.open(args.store, allow_incomplete=True)
        order = {a: i for i, a in enumerate(get_space("di64").enumerate())}
        idx = np.array([order[a] for a in store_strings(b)])
        back = np.argsort(idx)  # store order -> the authors' order
        for si, s in enumerate(b.seeds):
            rows = []
            for ei, e in enumerate(b.epochs[-args.last:], start=len(b.epochs) - min(args.last, len(b.epochs))):
                v = np.asarray(b._read("supernet_score", (si, ei)), dtype=float)
                if np.isfinite(v).all():
                    rows.append((e, v[back] / 100))
            if rows:
                describe(f"wsbench seed {s}, epochs {rows[0][0]}-{rows[-1][0]} of {b.epochs[-1]}",
                         np.stack([r[1] for r in rows]), gt)


if __name__ == "__main__":
    main()
