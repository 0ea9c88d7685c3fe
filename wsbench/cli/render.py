"""Human output of results as rich tables (``--json`` bypasses this)."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

from wsbench.result import fmt, fmt_pm

MAX_ROWS = 40


def table(title: str, rows: list[dict[str, Any]]) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold")
    cols = list(rows[0]) if rows else []
    for c in cols:
        t.add_column(c, justify="right" if rows and isinstance(rows[0][c], (int, float)) else "left", overflow="fold")
    for r in rows[:MAX_ROWS]:
        t.add_row(*(fmt(r.get(c)) for c in cols))
    if len(rows) > MAX_ROWS:
        t.caption = f"{len(rows) - MAX_ROWS} more rows: use --json for all"
    return t


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


#: summary columns left out of the human table (in --json; their value is stated in the notes)
HIDDEN = {"topk": ("random_precision", "random_ndcg", "sample_best_gt")}


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


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


def show(result: Any, console: Console) -> None:
    """Summary table (mean ± std over seeds) if there is one, else the rows; then the notes."""
    opts = ", ".join(f"{k}={v}" for k, v in result.options.items())
    console.print(f"[bold]{result.stat}[/bold] of [bold]{result.dataset}[/bold]  ({opts})", soft_wrap=True)
    if result.summary:
        title = "summary (mean ± std over seeds)" if "seed" in result.options else "summary"
        hidden = HIDDEN.get(result.stat, ())
        t = table(title, merge_intervals(merge_mean_std([{k: v for k, v in r.items() if k not in hidden}
                                                          for r in result.summary])))
        if result.rows and result.stat != "info":
            t.caption = f"{len(result.rows)} per-seed rows: add --json"
        console.print(t)
        if result.stat == "info":  # its rows are the variables: what a reader looks for first
            console.print(table("variables", result.rows))
    else:
        console.print(table("rows", result.rows))
    for n in result.notes:
        console.print(f"[dim]note: {n}[/dim]")
