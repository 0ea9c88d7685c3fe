"""``wsbench evaluate``: a user's own ranking (a supernet, a predictor, a zero-cost proxy) against a dataset's ground
truth, beside the dataset's own rankings, on exactly the same subnets.

The scores are read (:mod:`wsbench.evaluation.reading`), their architectures mapped to the store's subnets in any
encoding of the space (:mod:`wsbench.encodings`), and the statistics run through the same modules and the same
code as every other command, on a view of the store (:mod:`wsbench.evaluation.view`) where the user's ranking is one
more score. Evaluating a dataset's own supernet scores this way gives exactly ``wsbench correlation``'s and
``wsbench topk``'s numbers (tests/test_evaluate.py).
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from wsbench.errors import OptionError
from wsbench.evaluation.reading import Scores, ScoresError, direction_of, read_scores
from wsbench.result import Result

__all__ = ["ScoresError", "evaluate"]

DEFAULT_K = ("1", "10", "1%", "10%")
SHOWN = 5  # offenders named in an error
#: prefix of the notes that come from the statistics' own tables (the text output shows them with --wide)
STAT_NOTE = "statistics: "


def _offenders(positions: list[int], s: Scores) -> str:
    return "; ".join(f"row {i + 1}: {str(s.arch[i])[:120]!r}" for i in positions[:SHOWN]) + (
        f"; … {len(positions) - SHOWN} more" if len(positions) > SHOWN else "")


#: spaces whose canonical string is ``format`` of the op choices (``choices_of(parse(a)) == parse(a)``)
FROM_CHOICE = ("nb201", "macro")


def store_strings(bench: Any) -> list[str]:
    """The store's canonical strings. In nb201 and macro they are ``format(choice row)`` (``wsbench validate``
    checks that every ``choice`` row matches its ``arch_string``), built from ``choice``, read at open, instead of
    decoding the zstd-compressed strings (numcodecs' import alone is ~60 ms of a cold start)."""
    from wsbench.spaces import get_space

    name = str(bench.attrs["space"])
    if name in FROM_CHOICE:
        sp = get_space(name)
        return [sp.format(tuple(row)) for row in bench.arch_values("choice").tolist()]
    return [str(a) for a in bench.arch_values("arch_string")]


def _map_rows(s: Scores, space: str, known: list[str], encoding: str, drop_unknown: bool,
              where: str, index: dict[str, int] | None = None) -> tuple[np.ndarray, int, list[str]]:
    """(index of each row into ``known``, canonical strings, -1 for dropped rows; rows dropped; notes). Unknown and
    invalid architectures are one error each with counts and the first offenders (``drop_unknown``: unknown ones
    are dropped and counted). ``where``: what ``known`` is, for the messages ("subnets of X, which holds N")."""
    from wsbench.encodings import encodings, resolve

    allowed = ("auto", *encodings(space))
    if encoding not in allowed:
        raise OptionError(f"encoding {encoding!r} is not one of the {space} space's: {', '.join(allowed)}")
    idx, invalid = resolve(space, s.arch, known, encoding, index)
    if invalid:
        raise ScoresError(f"{s.source}: {len(invalid)} of {len(s)} rows hold no {space} architecture in encoding "
                          f"{encoding} ({_offenders(invalid, s)}); accepted: {', '.join(encodings(space))} "
                          "(docs/evaluate.md)")
    rows = np.asarray(idx, dtype=np.intp)
    unknown = np.flatnonzero(rows < 0).tolist()
    notes = []
    if unknown and not drop_unknown:
        archs = len({str(s.arch[i]) for i in unknown})
        raise ScoresError(f"{s.source}: {len(unknown)} of {len(s)} rows ({archs} architectures) are not {where} "
                          f"({_offenders(unknown, s)}); --drop-unknown evaluates the others")
    if unknown:
        notes.append(f"--drop-unknown: {len(unknown)} of {len(s)} rows ({len({str(s.arch[i]) for i in unknown})} "
                     f"architectures) are not {where.split(', which')[0]} and were dropped")
        if len(unknown) == len(s):
            raise ScoresError(f"{s.source}: none of the {len(s)} rows is known ({where}): nothing to evaluate")
    return rows, len(unknown), notes


def _values(s: Scores, rows: np.ndarray, direction: str) -> tuple[np.ndarray, dict[tuple[int, int], np.ndarray], list[str]]:
    """(sorted store indices scored, goodness per (seed, epoch) over them, notes); a repeated architecture at one
    (seed, epoch) with different scores is an error."""
    keep = rows >= 0
    seeds = np.asarray(s.seed if s.seed is not None else [0] * len(s))[keep]
    epochs = np.asarray(s.epoch if s.epoch is not None else [0] * len(s))[keep]
    score = np.asarray(s.score, dtype=np.float64)[keep]
    where = np.flatnonzero(keep)
    r = rows[keep]
    # return_inverse: numpy 2.x's plain np.unique(a) checks np.ma.is_masked(a), importing numpy.ma (~10 ms cold)
    idx, col = np.unique(r, return_inverse=True)
    col = col.reshape(-1)
    notes = []
    order = np.lexsort((col, epochs, seeds))
    key = np.stack([seeds[order], epochs[order], col[order]])
    same = np.all(key[:, 1:] == key[:, :-1], axis=0)
    if same.any():
        a, b = order[:-1][same], order[1:][same]
        differ = score[a] != score[b]
        if differ.any():
            first = [(int(where[i]), int(where[j])) for i, j in zip(a[differ], b[differ])][:SHOWN]
            shown = "; ".join(f"rows {i + 1} and {j + 1} ({str(s.arch[i])[:60]!r}: {s.score[i]:g} vs {s.score[j]:g})"
                              for i, j in first)
            raise ScoresError(f"{s.source}: {int(differ.sum())} architecture(s) scored twice with different scores at "
                              f"one epoch and seed ({shown}); two spellings of one architecture count as the same. "
                              "Keep one score each, or give the runs distinct epoch/seed values")
        notes.append(f"{int(same.sum())} repeated row(s) (one architecture, same epoch, seed and score, possibly "
                     "spelled differently) counted once")
    sign = 1.0 if direction == "max" else -1.0
    values: dict[tuple[int, int], np.ndarray] = {}
    for sd, ep in sorted(set(zip(seeds.tolist(), epochs.tolist()))):
        v = np.full(len(idx), np.nan)
        at = (seeds == sd) & (epochs == ep)
        v[col[at]] = sign * score[at]
        values[(int(sd), int(ep))] = v
    partial = [k for k, v in values.items() if np.isnan(v).any()]
    if partial:
        notes.append(f"{len(partial)} of {len(values)} (seed, epoch) checkpoints score only some of the {len(idx)} "
                     "subnets: each statistic uses those with a score there (n per row)")
    return idx, values, notes


def _summary_row(label: str, shown_epoch: Any, c: Any, t: Any, bt: Any, cp: Any, with_ci: bool) -> dict[str, Any]:
    """One ranking's line of the side-by-side table, from its statistics' tables (the last epoch of each)."""
    cs = c.summary[-1]
    row: dict[str, Any] = {"ranking": label, "epoch": shown_epoch, "n": int(min(r["n"] for r in c.rows)),
                           "kendall_mean": cs["kendall_mean"], "kendall_std": cs["kendall_std"],
                           "spearman_mean": cs["spearman_mean"], "spearman_std": cs["spearman_std"]}
    if with_ci:  # the interval of the mean over seeds (the same resamples of the subnets for each)
        for m in ("kendall", "spearman"):
            row[f"{m}_ci_low"], row[f"{m}_ci_high"] = cs[f"{m}_ci_low"], cs[f"{m}_ci_high"]
    last = [r for r in t.summary if r["epoch"] == cs["epoch"]]
    for r in last:
        row[f"best_gt@{r['k']}_mean"], row[f"best_gt@{r['k']}_std"] = r["best_gt_mean"], r["best_gt_std"]
    for r in last:
        row[f"precision@{r['k']}_mean"], row[f"precision@{r['k']}_std"] = r["precision_mean"], r["precision_std"]
    b = bt.summary[-1]
    row["p_bottom_mean"], row["p_bottom_std"] = b["p_bottom_mean"], b["p_bottom_std"]
    row["p_top_mean"], row["p_top_std"] = b["p_top_mean"], b["p_top_std"]
    if cp is not None:
        row["tau_params_mean"], row["tau_params_std"] = cp.summary[-1]["kendall_mean"], cp.summary[-1]["kendall_std"]
    return row


def _random_row(row: dict[str, Any], t: Any, bt: Any, with_ci: bool) -> dict[str, Any]:
    """The line of a uniformly random ranking of the same subnets: the exact expectations the statistics give."""
    nan = math.nan
    last = [r for r in t.summary if r["epoch"] == t.summary[-1]["epoch"]]
    b = bt.summary[-1]
    rnd: dict[str, Any] = {"ranking": row["ranking"], "epoch": None, "n": row["n"], "kendall_mean": 0.0,
                           "kendall_std": nan, "spearman_mean": 0.0, "spearman_std": nan}
    if with_ci:  # an exact expectation: no interval
        rnd.update(kendall_ci_low=nan, kendall_ci_high=nan, spearman_ci_low=nan, spearman_ci_high=nan)
    rnd.update({f"best_gt@{r['k']}_mean": r["random_best_gt"] for r in last})
    rnd.update({f"best_gt@{r['k']}_std": nan for r in last})
    rnd.update({f"precision@{r['k']}_mean": r["random_precision"] for r in last})
    rnd.update({f"precision@{r['k']}_std": nan for r in last})
    rnd.update(p_bottom_mean=b["p_random"], p_bottom_std=nan, p_top_mean=b["p_random"], p_top_std=nan)
    if "tau_params_mean" in row:
        rnd.update(tau_params_mean=0.0, tau_params_std=nan)
    return rnd


#: ``gt_table=`` values besides a table's name or path
GT_TABLE_CHOICES = ("auto", "none")


def _whole_space_table(bench: Any, gt_table: str | os.PathLike) -> tuple[Any, str]:
    """(the ground-truth table to evaluate scores for any architecture of the space against, or None; why none).
    ``auto``: the catalog's table for this dataset (docs/evaluate.md); ``none``: the dataset's subnets only; else
    a table's catalog name or path."""
    from pathlib import Path

    from wsbench.gt_catalog import NO_TABLE, read_gt_catalog, resolve_table, table_for
    from wsbench.gt_table import open_table

    space = str(bench.attrs["space"])
    if gt_table == "none":
        return None, ""
    if gt_table == "auto":
        entry = table_for(bench.name)
        if entry is None:
            why = NO_TABLE.get(space, f"the catalog has no ground-truth table for {bench.name}")
            return None, why
        return open_table(resolve_table(entry), entry.name), ""
    entries, _ = read_gt_catalog()
    if str(gt_table) in entries:
        entry = entries[str(gt_table)]
        table = open_table(resolve_table(entry), entry.name)
    elif Path(gt_table).exists():
        table = open_table(gt_table)
    else:
        raise OptionError(f"--gt-table {str(gt_table)!r} is neither auto, none, a table of the catalog "
                          f"({', '.join(entries) or 'none'}) nor a file")
    if table.space != space or table.metric != bench.metric:
        fits = [e.name for e in entries.values() if e.space == space and e.metric == bench.metric]
        raise OptionError(f"the ground-truth table {table.name} is a {table.space} table of {table.metric}, but "
                          f"{bench.name} is a {space} dataset of {bench.metric}; give --gt-table "
                          f"{' or '.join([*fits, 'none'])}")
    return table, ""


def _table_has(table: Any, gt: str) -> bool:
    """Whether the ground-truth table holds ``gt`` (gt_score; gt_score_per_seed:N where it has trainings)."""
    from wsbench.errors import WsbenchError

    try:
        table.gt(gt)
    except WsbenchError:
        return False
    return True


def _default_k(n: int, notes: list[str], what: str) -> list[str]:
    """The default counts that fit ``n`` scored subnets (a count above them is an error when given)."""
    k = [x for x in DEFAULT_K if x.endswith("%") or int(x) <= n]
    if len(k) < len(DEFAULT_K):
        notes.append(f"k: {', '.join(x for x in DEFAULT_K if x not in k)} left out of the default k (more than "
                     f"the {n} {what})")
    return k


def evaluate(scores: Any, space: str | os.PathLike, *, higher_is_better: bool | None = None, name: str = "scores",
             score_column: str | None = None, encoding: str = "auto", drop_unknown: bool = False, k: Any = None,
             epoch: Any = "last",
             seed: Any = "all", gt: str = "gt_score", ties: str = "random", ci: float | None = None,
             boot: int = 1000, rng_seed: int = 0, dedupe: bool = False,
             gt_table: str | os.PathLike = "auto", out: str | os.PathLike | None = None,
             statistic_rows: bool = True) -> Result:
    """Every statistic of a user's ranking ``scores`` against dataset ``space``'s ground truth, beside the dataset's
    own rankings on the same subnets.

    ``scores``: a CSV/JSON/Parquet path, a pandas DataFrame or a mapping arch -> score (columns ``arch``,
    ``score``, optional ``epoch``, ``seed``; ``score_column`` names another score column, e.g. ``supernet_score`` of
    ``wsbench export``'s table). ``higher_is_better``: required unless the score column is named for its
    metric (accuracy: higher; error, perplexity, loss: lower). Summary: one row per ranking (the user's ``name``,
    the supernet at its best and last epoch, its loss, sizes, proxies): Kendall, Spearman, best GT among the top-k
    with precision, P@bottom/top 10% and the size bias tau. Rows: each statistic's own summary rows per ranking
    (``ranking``, ``statistic`` and that statistic's columns).

    ``gt_table``: architectures of the space outside the dataset are evaluated against a ground-truth table of the
    space (``auto``: the catalog's table for the dataset; ``none``; or a table's name or path): the row
    ``<name> (table)``, while every ranking is compared side by side on the scored subnets of the dataset.

    ``out``: a folder; the report page of the estimator is written there (``wsbench.report.estimator``; needs
    matplotlib) and its path recorded as ``options["report"]``.

    ``statistic_rows=False``: the summary alone, without the statistics that are rows only (the scores' size and
    operator bias, stability): what ``wsbench evaluate`` shows without ``--wide``/``--json``/``--out``.
    """
    import wsbench
    from wsbench.evaluation.view import Estimator, Subset
    from wsbench.stats import bias, bottomtop, correlation, stability, topk
    from wsbench.stats.summary import NothingToRank

    if not isinstance(name, str) or not name.strip() or len(name) > 60:
        raise OptionError(f"name must be a short label for the scores, got {name!r}")
    if not isinstance(dedupe, bool) or not isinstance(drop_unknown, bool) \
            or not isinstance(statistic_rows, bool):
        raise OptionError("dedupe, drop_unknown and statistic_rows must be True or False")
    if out is not None and not statistic_rows:
        raise OptionError("the report page (out) draws the operator bias: statistic_rows=False cannot be combined "
                          "with it")
    if out is not None:  # before any work: no page without matplotlib, and no half-done run
        from wsbench.report import _require_matplotlib

        _require_matplotlib()
    s = read_scores(scores, score_column)
    direction, direction_from = direction_of(s, higher_is_better)
    bench = wsbench.open(space)
    if name in bench.scores():
        raise OptionError(f"name {name!r} is one of {bench.name}'s own rankings ({', '.join(bench.scores())}); "
                          "give the scores another --name")
    table, no_table = _whole_space_table(bench, gt_table)
    space_name = str(bench.attrs["space"])
    pool = store_strings(bench)
    t_idx: np.ndarray | None = None
    outside = 0
    if table is None:
        hint = f" (no ground-truth table of the whole space: {no_table})" if no_table else ""
        rows, dropped, notes = _map_rows(s, space_name, pool, encoding, drop_unknown,
                                         f"subnets of {bench.name}, which holds {bench.n_archs}{hint}")
    else:
        # every architecture known: the table's, then the dataset's subnets it lacks (nb101-cifar10 has some)
        t_strings = table.strings()
        in_table = {a: i for i, a in enumerate(t_strings)}
        extra = [a for a in pool if a not in in_table]
        known = t_strings + extra
        at = {**in_table, **{a: len(t_strings) + k for k, a in enumerate(extra)}} if extra else in_table
        to_pool = np.full(len(known), -1, dtype=np.intp)  # (the pool's 1,000 looked up, not the table's 15,625)
        to_pool[[at[a] for a in pool]] = np.arange(len(pool))
        u_rows, dropped, notes = _map_rows(
            s, space_name, known, encoding, drop_unknown,
            f"subnets of {bench.name} ({bench.n_archs}) nor architectures of its ground-truth table {table.name} "
            f"({table.n_archs}), {len(known)} in all", index=at)
        u_idx, u_values, more = _values(s, u_rows, direction)  # repeats: counted (or refused) once, over every row
        notes += more
        t_rows = np.where(u_rows < len(t_strings), u_rows, -1)
        if (t_rows == u_rows).all():  # the table holds every architecture scored (nb201, macro): the same columns
            t_idx, t_values = u_idx, u_values
        elif (t_rows >= 0).any():
            t_idx, t_values, _ = _values(s, t_rows, direction)
        else:
            t_idx, t_values = np.zeros(0, np.intp), {}
        rows = np.where(u_rows >= 0, to_pool[np.maximum(u_rows, 0)], -1)
        scored_u = u_idx
        outside = int((to_pool[scored_u] < 0).sum())
        missing = int((scored_u >= len(t_strings)).sum())
        if outside and missing:
            notes.append(f"{missing} of the subnets scored are not in the ground-truth table {table.name}: they are "
                         f"in the side-by-side comparison only, not in the row '{name} (table)'")
    n_scored = len(scored_u) if table is not None else None
    if not (rows >= 0).any():
        idx, values = np.zeros(0, dtype=np.intp), {}
    elif table is None:
        idx, values, more = _values(s, rows, direction)
        notes += more
    else:  # the columns of the subnets of the dataset, taken from those of every architecture scored
        at = np.flatnonzero(to_pool[u_idx] >= 0)
        order = np.argsort(to_pool[u_idx[at]])
        idx = to_pool[u_idx[at]][order]
        values = {key: v[at][order] for key, v in u_values.items() if not np.isnan(v[at]).all()}
    n = len(idx)
    whole = table is not None and outside > 0  # scores outside the dataset: a row against the whole-space table
    if table is not None and not whole:
        notes.append(f"every architecture scored is a subnet of {bench.name}: its ground-truth table {table.name} "
                     "is not needed")
    if whole and not _table_has(table, gt):
        if not n:
            raise OptionError(f"none of the architectures scored is a subnet of {bench.name}, and its ground-truth "
                              f"table {table.name} has no {gt}: evaluate against gt_score (the default --gt)")
        notes.append(f"the ground-truth table {table.name} has no {gt}: the row '{name} (table)' is left out")
        whole = False
    k_given = k
    if k is None:
        k = _default_k(n, notes, "subnets scored") if n else list(DEFAULT_K)
    est: Any = Estimator(bench, idx, name, values) if n else None
    src_est: Any = est
    src_sub: Any = Subset(bench, idx) if n else None
    if dedupe and n:
        from wsbench.deduped import Deduped

        src_est, src_sub = Deduped(src_est), Deduped(src_sub)
        notes.append(src_sub.note())
    params = "params" if "params" in bench.numeric_arch_variables() else None
    common = {"gt": gt}
    per_stat: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    stat_notes: list[str] = []
    random_row: list[dict[str, Any]] = []

    def run(label: str, source: Any, score: str, ep: Any, sd: Any, shown_epoch: Any, kk: Any = None,
            sizes: bool = True, samples: int | None = None) -> None:
        kk = k if kk is None else kk
        try:
            c = correlation.query(source, epoch=ep, seed=sd, against=gt, score=score, ci=ci, boot=boot,
                                  rng_seed=rng_seed)
            t = topk.query(source, k=kk, epoch=ep, seed=sd, score=score, ties=ties, ci=ci, boot=boot,
                           rng_seed=rng_seed, samples=samples, **common)
            bt = bottomtop.query(source, epoch=ep, seed=sd, score=score, ci=ci, boot=boot, rng_seed=rng_seed,
                                 **common)
            # size bias: the scores' ranking gets `wsbench bias --by params` in full; every ranking its Kendall tau
            # with params, `wsbench correlation --against params` (bias's (WS,PS) column)
            rows_only = params and sizes and label == name and statistic_rows
            bp = bias.query(source, by="params", epoch=ep, seed=sd, score=score, ci=ci, boot=boot,
                            rng_seed=rng_seed, **common) if rows_only else None
            cp = correlation.query(source, epoch=ep, seed=sd, against=params, score=score, method="kendall") \
                if params and sizes else None
        except NothingToRank as e:
            raise ScoresError(f"{s.source}: {e}") from None
        tables = [("correlation", c), ("topk", t), ("bottomtop", bt)] + ([("bias_params", bp)] if bp else [])
        if score == name:
            stat_notes.extend(n for _, tb in tables for n in tb.notes)
        for stat, tb in tables:
            per_stat.extend({"ranking": label, "statistic": stat, **r} for r in tb.summary)
        row = _summary_row(label, shown_epoch, c, t, bt, cp, ci is not None)
        summary.append(row)
        if score == name:  # a random ranking of the same subnets: every baseline is an exact expectation
            random_row.append(_random_row({**row, "ranking": "random" + label[len(name):]}, t, bt, ci is not None))

    has_epoch = s.epoch is not None
    est_w: Any = None
    src_w: Any = None
    if whole:
        est_w = src_w = Estimator(table, t_idx, name, t_values)
        if dedupe:
            from wsbench.deduped import Deduped

            src_w = Deduped(est_w)
            notes.append(f"{name} (table): {src_w.note()}")
        user_epochs = est_w.select_epochs(epoch)
        shown = (user_epochs[-1] if has_epoch and len(user_epochs) == 1 else
                 (",".join(map(str, user_epochs)) if has_epoch else None))
        # top-k over every architecture evaluated (one sample), as on the dataset's subnets, not `wsbench topk`'s
        # default samples of 1,000 for larger pools: "the best among my top-k of all I scored"
        every = min(int((np.isfinite(src_w.score_fn(name)(sd, ep)) & np.isfinite(src_w.gt(gt))).sum())
                    for sd, ep in t_values)
        run(f"{name} (table)", src_w, name, epoch, seed, shown,
            kk=k_given if k_given is not None else _default_k(n_scored, notes, "architectures scored"), sizes=False,
            samples=every if every > 1000 else None)
    best = None
    if n:
        user_epochs = est.select_epochs(epoch)
        run(name, src_est, name, epoch, seed, user_epochs[-1] if has_epoch and len(user_epochs) == 1 else
            (",".join(map(str, user_epochs)) if has_epoch else None))
        # the dataset's own rankings on the same subnets: the supernet at its best epoch (by mean Kendall tau with
        # the GT on these subnets: an oracle's choice) and at its last, its loss, sizes and proxies
        by_epoch = correlation.query(src_sub, epoch="all", method="kendall", against=gt).summary
        tau = [r["kendall_mean"] for r in by_epoch]
        best = by_epoch[int(np.nanargmax(tau))]["epoch"] if any(math.isfinite(x) for x in tau) else bench.epochs[-1]
        last_epoch = bench.epochs[-1]
        run("supernet (best epoch)", src_sub, "supernet", best, "all", best)
        if best == last_epoch:  # one ranking under two names: its numbers copied, not computed twice
            again = [{**r, "ranking": "supernet (last epoch)"} for r in per_stat
                     if r["ranking"] == "supernet (best epoch)"]
            per_stat.extend(again)
            summary.append({**summary[-1], "ranking": "supernet (last epoch)"})
        else:
            run("supernet (last epoch)", src_sub, "supernet", last_epoch, "all", last_epoch)
        orders: dict[bytes, str] = {}
        same: dict[str, list[str]] = {}
        known = np.isfinite(src_sub.gt(gt))
        covered = int((np.isfinite(src_sub.score_fn("supernet")(bench.seeds[0], last_epoch)) & known).sum())
        partial: dict[str, int] = {}
        for other in bench.scores()[1:]:
            if other == "loss":
                run("loss (last epoch)", src_sub, "loss", last_epoch, "all", last_epoch)
                continue
            if other == "finetune":  # per (seed, epoch) as the supernet, where the last epoch was fine-tuned
                tuned = sorted(s for s, e in bench.finetuned_regions() if e == last_epoch)
                if not tuned:
                    notes.append(f"finetune left out: no subnet fine-tuned at the last epoch ({last_epoch})")
                    continue
                held = int((np.isfinite(src_sub.score_fn("finetune")(tuned[0], last_epoch)) & known).sum())
                if held < covered:  # fine-tuned for a part of the subnets (nb201-cifar10-paper: 200 of 1,000)
                    partial[other] = held
                    continue
                run("finetune (last epoch)", src_sub, "finetune", last_epoch, ",".join(map(str, tuned)), last_epoch)
                continue
            ranked = src_sub.score_fn(other)(bench.seeds[0], last_epoch)
            held = int((np.isfinite(ranked) & known).sum())
            if held < covered:  # e.g. a proxy imported for a few cells: not a ranking of the same subnets
                partial[other] = held
                continue
            # per subnet, the same at every seed and epoch; one that orders the subnets exactly as an earlier one
            # (ties and unknowns alike: params and flops often do) would repeat its numbers: named, not repeated
            order = np.unique(ranked, return_inverse=True)[1].tobytes()
            if order in orders:
                same.setdefault(orders[order], []).append(other)
                continue
            orders[order] = other
            run(other, src_sub, other, last_epoch, str(bench.seeds[0]), None)
        if partial:
            notes.append(f"left out: {', '.join(f'{o} ({h})' for o, h in partial.items())}: the dataset holds "
                         f"{'it' if len(partial) == 1 else 'them'} for fewer of these subnets (in brackets) than the "
                         f"{covered} the supernet scored, so {'its' if len(partial) == 1 else 'their'} statistics "
                         "would be over other subnets")
        for first, alike in same.items():
            notes.append(f"{', '.join(alike)}: order{'s' if len(alike) == 1 else ''} these subnets exactly as {first} "
                         "(ties included), so every statistic is the same: shown once, as " + first)
    elif whole:
        notes.append(f"none of the architectures scored is a subnet of {bench.name}: no side-by-side comparison "
                     "with the dataset's rankings")
    summary.extend(random_row)
    # the scores' own statistics (stability, operator bias): on every architecture evaluated
    own, src_own = (est_w, src_w) if whole else (est, src_est)
    if statistic_rows and (len(own.epochs) > 1 or len(own.seeds) > 1):
        n_values = len(t_values) if whole else len(values)
        if n_values == len(own.epochs) * len(own.seeds):
            stab = stability.query(src_own, epoch="all", seed="all", score=name)
            per_stat.extend({"ranking": name, "statistic": "stability", **r} for r in stab.summary)
        else:
            notes.append(f"stability left out: the scores hold {n_values} of the {len(own.epochs) * len(own.seeds)} "
                         f"(seed, epoch) pairs of seeds {own.seeds} x epochs {own.epochs}")
    if statistic_rows:
        operator = bias.query(src_own, by="operator", epoch=epoch, seed=seed, score=name, ties=ties, **common)
        per_stat.extend({"ranking": name + (" (table)" if whole else ""), "statistic": "bias_operator", **r}
                        for r in operator.summary)
    if n and statistic_rows:
        operator_sn = bias.query(src_sub, by="operator", epoch=bench.epochs[-1], score="supernet", ties=ties,
                                 **common)
        per_stat.extend({"ranking": "supernet (last epoch)", "statistic": "bias_operator", **r}
                        for r in operator_sn.summary)
    options = {"scores": s.source, "name": name, "direction": direction, "direction_from": direction_from,
               "encoding": encoding, "rows": len(s), "dropped_unknown": dropped, "subnets": n,
               "of_dataset": bench.n_archs, "epoch": own.select_epochs(epoch) if s.epoch is not None else None,
               "seed": own.select_seeds(seed) if s.seed is not None else None,
               "k": [str(x) for x in (k.split(",") if isinstance(k, str) else k)], "gt": gt, "ties": ties,
               "best_epoch": best, "dedupe": dedupe,
               "gt_table": table.name if table is not None else None,
               "scored": n_scored if n_scored is not None else n, "outside_dataset": outside,
               "statistic_rows": statistic_rows}
    if ci is not None:
        options.update(ci=ci, boot=boot, rng_seed=rng_seed)
    merged = " (merged by function: --dedupe)" if dedupe else ""
    grid = ("no epoch/seed columns: one ranking" if s.epoch is None and s.seed is None else
            f"epochs {own.epochs}, seeds {own.seeds} of the scores")
    head = []
    if whole:
        head.append(f"{n_scored} architectures scored, {outside} of them outside {bench.name}: the {len(t_idx)} "
                    f"that the ground-truth table {table.name} holds ({table.attrs['coverage']}; "
                    f"{table.attrs['gt_kind']}) are evaluated against it in the row '{name} (table)' (top-k among "
                    "all of them, one sample, as on the dataset's subnets)")
    if n:
        head.append(f"{n} of {bench.name}'s {bench.n_archs} subnets scored; every ranking is evaluated on exactly "
                    f"these subnets{merged}")
    head.append(f"{name}: {direction_from}, {'higher' if direction == 'max' else 'lower'} is better; {grid}")
    if n:
        head.append(f"supernet (best epoch): epoch {best}, the recorded epoch with the highest mean Kendall tau with "
                    f"{gt} on these subnets (chosen with the ground truth: an oracle's choice, an upper bound for "
                    "the supernet)")
    head.append("summary: per ranking, mean ± std over its seeds; random: a uniformly random ranking of the same "
                "subnets (exact expectations); best_gt@k: best ground truth among the ranking's top-k; "
                "precision@k: |top-k ∩ GT top-k| / k; "
                "p_bottom/p_top: precision in the bottom/top 10%; tau_params: Kendall tau of the ranking with params "
                "(size bias); rows: each statistic's own summary per ranking (stability and operator bias: the scores)")
    if whole and n and gt == "gt_score":
        pooled = t_idx[to_pool[t_idx] >= 0]
        differ = int((table.arch_values("gt_score")[pooled] != bench.arch_values("gt_score")[to_pool[pooled]]).sum())
        if differ:
            notes.append(f"the ground-truth table and {bench.name} disagree on {differ} of the {len(pooled)} subnets "
                         f"both hold (see the table's gt_kind and the dataset's gt_source); each side uses its own")
    if s.ignored:
        head.append(f"columns not used: {', '.join(s.ignored[:10])}")
    seen: set[str] = set()
    tail = [f"{STAT_NOTE}{x}" for x in stat_notes if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]
    tail.append(f"metric {bench.metric} of the ground truth ({'higher' if bench.direction == 'max' else 'lower'} is "
                f"better); scale preset {bench.attrs.get('scale_preset')!r}")
    result = Result(stat="evaluate", dataset=bench.name, options=options, rows=per_stat, summary=summary,
                    notes=[*head, *notes, *tail])
    if out is not None:
        from wsbench.report.estimator import write_page

        page = write_page(out, result, own)
        options["report"] = str(page)
        result.notes.append(f"report: {page} (the estimator's page: rankings, top-k, score vs ground truth, τ vs "
                            "epoch, operators" + ("; per architecture, not merged by --dedupe" if dedupe else "") + ")")
    return result
