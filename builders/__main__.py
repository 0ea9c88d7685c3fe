"""``python -m builders``: build datasets and import ground truth (see builders/README.md).

Exit codes: 0 ok, 1 a user error (one line on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys


def _import_gt(args: argparse.Namespace) -> dict:
    from builders.groundtruth import attach, load

    needed = {"nats-tss": ("dataset", "split", "hp"), "nb201-pth": ("dataset", "split", "hp"),
              "nb101": ("epochs", "split"),
              "nni-nb201": ("dataset", "epochs", "split"), "nni-nb101": ("epochs", "split"),
              "nds-darts": ("which", "width", "depth")}.get(args.source, ())
    missing = [f"--{o}" for o in needed if getattr(args, o) is None]
    if missing:
        raise SystemExit(f"usage error: {args.source} needs {', '.join(missing)} (no hidden defaults)")
    gt = load(args.source, args.path, dataset=args.dataset, split=args.split, hp=args.hp, epochs=args.epochs,
              which=args.which, width=args.width, depth=args.depth)
    summary = {"source": gt.source, "archs": len(gt), "seeds": gt.seeds, "noise": gt.noise()}
    if args.store:
        summary["attached"] = attach(args.store, gt, name=args.name, zip_path=args.zip)
    return summary


def main(argv: list[str] | None = None) -> int:
    from builders.groundtruth import SOURCES

    ap = argparse.ArgumentParser(prog="python -m builders", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    gt = sub.add_parser("import-gt", help="import ground truth from a public benchmark file into a store")
    gt.add_argument("source", choices=SOURCES)
    gt.add_argument("path", help="benchmark file or folder (e.g. NATS-tss-v1_0-3ffb9-simple/, analog_nasbench-*.whl)")
    gt.add_argument("--store", help="store folder to write into (aligned by canonical architecture)")
    gt.add_argument("--name", default="gt_score", help="gt_score (default) or gt_score_<name> for a second GT")
    gt.add_argument("--zip", help="also write the finished store as this zip")
    gt.add_argument("--dataset", help="NATS: cifar10-valid | cifar10 | cifar100 | ImageNet16-120")
    gt.add_argument("--split", help="NATS: x-valid | x-test | ori-test (depends on the dataset); NB101: validation | test")
    gt.add_argument("--hp", help="NATS: training budget in epochs, 12 or 200")
    gt.add_argument("--epochs", help="NB101 / NNI: training budget, e.g. 108 (NB101) or 200 (NB201)")
    gt.add_argument("--which", help="NDS: final | best epoch's test accuracy")
    gt.add_argument("--width", help="NDS: keep models of this width, or 'any'")
    gt.add_argument("--depth", help="NDS: keep models of this depth, or 'any'")
    args = ap.parse_args(argv)
    from wsbench.errors import WsbenchError

    try:
        out = _import_gt(args)
    except WsbenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    print(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
