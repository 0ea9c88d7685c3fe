"""What each ``wsbench`` command does: one function per command, called by ``wsbench.cli.app.main`` with one
keyword per parameter of ``wsbench.cli.spec`` (names, defaults, choices and help texts live there). A function's
docstring is its command's help.

Heavy modules (zarr, xarray, scipy, and Rich for the output) are imported inside the commands, so
``wsbench --help`` and ``wsbench list`` never load them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from wsbench.escape import visible


def _fail(message: str) -> None:
    """One line on stderr and exit 1: a user error."""
    from rich.console import Console
    from rich.text import Text

    # the message is plain text that may quote data (names, paths, attributes): brackets in it (pip extras, lists,
    # [/x], [link=...]) are not markup, control characters are shown as \xNN
    Console(stderr=True, highlight=False, soft_wrap=True, emoji=False).print(
        Text.assemble(("error:", "red"), " ", visible(message)))
    raise SystemExit(1)


def _emit(as_json: bool, make: Callable[[], Any], wide: bool = False) -> None:
    """Run ``make`` (returns a Result); print it; user errors become exit 1 with one line."""
    from wsbench.errors import WsbenchError

    try:
        result = make()
    except WsbenchError as e:
        _fail(str(e))
        return
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=1) + "\n")
    else:
        from wsbench.cli.render import show

        show(result, _console(), wide)


def _console() -> Any:
    """stdout console as wide as the terminal; 80 columns when stdout is not a terminal, unless COLUMNS says
    otherwise. Tables fit it (wsbench.cli.render); --wide shows the columns left out."""
    import shutil

    from rich.console import Console

    # text from data is passed as plain Text (wsbench.cli.render); no markup or emoji codes read from it either way
    return Console(width=max(20, shutil.get_terminal_size((80, 24)).columns), highlight=False, emoji=False)


def _stat(space: str, stat: str, as_json: bool, wide: bool = False, **options: Any) -> None:
    if options.get("dedupe") is False:
        del options["dedupe"]

    def make() -> Any:
        from wsbench.api import query

        return query(space, stat, **options)

    _emit(as_json, make, wide)


def list_cmd(as_json: bool, wide: bool, gt_tables: bool) -> None:
    """List the datasets of the catalog: bundled, cached or remote, and the local file when there is one."""
    from wsbench.errors import WsbenchError

    if gt_tables:
        _list_gt_tables(as_json, wide)
        return
    try:
        from wsbench.catalog import read_catalog
        from wsbench.fetch import locate, where

        entries, problems = read_catalog()
    except WsbenchError as e:
        _fail(str(e))
        return
    rows = []
    for e in entries.values():
        found = locate(e)
        rows.append({"name": e.name, "space": e.space, "dataset": e.dataset, "scale": e.scale, **e.sizes,
                     "metric": e.metric, "where": where(e, found), "file": str(found) if found else None,
                     "title": e.title})
    # title and dataset are in --json and `wsbench info NAME`; the file path with --wide
    _listing(rows, problems, "catalog entry", as_json, wide, "wsbench datasets", hide=("title", "dataset"),
             wide_only=("scale", "file"), empty="The catalog lists no datasets yet. Any store can be queried by "
                                                "path: wsbench topk --space PATH.zip")


def _list_gt_tables(as_json: bool, wide: bool) -> None:
    """``wsbench list --gt-tables``: the catalog's whole-space ground-truth tables (``catalog/gt/``), where each is,
    what it covers, the datasets it serves, its licence and citation (as ``list``/``info`` give a dataset's)."""
    from wsbench.fetch import locate, where
    from wsbench.gt_catalog import read_gt_catalog

    entries, problems = read_gt_catalog()
    rows = []
    for e in entries.values():
        found = locate(e)  # type: ignore[arg-type]
        rows.append({"name": e.name, "space": e.space, "archs": e.archs, "datasets": list(e.datasets),
                     "metric": e.metric, "where": where(e, found), "coverage": e.coverage, "gt_kind": e.gt_kind,
                     "license": e.license, "citation": e.citation, "file": str(found) if found else None,
                     "title": e.title})
    _listing(rows, problems, "ground-truth table entry", as_json, wide,
             "ground-truth tables (wsbench evaluate --gt-table NAME)", hide=("title",),
             wide_only=("coverage", "gt_kind", "license", "citation", "file"),
             empty="The catalog lists no ground-truth tables; `wsbench evaluate` then evaluates the dataset's "
                   "subnets only.")


def _listing(rows: list[dict[str, Any]], problems: list[str], entry: str, as_json: bool, wide: bool, title: str,
             hide: tuple[str, ...], wide_only: tuple[str, ...], empty: str) -> None:
    """What ``wsbench list`` prints of catalog entries: each broken one named on stderr (the good ones are still
    listed), then the rows as JSON, or as a table (lists joined; ``hide``: in --json only)."""
    from rich.console import Console
    from rich.text import Text

    warn = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
    for p in problems:
        warn.print(Text.assemble(("warning:", "yellow"), " ", visible(f"{entry} skipped: {p}")))
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
        return
    console = _console()
    if not rows:
        console.print(empty)
        return
    from wsbench.cli.render import tables

    shown = [{k: (", ".join(v) if isinstance(v, list) else v) for k, v in r.items() if k not in hide} for r in rows]
    ts, left_out = tables(title, shown, console.width, wide=wide, wide_only=wide_only, first=("where",))
    for t in ts:
        console.print(t)
    if left_out:
        console.print(visible(f"not shown: {', '.join(left_out)} (--wide, or --json)"), style="dim", markup=False)


def info(space: str, as_json: bool, wide: bool, card: bool) -> None:
    """What a dataset is: how it was made, its ground truth and noise, its variables, its provenance."""
    if card:
        from wsbench.catalog import card_path, read_catalog

        path = card_path(space)
        if path is None:
            _fail(f"no dataset card for {space!r}: cards exist for the catalog datasets "
                  f"({', '.join(sorted(read_catalog()[0]))}); `wsbench info {space}` describes any store")
            return
        sys.stdout.write(path.read_text(encoding="utf-8"))
        return

    def make() -> Any:
        from wsbench.api import open as wopen

        return wopen(space).info()

    _emit(as_json, make, wide)


def correlation(space: str, epoch: str, seed: str, method: str, against: str, score: str, weigh_by: str,
                ci: float | None, boot: int, rng_seed: int, gt_resolution: float | None, within_top: str | None,
                ceiling: bool, dedupe: bool, as_json: bool, wide: bool) -> None:
    """Rank correlation between supernet scores and ground truth, per seed and epoch."""
    extra = {"ceiling": True} if ceiling else {}  # as given: the default call is the one it always was
    _stat(space, "correlation", as_json, wide, epoch=epoch, seed=seed, method=method, against=against, score=score,
          weigh_by=weigh_by, ci=ci, boot=boot, rng_seed=rng_seed, gt_resolution=gt_resolution,
          within_top=within_top, **extra, dedupe=dedupe)


def topk(space: str, k: str, epoch: str, seed: str, samples: int | None, trials: int | None, rng_seed: int, gt: str,
         score: str, ties: str, ci: float | None, boot: int, dedupe: bool, as_json: bool, wide: bool) -> None:
    """Best ground truth among the supernet's top-k, against k random subnets."""
    _stat(space, "topk", as_json, wide, k=k, epoch=epoch, seed=seed, samples=samples, trials=trials,
          rng_seed=rng_seed, gt=gt, score=score, ties=ties, ci=ci, boot=boot, dedupe=dedupe)


def bias(space: str, by: str, epoch: str, seed: str, top: str, flag: int, gt: str, score: str, ties: str,
         ci: float | None, boot: int, rng_seed: int, dedupe: bool, as_json: bool, wide: bool) -> None:
    """Is the supernet biased towards big models or certain operators?"""
    _stat(space, "bias", as_json, wide, by=by, epoch=epoch, seed=seed, gt=gt, top=top,  # top checked either way
          flag=flag, score=score, ties=ties, ci=ci, boot=boot, rng_seed=rng_seed, dedupe=dedupe)


def prune(space: str, mode: str | None, factor: str, epoch: str, seed: str, k: str, trials: int | None, rng_seed: int,
          source: str, gt: str, score: str, ties: str, dedupe: bool, as_json: bool, wide: bool) -> None:
    """Does pruning the space help the supernet find better architectures?"""
    _stat(space, "prune", as_json, wide, mode=mode, factor=factor, epoch=epoch, seed=seed, k=k, trials=trials,
          rng_seed=rng_seed, source=source, gt=gt, score=score, ties=ties, dedupe=dedupe)


def stability(space: str, method: str, epoch: str, seed: str, score: str, dedupe: bool, as_json: bool,
              wide: bool) -> None:
    """Agreement of supernet rankings between consecutive epochs and between seeds."""
    _stat(space, "stability", as_json, wide, method=method, epoch=epoch, seed=seed, score=score, dedupe=dedupe)


def bottom_top(space: str, k: str, within: str, epoch: str, seed: str, gt: str, score: str, within_by: str,
               rounding: str, ci: float | None, boot: int, rng_seed: int, dedupe: bool, as_json: bool,
               wide: bool) -> None:
    """Is the ranking better at spotting bad subnets than good ones? P@bottom-k vs P@top-k, BR@k, WR@k."""
    _stat(space, "bottomtop", as_json, wide, k=k, within=within, epoch=epoch, seed=seed, gt=gt, score=score,
          within_by=within_by, rounding=rounding, ci=ci, boot=boot, rng_seed=rng_seed, dedupe=dedupe)


def mean_score(space: str, epoch: str, seed: str, score: str, gt: str, dedupe: bool, as_json: bool,
               wide: bool) -> None:
    """Mean and spread of the score over subnets per epoch, beside the mean ground truth: does the supernet train?"""
    _stat(space, "meanscore", as_json, wide, epoch=epoch, seed=seed, score=score, gt=gt, dedupe=dedupe)


def gt_noise(space: str, gt: str, method: str, pairings: int, ci: float | None, boot: int, rng_seed: int,
             as_json: bool, wide: bool) -> None:
    """The ground truth's own noise: tau between duplicates (subnets of one function), beside its GT trainings."""
    _stat(space, "gtnoise", as_json, wide, gt=gt, method=method, pairings=pairings, ci=ci, boot=boot,
          rng_seed=rng_seed)


def paired(space: str, a: str, b: str, seed: str, method: str, ci: float, interval: str, boot: int | None,
           rng_seed: int | None, over_seeds: bool, dedupe: bool, as_json: bool, wide: bool) -> None:
    """Did tau change from a to b? A paired interval over the same subnets: two epochs, two scores, two pairs."""
    _stat(space, "paired", as_json, wide, a=a, b=b, seed=seed, method=method, ci=ci, interval=interval, boot=boot,
          rng_seed=rng_seed, over_seeds=over_seeds, dedupe=dedupe)


def evaluate(scores: str, space: str, higher_is_better: bool | None, name: str, score_column: str | None,
             encoding: str, drop_unknown: bool, k: str | None, epoch: str, seed: str, gt: str, ties: str,
             ci: float | None, boot: int, rng_seed: int, dedupe: bool, gt_table: str, out: str | None,
             as_json: bool, wide: bool) -> None:
    """Your own ranking (a supernet, predictor or proxy) against the ground truth, beside the dataset's own
    rankings on exactly the same subnets; architectures outside the dataset against the space's ground-truth
    table."""

    def make() -> Any:
        from wsbench.evaluation import evaluate as run

        return run(scores, space, higher_is_better=higher_is_better, name=name, score_column=score_column,
                   encoding=encoding,
                   drop_unknown=drop_unknown, k=k, epoch=epoch, seed=seed, gt=gt, ties=ties, ci=ci, boot=boot,
                   rng_seed=rng_seed, dedupe=dedupe, gt_table=gt_table, out=out,
                   statistic_rows=wide or as_json or out is not None)  # rows-only statistics: computed where shown

    _emit(as_json, make, wide)


def report(space: str | None, compare: str | None, out: str | None, fmt: str, epoch: str, seed: str,
           as_json: bool) -> None:
    """The study's questions for one dataset as one page: figures, a measured finding each, provenance."""
    from wsbench.errors import WsbenchError

    try:
        from wsbench.report import write

        res = write(space, out, fmt, epoch, seed, compare)
    except WsbenchError as e:
        _fail(str(e))
        return
    if as_json:
        sys.stdout.write(json.dumps(res, indent=1) + "\n")
        return
    import shutil
    import textwrap

    width = max(20, shutil.get_terminal_size((80, 24)).columns)  # as the tables: the terminal, else 80 or COLUMNS
    for path in res["written"]:
        print(f"wrote {visible(path)}")
    for key, finding in res["sections"].items():  # findings quote data (decision and proxy names)
        print(textwrap.fill(visible(f"{key}: {finding}"), width, initial_indent="  ", subsequent_indent="    ",
                            break_long_words=False, break_on_hyphens=False))


def export(space: str, fmt: str, out: str | None, force: bool, runs: str, as_json: bool) -> None:
    """A dataset as a file pandas, R, xarray or NASLib read: docs/schema.md says what each column is."""
    from wsbench.errors import WsbenchError

    try:
        from wsbench.export import write

        res = write(space, fmt, out, force=force, runs=runs)
    except WsbenchError as e:
        _fail(str(e))
        return
    if "text" in res:
        sys.stdout.write(res.pop("text"))
        return
    if as_json:
        sys.stdout.write(json.dumps(res, indent=1) + "\n")
        return
    size = f"{res['rows']:,} rows x {len(res['columns'])} columns" if res["rows"] is not None and res["columns"] \
        else f"{res['rows']:,} records" if res["rows"] is not None else "every variable"
    print(visible(f"wrote {res['written']} ({res['format']}, {size})"))
    for note in res["notes"]:
        print(visible(f"  {note}"))


def validate(path: str, as_json: bool) -> None:
    """Check a store against schema v1; list every problem; exit 1 if there is any."""
    from wsbench.errors import WsbenchError
    from wsbench.store import validate_path

    try:
        from wsbench.api import locate_dataset

        target = locate_dataset(path, download=False)[0]
    except WsbenchError as e:
        problems = [str(e)]
    else:
        problems = validate_path(target)
    if as_json:
        sys.stdout.write(json.dumps({"path": path, "valid": not problems, "problems": problems}, indent=1) + "\n")
    elif problems:
        from rich.console import Console
        from rich.text import Text

        err = Console(stderr=True, highlight=False, emoji=False)
        err.print(Text(visible(f"{path}: {len(problems)} problem(s)"), style="red"))
        for p in problems:  # problems quote names and attributes of the store
            err.print(Text(visible(f"  - {p}")))
    else:
        print(f"{visible(path)}: valid (schema v1)")
    if problems:
        raise SystemExit(1)


def download(space: str, as_json: bool) -> None:
    """Fetch a dataset into the cache and verify its sha256 (bundled files are verified in place)."""
    from wsbench.errors import ChecksumError, WsbenchError

    try:
        from wsbench.catalog import get_entry
        from wsbench.fetch import resolve, sha256_of

        entry = get_entry(space)
        path = resolve(entry)
        got = sha256_of(path)
        if got != entry.store_file.sha256:
            raise ChecksumError(f"{path}: sha256 expected {entry.store_file.sha256} but got {got}; delete it and retry")
    except WsbenchError as e:
        _fail(str(e))
        return
    out = {"name": space, "path": str(path), "sha256": got, "verified": True}
    print(json.dumps(out, indent=1) if as_json else visible(f"{space}: {path} (sha256 verified)"))


def env(as_json: bool) -> None:
    """Versions and folders that matter for reproducing a result."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from wsbench import __version__
    from wsbench.catalog import catalog_dir
    from wsbench.fetch import bundled_dir, cache_dir

    def v(pkg: str) -> str | None:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return None

    out = {"wsbench": __version__, "python": platform.python_version(), "platform": platform.platform(),
           **{p: v(p) for p in ("numpy", "scipy", "zarr", "xarray", "rich", "requests")},
           "cache_dir": str(cache_dir()), "catalog_dir": str(catalog_dir()), "bundled_dir": str(bundled_dir())}
    if as_json:
        print(json.dumps(out, indent=1))
    else:
        for k, val in out.items():
            print(visible(f"{k:12} {val}"))  # folders from the environment
