"""``wsbench`` CLI. Exit codes: 0 ok, 1 user error (one line on stderr), 2 usage error, 3 internal error
(a bug: one line asking for a report; the traceback with ``--debug`` or ``WSBENCH_DEBUG=1``).

Heavy modules are imported inside commands so ``wsbench --help`` and
``wsbench list`` never load zarr, xarray or scipy.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer

from wsbench.escape import markup_escape, visible

#: help texts are plain text: ``[every problem found]`` or ``[files]`` are shown, not read as markup tags
_escape = markup_escape


def _opt(*decls: str, help: str | None = None, **kw: Any) -> Any:
    """``typer.Option`` with its help text escaped."""
    return typer.Option(*decls, help=None if help is None else _escape(help), **kw)


def _arg(*decls: str, help: str | None = None, **kw: Any) -> Any:
    """``typer.Argument`` with its help text escaped."""
    return typer.Argument(*decls, help=None if help is None else _escape(help), **kw)


app = typer.Typer(
    name="wsbench",
    help="Query weight-sharing NAS benchmark datasets: how well does a supernet rank architectures?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SpaceOpt = Annotated[str, _opt("--space", "-s", help="Catalog dataset name (see `wsbench list`) or a store path.")]
def _json(what: str) -> Any:
    """The --json option of one command, saying what that command prints."""
    return Annotated[bool, _opt("--json", help=f"Print JSON instead of a table: {what}")]


_RESULT = ("{stat, dataset, options (every default resolved), rows, summary, notes} (Result.to_dict(); NaN as "
           "null); ")
JsonList = _json("a list of {name, space, dataset, scale, sizes, metric, where, file, title}, one per dataset.")
JsonInfo = _json(_RESULT + "rows = the variables (name, dims, shape, dtype), summary = sizes and every attribute.")
JsonCorrelation = _json(_RESULT + "rows per (seed, epoch) with n and one value per method (and *_ci_low/high with "
                        "--ci); summary per epoch: *_mean, *_std over seeds (--ceiling: *_gt_vs_gt, *_ratio).")
JsonTopk = _json(_RESULT + "rows per (seed, epoch, k): best_gt, its top %, random baselines, p_random_at_least, "
                 "precision, ndcg, tie group, *_mc_se; summary per (epoch, k) over seeds.")
JsonBias = _json(_RESULT + "--by params: rows per (seed, epoch) with the three taus; --by operator: rows per "
                 "(epoch, decision, op) with rank percentiles, gap and top-set shares; summary: flagged rows.")
JsonPrune = _json(_RESULT + "rows per (seed, epoch, factor): remaining, mean/best GT, top-k best GT of the supernet "
                  "and of random, kendall (random mode: *_mc_se); summary per (epoch, factor) over seeds.")
JsonStability = _json(_RESULT + "rows per epoch pair (kind=epoch, per seed) and per seed pair (kind=seed, per epoch); "
                      "summary: mean/std per kind and epoch.")
JsonBottomTop = _json(_RESULT + "rows per (seed, epoch): n, k, p_bottom, p_top, p_random, p_diff, Kendall inside the "
                      "bottom and top, br, wr and their random baselines (*_ci_low/high with --ci); summary per "
                      "epoch over seeds.")
JsonMeanScore = _json(_RESULT + "rows per (seed, epoch): n, mean, spread (std over subnets), median, q25, q75, min, "
                      "max of the score and mean_gt of the same subnets; summary per epoch: *_mean, *_std over seeds.")
JsonGtNoise = _json(_RESULT + "rows: duplicates (tau between two members of each function class, pairs = classes, "
                    "interval) and each pair of GT trainings where the store has them; summary: one row per source.")
JsonPaired = _json(_RESULT + "summary: a, b, n, seeds, <method>_a, <method>_b, delta, delta_ci_low/high, p_value, "
                   "verdict; rows per seed: both taus and delta on the same subnets.")
JsonReport = _json("{dataset, format, written: [files], sections: {section: its finding or why it was skipped}}.")
JsonExport = _json("{dataset, format, written, rows, columns, notes}; with --out -, the data itself instead.")
JsonValidate = _json("{path, valid, problems: [every problem found]}; exit 1 if there is any.")
JsonDownload = _json("{name, path, sha256, verified}.")
JsonEnv = _json("versions of wsbench, Python and its dependencies, and the cache, catalog and bundled folders.")
EpochOpt = Annotated[str, _opt(help="Recorded epoch(s): 'last', 'all', or e.g. '4' or '1,2,4'.")]
SeedOpt = Annotated[str, _opt(help="Supernet seed(s): 'all' or e.g. '0' or '0,2'.")]
GtOpt = Annotated[str, _opt(help="Ground-truth variable of the store.")]
CiOpt = Annotated[float | None, _opt(help="Confidence level of a percentile interval, e.g. 0.95 "
                                           "(bootstrap over subnets; over trials where there are several).")]
BootOpt = Annotated[int, _opt(help="Bootstrap resamples (with --ci).")]
TiesOpt = Annotated[str, _opt(help="Ties in the score at a top-k cut: random (the exact expectation over "
                                     "uniformly random tie-breaking; default) or store (the subnets stored first "
                                     "win a tie, which wsbench did before ties were handled; for comparison).")]
WideOpt = Annotated[bool, _opt("--wide", help="Show every column (tables too wide for the terminal are split into "
                                               "parts) and the rows behind the summary.")]
ScoreOpt = Annotated[str, _opt(help="What ranks the subnets: supernet (default), loss (supernet_loss), "
                                     "finetune (finetune_score: fine-tuned subnets only), params, flops, or "
                                     "proxy:NAME; `wsbench info` lists the store's.")]
DedupeOpt = Annotated[bool, _opt("--dedupe", help="Merge subnets that compute one function (the store's function_id, "
                                                  "or computed by the space): one item per class, with the mean "
                                                  "score and mean GT of its members.")]


class By(str, Enum):
    params = "params"
    operator = "operator"


class Mode(str, Enum):
    optimistic = "optimistic"
    random = "random"
    supernet = "supernet"
    all = "all"  # retrained stores: every run
    none = "none"  # retrained stores: the control run


class Source(str, Enum):
    posthoc = "posthoc"
    retrained = "retrained"


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"
    parquet = "parquet"
    netcdf = "netcdf"
    naslib = "naslib"


def _fail(message: str) -> None:
    from rich.console import Console
    from rich.text import Text

    # the message is plain text that may quote data (names, paths, attributes): brackets in it (pip extras, lists,
    # [/x], [link=...]) are not markup, control characters are shown as \xNN
    Console(stderr=True, highlight=False, soft_wrap=True, emoji=False).print(
        Text.assemble(("error:", "red"), " ", visible(message)))
    raise typer.Exit(1)


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


@app.command("list")
def list_cmd(as_json: JsonList = False, wide: WideOpt = False) -> None:
    """List the datasets of the catalog: bundled, cached or remote, and the local file when there is one."""
    from wsbench.errors import WsbenchError

    try:
        from wsbench.catalog import read_catalog
        from wsbench.fetch import locate, where

        entries, problems = read_catalog()
    except WsbenchError as e:
        _fail(str(e))
        return
    from rich.console import Console
    from rich.text import Text

    warn = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
    for p in problems:  # the broken entries are named; the good ones are still listed
        warn.print(Text.assemble(("warning:", "yellow"), " ", visible(f"catalog entry skipped: {p}")))
    rows = []
    for e in entries.values():
        found = locate(e)
        rows.append({"name": e.name, "space": e.space, "dataset": e.dataset, "scale": e.scale, **e.sizes,
                     "metric": e.metric, "where": where(e, found), "file": str(found) if found else None,
                     "title": e.title})
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
        return
    if not rows:
        Console().print("The catalog lists no datasets yet. Any store can be queried by path: "
                        "wsbench topk --space PATH.zip")
        return
    from wsbench.cli.render import tables

    # title and dataset are in --json and `wsbench info NAME`; the file path with --wide
    console = _console()
    ts, left_out = tables("wsbench datasets", [{k: v for k, v in r.items() if k not in ("title", "dataset")}
                                               for r in rows], console.width, wide=wide, wide_only=("scale", "file"),
                               first=("where",))
    for t in ts:
        console.print(t)
    if left_out:
        console.print(visible(f"not shown: {', '.join(left_out)} (--wide, or --json)"), style="dim", markup=False)


@app.command()
def info(space: Annotated[str, _arg(help="Catalog name or store path.")], as_json: JsonInfo = False,
         wide: Annotated[bool, _opt("--wide", help="Every attribute in full (--json: as data).")] = False,
         card: Annotated[bool, _opt("--card", help="Print the dataset card (Markdown, shipped in the wheel): "
                                                   "how it was made and every measured finding.")] = False) -> None:
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


@app.command()
def correlation(space: SpaceOpt, epoch: EpochOpt = "last", seed: SeedOpt = "all",
                method: Annotated[str, _opt(help="Comma list of kendall, spearman, pearson, weighted.")]
                = "kendall,spearman",
                against: Annotated[str, _opt(help="gt_score, another gt_score_<name>, gt_score_per_seed:N (one "
                                                  "GT training), or params/flops.")]
                = "gt_score", score: ScoreOpt = "supernet",
                weigh_by: Annotated[str, _opt(help="weighted tau: both (symmetrised, scipy's default), "
                                                           "supernet or gt (pairs weighed by that ranking).")]
                = "both",
                ci: CiOpt = None, boot: BootOpt = 1000,
                rng_seed: Annotated[int, _opt(help="Seed of the bootstrap resamples.")] = 0,
                gt_resolution: Annotated[float | None, _opt(
                    help="Round the GT to multiples of this (metric units, e.g. 0.1) first: smaller differences "
                         "count as ties.")] = None,
                within_top: Annotated[str | None, _opt(
                    help="Only the subnets in this top share of --against (the GT), e.g. 10%: how well the "
                         "supernet orders the good ones.")] = None,
                ceiling: Annotated[bool, _opt("--ceiling", help="Noise ceiling (stores with 2 or more GT "
                                                                "trainings): the GT's own seed-to-seed value and the "
                                                                "summary's ratio to it (--ci: its interval).")]
                = False,
                dedupe: DedupeOpt = False, as_json: JsonCorrelation = False, wide: WideOpt = False) -> None:
    """Rank correlation between supernet scores and ground truth, per seed and epoch."""
    extra = {"ceiling": True} if ceiling else {}  # as given: the default call is the one it always was
    _stat(space, "correlation", as_json, wide, epoch=epoch, seed=seed, method=method, against=against, score=score,
          weigh_by=weigh_by, ci=ci, boot=boot, rng_seed=rng_seed, gt_resolution=gt_resolution,
          within_top=within_top, **extra, dedupe=dedupe)


@app.command()
def topk(space: SpaceOpt, k: Annotated[str, _opt(help="Comma list of counts and/or percentages.")] = "1,10,1%,10%",
         epoch: EpochOpt = "last", seed: SeedOpt = "all",
         samples: Annotated[int | None, _opt(help="Subnets per sample (default min(1000, all)).")] = None,
         trials: Annotated[int | None, _opt(help="Samples drawn (default 100, or 1 if all).")] = None,
         rng_seed: Annotated[int, _opt(help="Seed of the sample draws.")] = 0,
         gt: GtOpt = "gt_score", score: ScoreOpt = "supernet", ties: TiesOpt = "random",
         ci: CiOpt = None, boot: BootOpt = 1000,
         dedupe: DedupeOpt = False, as_json: JsonTopk = False, wide: WideOpt = False) -> None:
    """Best ground truth among the supernet's top-k, against k random subnets."""
    _stat(space, "topk", as_json, wide, k=k, epoch=epoch, seed=seed, samples=samples, trials=trials, rng_seed=rng_seed, gt=gt,
          score=score, ties=ties, ci=ci, boot=boot, dedupe=dedupe)


@app.command()
def bias(space: SpaceOpt, by: Annotated[By, _opt(help="params: model-size bias; operator: per-op bias.")] = By.params,
         epoch: EpochOpt = "last", seed: SeedOpt = "all",
         top: Annotated[str, _opt(help="Top set for operator shares, as a percentage (--by operator).")]
         = "10%",
         flag: Annotated[int, _opt(help="Flag the N largest supernet-GT gaps per epoch (--by operator).")]
         = 3,
         gt: GtOpt = "gt_score", score: ScoreOpt = "supernet", ties: TiesOpt = "random",
         ci: CiOpt = None, boot: BootOpt = 1000,
         rng_seed: Annotated[int, _opt(help="Seed of the bootstrap resamples.")] = 0,
         dedupe: DedupeOpt = False, as_json: JsonBias = False, wide: WideOpt = False) -> None:
    """Is the supernet biased towards big models or certain operators?"""
    _stat(space, "bias", as_json, wide, by=by.value, epoch=epoch, seed=seed, gt=gt, top=top,  # top checked either way
          flag=flag, score=score, ties=ties, ci=ci, boot=boot, rng_seed=rng_seed, dedupe=dedupe)


@app.command()
def prune(space: SpaceOpt, mode: Annotated[Mode | None, _opt(help="Which subnets are removed: optimistic = the GT's worst (an oracle; the posthoc default), random, supernet = the score's worst; retrained: the runs of that mode, all (default) or none (the control).", show_default=False)] = None,
          factor: Annotated[str, _opt(help="Comma list of fractions removed, each in [0, 1).")]
          = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9",
          epoch: EpochOpt = "last", seed: SeedOpt = "all",
          k: Annotated[str, _opt(help="Top-k of what remains (count or percentage).")] = "1%",
          trials: Annotated[int | None, _opt(help="Random draws averaged (random mode; default 20).")] = None,
          rng_seed: Annotated[int, _opt(help="Seed of random pruning.")] = 0,
          source: Annotated[Source, _opt(help="posthoc, or retrained (stores with a prune dimension).")]
          = Source.posthoc,
          gt: GtOpt = "gt_score", score: ScoreOpt = "supernet", ties: TiesOpt = "random",
          dedupe: DedupeOpt = False, as_json: JsonPrune = False, wide: WideOpt = False) -> None:
    """Does pruning the space help the supernet find better architectures?"""
    _stat(space, "prune", as_json, wide, mode=mode.value if mode is not None else None, factor=factor, epoch=epoch, seed=seed, k=k, trials=trials,
          rng_seed=rng_seed, source=source.value, gt=gt, score=score, ties=ties, dedupe=dedupe)


@app.command()
def stability(space: SpaceOpt, method: Annotated[str, _opt(help="One correlation method.")] = "kendall",
              epoch: EpochOpt = "all", seed: SeedOpt = "all", score: ScoreOpt = "supernet",
              dedupe: DedupeOpt = False, as_json: JsonStability = False, wide: WideOpt = False) -> None:
    """Agreement of supernet rankings between consecutive epochs and between seeds."""
    _stat(space, "stability", as_json, wide, method=method, epoch=epoch, seed=seed, score=score, dedupe=dedupe)


@app.command("bottom-top")
def bottom_top(space: SpaceOpt,
               k: Annotated[str, _opt(help="The cut: a count (10) or a share of the subnets (10%).")] = "10%",
               within: Annotated[str, _opt(help="Kendall tau inside the bottom and top this many (count or "
                                                "share).")] = "10%",
               epoch: EpochOpt = "last", seed: SeedOpt = "all", gt: GtOpt = "gt_score", score: ScoreOpt = "supernet",
               within_by: Annotated[str, _opt(help="Cut the Kendall subsets by gt (as correlation --within-top) or "
                                                   "by estimator (Ning et al.).")] = "gt",
               rounding: Annotated[str, _opt(help="A share as a count: ceil (wsbench) or floor (Ning et al.'s "
                                                  "int(N * ratio)).")] = "ceil",
               ci: CiOpt = None, boot: BootOpt = 1000,
               rng_seed: Annotated[int, _opt(help="Seed of the bootstrap resamples.")] = 0,
               dedupe: DedupeOpt = False, as_json: JsonBottomTop = False, wide: WideOpt = False) -> None:
    """Is the ranking better at spotting bad subnets than good ones? P@bottom-k vs P@top-k, BR@k, WR@k."""
    _stat(space, "bottomtop", as_json, wide, k=k, within=within, epoch=epoch, seed=seed, gt=gt, score=score,
          within_by=within_by, rounding=rounding, ci=ci, boot=boot, rng_seed=rng_seed, dedupe=dedupe)


@app.command("mean-score")
def mean_score(space: SpaceOpt, epoch: EpochOpt = "all", seed: SeedOpt = "all", score: ScoreOpt = "supernet",
               gt: GtOpt = "gt_score", dedupe: DedupeOpt = False, as_json: JsonMeanScore = False, wide: WideOpt = False) -> None:
    """Mean and spread of the score over subnets per epoch, beside the mean ground truth: does the supernet train?"""
    _stat(space, "meanscore", as_json, wide, epoch=epoch, seed=seed, score=score, gt=gt, dedupe=dedupe)


@app.command("gt-noise")
def gt_noise(space: SpaceOpt, gt: GtOpt = "gt_score",
             method: Annotated[str, _opt(help="One correlation method.")] = "kendall",
             pairings: Annotated[int, _opt(help="Random pairings of each class's members, averaged.")] = 1,
             ci: Annotated[float | None, _opt(help="Confidence level of the interval over classes.")] = 0.95,
             boot: BootOpt = 1000,
             rng_seed: Annotated[int, _opt(help="Seed of the pairings and the resamples.")] = 0,
             as_json: JsonGtNoise = False, wide: WideOpt = False) -> None:
    """The ground truth's own noise: tau between duplicates (subnets of one function), beside its GT trainings."""
    _stat(space, "gtnoise", as_json, wide, gt=gt, method=method, pairings=pairings, ci=ci, boot=boot,
          rng_seed=rng_seed)


@app.command()
def paired(space: SpaceOpt,
           a: Annotated[str, _opt("--a", help="One side: key=value items, keys epoch (default last), score "
                                              "(default supernet), against (default gt_score); e.g. epoch=16.")],
           b: Annotated[str, _opt("--b", help="The other side, e.g. epoch=32, score=proxy:synflow or "
                                              "against=params; the change is b - a.")],
           seed: SeedOpt = "all", method: Annotated[str, _opt(help="One correlation method.")] = "kendall",
           ci: Annotated[float, _opt(help="Confidence level of the paired interval.")] = 0.95,
           interval: Annotated[str, _opt(help="jackknife (default: each subnet left out once, normal interval; "
                                              "fast) or bootstrap (percentile interval of --boot paired "
                                              "resamples).")] = "jackknife",
           boot: Annotated[int | None, _opt(help="Bootstrap resamples (--interval bootstrap; default 1000).")] = None,
           rng_seed: Annotated[int | None, _opt(help="Seed of the bootstrap resamples (--interval bootstrap; "
                                                     "default 0).")] = None,
           over_seeds: Annotated[bool, _opt("--over-seeds/--subnets-only",
                                            help="Count the supernet seeds' spread too (default), or only the "
                                                 "subnets' (the seeds held fixed).")] = True,
           dedupe: DedupeOpt = False, as_json: JsonPaired = False, wide: WideOpt = False) -> None:
    """Did tau change from a to b? A paired interval over the same subnets: two epochs, two scores, two pairs."""
    _stat(space, "paired", as_json, wide, a=a, b=b, seed=seed, method=method, ci=ci, interval=interval, boot=boot,
          rng_seed=rng_seed,
          over_seeds=over_seeds, dedupe=dedupe)


JsonEvaluate = _json(_RESULT + "summary: one row per ranking (the scores, the supernet at its best and last epoch, "
                     "its loss, sizes, proxies, random): kendall, spearman, best_gt@k, precision@k, p_bottom, p_top, "
                     "tau_params (*_mean, *_std over seeds); rows: each statistic's summary per ranking (ranking, "
                     "statistic, its columns).")


@app.command()
def evaluate(scores: Annotated[str, _arg(help="Your scores: a CSV, JSON or Parquet table with columns arch, score "
                                              "(or one named for its metric: accuracy, error, perplexity, loss) "
                                              "and optionally epoch, seed.")],
             space: SpaceOpt,
             higher_is_better: Annotated[bool | None, _opt("--higher-is-better/--lower-is-better",
                                                           help="Direction of the scores; required unless the score "
                                                                "column's name says it.", show_default=False)] = None,
             name: Annotated[str, _opt(help="Label of your ranking in the output.")] = "scores",
             score_column: Annotated[str | None, _opt(help="The column holding the scores when it is not called "
                                                          "score, e.g. supernet_score of `wsbench export`'s "
                                                          "table.")] = None,
             encoding: Annotated[str, _opt(help="How the arch column is written: auto (by its form), canonical, or "
                                                "the space's own: nb201 naslib; nb101 spec, naslib, hash; darts "
                                                "genotype, nb301; macro key (docs/evaluate.md).")] = "auto",
             drop_unknown: Annotated[bool, _opt("--drop-unknown", help="Leave out (and count) architectures the "
                                                                       "dataset does not hold, instead of an "
                                                                       "error.")] = False,
             k: Annotated[str | None, _opt(help="Comma list of counts and/or percentages for top-k (default "
                                                "1,10,1%,10%, counts above the subnets scored left out).")] = None,
             epoch: Annotated[str, _opt(help="Epoch(s) of your scores: 'last', 'all', or e.g. '4' or '1,2,4'.")]
             = "last",
             seed: Annotated[str, _opt(help="Seed(s) of your scores: 'all' or e.g. '0' or '0,2'.")] = "all",
             gt: GtOpt = "gt_score", ties: TiesOpt = "random", ci: CiOpt = None, boot: BootOpt = 1000,
             rng_seed: Annotated[int, _opt(help="Seed of the bootstrap resamples and top-k draws.")] = 0,
             dedupe: DedupeOpt = False,
             gt_table: Annotated[str, _opt(help="Ground truth for architectures outside the dataset: auto (the "
                                                "catalog's whole-space table for the dataset, where one exists), "
                                                "none, or a table's name or path (docs/evaluate.md).")] = "auto",
             out: Annotated[str | None, _opt(help="Folder to write the report page of your estimator into "
                                                  "(<name>-<dataset>-report.html; needs matplotlib).")] = None,
             as_json: JsonEvaluate = False, wide: WideOpt = False) -> None:
    """Your own ranking (a supernet, predictor or proxy) against the ground truth, beside the dataset's own
    rankings on exactly the same subnets; architectures outside the dataset against the space's ground-truth
    table."""

    def make() -> Any:
        from wsbench.evaluation import evaluate as run

        return run(scores, space, higher_is_better=higher_is_better, name=name, score_column=score_column,
                   encoding=encoding,
                   drop_unknown=drop_unknown, k=k, epoch=epoch, seed=seed, gt=gt, ties=ties, ci=ci, boot=boot,
                   rng_seed=rng_seed, dedupe=dedupe, gt_table=gt_table, out=out)

    _emit(as_json, make, wide)


@app.command()
def report(space: Annotated[str | None, _arg(help="Catalog name or store path (or use --compare).")] = None,
           compare: Annotated[str | None, _opt(help="Comma list of datasets on the same axes, epoch as a "
                                                           "fraction of each schedule (instead of SPACE).")] = None,
           out: Annotated[str | None, _opt(help="File to write (default <dataset>-report.<format> here); "
                                                       "replaced atomically.")] = None,
           fmt: Annotated[str, _opt("--format", help="html (one self-contained file) or md (PNGs "
                                                             "beside it).")] = "html",
           epoch: EpochOpt = "all", seed: SeedOpt = "all", as_json: JsonReport = False) -> None:
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
        typer.echo(f"wrote {visible(path)}")
    for key, finding in res["sections"].items():  # findings quote data (decision and proxy names)
        typer.echo(textwrap.fill(visible(f"{key}: {finding}"), width, initial_indent="  ", subsequent_indent="    ",
                                 break_long_words=False, break_on_hyphens=False))


@app.command()
def export(space: Annotated[str, _arg(help="Catalog name or store path.")],
           fmt: Annotated[ExportFormat, _opt("--format", help="csv, json (records) or parquet: the long table, one "
                                                             "row per seed x epoch x subnet; netcdf: the whole store "
                                                             "as NetCDF 3 with flat attributes; naslib: NASLib's "
                                                             "zero-cost JSON layout (nb201, nb101, darts).")]
           = ExportFormat.csv,
           out: Annotated[str | None, _opt(help="File to write (default <dataset>.csv, .json, .parquet, .nc or "
                                                "-naslib.json here; - for stdout, text formats only); written "
                                                "atomically.")] = None,
           force: Annotated[bool, _opt("--force", help="Replace the file if it exists.")] = False,
           as_json: JsonExport = False) -> None:
    """A dataset as a file pandas, R, xarray or NASLib read: docs/schema.md says what each column is."""
    from wsbench.errors import WsbenchError

    try:
        from wsbench.export import write

        res = write(space, fmt.value, out, force=force)
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
    typer.echo(visible(f"wrote {res['written']} ({res['format']}, {size})"))
    for note in res["notes"]:
        typer.echo(visible(f"  {note}"))


@app.command()
def validate(path: Annotated[str, _arg(help="Store folder or zip, or a catalog name (its local file).")],
             as_json: JsonValidate = False) -> None:
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
        typer.echo(f"{visible(path)}: valid (schema v1)")
    if problems:
        raise typer.Exit(1)


@app.command()
def download(space: Annotated[str, _arg(help="Catalog dataset name.")], as_json: JsonDownload = False) -> None:
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
    typer.echo(json.dumps(out, indent=1) if as_json else visible(f"{space}: {path} (sha256 verified)"))


@app.command()
def env(as_json: JsonEnv = False) -> None:
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
           **{p: v(p) for p in ("numpy", "scipy", "zarr", "xarray", "typer", "requests")},
           "cache_dir": str(cache_dir()), "catalog_dir": str(catalog_dir()), "bundled_dir": str(bundled_dir())}
    if as_json:
        typer.echo(json.dumps(out, indent=1))
    else:
        for k, val in out.items():
            typer.echo(visible(f"{k:12} {val}"))  # folders from the environment


def _version(value: bool) -> None:
    if value:
        from wsbench import __version__

        typer.echo(f"wsbench {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, _opt("--version", callback=_version, is_eager=True,
                                           help="Print the version of wsbench and exit.")] = False,
             debug: Annotated[bool, _opt("--debug", help="Show the traceback of an internal error (exit code 3) "
                                                         "instead of one line; also WSBENCH_DEBUG=1. Accepted "
                                                         "anywhere on the line.")] = False) -> None:
    import os

    if debug:
        os.environ["WSBENCH_DEBUG"] = "1"


def _escape_docstrings() -> None:
    """Command help comes from docstrings: escape them like the option help texts."""
    import inspect

    for cmd in app.registered_commands:
        cmd.help = _escape(cmd.help or inspect.getdoc(cmd.callback) or "")


_escape_docstrings()

INTERNAL_ERROR = 3


def main() -> None:
    import os

    argv = sys.argv[1:]
    if "--debug" in argv:  # anywhere on the line: the traceback of an internal error is shown
        argv.remove("--debug")
        os.environ["WSBENCH_DEBUG"] = "1"
    try:
        app(args=argv, prog_name="wsbench")
    except MemoryError:
        from wsbench.reader import human
        from wsbench.stats.options import MEMORY_BUDGET

        # asked for less than the budget, but more than this machine (or its ulimit -v) gives
        sys.stderr.write(f"error: out of memory: this machine gave less than the command asked for (wsbench checks "
                         f"requests against a budget of {human(MEMORY_BUDGET)}); ask for fewer resamples (--boot), "
                         "trials or samples, or run it where more memory is free\n")
        sys.exit(1)
    except Exception as e:
        if os.environ.get("WSBENCH_DEBUG") == "1":
            raise
        # the message may quote data (a name, a path): its control characters shown, not sent
        sys.stderr.write(f"internal error: {type(e).__name__}: {visible(str(e)[:300])} -- this is a wsbench bug; "
                         "please report it with the command line (rerun with --debug for the traceback)\n")
        sys.exit(INTERNAL_ERROR)


if __name__ == "__main__":
    main()
