"""Human output of results as rich tables that fit the console (``--json`` bypasses this).

Every table fits the console's width. By default a table shows its key columns (epoch, k, seed, ...) and the
statistic's main columns, left to right, as many as fit; the caption names the ones left out. ``--wide`` shows
every column (a table too wide for the console is split into parts that each repeat the key columns) and the
rows behind the summary. Headers are never wrapped; numbers never wrap.

Everything here that comes from data (names, paths, attributes, cells, notes) is shown as plain text: cells and
headers as :class:`rich.text.Text` (never read as markup), control characters as ``\\xNN``
(:func:`wsbench.escape.visible`).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from wsbench.escape import label, term, visible
from wsbench.result import fmt, fmt_column, fmt_pm

MAX_ROWS = 40
#: longest table cell shown (a value from data may be megabytes; --json has it whole)
CELL_CHARS = 300

#: columns that say which unit a row is about: every part of a split table repeats them, and they are never left out
KEYS = ("ranking", "statistic", "kind", "seed", "epoch", "k", "mode", "factor", "decision", "op", "name", "variable", "key")

#: summary columns shown only with --wide (and in --json); everything else is shown when it fits
WIDE_ONLY = {
    "topk": ("k_count", "sample_best_gt", "random_precision", "random_ndcg", "tie_group_max", "precision ci",
             "ndcg ci"),
    "bias": ("share_top_supernet", "share_top_gt", "count"),
    "bottomtop": ("seeds", "n"),
    "meanscore": ("seeds",),
    "paired": ("seeds",),
    "evaluate": ("n",),
}
#: columns of a table shown first (after the keys), where the statistic's own order would push them out
FIRST = {"bias": ("gap", "flag"), "bottomtop": ("p_bottom", "p_top", "p_diff", "p_diff ci", "p_random"),
         "meanscore": ("mean", "spread", "mean_gt"),
         "paired": ("delta", "delta ci", "verdict", "p_value"),
         "prune": ("remaining", "supernet_topk_best_gt", "random_topk_best_gt", "control_topk_best_gt", "kendall",
                   "control_kendall", "retrained_minus_control")}


#: summary titles that differ from "summary (mean ± std over seeds)"
SUMMARY_TITLES = {"paired": "summary (taus: means over seeds; delta ci: see the notes)"}


def _each(values: list[Any]) -> list[str]:
    return [fmt(v) for v in values]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _numeric(rows: list[dict[str, Any]], c: str) -> bool:
    return any(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) for r in rows)


#: a text column (a path, a description) may be wrapped down to this width; numbers never are
TEXT_MIN = 20


def _col_width(c: str, cells: dict[str, list[str]], text: set[str]) -> int:
    head = cell_len(visible(c))
    natural = max([head, *map(cell_len, cells[c])])
    return min(natural, max(head, TEXT_MIN)) if c in text else natural


def _width(cols: list[str], cells: dict[str, list[str]], text: set[str] = frozenset()) -> int:
    """Width of a table of ``cols`` in the style of :func:`_new_table` (no outer edge, one space of padding
    each side of an inner divider), text columns wrapped to at most ``TEXT_MIN``."""
    return sum(_col_width(c, cells, text) for c in cols) + 3 * (len(cols) - 1)


def _new_table(title: str, width: int) -> Table:
    # at least as wide as its title (so the title is not wrapped), at most the console
    return Table(title=term(title), title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, show_edge=False,
                 pad_edge=False, min_width=min(cell_len(title), width))


def _parts(cols: list[str], keys: list[str], cells: dict[str, list[str]], text: set[str],
           width: int) -> list[list[str]]:
    """Split ``cols`` into tables that each fit ``width``, each starting with ``keys``."""
    parts: list[list[str]] = []
    cur = list(keys)
    for c in cols:
        if c in keys:
            continue
        if len(cur) > len(keys) and _width([*cur, c], cells, text) > width:
            parts.append(cur)
            cur = list(keys)
        cur.append(c)
    if len(cur) > len(keys) or not parts:
        parts.append(cur)
    return parts


def tables(title: str, rows: list[dict[str, Any]], width: int, *, wide: bool = True,
           wide_only: tuple[str, ...] = (), first: tuple[str, ...] = (), limit: int | None = MAX_ROWS,
           ) -> tuple[list[Table], list[str]]:
    """``rows`` as tables that fit ``width``: (tables, the columns left out). Without ``wide`` the columns in
    ``wide_only`` are left out, and so is every column from the first one that does not fit."""
    cols = list(rows[0]) if rows else []
    keys = [c for c in cols if c in KEYS]
    rest = [c for c in first if c in cols and c not in keys] + [c for c in cols if c not in keys and c not in first]
    rest.sort(key=lambda c: c.endswith("_mc_se"))  # Monte-Carlo errors after the values (a stable sort)
    shown = rows if limit is None else rows[:limit]
    # a value column reads at one precision; a key (factor 0.1, 0.25: a setting, not a measurement) as given
    cells = {c: [label(x, CELL_CHARS) for x in (fmt_column if c not in KEYS else _each)([r.get(c) for r in shown])]
             for c in cols}  # plain text: see add_row
    # wrapable: text too long for a column of its own (a path, a description); numbers and 'mean ± std' never wrap
    text = {c for c in cols if not _numeric(rows, c) and max(map(cell_len, cells[c]), default=0) > TEXT_MIN}
    left_out: list[str] = []
    if wide:
        parts = _parts(rest, keys, cells, text, width)
    else:
        chosen, full = list(keys), False
        for c in rest:
            if c in wide_only:
                left_out.append(c)
            elif full or _width([*chosen, c], cells, text) > width:
                full = True  # the columns are in order of importance: none after the first that does not fit
                left_out.append(c)
            else:
                chosen.append(c)
        parts = [[c for c in [*keys, *rest] if c in chosen]]
    out = []
    for i, part in enumerate(parts):
        name = title if len(parts) == 1 else f"{title} ({i + 1}/{len(parts)})"
        t = _new_table(name, width)
        for c in part:
            # a header is never wrapped; a long text cell (a file path) folds rather than push the table out
            t.add_column(Text(visible(c)), justify="right" if _numeric(rows, c) else "left", no_wrap=c not in text,
                         overflow="fold" if c in text else "ellipsis", min_width=cell_len(visible(c)))
        for j in range(len(shown)):  # Text, not str: a cell is never read as Rich markup ([/x], [link=...])
            t.add_row(*(Text(cells[c][j]) for c in part))
        out.append(t)
    if limit is not None and len(rows) > limit:
        left_out.append(f"{len(rows) - limit} more rows")
    return out, left_out


def table(title: str, rows: list[dict[str, Any]], width: int = 80) -> Table:
    """One table of ``rows`` (every column; the first part if it had to be split)."""
    return tables(title, rows, width)[0][0]


def merge_mean_std(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Show ``x_mean`` and ``x_std`` as one ``x`` column holding 'mean ± std'."""
    out = []
    for r in rows:
        m: dict[str, Any] = {}
        for key, v in r.items():
            if key.endswith("_mean") and f"{key[:-5]}_std" in r:
                m[key[:-5]] = fmt_pm(v, r[key[:-5] + "_std"])
            elif not (key.endswith("_std") and f"{key[:-4]}_mean" in r):
                m[key] = v
        out.append(m)
    return out


def merge_intervals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Put ``x_ci_low``/``x_ci_high`` into one ``x ci`` column '[low, high]' right after ``x``; drop columns that
    are null (or NaN) in every row, such as a Monte-Carlo error where there was one trial."""
    keys = [k for k in (rows[0] if rows else {}) if not all(_blank(r.get(k)) for r in rows)]
    out = []
    for r in rows:
        m: dict[str, Any] = {}
        for key in keys:
            if key.endswith(("_ci_low", "_ci_high")):
                continue
            m[key] = r[key]
            if f"{key}_ci_low" in r:
                m[f"{key} ci"] = f"[{fmt(r[key + '_ci_low'])}, {fmt(r[key + '_ci_high'])}]"
        out.append(m)
    return out


def _raw(display: list[str]) -> set[str]:
    """The result keys behind displayed columns ('x' <- x, x_mean, x_std; 'x ci' <- x_ci_low, x_ci_high)."""
    out: set[str] = set()
    for d in display:
        if d.endswith(" ci"):
            out |= {d[:-3] + "_ci_low", d[:-3] + "_ci_high"}
        else:
            out |= {d, d + "_mean", d + "_std"}
    return out


def _clauses(note: str) -> list[str]:
    """``note`` split at '; ' outside parentheses."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(note):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and note.startswith("; ", i):
            out.append(note[start:i])
            start = i + 2
    return [*out, note[start:]]


#: a clause defines a column when it starts with (or has a parenthesis starting with) "name:", "name =", "name are"
_DEFINED = re.compile(r"(?:^|\()\s*([\w*/]+)\s*(?::|=| are | is )")


def _defined(clause: str, columns: set[str]) -> set[str]:
    out = set()
    for name in _DEFINED.findall(clause):
        pattern = re.compile(re.escape(name).replace(r"\*", r"\w*").replace("/high", "") + "$")
        out |= {c for c in columns if pattern.match(c) and c not in KEYS}
    return out


def notes_for(notes: list[str], shown: list[str], columns: set[str]) -> tuple[list[str], bool]:
    """The clauses of ``notes`` that do not define only columns left out of the text output; and whether any
    clause was dropped."""
    raw, out, dropped = _raw(shown), [], False
    for n in notes:
        kept, keep = [], True
        for c in _clauses(n):
            d = _defined(c, columns)
            if d:  # a clause that defines nothing continues the one before it
                keep = bool(d & raw)
            if keep:
                kept.append(c)
            else:
                dropped = True
        if kept:
            out.append("; ".join(kept))
    return out, dropped


def _rows_hint(result: Any) -> str:
    n = len(result.rows)
    if result.rows and "seed" in result.rows[0]:
        return f"{n} rows, one per seed: --wide shows them"
    if "seed" not in result.options:  # a statistic without supernet seeds (gt-noise)
        return f"{n} rows: --wide shows them"
    return f"{n} rows, each a mean over the seeds: --wide shows them all"


def show(result: Any, console: Console, wide: bool = False) -> None:
    """Summary table (mean ± std over seeds) if there is one, else the rows; then the notes about what is shown."""
    if result.stat == "info":
        show_info(result, console, wide)
        return
    if result.stat == "evaluate":
        show_evaluate(result, console, wide)
        return
    width = console.width
    opts = ", ".join(f"{k}={v}" for k, v in result.options.items())
    console.print(Text.assemble((visible(result.stat), "bold"), " of ", (visible(result.dataset), "bold"),
                                f"  ({visible(opts)})"))
    columns = {k for r in (*result.summary[:1], *result.rows[:1]) for k in r}
    shown: list[str] = []
    hints = []
    if result.summary:
        title = SUMMARY_TITLES.get(result.stat, "summary (mean ± std over seeds)" if "seed" in result.options
                                   else "summary")
        ts, left_out = tables(title, merge_intervals(merge_mean_std(result.summary)), width, wide=wide,
                              wide_only=WIDE_ONLY.get(result.stat, ()), first=FIRST.get(result.stat, ()))
        shown += [str(c.header) for t in ts for c in t.columns]
        if left_out:
            hints.append(f"not shown: {', '.join(left_out)} (--wide)")
        if not wide and result.rows:
            hints.append(_rows_hint(result))
        for t in ts:
            console.print(t)
        if hints:
            console.print(visible("; ".join([*hints, "--json: everything"])), style="dim", markup=False)
    if wide or not result.summary:
        rows = merge_intervals(result.rows)
        title = "rows" if not result.summary else (
            "rows, one per seed" if rows and "seed" in rows[0] else "rows (each a mean over the seeds)")
        ts, left_out = tables(title, rows, width, limit=None if wide else MAX_ROWS)
        shown += [str(c.header) for t in ts for c in t.columns]
        for t in ts:
            console.print(t)
        if left_out:
            console.print(visible(f"not shown: {', '.join(left_out)} (--json)"), style="dim", markup=False)
    notes, dropped = notes_for(result.notes, shown, columns)
    for n in notes:  # notes quote names and attributes of the store
        console.print(visible(f"note: {n}"), style="dim", markup=False)
    if dropped:
        console.print("note: notes on the columns not shown: --wide or --json", style="dim", markup=False)


# -- info: a card ----------------------------------------------------------------------------------------------------

_HASH = re.compile(r"^[0-9a-f]{32,}$")


def _is_hashes(v: Any) -> bool:
    if isinstance(v, str):
        return bool(_HASH.match(v))
    if isinstance(v, dict):
        return bool(v) and all(_is_hashes(x) for x in v.values())
    if isinstance(v, list):
        return bool(v) and all(_is_hashes(x) for x in v)
    return False


def brief(v: Any) -> str:
    """A dict or list as one readable line: 'key value; key value', checksums left out (in --json)."""
    if isinstance(v, dict):
        parts = []
        for k, x in v.items():
            if x is None or _is_hashes(x) or "sha256" in str(k) or "md5" in str(k):
                continue
            parts.append(f"{k} {brief(x)}" if not isinstance(x, dict) else f"{k} ({brief(x)})")
        return "; ".join(parts)
    if isinstance(v, list):
        return ", ".join(brief(x) for x in v)
    if isinstance(v, float):
        return fmt(v)
    return str(v)


def describe(name: str, attrs: dict[str, Any]) -> str:
    """What a variable holds: meaning, units and which direction is better."""
    metric = str(attrs.get("metric", "metric"))
    unit = " (%)" if metric in ("accuracy", "error") else ""
    better = "higher is better" if attrs.get("metric_direction") == "max" else "lower is better"
    if name == "supernet_score":
        return f"{metric}{unit} with inherited supernet weights, {better}"
    if name == "supernet_loss":
        return "cross-entropy (nats) on the same data, same pass; lower is better"
    if name == "finetune_score":
        return f"{metric}{unit} after inheriting and fine-tuning alone (attribute finetune); {better}"
    if name == "finetune_loss":
        return "cross-entropy (nats) in the same pass as finetune_score; lower is better"
    if name == "gt_score":
        return f"ground truth {metric}{unit}, {better}"
    if name == "gt_score_per_seed":
        return f"ground truth {metric}{unit} of each GT seed; {better}"
    if name.startswith("gt_score_"):
        return f"another ground truth {metric}{unit}; {better}"
    sizes = {"params": "parameters (count)", "flops": "FLOPs (multiply-adds)"}
    if name in sizes:
        return f"{sizes[name]} as the supernet ran it"
    if name.endswith("_paper") and name[:-6] in sizes:
        return f"{sizes[name[:-6]]} at the paper-scale network"
    if name.startswith("proxy_"):
        direction = str(((attrs.get("proxies") or {}).get(name[6:]) or {}).get("direction", ""))
        return "proxy score as its source reports it; " + (
            direction if direction and len(direction) <= 30 else "higher = better for most")
    if name == "choice":
        return "index into ops of the op chosen at each decision (-1: none)"
    if name == "arch_string":
        return "canonical architecture string"
    return ""


def show_info(result: Any, console: Console, wide: bool = False) -> None:
    """``wsbench info``: what the dataset is, how it was made, its ground truth and noise, its variables, and its
    provenance folded (every attribute in full: --wide or --json)."""
    attrs = {r["key"]: r["value"] for r in result.summary}
    width = console.width
    a = attrs.get
    direction = "higher is better" if a("metric_direction") == "max" else "lower is better"
    data = a("dataset") if isinstance(a("dataset"), dict) else {"name": a("dataset")}
    console.print(Text.assemble((visible(result.dataset), "bold"),
                                visible(f": {a('space')} space on {data.get('name', '?')}, scale preset "
                                        f"{a('scale_preset')}")))
    epochs, seeds = a("epochs") or [], a("seeds") or []
    console.print(visible(f"{a('archs')} subnets × {len(epochs)} epochs ({', '.join(map(str, epochs))}) × "
                          f"{len(seeds)} supernet seeds ({', '.join(map(str, seeds))}); {len(a('decisions') or [])} "
                          f"decisions over {len(a('ops') or [])} ops; metric {a('metric')} ({direction})"),
                  markup=False)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def add(label: object, value: object) -> None:  # attributes and their keys: plain text, never markup
        grid.add_row(Text(visible(label)), Text(visible(value)))

    shown = set()
    sections = [("data", "dataset"), ("sampler", "sampler"), ("supernet", "supernet_recipe"),
                ("scoring", "evaluation_protocol"), ("ground truth", "gt_source"), ("GT noise", "gt_noise")]
    if not wide:
        for label, key in sections:
            if key in attrs:
                add(label, brief(attrs[key]))
                shown.add(key)
        if a("proxies"):
            add("proxies", ", ".join(a("proxies")))
            shown.add("proxies")
        if a("reissues"):
            add("reissues", "; ".join(f"{r.get('version')} {r.get('date', '')}: {r.get('reason', '')}"
                                      for r in a("reissues") if isinstance(r, dict)))
            shown.add("reissues")
        add("provenance", f"license {a('license')}; created {a('created')}; builder {brief(a('builder'))}; "
                          f"software {brief(a('software'))}; schema v{a('schema_version')}")
        add("citation", str(a("citation")))
    else:
        for key, v in attrs.items():
            if key in ("archs", "epochs", "seeds"):
                continue
            add(key, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
    console.print(grid)
    rows = [{**r, "what": describe(r["variable"], attrs)} for r in result.rows]
    ts, left_out = tables("variables", rows, width, wide=wide, first=("what",) if not wide else (), limit=None)
    for t in ts:
        console.print(t)
    if left_out:
        console.print(visible(f"not shown: {', '.join(left_out)} (--wide)"), style="dim", markup=False)
    if not wide:
        console.print("every attribute in full: --wide, or --json", style="dim", markup=False)


# -- evaluate: the side-by-side table, then (--wide) each statistic's own ------------------------------------------

def show_evaluate(result: Any, console: Console, wide: bool = False) -> None:
    """``wsbench evaluate``: one row per ranking; with --wide every column, and each statistic's summary per ranking
    as a table of its own (the rows differ in columns from one statistic to the next)."""
    from wsbench.evaluation import STAT_NOTE

    o = result.options
    console.print(Text.assemble(("evaluate ", "bold"), (visible(str(o["name"])), "bold"), " against ",
                                (visible(result.dataset), "bold"),
                                visible((f"  ({o['scored']} scored against {o['gt_table']}, {o['subnets']} of "
                                         "them subnets of the dataset" if o.get("outside_dataset") else
                                         f"  ({o['subnets']} subnets")
                                        + (f", epoch {o['epoch']}" if o["epoch"] is not None else "")
                                        + (f", seed {o['seed']}" if o["seed"] is not None else "")
                                        + f", gt {o['gt']})")))
    rows = [{k: ("—" if k == "epoch" and v is None else v) for k, v in r.items()} for r in result.summary]
    ts, left_out = tables("summary (mean ± std over seeds)", merge_intervals(merge_mean_std(rows)), console.width,
                          wide=wide, wide_only=WIDE_ONLY["evaluate"])
    for t in ts:
        console.print(t)
    if wide:
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in result.rows:
            groups.setdefault(str(r["statistic"]), []).append({k: v for k, v in r.items() if k != "statistic"})
        for stat, part in groups.items():
            ts2, _ = tables(stat, merge_intervals(merge_mean_std(part)), console.width, limit=None)
            for t in ts2:
                console.print(t)
    hints = ([f"not shown: {', '.join(left_out)} (--wide)"] if left_out else []) + (
        [] if wide else [f"each statistic's own table ({len(result.rows)} rows): --wide"
                         if o.get("statistic_rows", True) else
                         "each statistic's own table, with size and operator bias and stability: --wide"])
    console.print(visible("; ".join([*hints, "--json: everything"])), style="dim", markup=False)
    for n in result.notes:
        if wide or not n.startswith(STAT_NOTE):
            console.print(visible(f"note: {n}"), style="dim", markup=False)
