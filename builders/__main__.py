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
              "nds-darts": ("which", "width", "depth"), "naslib-zc": ("space",),
              "nb101-records": ("epochs", "split")}.get(args.source, ())
    missing = [f"--{o}" for o in needed if getattr(args, o) is None]
    if missing:
        raise SystemExit(f"usage error: {args.source} needs {', '.join(missing)} (no hidden defaults)")
    if args.source == "table":
        return _import_table(args)
    gt = load(args.source, args.path, dataset=args.dataset, split=args.split, hp=args.hp, epochs=args.epochs,
              which=args.which, width=args.width, depth=args.depth, space=args.space)
    summary = {"source": gt.source, "archs": len(gt), "seeds": gt.seeds, "noise": gt.noise()}
    if args.write_archs:  # the source's architectures, canonical, one per line: a build's --archs-from
        from pathlib import Path

        Path(args.write_archs).write_text("".join(a + "\n" for a in gt.scores), encoding="utf-8")
        summary["archs_written"] = args.write_archs
    if args.store:
        summary["attached"] = attach(args.store, gt, name=args.name, zip_path=args.zip, fill=args.fill,
                                     score_seed=args.gt_score_seed)
    return summary


def _import_table(args: argparse.Namespace) -> dict:
    """import-gt table: every check (columns, architectures, unit, the store's space, metric and coverage)
    before the store is touched, so a refused table writes nothing."""
    from builders.groundtruth import attach, load
    from wsbench.errors import OptionError

    missing = [o for o, v in (("--arch-col", args.arch_col), ("--metric", args.metric)) if v is None]
    if missing:
        raise SystemExit(f"usage error: table needs {', '.join(missing)} (and --mean-col or --run-cols)")
    attrs: dict = {}
    if args.store:
        from wsbench.store import open_store

        attrs = dict(open_store(args.store, check=False, allow_incomplete=True).attrs)
    space = args.space or attrs.get("space")
    if space is None:
        raise OptionError("import-gt table needs the space: give --store (its space) or --space")
    if args.space and attrs and args.space != attrs.get("space"):
        raise OptionError(f"--space {args.space} but {args.store} is a {attrs.get('space')} store")
    if attrs and attrs.get("metric") != args.metric:
        raise OptionError(f"--metric {args.metric} but {args.store} holds {attrs.get('metric')}; ground truth is in "
                          "the store's metric")
    run_cols = [c.strip() for c in args.run_cols.split(",") if c.strip()] if args.run_cols else []
    gt = load("table", args.path, space=space, arch_col=args.arch_col, mean_col=args.mean_col, std_col=args.std_col,
              run_cols=run_cols, metric=args.metric, unit=args.unit)
    summary = {"source": gt.source, "archs": len(gt), "seeds": gt.seeds, "noise": gt.noise()}
    if args.write_archs:
        from pathlib import Path

        Path(args.write_archs).write_text("".join(a + "\n" for a in gt.scores), encoding="utf-8")
        summary["archs_written"] = args.write_archs
    if args.store:
        from wsbench.store import open_store

        archs = [str(a) for a in open_store(args.store, check=False, allow_incomplete=True)["arch_string"].values]
        lacking = [a for a in archs if a not in gt.scores]
        if lacking and not (args.partial or args.fill):
            raise OptionError(f"the table lacks {len(lacking)} of the store's {len(archs)} architectures (e.g. "
                              f"{lacking[0]!r}); add them, or pass --partial to leave their ground truth unknown")
        summary["attached"] = attach(args.store, gt, name=args.name, zip_path=args.zip, fill=args.fill,
                                     score_seed=args.gt_score_seed)
    return summary


def _read_archs(path: str) -> list[str]:
    """Architectures of a store (its ``arch_string``) or of a text file (one per line)."""
    from pathlib import Path

    p = Path(path)
    if p.suffix == ".txt":
        return [line.strip() for line in p.read_text().splitlines() if line.strip()]
    from wsbench.store import open_store

    return [str(a) for a in open_store(p, allow_incomplete=True)["arch_string"].values]


def _shard(text: str) -> tuple[int, int]:
    """``i/n`` with 0 <= i < n, or one clear error."""
    from wsbench.errors import OptionError

    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        i, n = -1, 0
    if not 0 <= i < n:
        raise OptionError(f"--shard must be i/n with 0 <= i < n, got {text!r}")
    return i, n


def _proxies(args: argparse.Namespace) -> dict:
    from builders.proxies import run as proxies
    from wsbench.errors import OptionError

    names = proxies.check_names([n.strip() for n in args.names.split(",")] if args.names.strip() else [])
    if args.batch < 2:
        raise OptionError(f"--batch must be an integer >= 2 (jacov and naswot compare images), got {args.batch}")
    shard = _shard(args.shard)
    store = args.store.rstrip("/")
    work = args.work or store + ".proxies"
    from wsbench.store import open_store

    ds = open_store(store, allow_incomplete=True)
    archs = [str(a) for a in ds["arch_string"].values]
    written = proxies.run(archs, str(ds.attrs["space"]), args.preset, names, args.data_dir, work, args.batch,
                          args.seed, shard)
    out = {"work": work, "computed_now": len(written)}
    if args.write:
        out.update(proxies.write(store, work, replace=args.replace))
    return out


def _groundtruth(args: argparse.Namespace) -> dict:
    from builders.groundtruth import attach
    from builders.scratch.train import collect, recipe_for, run
    from wsbench.spaces import get_space

    space = get_space(args.space)
    archs = [space.canonicalize(a) for a in _read_archs(args.archs_from)]
    if args.limit:
        archs = archs[: args.limit]
    i, n = _shard(args.shard)
    extra = {"lr_schedule": args.lr_schedule} if args.lr_schedule else {}
    if extra and args.space != "darts-rnn":
        from wsbench.errors import OptionError

        raise OptionError(f"--lr-schedule applies to darts-rnn only (the CIFAR recipes are cosine already); "
                          f"got space {args.space!r}")
    recipe = recipe_for(args.preset, args.space, epochs=args.epochs, train_size=args.train_size,
                        valid_size=args.valid_size, **extra)
    seeds = _ints(args.seeds, "--seeds")
    run(archs, seeds, recipe, args.data_dir, args.work, shard=(i, n))
    gt = collect(args.work, archs)
    out = {"archs": len(archs), "trained": len(gt), "seeds": gt.seeds, "noise": gt.noise(), "recipe": gt.source["recipe"]}
    if args.store:
        out["attached"] = attach(args.store, gt, name=args.name)
    return out


def _ints(text: str, option: str) -> list[int]:
    """A comma-separated list of integers, or one clear error naming the option."""
    from wsbench.errors import OptionError

    parts = [p.strip() for p in text.split(",")]
    try:
        out = [int(p) for p in parts]
    except ValueError:
        raise OptionError(f"{option} must be comma-separated integers, e.g. 0,1,2; got {text!r}") from None
    if len(set(out)) != len(out):
        raise OptionError(f"{option} lists the same value twice: {text!r}")
    return out


def _build(args: argparse.Namespace) -> dict:
    from builders.engine.build import build

    overrides = {k: getattr(args, k) for k in ("train_size", "valid_size", "score_size", "bn_batches", "batch_size")}
    overrides["bn_protocol"] = args.bn
    overrides["precision"] = args.precision
    overrides["score_precision"] = args.score_precision
    overrides["lr"] = args.lr
    from wsbench.errors import OptionError

    archs = archs_source = None
    if args.archs_from:
        from pathlib import Path

        from builders.core.files import sha256_file
        from wsbench.spaces import get_space

        space = get_space(args.space)
        archs = [space.canonicalize(a) for a in _read_archs(args.archs_from)]
        if Path(args.archs_from).is_file():
            archs_source = {"archs_file": Path(args.archs_from).name, "archs_file_sha256": sha256_file(args.archs_from)}
        else:  # a store folder has no one file to hash: the list it gave is the identity
            from builders.engine.allowed import list_sha256

            archs_source = {"archs_store": Path(args.archs_from).name, "archs_sha256": list_sha256(archs)}
        if args.subnets is not None and args.subnets != len(archs):
            raise OptionError(f"--subnets {args.subnets} but {args.archs_from} lists {len(archs)} architectures; "
                              "drop --subnets")
    elif args.subnets is None:
        raise OptionError("give --subnets N (a seeded uniform sample) or --archs-from FILE")
    from builders.engine.allowed import resolve

    allowed = resolve(args.space, allowed_from=args.allowed_from, rule=args.prune_rule, factor=args.prune_factor,
                      pool=args.archs_from, rule_seed=args.prune_seed, score_store=args.prune_score,
                      score_epoch=args.prune_score_epoch, score_seed=args.prune_score_seed)
    path = build(args.space, args.out, preset_name=args.preset, data_dir=args.data_dir, epochs=args.epochs,
                 score_epochs=_ints(args.score_epochs, "--score-epochs"),
                 subnets=len(archs) if archs is not None else args.subnets,
                 archs=archs, archs_source=archs_source, seeds=_ints(args.seeds, "--seeds"),
                 sample_seed=args.sample_seed, overrides=overrides,
                 only_seeds=_ints(args.only_seeds, "--only-seeds") if args.only_seeds else None,
                 max_epochs_this_run=0 if args.create_only else _stop_after(args.stop_after_epochs),
                 keep_work=args.keep_work,
                 keep_checkpoints=_ints(args.keep_checkpoints, "--keep-checkpoints") if args.keep_checkpoints else None,
                 device=args.device, work=args.work, allowed=allowed,
                 stop_by=None if args.stop_by is None else _deadline(args.stop_by))
    return {"out": str(args.out), "all_regions_scored": path is not None,
            **({"allowed": allowed.record["allowed"]} if allowed is not None else {})}


def _stop_after(n: int | None) -> int | None:
    from wsbench.errors import OptionError

    if n is not None and n < 1:
        raise OptionError(f"--stop-after-epochs must be a positive integer (use --create-only for 0), got {n}")
    return n


def _deadline(text: str, now: float | None = None) -> float:
    """``--stop-by``: HH:MM (local time, today) or an ISO 8601 time (local unless it names its zone), as seconds
    since the epoch; a time already past is refused."""
    import datetime as dt
    import re
    import time

    from wsbench.errors import OptionError

    now = time.time() if now is None else now
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}", text):
            h, m = map(int, text.split(":"))
            when = dt.datetime.fromtimestamp(now).replace(hour=h, minute=m, second=0, microsecond=0)
        else:
            when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise OptionError(f"--stop-by must be HH:MM (local time today) or an ISO 8601 time such as "
                          f"2026-12-05T05:35, got {text!r}") from None
    at = when.timestamp()  # a naive time is local
    if at <= now:
        raise OptionError(f"--stop-by {text} is already past ({dt.datetime.fromtimestamp(now):%Y-%m-%d %H:%M} "
                          "now); give a later time, or a date for tomorrow")
    return at


def _sample_functions(args: argparse.Namespace) -> dict:
    from pathlib import Path

    from builders.core.files import sha256_file
    from wsbench.atomic import write_atomic
    from wsbench.spaces import get_space

    space = get_space(args.space)
    archs = space.sample_functions(args.n, args.seed)
    write_atomic(Path(args.out), ("\n".join(archs) + "\n").encode())
    return {"out": args.out, "archs": len(archs), "functions_in_space": len(space.function_classes()),
            "seed": args.seed, "sha256": sha256_file(args.out),
            "rule": f"wsbench.spaces.get_space({args.space!r}).sample_functions({args.n}, seed={args.seed})",
            "function_id_rule": space.function_id_rule}


def _finetune(args: argparse.Namespace) -> dict:
    from builders.engine.finetune import finetune
    from wsbench.errors import OptionError

    archs = source = None
    if args.archs_from:
        from pathlib import Path

        from builders.core.files import sha256_file

        if not Path(args.archs_from).is_file():
            raise OptionError(f"--archs-from {args.archs_from}: no such file (a .txt, one architecture per line)")
        archs = _read_archs(args.archs_from)
        source = {"archs_file": Path(args.archs_from).name, "archs_file_sha256": sha256_file(args.archs_from)}
    subnets = args.subnets
    if subnets is not None and subnets != "all":
        try:
            subnets = int(subnets)
        except ValueError:
            raise OptionError(f"--subnets must be a positive integer or all, got {subnets!r}") from None
    return finetune(args.store, args.work or args.store.rstrip("/") + ".work", seed=args.seed,
                    data_dir=args.data_dir, epoch=args.epoch, subnets=subnets, archs=archs, archs_source=source,
                    subnet_seed=args.subnet_seed, batches=args.batches, lr=args.lr, checkpoint_path=args.checkpoint,
                    device=args.device)


def _checkpoint(args: argparse.Namespace) -> dict:
    from builders.engine import carry

    if args.action == "save":
        files = carry.save(args.store, args.work, args.dir)
        return {"saved": [str(f) for f in files], "bytes": sum(f.stat().st_size for f in files)}
    return {"restored": carry.restore(args.store, args.work, args.dir)}


def _merge_pruned(args: argparse.Namespace) -> dict:
    from builders.prune_merge import merge

    return merge(args.runs, args.out, gt_from=args.gt_from)


def _publish(args: argparse.Namespace) -> dict:
    from builders.publish import publish

    return publish(args.store, args.meta, out_dir=args.out_dir, catalog_dir=args.catalog, url=args.url,
                   bundled=not args.no_bundle, card=args.card)


def _reissue(args: argparse.Namespace) -> dict:
    from builders.reissue import load_changes, reissue

    changes = load_changes(args.changes) if args.changes else {}
    return reissue(args.store, args.out, changes, version=args.version, why=args.why,
                   add_function_ids=args.add_function_ids, gzip_strings=args.gzip_strings)


def _new_space(args: argparse.Namespace) -> dict:
    from builders.scaffold import new_space

    return new_space(args.name, root=args.root, dataset=args.dataset)


def _params(args: argparse.Namespace) -> dict:
    from builders.sizes import sizes

    return sizes(args.space, args.arch, args.preset)


def parser() -> argparse.ArgumentParser:
    """The command line, every subcommand and option (tests check the commands the docs show against it)."""
    from builders.groundtruth import SOURCES

    ap = argparse.ArgumentParser(prog="python -m builders", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    gt = sub.add_parser("import-gt", help="import ground truth from a public benchmark file into a store")
    gt.add_argument("source", choices=SOURCES)
    gt.add_argument("path", help="benchmark file or folder (e.g. NATS-tss-v1_0-3ffb9-simple/, analog_nasbench-*.whl); "
                                 "table: a .csv, .tsv or .json table, one row per architecture")
    gt.add_argument("--store", help="store folder to write into (aligned by canonical architecture)")
    gt.add_argument("--name", default="gt_score", help="gt_score (default) or gt_score_<name> for a second GT")
    gt.add_argument("--zip", help="also write the finished store as this zip")
    gt.add_argument("--fill", action="store_true", help="write only the subnets this source knows; keep the ground "
                                                        "truth already there (both sources are recorded)")
    gt.add_argument("--gt-score-seed", type=int, help="gt_score = this GT seed's value, not the mean over seeds")
    gt.add_argument("--write-archs", help="write the source's architectures (canonical, one per line) to this file: "
                                          "the --archs-from of a build over them")
    gt.add_argument("--dataset", help="NATS: cifar10-valid | cifar10 | cifar100 | ImageNet16-120; naslib-zc: "
                                      "cifar10 (default) | cifar100 | ImageNet16-120 (nb201 file)")
    gt.add_argument("--space", help="naslib-zc: darts (zc_nasbench301.json) | nb101 | nb201; table: the space "
                                    "(default: the store's)")
    gt.add_argument("--split", help="NATS: x-valid | x-test | ori-test (depends on the dataset); NB101 / nb101-records: "
                                    "validation | test")
    gt.add_argument("--hp", help="NATS: training budget in epochs, 12 or 200")
    gt.add_argument("--epochs", help="NB101 / NNI: training budget, e.g. 108 (NB101) or 200 (NB201)")
    gt.add_argument("--which", help="NDS: final | best epoch's test accuracy")
    gt.add_argument("--width", help="NDS: keep models of this width, or 'any'")
    gt.add_argument("--depth", help="NDS: keep models of this depth, or 'any'")
    gt.add_argument("--arch-col", help="table: column of architecture strings (any spelling the space accepts)")
    gt.add_argument("--mean-col", help="table: column of the per-architecture mean (else the mean of --run-cols)")
    gt.add_argument("--std-col", help="table: column of the per-architecture std (-> gt_score_std)")
    gt.add_argument("--run-cols", help="table: comma list of per-training columns (-> gt_score_per_seed, one GT "
                                       "seed each, in this order)")
    gt.add_argument("--metric", help="table: accuracy | error | perplexity (must be the store's metric)")
    gt.add_argument("--unit", help="table, accuracy/error: percent | fraction (fractions are multiplied by 100)")
    gt.add_argument("--partial", action="store_true", help="table: accept a table that lacks some of the store's "
                                                           "architectures (their ground truth stays unknown)")
    tr = sub.add_parser("groundtruth", help="train architectures from scratch (resumable, shardable)")
    tr.add_argument("space", help="search space: nb201 | nb101 | darts | proxylessnas | macro | darts-rnn")
    tr.add_argument("--preset", required=True, help="mini | paper (see builders/scratch/train.py PRESETS)")
    tr.add_argument("--archs-from", required=True, help="a store (its arch_string) or a .txt file, one arch per line")
    tr.add_argument("--seeds", required=True, help="GT seeds, e.g. 0,1")
    tr.add_argument("--data-dir", required=True, help="folder with cifar-10-batches-bin/")
    tr.add_argument("--work", required=True, help="folder of per-(arch, seed) results; rerun to resume")
    tr.add_argument("--epochs", type=int, help="override the preset's epochs")
    tr.add_argument("--train-size", type=int, help="override the preset's number of training images")
    tr.add_argument("--valid-size", type=int, help="override the preset's number of held-out images")
    tr.add_argument("--lr-schedule", help="darts-rnn: constant (default, DARTS's) | cosine (to 0 over --epochs)")
    tr.add_argument("--shard", default="0/1", help="i/n: train every n-th architecture starting at i")
    tr.add_argument("--limit", type=int, help="only the first N architectures")
    tr.add_argument("--store", help="write the collected GT into this store folder")
    tr.add_argument("--name", default="gt_score_mini", help="GT variable to write (default gt_score_mini)")
    b = sub.add_parser("build", help="train supernets and score every sampled subnet (resumable)")
    b.add_argument("space", help="search space: nb201 | nb101 | darts | proxylessnas | macro | darts-rnn")
    b.add_argument("--preset", required=True, help="mini | paper (builders/<space>/presets.py)")
    b.add_argument("--data-dir", required=True, help="folder with cifar-10-batches-bin/")
    b.add_argument("--epochs", type=int, required=True, help="supernet training epochs")
    b.add_argument("--score-epochs", required=True, help="epochs after which every subnet is scored, e.g. 1,2,4,8")
    b.add_argument("--subnets", type=int, help="architectures sampled for scoring (or --archs-from)")
    b.add_argument("--archs-from", help="score these architectures instead: a store or a .txt file, one per line")
    b.add_argument("--seeds", required=True, help="supernet seeds, e.g. 0,1,2")
    b.add_argument("--out", required=True, help="store folder (created, or resumed if it exists)")
    b.add_argument("--sample-seed", type=int, default=0, help="seed of the scored architecture sample")
    b.add_argument("--only-seeds", help="train only these seeds (one worker process per seed)")
    b.add_argument("--create-only", action="store_true", help="create the store (sample, sizes) and stop")
    b.add_argument("--stop-after-epochs", type=int, help="train at most N epochs in this process, then stop (the "
                                                        "checkpoint stays: rerun to continue); a pilot's measure")
    b.add_argument("--stop-by", help="stop at the last epoch boundary before this time (HH:MM local, or ISO 8601), "
                                      "judged from the epochs measured so far: a session ends on a checkpoint")
    b.add_argument("--keep-work", action="store_true", help="keep the checkpoint folder (<out>.work) after the build")
    b.add_argument("--keep-checkpoints", help="score epochs whose supernet is also kept as <work>/seed<S>.epoch<E>.ckpt "
                                              "(for builders finetune --epoch E), e.g. 50,100,200")
    b.add_argument("--lr", type=float, help="override the preset's learning rate (cosine from it to 0)")
    b.add_argument("--device", default="cpu", help="cpu (default) | cuda | cuda:N: where training and scoring run")
    b.add_argument("--precision", help="fp32 (preset default) | bf16 (torch.autocast): part of the recipe")
    b.add_argument("--score-precision", help="fp32 | bf16: scoring alone in another arithmetic than training "
                                             "(default: as --precision); part of the recipe")
    b.add_argument("--work", help="checkpoint folder (default <out>.work); keep it outside the work tree")
    b.add_argument("--bn", help="BatchNorm when scoring: recalibrate (preset default) | batch_stats | running_stats")
    for name in ("train-size", "valid-size", "score-size", "bn-batches", "batch-size"):
        b.add_argument(f"--{name}", type=int, help=f"override the preset's {name.replace('-', ' ')}")
    b.add_argument("--allowed-from", help="train on these architectures only (each step uniform over them; only "
                                          "scored subnets in the set get a score): a .txt list or a store's pool")
    b.add_argument("--prune-rule", choices=["optimistic", "random", "supernet"],
                   help="train on the --archs-from pool pruned by a rule: optimistic (worst by GT removed), random "
                        "(--prune-seed), supernet (worst by a full-space supernet's score removed)")
    b.add_argument("--prune-factor", type=float, help="fraction of the pool removed, in [0, 1)")
    b.add_argument("--prune-seed", type=int, help="random rule: seed of the removed subset")
    b.add_argument("--prune-score", help="supernet rule: the full-space supernet's store (default: --archs-from)")
    b.add_argument("--prune-score-epoch", type=int, help="supernet rule: the epoch of its scores")
    b.add_argument("--prune-score-seed", type=int, help="supernet rule: the supernet seed of its scores")
    px = sub.add_parser("proxies", help="zero-cost proxies of every subnet of a store (resumable, shardable)")
    px.add_argument("store", help="store folder: its arch_string; --write adds proxy_<name> variables to it")
    px.add_argument("--preset", required=True, help="paper (the published benchmark's network) | mini")
    px.add_argument("--names", default="synflow,snip,grad_norm,jacov,naswot,fisher,grasp,l2_norm",
                    help="comma list of proxies (builders/proxies/measures.py)")
    px.add_argument("--data-dir", required=True, help="folder with cifar-10-batches-bin/")
    px.add_argument("--batch", type=int, default=64, help="training images in the one batch (default 64)")
    px.add_argument("--seed", type=int, default=0, help="seed of the initialisation and of the batch (default 0)")
    px.add_argument("--work", help="folder of per-architecture results (default <store>.proxies); rerun to resume")
    px.add_argument("--shard", default="0/1", help="i/n: every n-th architecture starting at i")
    px.add_argument("--write", action="store_true", help="then write every result of --work into the store")
    px.add_argument("--replace", action="store_true", help="overwrite proxies the store holds from another source")
    pa = sub.add_parser("params", help="params and FLOPs of one architecture's stand-alone network, as JSON")
    pa.add_argument("space", help="nb201 | nb101 | darts | proxylessnas | macro | darts-rnn")
    pa.add_argument("arch", help="canonical string, or a JSON spec the space accepts")
    pa.add_argument("--preset", required=True, help="paper | mini | nb301 (darts: NAS-Bench-301's network)")
    pu = sub.add_parser("publish", help="zip a finished store and write its catalog entry (sha256, sizes from the store)")
    pu.add_argument("store", help="finished store folder (or zip)")
    pu.add_argument("--meta", required=True, help="TOML with name, version, dataset, title, description, license, "
                                                  "citation, release_notes, builder.command")
    pu.add_argument("--out-dir", default="wsbench/datasets", help="where the zip goes (default: bundled in the wheel)")
    pu.add_argument("--catalog", default="catalog", help="catalog folder for <name>.toml")
    pu.add_argument("--url", help="where the zip is also hosted (optional)")
    pu.add_argument("--no-bundle", action="store_true", help="do not mark the file as shipped in the wheel")
    pu.add_argument("--card", help="the dataset card (default: <name>.md beside the meta file); must exist")
    ck = sub.add_parser("checkpoint", help="save a running build's checkpoints + scores so far as one compressed "
                                           "file per seed (to commit), or restore them into a recreated store")
    ck.add_argument("action", choices=["save", "restore"])
    ck.add_argument("--store", required=True, help="the build's store folder (restore: recreated with --create-only)")
    ck.add_argument("--work", required=True, help="the build's checkpoint folder")
    ck.add_argument("--dir", required=True, help="folder of seed<S>.pt.gz files (e.g. results/<dataset>/checkpoints)")
    ft = sub.add_parser("finetune", help="the study's fine-tuned protocol: each chosen subnet inherits a kept "
                                          "checkpoint's weights, trains alone for a few batches, is scored as the "
                                          "plain protocol (-> finetune_score); one process per seed")
    ft.add_argument("--store", required=True, help="the build's store folder")
    ft.add_argument("--work", help="the build's checkpoint folder, kept with --keep-work (default <store>.work)")
    ft.add_argument("--seed", type=int, required=True, help="the supernet seed whose checkpoint is fine-tuned")
    ft.add_argument("--data-dir", required=True, help="the build's folder with cifar-10-batches-bin/")
    ft.add_argument("--epoch", type=int, help="the epoch to fine-tune at: must be the checkpoint's (default: it)")
    ft.add_argument("--checkpoint", help="another checkpoint file of this seed (default <work>/seed<S>.ckpt)")
    ft.add_argument("--subnets", help="K: a seeded choice of K of the store's subnets (--subnet-seed), or all")
    ft.add_argument("--subnet-seed", type=int, default=0, help="seed of the choice of K subnets (default 0)")
    ft.add_argument("--archs-from", help="fine-tune these architectures instead: a .txt file, one per line")
    ft.add_argument("--batches", type=int, default=10, help="training batches per subnet (default 10, the study's)")
    ft.add_argument("--lr", type=float, help="constant learning rate (default: the supernet's cosine schedule at that epoch, "
                                             "floored at 0.001, as the study authors' finetune.py)")
    ft.add_argument("--device", default="cpu", help="cpu (default) | cuda | cuda:N")
    sf = sub.add_parser("sample-functions", help="N architectures computing N different functions, drawn uniformly "
                                                 "over the space's functions (one representative each): a .txt "
                                                 "for build --archs-from")
    sf.add_argument("space", help="a space small enough to enumerate, e.g. nb201")
    sf.add_argument("--n", type=int, required=True, help="how many functions")
    sf.add_argument("--seed", type=int, default=0, help="seed of the draw (default 0)")
    sf.add_argument("--out", required=True, help="text file to write, one canonical string per line")
    mp = sub.add_parser("merge-pruned", help="finished per-run stores of supernets trained on pruned spaces (and "
                                             "the unpruned control) -> one store with the prune dimension")
    mp.add_argument("runs", nargs="+", help="the run stores (each a finished build of the same pool, epochs, seeds)")
    mp.add_argument("--out", required=True, help="the merged store folder (must not exist)")
    mp.add_argument("--gt-from", help="store whose ground truth, extra ground truths and proxies are copied "
                                      "(aligned by architecture), e.g. the dataset whose pool was pruned")
    ns = sub.add_parser("new-space", help="write the files of a new space, each with its TODOs (CONTRIBUTING.md)")
    ns.add_argument("name", help="space name: lowercase letters and digits, words joined by '-' (e.g. di64)")
    ns.add_argument("--dataset", help="dataset name of the meta file and card (default NAME-cifar10)")
    ns.add_argument("--root", help="checkout to write into (default: the one builders is imported from)")
    ri = sub.add_parser("reissue", help="copy a published store with corrected attributes (arrays untouched)")
    ri.add_argument("store", help="published zip or store folder")
    ri.add_argument("--out", required=True, help="new store folder")
    ri.add_argument("--changes", help="JSON file: attribute -> new value (objects merge; null drops)")
    ri.add_argument("--add-function-ids", action="store_true",
                    help="add the function_id variable (computed from arch_string) to a store that predates it")
    ri.add_argument("--gzip-strings", action="store_true",
                    help="re-encode string arrays compressed with zstd (zarr's default) with gzip, values unchanged: "
                         "reading them then needs no numcodecs import (~35 ms of every command that reads them)")
    ri.add_argument("--version", required=True, help="the version this re-issue will be published as")
    ri.add_argument("--why", required=True, help="one sentence, recorded in the store's reissues attribute")
    gtt = sub.add_parser("gt-table", help="a whole-space ground-truth table (wsbench evaluate) from a public source, "
                                          "and its catalog entry")
    gtt.add_argument("name", help="the table: gt-nb201-analognas, gt-macro-nas-bench-macro, gt-nb101-naslib, "
                                  "gt-darts-nb301 (builders/groundtruth/space_tables.py)")
    gtt.add_argument("path", help="the source file (analog_nasbench-*.whl, nas-bench-macro_cifar10.json, "
                                  "zc_nasbench101.json, zc_nasbench301.json)")
    gtt.add_argument("--out", required=True, help="folder for <name>-<version>.zip (the package's: wsbench/datasets)")
    gtt.add_argument("--catalog", help="folder for the catalog entry <name>.toml (the package's: catalog/gt)")
    return ap


def _gt_table(args: argparse.Namespace) -> dict:
    from pathlib import Path

    from builders.groundtruth.space_tables import TABLES, build_table, catalog_text
    from wsbench.errors import UnknownNameError

    if args.name not in TABLES:
        raise UnknownNameError("ground-truth table", args.name, list(TABLES))
    path = build_table(args.name, args.path, args.out)
    out = {"table": str(path), "bytes": path.stat().st_size}
    if args.catalog:
        entry = Path(args.catalog) / f"{args.name}.toml"
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(catalog_text(args.name, path), encoding="utf-8")
        out["catalog"] = str(entry)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    from wsbench.errors import WsbenchError

    try:
        out = {"import-gt": _import_gt, "groundtruth": _groundtruth, "build": _build, "proxies": _proxies,
               "params": _params, "publish": _publish, "reissue": _reissue,
               "sample-functions": _sample_functions, "checkpoint": _checkpoint, "finetune": _finetune,
               "new-space": _new_space, "gt-table": _gt_table,
               "merge-pruned": _merge_pruned}[args.command](args)
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
