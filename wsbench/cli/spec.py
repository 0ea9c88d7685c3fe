"""The command line as data: every command, its arguments and options with their help texts, defaults and
choices. ``wsbench.cli.parser`` turns it into argparse parsers; ``wsbench.cli.commands`` holds one function per
command (its docstring is the command's help), called with one keyword per parameter (``Param.dest``).

Help texts are plain text, shown as written: ``[files]`` or ``{path, valid, problems: [...]}`` are not markup.
Standard library only, and no dataclasses (they import inspect): the table is read on every start.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Param(NamedTuple):
    """One argument or option. ``kind``: ``value`` (``--epoch TEXT``), ``flag`` (``--wide``: True when given),
    ``pair`` (``--over-seeds/--subnets-only``: True for the first, False for the second, else ``default``) or
    ``arg`` (positional)."""

    flags: tuple[str, ...]
    dest: str
    help: str
    type: type = str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    kind: str = "value"
    show_default: bool = True


class Command(NamedTuple):
    name: str
    func: str  #: the function of wsbench.cli.commands that runs it
    params: tuple[Param, ...]


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def opt(*flags: str, help: str, type: type = str, default: Any = None, required: bool = False,
        choices: tuple[str, ...] = (), dest: str | None = None) -> Param:
    """An option taking a value; ``dest`` defaults to the first flag (``--rng-seed`` -> ``rng_seed``)."""
    return Param(flags, dest or _dest(flags[0]), help, type, default, required, choices)


def flag(name: str, help: str, dest: str | None = None) -> Param:
    """An on/off option, off unless given."""
    return Param((name,), dest or _dest(name), help, bool, False, kind="flag")


def pair(on: str, off: str, help: str, default: bool | None, dest: str, show_default: bool = True) -> Param:
    """Two options that set one value: True (``on``) or False (``off``)."""
    return Param((on, off), dest, help, bool, default, kind="pair", show_default=show_default)


def arg(name: str, help: str, required: bool = True) -> Param:
    """A positional argument, shown as ``NAME``."""
    return Param((name,), name, help, str, None, required, kind="arg")


def default(p: Param, value: Any) -> Param:
    """``p`` with another default (a shared option whose default differs between commands)."""
    return p._replace(default=value)


TOP_HELP = "Query weight-sharing NAS benchmark datasets: how well does a supernet rank architectures?"

#: options of ``wsbench`` itself (before the command; ``--debug`` anywhere)
VERSION = flag("--version", "Print the version of wsbench and exit.")
DEBUG = flag("--debug", "Show the traceback of an internal error (exit code 3) instead of one line; also "
                        "WSBENCH_DEBUG=1. Accepted anywhere on the line.")

SPACE = opt("--space", "-s", help="Catalog dataset name (see `wsbench list`) or a store path.", required=True)
EPOCH = opt("--epoch", help="Recorded epoch(s): 'last', 'all', or e.g. '4' or '1,2,4'.", default="last")
SEED = opt("--seed", help="Supernet seed(s): 'all' or e.g. '0' or '0,2'.", default="all")
GT = opt("--gt", help="Ground-truth variable of the store.", default="gt_score")
CI = opt("--ci", help="Confidence level of a percentile interval, e.g. 0.95 (bootstrap over subnets; over trials "
                      "where there are several).", type=float)
BOOT = opt("--boot", help="Bootstrap resamples (with --ci).", type=int, default=1000)
TIES = opt("--ties", help="Ties in the score at a top-k cut: random (the exact expectation over uniformly random "
                          "tie-breaking; default) or store (the subnets stored first win a tie, which wsbench did "
                          "before ties were handled; for comparison).", default="random")
WIDE = flag("--wide", "Show every column (tables too wide for the terminal are split into parts) and the rows "
                      "behind the summary.")
SCORE = opt("--score", help="What ranks the subnets: supernet (default), loss (supernet_loss), finetune "
                            "(finetune_score: fine-tuned subnets only), params, flops, or proxy:NAME; `wsbench info` "
                            "lists the store's.", default="supernet")
DEDUPE = flag("--dedupe", "Merge subnets that compute one function (the store's function_id, or computed by the "
                          "space): one item per class, with the mean score and mean GT of its members.")
METHOD = opt("--method", help="One correlation method.", default="kendall")
RNG_BOOT = opt("--rng-seed", help="Seed of the bootstrap resamples.", type=int, default=0)
STORE = arg("space", "Catalog name or store path.")


def _json(what: str) -> Param:
    """The --json option of one command, saying what that command prints."""
    return flag("--json", f"Print JSON instead of a table: {what}", dest="as_json")


_RESULT = ("{stat, dataset, options (every default resolved), rows, summary, notes} (Result.to_dict(); NaN as "
           "null); ")
JSON_LIST = _json("a list of {name, space, dataset, scale, sizes, metric, where, file, title}, one per dataset.")
JSON_INFO = _json(_RESULT + "rows = the variables (name, dims, shape, dtype), summary = sizes and every attribute.")
JSON_CORRELATION = _json(_RESULT + "rows per (seed, epoch) with n and one value per method (and *_ci_low/high with "
                         "--ci); summary per epoch: *_mean, *_std over seeds (--ceiling: *_gt_vs_gt, *_ratio).")
JSON_TOPK = _json(_RESULT + "rows per (seed, epoch, k): best_gt, its top %, random baselines, p_random_at_least, "
                  "precision, ndcg, tie group, *_mc_se; summary per (epoch, k) over seeds.")
JSON_BIAS = _json(_RESULT + "--by params: rows per (seed, epoch) with the three taus; --by operator: rows per "
                  "(epoch, decision, op) with rank percentiles, gap and top-set shares; summary: flagged rows.")
JSON_PRUNE = _json(_RESULT + "rows per (seed, epoch, factor): remaining, mean/best GT, top-k best GT of the supernet "
                   "and of random, kendall (random mode: *_mc_se); summary per (epoch, factor) over seeds.")
JSON_STABILITY = _json(_RESULT + "rows per epoch pair (kind=epoch, per seed) and per seed pair (kind=seed, per "
                       "epoch); summary: mean/std per kind and epoch.")
JSON_BOTTOM_TOP = _json(_RESULT + "rows per (seed, epoch): n, k, p_bottom, p_top, p_random, p_diff, Kendall inside "
                        "the bottom and top, br, wr and their random baselines (*_ci_low/high with --ci); summary per "
                        "epoch over seeds.")
JSON_MEAN_SCORE = _json(_RESULT + "rows per (seed, epoch): n, mean, spread (std over subnets), median, q25, q75, min, "
                        "max of the score and mean_gt of the same subnets; summary per epoch: *_mean, *_std over "
                        "seeds.")
JSON_GT_NOISE = _json(_RESULT + "rows: duplicates (tau between two members of each function class, pairs = classes, "
                      "interval) and each pair of GT trainings where the store has them; summary: one row per "
                      "source.")
JSON_PAIRED = _json(_RESULT + "summary: a, b, n, seeds, <method>_a, <method>_b, delta, delta_ci_low/high, p_value, "
                    "verdict; rows per seed: both taus and delta on the same subnets.")
JSON_EVALUATE = _json(_RESULT + "summary: one row per ranking (the scores, the supernet at its best and last epoch, "
                      "its loss, sizes, proxies, random): kendall, spearman, best_gt@k, precision@k, p_bottom, p_top, "
                      "tau_params (*_mean, *_std over seeds); rows: each statistic's summary per ranking (ranking, "
                      "statistic, its columns).")
JSON_REPORT = _json("{dataset, format, written: [files], sections: {section: its finding or why it was skipped}}.")
JSON_EXPORT = _json("{dataset, format, written, rows, columns, notes}; with --out -, the data itself instead.")
JSON_VALIDATE = _json("{path, valid, problems: [every problem found]}; exit 1 if there is any.")
JSON_DOWNLOAD = _json("{name, path, sha256, verified}.")
JSON_ENV = _json("versions of wsbench, Python and its dependencies, and the cache, catalog and bundled folders.")

COMMANDS: tuple[Command, ...] = (
    Command("list", "list_cmd", (JSON_LIST, WIDE, flag(
        "--gt-tables", "List the ground-truth tables of whole spaces instead (what `wsbench evaluate --gt-table` "
                       "evaluates scores outside a dataset against): coverage, the datasets each serves, licence "
                       "and citation; --json: a list of them."))),
    Command("info", "info", (
        STORE, JSON_INFO,
        flag("--wide", "Every attribute in full (--json: as data)."),
        flag("--card", "Print the dataset card (Markdown, shipped in the wheel): how it was made and every measured "
                       "finding."))),
    Command("correlation", "correlation", (
        SPACE, EPOCH, SEED,
        opt("--method", help="Comma list of kendall, spearman, pearson, weighted.", default="kendall,spearman"),
        opt("--against", help="gt_score, another gt_score_<name>, gt_score_per_seed:N (one GT training), or "
                              "params/flops.", default="gt_score"),
        SCORE,
        opt("--weigh-by", help="weighted tau: both (symmetrised, scipy's default), supernet or gt (pairs weighed by "
                               "that ranking).", default="both"),
        CI, BOOT, RNG_BOOT,
        opt("--gt-resolution", help="Round the GT to multiples of this (metric units, e.g. 0.1) first: smaller "
                                    "differences count as ties.", type=float),
        opt("--within-top", help="Only the subnets in this top share of --against (the GT), e.g. 10%: how well the "
                                 "supernet orders the good ones."),
        flag("--ceiling", "Noise ceiling: the GT's own seed-to-seed value (from 2 or more GT trainings, or "
                          "simulated from a per-architecture GT std) and the summary's ratio to it (--ci: its "
                          "interval)."),
        DEDUPE, JSON_CORRELATION, WIDE)),
    Command("topk", "topk", (
        SPACE,
        opt("--k", help="Comma list of counts and/or percentages.", default="1,10,1%,10%"),
        EPOCH, SEED,
        opt("--samples", help="Subnets per sample (default min(1000, all)).", type=int),
        opt("--trials", help="Samples drawn (default 100, or 1 if all).", type=int),
        opt("--rng-seed", help="Seed of the sample draws.", type=int, default=0),
        GT, SCORE, TIES, CI, BOOT, DEDUPE, JSON_TOPK, WIDE)),
    Command("bias", "bias", (
        SPACE,
        opt("--by", help="params: model-size bias; operator: per-op bias.", default="params",
            choices=("params", "operator")),
        EPOCH, SEED,
        opt("--top", help="Top set for operator shares, as a percentage (--by operator).", default="10%"),
        opt("--flag", help="Flag the N largest supernet-GT gaps per epoch (--by operator).", type=int, default=3),
        GT, SCORE, TIES, CI, BOOT, RNG_BOOT, DEDUPE, JSON_BIAS, WIDE)),
    Command("prune", "prune", (
        SPACE,
        opt("--mode", help="Which subnets are removed: optimistic = the GT's worst (an oracle, the default), random, "
                           "supernet = the score's worst; with --source retrained, the runs read (default all).",
            choices=("optimistic", "random", "supernet", "all", "none")),
        opt("--factor", help="Comma list of fractions removed, each in [0, 1).",
            default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"),
        EPOCH, SEED,
        opt("--k", help="Top-k of what remains (count or percentage).", default="1%"),
        opt("--trials", help="Random draws averaged (random mode; default 20).", type=int),
        opt("--rng-seed", help="Seed of random pruning.", type=int, default=0),
        opt("--source", help="posthoc, or retrained (stores with a prune dimension).", default="posthoc",
            choices=("posthoc", "retrained")),
        GT, SCORE, TIES, DEDUPE, JSON_PRUNE, WIDE)),
    Command("stability", "stability", (
        SPACE, METHOD, default(EPOCH, "all"), SEED, SCORE, DEDUPE, JSON_STABILITY, WIDE)),
    Command("bottom-top", "bottom_top", (
        SPACE,
        opt("--k", help="The cut: a count (10) or a share of the subnets (10%).", default="10%"),
        opt("--within", help="Kendall tau inside the bottom and top this many (count or share).", default="10%"),
        EPOCH, SEED, GT, SCORE,
        opt("--within-by", help="Cut the Kendall subsets by gt (as correlation --within-top) or by estimator (Ning "
                                "et al.).", default="gt"),
        opt("--rounding", help="A share as a count: ceil (wsbench) or floor (Ning et al.'s int(N * ratio)).",
            default="ceil"),
        CI, BOOT, RNG_BOOT, DEDUPE, JSON_BOTTOM_TOP, WIDE)),
    Command("mean-score", "mean_score", (
        SPACE, default(EPOCH, "all"), SEED, SCORE, GT, DEDUPE, JSON_MEAN_SCORE, WIDE)),
    Command("gt-noise", "gt_noise", (
        SPACE, GT, METHOD,
        opt("--pairings", help="Random pairings of each class's members, averaged.", type=int, default=1),
        opt("--ci", help="Confidence level of the interval over classes.", type=float, default=0.95),
        BOOT,
        opt("--rng-seed", help="Seed of the pairings and the resamples.", type=int, default=0),
        JSON_GT_NOISE, WIDE)),
    Command("paired", "paired", (
        SPACE,
        opt("--a", help="One side: key=value items, keys epoch (default last), score (default supernet), against "
                        "(default gt_score); e.g. epoch=16.", required=True),
        opt("--b", help="The other side, e.g. epoch=32, score=proxy:synflow or against=params; the change is b - a.",
            required=True),
        SEED, METHOD,
        opt("--ci", help="Confidence level of the paired interval.", type=float, default=0.95),
        opt("--interval", help="jackknife (default: each subnet left out once, normal interval; fast) or bootstrap "
                               "(percentile interval of --boot paired resamples).", default="jackknife"),
        opt("--boot", help="Bootstrap resamples (--interval bootstrap; default 1000).", type=int),
        opt("--rng-seed", help="Seed of the bootstrap resamples (--interval bootstrap; default 0).", type=int),
        pair("--over-seeds", "--subnets-only", "Count the supernet seeds' spread too (default), or only the "
                                               "subnets' (the seeds held fixed).", default=True, dest="over_seeds"),
        DEDUPE, JSON_PAIRED, WIDE)),
    Command("evaluate", "evaluate", (
        arg("scores", "Your scores: a CSV, JSON or Parquet table with columns arch, score (or one named for its "
                      "metric: accuracy, error, perplexity, loss) and optionally epoch, seed."),
        SPACE,
        pair("--higher-is-better", "--lower-is-better", "Direction of the scores; required unless the score column's "
                                                        "name says it.", default=None, dest="higher_is_better",
             show_default=False),
        opt("--name", help="Label of your ranking in the output.", default="scores"),
        opt("--score-column", help="The column holding the scores when it is not called score, e.g. supernet_score "
                                   "of `wsbench export`'s table."),
        opt("--encoding", help="How the arch column is written: auto (by its form), canonical, or the space's own: "
                               "nb201 naslib; nb101 spec, naslib, hash; darts genotype, nb301; macro key "
                               "(docs/evaluate.md).", default="auto"),
        flag("--drop-unknown", "Leave out (and count) architectures the dataset does not hold, instead of an error."),
        opt("--k", help="Comma list of counts and/or percentages for top-k (default 1,10,1%,10%, counts above the "
                        "subnets scored left out)."),
        opt("--epoch", help="Epoch(s) of your scores: 'last', 'all', or e.g. '4' or '1,2,4'.", default="last"),
        opt("--seed", help="Seed(s) of your scores: 'all' or e.g. '0' or '0,2'.", default="all"),
        GT, TIES, CI, BOOT,
        opt("--rng-seed", help="Seed of the bootstrap resamples and top-k draws.", type=int, default=0),
        DEDUPE,
        opt("--gt-table", help="Ground truth for architectures outside the dataset: auto (the catalog's whole-space "
                               "table for the dataset, where one exists), none, or a table's name or path "
                               "(docs/evaluate.md).", default="auto"),
        opt("--out", help="Folder to write the report page of your estimator into (<name>-<dataset>-report.html; "
                          "needs matplotlib)."),
        JSON_EVALUATE, WIDE)),
    Command("report", "report", (
        arg("space", "Catalog name or store path (or use --compare).", required=False),
        opt("--compare", help="Comma list of datasets on the same axes, epoch as a fraction of each schedule "
                              "(instead of SPACE)."),
        opt("--out", help="File to write (default <dataset>-report.<format> here); replaced atomically."),
        opt("--format", help="html (one self-contained file) or md (PNGs beside it).", default="html", dest="fmt"),
        default(EPOCH, "all"), SEED, JSON_REPORT)),
    Command("export", "export", (
        STORE,
        opt("--format", help="csv, json (records) or parquet: the long table, one row per seed x epoch x subnet; "
                             "netcdf: the whole store as NetCDF 3 with flat attributes; naslib: NASLib's zero-cost "
                             "JSON layout (nb201, nb101, darts).", default="csv",
            choices=("csv", "json", "parquet", "netcdf", "naslib"), dest="fmt"),
        opt("--out", help="File to write (default <dataset>.csv, .json, .parquet, .nc or -naslib.json here; - for "
                          "stdout, text formats only); written atomically."),
        flag("--force", "Replace the file if it exists."),
        opt("--runs", help="A store with supernets retrained on pruned spaces (nb201-cifar10): control = the "
                           "supernets every statistic reads; all = every run, with columns prune, prune_mode "
                           "(csv, json, parquet).", default="control", choices=("control", "all")),
        JSON_EXPORT)),
    Command("validate", "validate", (
        arg("path", "Store folder or zip, or a catalog name (its local file)."), JSON_VALIDATE)),
    Command("download", "download", (arg("space", "Catalog dataset name."), JSON_DOWNLOAD)),
    Command("env", "env", (JSON_ENV,)),
)

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}
